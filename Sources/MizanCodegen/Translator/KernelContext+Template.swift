// How templates read the contexts: by name, through a switch, with no reflection. A test checks
// that each context answers for exactly its stored properties, so a new property cannot be
// forgotten here.

extension TypesFileContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "header": TemplateValue(header)
        case "types": TemplateValue(types)
        case "isEmpty": TemplateValue(isEmpty)
        default: nil
        }
    }
}

extension TypeContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "doc": TemplateValue(doc)
        case "name": TemplateValue(self.name)
        case "isInterface": TemplateValue(isInterface)
        case "fields": TemplateValue(fields)
        case "hasFields": TemplateValue(hasFields)
        case "isTypeAlias": TemplateValue(isTypeAlias)
        case "definition": TemplateValue(definition)
        default: nil
        }
    }
}

extension PropertyContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "doc": TemplateValue(doc)
        case "key": TemplateValue(key)
        case "optional": TemplateValue(optional)
        case "type": TemplateValue(type)
        default: nil
        }
    }
}

extension ClientsFileContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "header": TemplateValue(header)
        case "importsTypes": TemplateValue(importsTypes)
        case "importsErrors": TemplateValue(importsErrors)
        case "hasClients": TemplateValue(hasClients)
        case "clients": TemplateValue(clients)
        case "invalidation": TemplateValue(invalidation)
        case "api": TemplateValue(api)
        default: nil
        }
    }
}

extension ClientContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "name": TemplateValue(self.name)
        case "nameLiteral": TemplateValue(nameLiteral)
        case "typePrefix": TemplateValue(typePrefix)
        case "paramsType": TemplateValue(paramsType)
        case "hasParams": TemplateValue(hasParams)
        case "params": TemplateValue(params)
        case "hasBranches": TemplateValue(hasBranches)
        case "branchesType": TemplateValue(branchesType)
        case "resultType": TemplateValue(resultType)
        case "errorType": TemplateValue(errorType)
        case "hasErrors": TemplateValue(hasErrors)
        case "errorDefinition": TemplateValue(errorDefinition)
        case "method": TemplateValue(method)
        case "pathLiteral": TemplateValue(pathLiteral)
        case "paramSpecs": TemplateValue(paramSpecs)
        case "cacheSpec": TemplateValue(cacheSpec)
        case "branchesSpec": TemplateValue(branchesSpec)
        case "errorsSpec": TemplateValue(errorsSpec)
        default: nil
        }
    }
}

extension ParamSpecContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "key": TemplateValue(key)
        case "location": TemplateValue(location)
        case "wire": TemplateValue(wire)
        case "wireType": TemplateValue(wireType)
        case "list": TemplateValue(list)
        case "required": TemplateValue(required)
        default: nil
        }
    }
}

extension InvalidationContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "mutationLiteral": TemplateValue(mutationLiteral)
        case "affects": TemplateValue(affects)
        default: nil
        }
    }
}

extension AffectContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "clientLiteral": TemplateValue(clientLiteral)
        case "params": TemplateValue(params)
        default: nil
        }
    }
}

extension APIMemberContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "indent": TemplateValue(indent)
        case "key": TemplateValue(key)
        case "isNamespace": TemplateValue(isNamespace)
        case "members": TemplateValue(members)
        case "isFunction": TemplateValue(isFunction)
        case "doc": TemplateValue(doc)
        case "parameters": TemplateValue(parameters)
        case "argument": TemplateValue(argument)
        case "resultType": TemplateValue(resultType)
        case "nameLiteral": TemplateValue(nameLiteral)
        default: nil
        }
    }
}

extension IndexFileContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "header": TemplateValue(header)
        case "doc": TemplateValue(doc)
        default: nil
        }
    }
}

extension TemplateValue {
    init(_ text: String) { self = .text(text) }
    init(_ flag: Bool) { self = .flag(flag) }
    init(_ items: [some TemplateContext]) { self = .list(items) }
}
