import MizanCore

/// Stage 1b: cross-reference checks over the decoded declarations. Everything that would make
/// the generated TypeScript wrong, ambiguous or uncompilable is caught here, with the position
/// of the declaration that causes it.
struct SchemaValidator {
    var context: DecodingContext
    let schema: Schema
    let references: [(name: String, pointer: String)]

    static let namePattern = "letters, digits and '_', not starting with a digit"

    // MARK: Names

    static func isSchemaName(_ name: String) -> Bool { Naming.isSchemaName(name) }

    static func isClientSegment(_ segment: Substring) -> Bool {
        guard let first = segment.utf8.first, first == UInt8(ascii: "_") || (first >= 0x61 && first <= 0x7A) else { return false }
        guard segment.utf8.contains(where: { $0 != UInt8(ascii: "_") }) else { return false }
        return segment.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    static func isErrorCode(_ code: String) -> Bool {
        guard let first = code.utf8.first, first >= 0x61 && first <= 0x7A else { return false }
        return code.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    static func isTag(_ tag: String) -> Bool {
        !tag.isEmpty && tag.utf8.allSatisfy { isLetter($0) || isDigit($0) || "_.:/-".utf8.contains($0) }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func validate() {
        checkTypeNames()
        checkReferences()
        for decl in schema.types { checkTypeDecl(decl) }
        checkAliasCycles()
        checkClientNames()
        var routes: [String: String] = [:]
        for client in schema.clients {
            checkClient(client, routes: &routes)
        }
    }

    private func typePointer(_ name: String) -> String { JSONPointer.appending("/types", name) }
    private func clientPointer(_ name: String) -> String { JSONPointer.appending("/clients", name) }

    mutating func checkTypeNames() {
        var byTSName: [String: String] = [:]
        for decl in schema.types {
            let p = typePointer(decl.name)
            guard Self.isSchemaName(decl.name) else {
                context.error(SchemaCode.invalidName, "type name '\(decl.name)' is not valid: use \(Self.namePattern)", at: p)
                continue
            }
            if !Naming.isIdentifier(decl.tsName) {
                context.error(SchemaCode.invalidName, "type name '\(decl.name)' becomes '\(decl.tsName)' in TypeScript, which is not an identifier; start it with a letter", at: p)
                continue
            }
            if Primitive(rawValue: decl.name) != nil {
                context.error(SchemaCode.reservedWord, "'\(decl.name)' is a primitive type and cannot be redeclared; choose another name", at: p)
                continue
            }
            if Naming.reservedTypeNames.contains(decl.tsName) || Naming.reservedTypeNames.contains(decl.name) {
                context.error(SchemaCode.reservedWord, "type name '\(decl.name)' is a reserved word in TypeScript; choose another name", at: p)
                continue
            }
            if Naming.runtimeExports.contains(decl.tsName) || Naming.generatedExports.contains(decl.tsName) {
                context.error(SchemaCode.reservedWord,
                              "type name '\(decl.name)' (TypeScript '\(decl.tsName)') is reserved by the generated kernel; choose another name", at: p)
                continue
            }
            if let other = byTSName[decl.tsName] {
                context.error(SchemaCode.identifierCollision,
                              "types '\(other)' and '\(decl.name)' both become the TypeScript name '\(decl.tsName)'; rename one", at: p)
            } else {
                byTSName[decl.tsName] = decl.name
            }
        }
    }

    mutating func checkReferences() {
        let names = schema.types.map(\.name)
        for ref in references where schema.type(named: ref.name) == nil {
            let candidates = names + Primitive.allCases.map(\.rawValue)
            context.error(SchemaCode.unknownType, "unknown type '\(ref.name)'\(Spelling.hint(for: ref.name, among: candidates))", at: ref.pointer)
        }
    }

    mutating func checkTypeDecl(_ decl: TypeDecl) {
        let p = typePointer(decl.name)
        switch decl.kind {
        case .object(let fields):
            _ = fields  // field names are wire names: any JSON key is valid and is quoted when needed
        case .enumeration(let values):
            if values.isEmpty {
                context.error(SchemaCode.invalidEnum, "enum '\(decl.name)' has no values", at: p + "/values")
            }
            var seen: Set<Literal> = []
            for (i, v) in values.enumerated() where !seen.insert(v).inserted {
                context.error(SchemaCode.invalidEnum, "enum '\(decl.name)' lists \(v.jsonText) twice", at: JSONPointer.appending(p + "/values", i))
            }
        case .union(let variants, let discriminator):
            if variants.count < 2 {
                context.error(SchemaCode.invalidUnion, "union '\(decl.name)' needs at least two variants", at: p + "/variants")
            }
            if let discriminator { checkDiscriminator(decl, variants: variants, field: discriminator) }
        case .alias:
            break
        }
    }

    mutating func checkDiscriminator(_ decl: TypeDecl, variants: [TypeRef], field: String) {
        // An OpenAPI union pins its discriminator in the generated TypeScript (see
        // TypeDecl.discriminatorValues); its variants need not carry literal fields.
        if schema.origin == .openAPI { return }
        let p = typePointer(decl.name)
        var seen: [Literal: String] = [:]
        for (i, variant) in variants.enumerated() {
            let vp = JSONPointer.appending(p + "/variants", i)
            guard case .named(let name) = schema.resolved(variant), let target = schema.type(named: name),
                  case .object(let fields) = target.kind
            else {
                context.error(SchemaCode.invalidUnion,
                              "union '\(decl.name)' has discriminator '\(field)', so each variant must name an object type", at: vp)
                continue
            }
            // OpenAPI mappings pin the value in the generated union instead of in the variant.
            if decl.discriminatorValues[name] != nil { continue }
            guard let f = fields.first(where: { $0.name == field }) else {
                context.error(SchemaCode.invalidUnion, "variant '\(name)' of union '\(decl.name)' has no field '\(field)' (the discriminator)", at: vp)
                continue
            }
            guard !f.optional, case .literal(let value) = schema.resolved(f.type), case .string = value else {
                context.error(SchemaCode.invalidUnion,
                              "field '\(field)' of '\(name)' must be required and typed {\"literal\": \"…\"} to discriminate union '\(decl.name)'", at: vp)
                continue
            }
            if let other = seen[value] {
                context.error(SchemaCode.invalidUnion,
                              "variants '\(other)' and '\(name)' of union '\(decl.name)' share the discriminator value \(value.jsonText)", at: vp)
            }
            seen[value] = name
        }
    }

    /// An alias (or a named union) that reaches itself through aliases, nullables and union
    /// variants alone describes no finite value, and TypeScript rejects it.
    mutating func checkAliasCycles() {
        func directNames(_ ref: TypeRef) -> [String] {
            switch ref {
            case .named(let n): [n]
            case .nullable(let inner): directNames(inner)
            case .union(let variants): variants.flatMap(directNames)
            default: []  // lists, maps, tuples and objects give every value a finite form
            }
        }
        var edges: [String: [String]] = [:]
        for decl in schema.types {
            switch decl.kind {
            case .alias(let t): edges[decl.name] = directNames(t)
            case .union(let variants, _): edges[decl.name] = variants.flatMap(directNames)
            default: break
            }
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported: Set<String> = []
        func visit(_ name: String, _ path: [String]) {
            if state[name] == 2 { return }
            if state[name] == 1 {
                let cycle = path.drop { $0 != name } + [name]
                if reported.insert(name).inserted {
                    context.error(SchemaCode.aliasCycle,
                                  "type '\(name)' refers to itself with no object, list or map in between (\(cycle.joined(separator: " → "))); a value of it could never be written",
                                  at: typePointer(name))
                }
                return
            }
            state[name] = 1
            for next in edges[name] ?? [] where edges[next] != nil { visit(next, path + [name]) }
            state[name] = 2
        }
        for decl in schema.types where edges[decl.name] != nil { visit(decl.name, []) }
    }

    // MARK: Clients

    mutating func checkClientNames() {
        let typeTSNames = Dictionary(schema.types.map { ($0.tsName, $0.name) }, uniquingKeysWith: { a, _ in a })
        var prefixes: [String: String] = [:]
        // For each namespace path, the members it holds: functions and sub-namespaces by TS name.
        var members: [String: [String: String]] = [:]
        for client in schema.clients {
            let p = clientPointer(client.name)
            let segments = client.name.split(separator: ".", omittingEmptySubsequences: false)
            guard segments.allSatisfy({ Self.isClientSegment($0) && Naming.isIdentifier(Naming.camelCase(String($0))) }) else {
                context.error(SchemaCode.invalidName,
                              "client name '\(client.name)' is not valid: use dot-separated lowercase segments of letters, digits and '_' (for example 'books.get_book')",
                              at: p)
                continue
            }
            if let top = segments.first, segments.count > 1, Naming.reservedNamespaces.contains(String(top)) {
                context.error(SchemaCode.reservedWord,
                              "client namespace '\(top)' is reserved: createMizan() returns '\(top)' beside the client namespaces", at: p)
                continue
            }
            if segments.count == 1, Naming.reservedNamespaces.contains(Naming.camelCase(client.name)) {
                context.error(SchemaCode.reservedWord,
                              "client name '\(client.name)' is reserved: createMizan() returns '\(client.name)' beside the client functions", at: p)
                continue
            }
            let prefix = Naming.clientTypePrefix(client.name)
            if let other = prefixes[prefix] {
                context.error(SchemaCode.identifierCollision,
                              "clients '\(other)' and '\(client.name)' both produce the TypeScript names '\(prefix)Params'/'\(prefix)Error'; rename one", at: p)
                continue
            } else {
                prefixes[prefix] = client.name
            }
            for suffix in ["Params", "Error", "Result"] {
                if let typeName = typeTSNames[prefix + suffix] {
                    context.error(SchemaCode.identifierCollision,
                                  "type '\(typeName)' collides with '\(prefix + suffix)', which mizan generates for client '\(client.name)'; rename the type", at: p)
                }
            }
            // Functions and namespaces share one object per level in the generated API.
            var path = ""
            for (i, segment) in segments.enumerated() {
                let tsName = Naming.camelCase(String(segment))
                let kind = i == segments.count - 1 ? "function" : "namespace"
                let owner = "\(kind) of '\(client.name)'"
                if let existing = members[path]?[tsName], !(kind == "namespace" && existing.hasPrefix("namespace")) {
                    context.error(SchemaCode.identifierCollision,
                                  "'\(tsName)' would be both the \(existing) and the \(owner) in the generated API; rename one", at: p)
                    break
                }
                if members[path]?[tsName] == nil { members[path, default: [:]][tsName] = owner }
                path += "." + tsName
            }
        }
    }

    mutating func checkClient(_ client: Client, routes: inout [String: String]) {
        let p = clientPointer(client.name)
        var paramNames: Set<String> = []
        for param in client.params {
            let pp = JSONPointer.appending(p + "/params", param.name)
            if !Self.isSchemaName(param.name) {
                context.error(SchemaCode.invalidName, "parameter name '\(param.name)' is not valid: use \(Self.namePattern)", at: pp)
            }
            paramNames.insert(param.name)
            let shape = schema.shape(of: param.type)
            switch param.location {
            case .path:
                if param.optional {
                    context.error(SchemaCode.invalidPathParam, "path parameter '\(param.name)' cannot be optional: the path needs a value", at: pp + "/optional")
                }
                if !shape.isScalar || shape.nullable {
                    context.error(SchemaCode.invalidPathParam,
                                  "path parameter '\(param.name)' must be a single non-null value (a string, number, boolean or enum)", at: pp + "/type")
                }
            case .query:
                if shape.wire == .json {
                    context.error(SchemaCode.invalidQueryParam,
                                  "query parameter '\(param.name)' must be a scalar, an enum, or a list of those; send structured data in the body", at: pp + "/type")
                } else if shape.nullable {
                    context.error(SchemaCode.invalidQueryParam,
                                  "query parameter '\(param.name)' cannot be nullable: a query string cannot carry null; make it optional instead", at: pp + "/type")
                }
            case .header:
                if shape.wire == .json {
                    context.error(SchemaCode.invalidQueryParam, "header parameter '\(param.name)' must be a scalar", at: pp + "/type")
                }
            case .body, .payload, .form:
                if client.method.isSafe {
                    context.error(SchemaCode.bodyOnSafeMethod,
                                  "GET client '\(client.name)' cannot have body parameter '\(param.name)'; use a query parameter", at: pp + "/in")
                }
            }
        }
        checkPath(client, pointer: p)
        let routeKey = client.method.rawValue + " " + Self.routeShape(client.path)
        if let other = routes[routeKey] {
            context.error(SchemaCode.duplicateRoute, "clients '\(other)' and '\(client.name)' both handle \(client.method.rawValue) \(client.path)", at: p + "/path")
        } else {
            routes[routeKey] = client.name
        }
        checkReturns(client, pointer: p)
        var errorKeys: Set<String> = []
        for (i, e) in client.errors.enumerated() {
            let ep = JSONPointer.appending(p + "/errors", i)
            if let code = e.code, !Self.isErrorCode(code) {
                context.error(SchemaCode.invalidName, "error code '\(code)' is not valid: use lowercase snake_case such as 'not_found'", at: ep + "/code")
            }
            if !errorKeys.insert("\(e.status) \(e.code ?? "*")").inserted {
                context.error(SchemaCode.invalidErrors, "error \(e.status) '\(e.code ?? "*")' is declared twice", at: ep)
            }
        }
        for (i, tag) in (client.cache?.tags ?? []).enumerated() where !Self.isTag(tag) {
            context.error(SchemaCode.invalidValue,
                          "cache tag '\(tag)' is not valid: use letters, digits and _ . : / - (tags travel in headers)", at: JSONPointer.appending(p + "/cache/tags", i))
        }
        if client.cache != nil && !client.method.isSafe {
            context.error(SchemaCode.cacheOnUnsafeMethod,
                          "\(client.method.rawValue) client '\(client.name)' cannot have a cache policy: only GET responses are cached; use \"cache\": false", at: p + "/cache")
        }
        if !client.affects.isEmpty && client.method.isSafe {
            context.warning(SchemaCode.affectsFromQuery,
                            "GET client '\(client.name)' declares affects; reads should not change data, and a cached read never reaches the backend", at: p + "/affects")
        }
        for (i, affect) in client.affects.enumerated() {
            checkAffect(affect, of: client, pointer: JSONPointer.appending(p + "/affects", i))
        }
    }

    /// `/api/books/{id}` → `/api/books/{}`, so two routes that differ only by parameter names clash.
    static func routeShape(_ path: String) -> String {
        var out = ""
        var inside = false
        for c in path {
            if c == "{" { inside = true; out += "{}" } else if c == "}" { inside = false } else if !inside { out.append(c) }
        }
        return out
    }

    mutating func checkPath(_ client: Client, pointer p: String) {
        let pathPointer = p + "/path"
        guard client.path.hasPrefix("/") else {
            context.error(SchemaCode.malformedPath, "path '\(client.path)' must start with '/'", at: pathPointer)
            return
        }
        if client.path.contains("#") || (client.path.contains("?") && schema.origin == .schemaExport) {
            context.error(SchemaCode.malformedPath, "path '\(client.path)' must not contain a query or fragment; declare query parameters instead", at: pathPointer)
            return
        }
        var placeholders: [String] = []
        var current: String?
        for c in client.path {
            switch c {
            case "{":
                if current != nil {
                    context.error(SchemaCode.malformedPath, "path '\(client.path)' has a '{' inside a placeholder", at: pathPointer)
                    return
                }
                current = ""
            case "}":
                guard let name = current else {
                    context.error(SchemaCode.malformedPath, "path '\(client.path)' has a '}' without a matching '{'", at: pathPointer)
                    return
                }
                if name.isEmpty {
                    context.error(SchemaCode.malformedPath, "path '\(client.path)' has an empty placeholder '{}'", at: pathPointer)
                    return
                }
                placeholders.append(name)
                current = nil
            default:
                current?.append(c)
            }
        }
        if current != nil {
            context.error(SchemaCode.malformedPath, "path '\(client.path)' has a '{' that is never closed", at: pathPointer)
            return
        }
        let pathParams = client.params.filter { $0.location == .path }.map { $0.wireName ?? $0.name }
        var seen: Set<String> = []
        for name in placeholders {
            if !seen.insert(name).inserted {
                context.error(SchemaCode.malformedPath, "path '\(client.path)' uses '{\(name)}' twice", at: pathPointer)
            } else if !pathParams.contains(name) {
                let other = client.params.first { ($0.wireName ?? $0.name) == name }
                context.error(SchemaCode.undeclaredPathParam,
                              other != nil
                                ? "path placeholder '{\(name)}' names a parameter declared with \"in\": \"\(other!.location.rawValue)\"; declare it \"in\": \"path\""
                                : "path placeholder '{\(name)}' has no matching path parameter\(Spelling.hint(for: name, among: pathParams))",
                              at: pathPointer)
            }
        }
        for name in pathParams where !placeholders.contains(name) {
            context.error(SchemaCode.pathParamNotInPath,
                          "path parameter '\(name)' does not appear in the path '\(client.path)'; add '{\(name)}' or change \"in\"",
                          at: JSONPointer.appending(p + "/params", name))
        }
    }

    mutating func checkReturns(_ client: Client, pointer p: String) {
        guard case .branches(let branches) = client.returns else { return }
        if branches.count < 2 {
            context.error(SchemaCode.invalidReturns, "a branching return needs at least two branches; use \"returns\": <type> for one", at: p + "/returns/branches")
        }
        var statuses: Set<Int> = []
        for (i, b) in branches.enumerated() where !statuses.insert(b.status).inserted {
            context.error(SchemaCode.invalidReturns, "status \(b.status) appears in two return branches", at: JSONPointer.appending(p + "/returns/branches", i))
        }
    }

    mutating func checkAffect(_ affect: Affect, of client: Client, pointer p: String) {
        guard let target = schema.client(named: affect.client) else {
            context.error(SchemaCode.unknownAffectedClient,
                          "affects unknown client '\(affect.client)'\(Spelling.hint(for: affect.client, among: schema.clients.map(\.name)))", at: p + "/client")
            return
        }
        for (name, source) in affect.params {
            let pp = JSONPointer.appending(p + "/params", name)
            guard let targetParam = target.param(named: name) else {
                let names = target.params.map(\.name)
                context.error(SchemaCode.unknownAffectedParam,
                              "client '\(target.name)' has no parameter '\(name)'\(names.isEmpty ? " (it has none)" : Spelling.hint(for: name, among: names))", at: pp)
                continue
            }
            let targetShape = schema.shape(of: targetParam.type)
            switch source {
            case .from(let sourceName):
                guard let sourceParam = client.param(named: sourceName) else {
                    let names = client.params.map(\.name)
                    context.error(SchemaCode.unknownSourceParam,
                                  "'\(client.name)' has no parameter '\(sourceName)' to map to '\(target.name)'.\(name)\(Spelling.hint(for: sourceName, among: names))",
                                  at: pp + "/from")
                    continue
                }
                let sourceShape = schema.shape(of: sourceParam.type)
                if !Self.compatible(from: sourceShape, to: targetShape) {
                    context.error(SchemaCode.incompatibleMapping,
                                  "cannot map '\(sourceName)' (\(Self.describe(sourceShape))) to '\(target.name)'.\(name) (\(Self.describe(targetShape)))",
                                  at: pp + "/from")
                }
            case .value(let literal):
                if !Self.fits(literal, targetShape, optional: targetParam.optional) {
                    context.error(SchemaCode.literalMismatch,
                                  "value \(literal.jsonText) does not fit '\(target.name)'.\(name) (\(Self.describe(targetShape)))", at: pp + "/value")
                }
            }
        }
    }

    static func describe(_ shape: ParamShape) -> String {
        var text = shape.enumValues.map { "enum of " + $0.map(\.jsonText).joined(separator: ", ") } ?? shape.wire.rawValue
        if shape.list { text = "list of " + text }
        if shape.nullable { text += " or null" }
        return text
    }

    /// Mapped values must mean the same thing on both sides: numbers to numbers (an int fits a
    /// float), text to text, booleans to booleans; lists and structured values are not keys.
    static func compatible(from source: ParamShape, to target: ParamShape) -> Bool {
        if source.list || target.list || source.wire == .json || target.wire == .json { return false }
        if let targetValues = target.enumValues, let sourceValues = source.enumValues {
            return Set(sourceValues).isSubset(of: Set(targetValues))
        }
        switch (source.wire, target.wire) {
        case (.int, .int), (.int, .float), (.float, .float), (.bool, .bool): return true
        case let (s, t) where s.isStringLike && t.isStringLike: return target.enumValues == nil
        default: return false
        }
    }

    static func fits(_ literal: Literal, _ shape: ParamShape, optional: Bool) -> Bool {
        if shape.list || shape.wire == .json { return false }
        if case .null = literal { return shape.nullable || optional }
        if let values = shape.enumValues { return values.contains(literal) }
        switch (literal, shape.wire) {
        case (.number, .int): return literal.isInteger
        case (.number, .float): return true
        case (.bool, .bool): return true
        case (.string, let w) where w.isStringLike: return true
        default: return false
        }
    }
}
