import MizanCore

/// Stage 1a: the schema-export's JSON → IR declarations, checking shape only (keys, JSON types,
/// allowed values). Cross-references are checked afterwards by `SchemaValidator`, which can
/// then see the whole schema.
struct SchemaExportDecoder {
    static let supportedVersions = [1]
    static let topLevelKeys = ["$schema", "format_version", "project", "doc", "types", "clients"]
    static let typeDeclKeys = ["kind", "doc", "deprecated", "fields", "values", "variants", "discriminator", "type"]
    static let fieldKeys = ["type", "optional", "doc", "deprecated"]
    static let clientKeys = ["method", "path", "doc", "deprecated", "params", "returns", "errors", "cache", "affects"]
    static let paramKeys = ["in", "type", "optional", "doc"]
    static let typeExpressionKeys = ["list", "map", "nullable", "literal", "union"]
    static let cacheKeys = ["ttl", "stale_while_revalidate", "context", "tags"]
    static let errorKeys = ["status", "code", "doc", "detail"]
    static let branchKeys = ["status", "type", "doc"]
    static let affectKeys = ["client", "params"]
    static let kinds = ["object", "enum", "union", "alias"]

    /// Where each named-type reference was written, for "unknown type" diagnostics.
    var references: [(name: String, pointer: String)] = []
    var context: DecodingContext

    init(document: JSONDocument) {
        context = DecodingContext(document: document)
    }

    struct Output {
        var formatVersion: Int
        var project: String?
        var doc: String?
        var types: [(decl: TypeDecl, pointer: String)]
        var clients: [(client: Client, pointer: String)]
    }

    /// Returns nil when the document is too far from the format to go on (not an object, or an
    /// unsupported version, where every further message would mislead).
    mutating func decode() -> Output? {
        let root = context.document.root
        guard let top = context.fields(
            root, at: "", what: "the schema-export", allowed: Self.topLevelKeys, required: ["format_version", "clients"])
        else { return nil }

        guard let versionNode = top["format_version"] else { return nil }
        guard let version = versionNode.intValue, Self.supportedVersions.contains(version) else {
            let message: String
            if case .number(let raw) = versionNode.value {
                message = "unsupported format_version \(raw); this mizan reads schema-export version 1 (upgrade mizan for newer exports)"
            } else {
                message = "format_version must be the integer 1, found \(versionNode.kindName)"
            }
            context.error(SchemaCode.unsupportedVersion, message, at: "/format_version")
            return nil
        }

        let project = context.string(top["project"], at: "/project", what: "'project'")
        let doc = context.string(top["doc"], at: "/doc", what: "'doc'")

        var types: [(TypeDecl, String)] = []
        if let typesNode = top["types"] {
            for entry in context.entries(typesNode, at: "/types", what: "'types'") {
                if let decl = typeDecl(entry.key, entry.node, at: entry.pointer) {
                    types.append((decl, entry.pointer))
                }
            }
        }

        var clients: [(Client, String)] = []
        if let clientsNode = top["clients"] {
            for entry in context.entries(clientsNode, at: "/clients", what: "'clients'") {
                if let client = client(entry.key, entry.node, at: entry.pointer) {
                    clients.append((client, entry.pointer))
                }
            }
        }
        return Output(formatVersion: version, project: project, doc: doc, types: types, clients: clients)
    }

    // MARK: Types

    mutating func typeDecl(_ name: String, _ node: JSONNode, at pointer: String) -> TypeDecl? {
        guard let f = context.fields(node, at: pointer, what: "type '\(name)'", allowed: Self.typeDeclKeys, required: ["kind"]),
              let kindName = context.string(f["kind"], at: pointer + "/kind", what: "'kind'")
        else { return nil }
        let doc = context.string(f["doc"], at: pointer + "/doc", what: "'doc'")
        let deprecation = context.deprecation(f["deprecated"], at: pointer + "/deprecated")
        // Keys that belong to another kind are reported, so `"kind": "enum", "fields": …` is caught.
        let keysByKind = ["object": ["fields"], "enum": ["values"], "union": ["variants", "discriminator"], "alias": ["type"]]
        guard let own = keysByKind[kindName] else {
            context.error(SchemaCode.invalidValue,
                          "unknown kind '\(kindName)' for type '\(name)'; expected one of object, enum, union, alias\(Spelling.hint(for: kindName, among: Self.kinds))",
                          at: pointer + "/kind")
            return nil
        }
        for (key, _) in f where !["kind", "doc", "deprecated"].contains(key) && !own.contains(key) {
            context.error(SchemaCode.unknownKey, "key '\(key)' does not apply to a type of kind '\(kindName)'",
                          at: pointer + "/" + key)
        }
        func require(_ key: String) -> JSONNode? {
            if let node = f[key] { return node }
            context.error(SchemaCode.missingKey, "type '\(name)' of kind '\(kindName)' is missing the required key '\(key)'", at: pointer)
            return nil
        }

        let kind: TypeDecl.Kind
        switch kindName {
        case "object":
            guard let fieldsNode = require("fields") else { return nil }
            var fields: [Field] = []
            for entry in context.entries(fieldsNode, at: pointer + "/fields", what: "the fields of '\(name)'") {
                if let field = field(entry.key, entry.node, at: entry.pointer) { fields.append(field) }
            }
            kind = .object(fields)
        case "enum":
            guard let valuesNode = require("values") else { return nil }
            guard let elements = valuesNode.elements else {
                context.error(SchemaCode.wrongType, "expected 'values' to be an array, found \(valuesNode.kindName)", at: pointer + "/values")
                return nil
            }
            var values: [Literal] = []
            for (i, element) in elements.enumerated() {
                let p = JSONPointer.appending(pointer + "/values", i)
                switch element.value {
                case .string(let s): values.append(.string(s))
                case .number(let raw) where Int(raw) != nil: values.append(.number(raw))
                default:
                    context.error(SchemaCode.invalidEnum, "enum values must be strings or integers, found \(element.kindName)", at: p)
                }
            }
            kind = .enumeration(values)
        case "union":
            guard let variantsNode = require("variants") else { return nil }
            guard let elements = variantsNode.elements else {
                context.error(SchemaCode.wrongType, "expected 'variants' to be an array, found \(variantsNode.kindName)", at: pointer + "/variants")
                return nil
            }
            let variants = elements.enumerated().compactMap { typeRef($1, at: JSONPointer.appending(pointer + "/variants", $0)) }
            let discriminator = context.string(f["discriminator"], at: pointer + "/discriminator", what: "'discriminator'")
            kind = .union(variants: variants, discriminator: discriminator)
        default:  // alias
            guard let typeNode = require("type"), let target = typeRef(typeNode, at: pointer + "/type") else { return nil }
            kind = .alias(target)
        }
        return TypeDecl(
            name: name, tsName: Naming.pascalCase(name), kind: kind, doc: doc, deprecation: deprecation,
            location: context.document.location(of: node))
    }

    mutating func field(_ name: String, _ node: JSONNode, at pointer: String) -> Field? {
        guard let f = context.fields(node, at: pointer, what: "field '\(name)'", allowed: Self.fieldKeys, required: ["type"]),
              let typeNode = f["type"], let type = typeRef(typeNode, at: pointer + "/type")
        else { return nil }
        return Field(
            name: name, type: type,
            optional: context.bool(f["optional"], at: pointer + "/optional", what: "'optional'") ?? false,
            doc: context.string(f["doc"], at: pointer + "/doc", what: "'doc'"),
            deprecation: context.deprecation(f["deprecated"], at: pointer + "/deprecated"))
    }

    /// A type expression: a primitive or type name, or one of the compositions.
    mutating func typeRef(_ node: JSONNode, at pointer: String) -> TypeRef? {
        switch node.value {
        case .string(let name):
            if let primitive = Primitive(rawValue: name) { return .primitive(primitive) }
            references.append((name, pointer))
            return .named(name)
        case .object(let members):
            guard members.count == 1, let member = members.first, Self.typeExpressionKeys.contains(member.key) else {
                let keys = members.map(\.key)
                let hint = keys.count == 1 ? Spelling.hint(for: keys[0], among: Self.typeExpressionKeys) : ""
                context.error(
                    SchemaCode.invalidTypeExpression,
                    "a type expression object must have exactly one key: list, map, nullable, literal or union (found \(keys.isEmpty ? "none" : keys.map { "'\($0)'" }.joined(separator: ", ")))\(hint)",
                    at: pointer)
                return nil
            }
            let inner = pointer + "/" + member.key
            switch member.key {
            case "list": return typeRef(member.value, at: inner).map(TypeRef.list)
            case "map": return typeRef(member.value, at: inner).map(TypeRef.map)
            case "nullable": return typeRef(member.value, at: inner).map(TypeRef.nullable)
            case "literal":
                return context.literal(member.value, at: inner, what: "a literal type", allowNull: false).map(TypeRef.literal)
            default:
                guard let elements = member.value.elements else {
                    context.error(SchemaCode.wrongType, "expected 'union' to be an array of type expressions, found \(member.value.kindName)", at: inner)
                    return nil
                }
                guard elements.count >= 2 else {
                    context.error(SchemaCode.invalidUnion, "a union needs at least two variants", at: inner)
                    return nil
                }
                let variants = elements.enumerated().compactMap { typeRef($1, at: JSONPointer.appending(inner, $0)) }
                return variants.count == elements.count ? .union(variants) : nil
            }
        default:
            context.error(SchemaCode.invalidTypeExpression,
                          "expected a type name or a type expression object, found \(node.kindName)", at: pointer)
            return nil
        }
    }

    // MARK: Clients

    mutating func client(_ name: String, _ node: JSONNode, at pointer: String) -> Client? {
        guard let f = context.fields(node, at: pointer, what: "client '\(name)'", allowed: Self.clientKeys, required: ["method", "path"])
        else { return nil }
        var method: HTTPMethod?
        if let m = context.string(f["method"], at: pointer + "/method", what: "'method'") {
            method = HTTPMethod(rawValue: m)
            if method == nil {
                let valid = HTTPMethod.allCases.map(\.rawValue)
                context.error(SchemaCode.invalidValue,
                              "unsupported method '\(m)'; expected one of \(valid.joined(separator: ", "))\(Spelling.hint(for: m.uppercased(), among: valid))",
                              at: pointer + "/method")
            }
        }
        let path = context.string(f["path"], at: pointer + "/path", what: "'path'")

        var params: [Param] = []
        if let paramsNode = f["params"] {
            for entry in context.entries(paramsNode, at: pointer + "/params", what: "the params of '\(name)'") {
                if let param = param(entry.key, entry.node, at: entry.pointer) { params.append(param) }
            }
        }
        let returns = f["returns"].flatMap { returnsDecl($0, at: pointer + "/returns") } ?? .empty
        let errors = context.array(f["errors"], at: pointer + "/errors", what: "'errors'").compactMap { errorDecl($0.node, at: $0.pointer) }
        let cache = f["cache"].flatMap { cachePolicy($0, at: pointer + "/cache") }
        let affects = context.array(f["affects"], at: pointer + "/affects", what: "'affects'").compactMap { affect($0.node, at: $0.pointer) }
        guard let method, let path else { return nil }
        return Client(
            name: name, method: method, path: path,
            doc: context.string(f["doc"], at: pointer + "/doc", what: "'doc'"),
            deprecation: context.deprecation(f["deprecated"], at: pointer + "/deprecated"),
            params: params, returns: returns, errors: errors, cache: cache, affects: affects,
            location: context.document.location(of: node))
    }

    mutating func param(_ name: String, _ node: JSONNode, at pointer: String) -> Param? {
        guard let f = context.fields(node, at: pointer, what: "parameter '\(name)'", allowed: Self.paramKeys, required: ["in", "type"]),
              let inName = context.string(f["in"], at: pointer + "/in", what: "'in'")
        else { return nil }
        guard let location = ParamLocation(rawValue: inName), ParamLocation.schemaExport.contains(location) else {
            let valid = ParamLocation.schemaExport.map(\.rawValue)
            context.error(SchemaCode.invalidValue,
                          "unsupported parameter location '\(inName)'; expected one of path, query, body\(Spelling.hint(for: inName, among: valid))",
                          at: pointer + "/in")
            return nil
        }
        guard let typeNode = f["type"], let type = typeRef(typeNode, at: pointer + "/type") else { return nil }
        return Param(
            name: name, location: location, type: type,
            optional: context.bool(f["optional"], at: pointer + "/optional", what: "'optional'") ?? false,
            doc: context.string(f["doc"], at: pointer + "/doc", what: "'doc'"))
    }

    mutating func returnsDecl(_ node: JSONNode, at pointer: String) -> Returns? {
        if node.isNull { return .empty }
        if let members = node.members, members.contains(where: { $0.key == "branches" }) {
            guard let f = context.fields(node, at: pointer, what: "'returns'", allowed: ["branches"]),
                  let branchesNode = f["branches"] else { return nil }
            guard let elements = branchesNode.elements else {
                context.error(SchemaCode.wrongType, "expected 'branches' to be an array, found \(branchesNode.kindName)", at: pointer + "/branches")
                return nil
            }
            var branches: [ReturnBranch] = []
            for (i, element) in elements.enumerated() {
                let p = JSONPointer.appending(pointer + "/branches", i)
                guard let b = context.fields(element, at: p, what: "a return branch", allowed: Self.branchKeys, required: ["status", "type"]),
                      let status = context.int(b["status"], at: p + "/status", what: "a branch status", range: 200...299)
                else { continue }
                let typeNode = b["type"]!
                let type = typeNode.isNull ? nil : typeRef(typeNode, at: p + "/type")
                if !typeNode.isNull && type == nil { continue }
                branches.append(ReturnBranch(status: status, type: type, doc: context.string(b["doc"], at: p + "/doc", what: "'doc'")))
            }
            return .branches(branches)
        }
        return typeRef(node, at: pointer).map(Returns.type)
    }

    mutating func errorDecl(_ node: JSONNode, at pointer: String) -> ErrorDecl? {
        guard let f = context.fields(node, at: pointer, what: "an error", allowed: Self.errorKeys, required: ["status", "code"]),
              let status = context.int(f["status"], at: pointer + "/status", what: "an error status", range: 400...599),
              let code = context.string(f["code"], at: pointer + "/code", what: "an error code")
        else { return nil }
        let detail = f["detail"].flatMap { typeRef($0, at: pointer + "/detail") }
        return ErrorDecl(status: status, code: code, doc: context.string(f["doc"], at: pointer + "/doc", what: "'doc'"), detail: detail)
    }

    mutating func cachePolicy(_ node: JSONNode, at pointer: String) -> CachePolicy? {
        if node.boolValue == false { return nil }
        if node.boolValue == true {
            context.error(SchemaCode.wrongType, "'cache' is false or a policy object {\"ttl\", \"context\", …}; true is not a policy", at: pointer)
            return nil
        }
        guard let f = context.fields(node, at: pointer, what: "'cache'", allowed: Self.cacheKeys, required: ["ttl", "context"]) else { return nil }
        let ttl = context.int(f["ttl"], at: pointer + "/ttl", what: "'ttl'", range: 0...31_536_000)
        let swr = context.int(f["stale_while_revalidate"], at: pointer + "/stale_while_revalidate",
                              what: "'stale_while_revalidate'", range: 0...31_536_000) ?? 0
        var contextValue: CacheContext?
        if let c = context.string(f["context"], at: pointer + "/context", what: "'context'") {
            contextValue = CacheContext(rawValue: c)
            if contextValue == nil {
                let valid = CacheContext.allCases.map(\.rawValue)
                context.error(SchemaCode.invalidValue,
                              "unknown cache context '\(c)'; expected public, user or session\(Spelling.hint(for: c, among: valid))",
                              at: pointer + "/context")
            }
        }
        let tags = context.array(f["tags"], at: pointer + "/tags", what: "'tags'", of: "an array of strings")
            .compactMap { context.string($0.node, at: $0.pointer, what: "a tag") }
        guard let ttl, let contextValue else { return nil }
        return CachePolicy(ttl: ttl, staleWhileRevalidate: swr, context: contextValue, tags: tags)
    }

    mutating func affect(_ node: JSONNode, at pointer: String) -> Affect? {
        guard let f = context.fields(node, at: pointer, what: "an affects entry", allowed: Self.affectKeys, required: ["client"]),
              let target = context.string(f["client"], at: pointer + "/client", what: "'client'")
        else { return nil }
        var params: [(String, ParamSource)] = []
        if let paramsNode = f["params"] {
            for entry in context.entries(paramsNode, at: pointer + "/params", what: "the affects params") {
                if entry.node.stringValue == "*" { continue }  // all values: same as leaving it out
                guard let source = context.fields(entry.node, at: entry.pointer, what: "affects param '\(entry.key)'", allowed: ["from", "value"]) else { continue }
                if let from = source["from"], source["value"] == nil {
                    if let name = context.string(from, at: entry.pointer + "/from", what: "'from'") { params.append((entry.key, .from(name))) }
                } else if let value = source["value"], source["from"] == nil {
                    if let literal = context.literal(value, at: entry.pointer + "/value", what: "'value'", allowNull: true) {
                        params.append((entry.key, .value(literal)))
                    }
                } else {
                    context.error(SchemaCode.invalidValue,
                                  "affects param '\(entry.key)' must be {\"from\": \"<param>\"}, {\"value\": <literal>} or \"*\"",
                                  at: entry.pointer)
                }
            }
        }
        return Affect(client: target, params: params)
    }
}
