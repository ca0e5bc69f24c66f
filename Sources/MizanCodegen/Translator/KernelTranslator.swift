import MizanCore
import MizanSchema

/// Stage 1 translation: the IR → the typed contexts of the kernel templates. All naming and
/// TypeScript type decisions are made here, so templates only lay the text out.
struct KernelTranslator {
    let schema: Schema
    let header: String

    private var inTypes: TypeScriptNames { TypeScriptNames(schema: schema, typePrefix: "") }
    private var inClients: TypeScriptNames { TypeScriptNames(schema: schema, typePrefix: "T.") }

    func typesFile() -> TypesFileContext {
        let names = inTypes
        let types = schema.types.map { decl -> TypeContext in
            var extra: [String] = []
            let doc: String
            switch decl.kind {
            case .object(let fields):
                doc = TypeScriptNames.docComment(decl.doc, deprecation: decl.deprecation)
                let properties = fields.map { property($0.name, $0.type, optional: $0.optional, doc: $0.doc, deprecation: $0.deprecation, names: names) }
                return TypeContext(doc: doc, name: decl.tsName, isInterface: true, fields: properties, hasFields: !fields.isEmpty, isTypeAlias: false, definition: "")
            case .enumeration(let values):
                doc = TypeScriptNames.docComment(decl.doc, deprecation: decl.deprecation)
                return alias(decl, doc, values.map(\.jsonText).joined(separator: " | "))
            case .union(let variants, let discriminator):
                if let discriminator { extra.append("Discriminated by `\(discriminator)`.") }
                doc = TypeScriptNames.docComment(decl.doc, deprecation: decl.deprecation, extra: extra)
                let rendered = variants.map { variant -> String in
                    // Pin the discriminator per variant when the variant itself does not.
                    guard let discriminator, case .named(let name) = variant, let values = decl.discriminatorValues[name] else {
                        return names.type(variant)
                    }
                    let pinned = values.map { Literal.string($0).jsonText }.joined(separator: " | ")
                    return "(\(names.type(variant)) & { \(Naming.propertyKey(discriminator)): \(pinned) })"
                }
                return alias(decl, doc, rendered.joined(separator: " | "))
            case .alias(let target):
                doc = TypeScriptNames.docComment(decl.doc, deprecation: decl.deprecation)
                return alias(decl, doc, names.type(target))
            }
        }
        return TypesFileContext(header: header, types: types, isEmpty: types.isEmpty)
    }

    private func alias(_ decl: TypeDecl, _ doc: String, _ definition: String) -> TypeContext {
        TypeContext(doc: doc, name: decl.tsName, isInterface: false, fields: [], hasFields: false, isTypeAlias: true, definition: definition)
    }

    private func property(_ name: String, _ type: TypeRef, optional: Bool, doc: String?, deprecation: Deprecation?, names: TypeScriptNames) -> PropertyContext {
        PropertyContext(
            doc: TypeScriptNames.docComment(doc, deprecation: deprecation, indent: "  "),
            key: Naming.propertyKey(name), optional: optional, type: names.type(type))
    }

    func clientsFile() -> ClientsFileContext {
        let clients = schema.clients.map(client)
        return ClientsFileContext(
            header: header,
            importsTypes: schema.clients.contains(where: refersToNamedType),
            importsErrors: schema.clients.contains { !$0.errors.isEmpty },
            hasClients: !clients.isEmpty,
            clients: clients,
            invalidation: schema.clients.filter { !$0.affects.isEmpty }.map { client in
                InvalidationContext(mutationLiteral: literal(client.name), affects: client.affects.map(affect))
            },
            api: apiMembers(schema.clients, depth: 0))
    }

    func indexFile() -> IndexFileContext {
        var lines = ["Creates a typed client for \(schema.project ?? "this backend"): one function per client, grouped by"]
        lines.append("namespace, sharing one query store (`store`) and kernel (`kernel`).")
        if let doc = schema.doc { lines += ["", doc] }
        return IndexFileContext(header: header, doc: TypeScriptNames.docComment(lines.joined(separator: "\n")))
    }

    private func literal(_ s: String) -> String { Literal.string(s).jsonText }

    private func client(_ client: Client) -> ClientContext {
        let names = inClients
        let prefix = Naming.clientTypePrefix(client.name)
        var branchesType = ""
        if case .branches(let branches) = client.returns {
            branchesType = branches.map { "{ status: \($0.status); data: \($0.type.map(names.type) ?? "undefined") }" }.joined(separator: " | ")
        }
        let errorVariants = client.errors.map { e in
            "DjangoError<\(e.status), \(e.code.map(literal) ?? "string"), \(e.detail.map(names.type) ?? (e.code == nil ? "unknown" : "null"))>"
        }
        let paramSpecs = client.params.map { p -> ParamSpecContext in
            let shape = schema.shape(of: p.type)
            return ParamSpecContext(
                key: Naming.propertyKey(p.name), location: p.location.rawValue, wire: p.wireName.map(literal) ?? "",
                wireType: shape.wire.rawValue, list: shape.list, required: !p.optional)
        }
        let cacheSpec = client.cache.map {
            "{ ttl: \($0.ttl), staleWhileRevalidate: \($0.staleWhileRevalidate), context: \(literal($0.context.rawValue)) }"
        } ?? "false"
        let branchesSpec: String
        if case .branches(let branches) = client.returns {
            branchesSpec = "[" + branches.map { String($0.status) }.joined(separator: ", ") + "]"
        } else {
            branchesSpec = "null"
        }
        let errorsSpec = client.errors.isEmpty ? "[]"
            : "[" + client.errors.map { e in e.code.map { "{ status: \(e.status), code: \(literal($0)) }" } ?? "{ status: \(e.status) }" }.joined(separator: ", ") + "]"
        return ClientContext(
            name: client.name, nameLiteral: literal(client.name), typePrefix: prefix,
            paramsType: prefix + "Params", hasParams: !client.params.isEmpty,
            params: client.params.map { property($0.name, $0.type, optional: $0.optional, doc: $0.doc, deprecation: nil, names: names) },
            hasBranches: !branchesType.isEmpty, branchesType: branchesType, resultType: resultType(client),
            errorType: client.errors.isEmpty ? "never" : prefix + "Error", hasErrors: !client.errors.isEmpty,
            errorDefinition: errorVariants.count > 1 ? errorVariants.map { "\n  | " + $0 }.joined() : " " + errorVariants.joined(),
            method: client.method.rawValue, pathLiteral: literal(client.path), paramSpecs: paramSpecs,
            cacheSpec: cacheSpec, branchesSpec: branchesSpec, errorsSpec: errorsSpec)
    }

    private func affect(_ affect: Affect) -> AffectContext {
        let params = affect.params.map { p -> String in
            switch p.source {
            case .from(let name): "\(Naming.propertyKey(p.name)): { from: \(literal(name)) }"
            case .value(let value): "\(Naming.propertyKey(p.name)): { value: \(value.jsonText) }"
            }
        }
        return AffectContext(clientLiteral: literal(affect.client), params: params.isEmpty ? "{}" : "{ " + params.joined(separator: ", ") + " }")
    }

    private func refersToNamedType(_ client: Client) -> Bool {
        func refers(_ t: TypeRef) -> Bool {
            switch t {
            case .named: true
            case .list(let i), .map(let i), .nullable(let i): refers(i)
            case .union(let v), .tuple(let v): v.contains(where: refers)
            case .primitive, .literal: false
            }
        }
        if client.params.contains(where: { refers($0.type) }) { return true }
        if client.errors.contains(where: { $0.detail.map(refers) ?? false }) { return true }
        switch client.returns {
        case .empty: return false
        case .type(let t): return refers(t)
        case .branches(let b): return b.contains { $0.type.map(refers) ?? false }
        }
    }

    /// Groups clients by their next name segment into nested namespaces; the validator has
    /// already ruled out a function and a namespace sharing a name.
    private func apiMembers(_ clients: [Client], depth: Int) -> [APIMemberContext] {
        let indent = String(repeating: "  ", count: depth + 2)
        var order: [String] = []
        var groups: [String: [Client]] = [:]
        var functions: [String: Client] = [:]
        for client in clients {
            let segments = client.name.split(separator: ".").map(String.init)
            let segment = segments[depth]
            if segments.count == depth + 1 {
                functions[segment] = client
            } else if groups[segment] == nil {
                groups[segment] = [client]
            } else {
                groups[segment]!.append(client)
                continue
            }
            order.append(segment)
        }
        return order.map { segment in
            let key = Naming.camelCase(segment)
            if let client = functions[segment] {
                return function(client, key: key, indent: indent)
            }
            return APIMemberContext(
                indent: indent, key: key, isNamespace: true, members: apiMembers(groups[segment]!, depth: depth + 1),
                isFunction: false, doc: "", parameters: "", argument: "", resultType: "", nameLiteral: "")
        }
    }

    private func function(_ client: Client, key: String, indent: String) -> APIMemberContext {
        let prefix = Naming.clientTypePrefix(client.name)
        let parameters: String
        let argument: String
        if client.params.isEmpty {
            parameters = "options?: CallOptions"
            argument = "{}"
        } else if client.params.allSatisfy(\.optional) {
            parameters = "params: \(prefix)Params = {}, options?: CallOptions"
            argument = "params"
        } else {
            parameters = "params: \(prefix)Params, options?: CallOptions"
            argument = "params"
        }
        var extra = ["`\(client.method.rawValue) \(client.path)`"]
        if let cache = client.cache {
            extra.append("Cached: \(cache.context.rawValue), \(cache.ttl)s" + (cache.staleWhileRevalidate > 0 ? " (+\(cache.staleWhileRevalidate)s stale-while-revalidate)." : "."))
        }
        if !client.affects.isEmpty {
            extra.append("Invalidates: " + client.affects.map { "`\($0.client)`" }.joined(separator: ", ") + ".")
        }
        let docText = [client.doc].compactMap { $0 }
        let doc = TypeScriptNames.docComment(
            docText.isEmpty ? nil : docText[0], deprecation: client.deprecation,
            extra: (docText.isEmpty ? [] : [""]) + extra, indent: indent)
        return APIMemberContext(
            indent: indent, key: key, isNamespace: false, members: [], isFunction: true, doc: doc,
            parameters: parameters, argument: argument,
            resultType: resultType(client),
            nameLiteral: literal(client.name))
    }

    private func resultType(_ client: Client) -> String {
        switch client.returns {
        case .empty: "void"
        case .type(let t): inClients.type(t)
        case .branches: Naming.clientTypePrefix(client.name) + "Result"
        }
    }
}
