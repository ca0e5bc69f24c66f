import Foundation
import MizanCore
import MizanSchema

/// OpenAPI operations → IR clients: names from tags and operationIds, parameters, request
/// bodies, responses (2xx → result, several → branches by status; 4xx/5xx → typed errors),
/// and the `x-mizan-cache` / `x-mizan-affects` extensions.
extension OpenAPIImporter {
    static let methods = ["get", "put", "post", "delete", "patch"]
    static let unmappedMethods = ["options", "head", "trace"]
    /// Headers the HTTP layer sets; OpenAPI says parameters with these names are ignored.
    static let ignoredHeaders: Set<String> = ["accept", "content-type", "authorization"]

    struct PendingAffects {
        var client: String
        var place: Located
    }

    func importOperations(_ root: Located) -> [Client] {
        guard let paths = member(root, "paths") else { return [] }
        var clients: [Client] = []
        var usedNames: Set<String> = []
        var operationIds: [String: String] = [:]
        var pending: [PendingAffects] = []
        for (path, rawItem) in members(paths).sorted(by: { $0.key < $1.key }) {
            guard let item = resolve(rawItem) else { continue }
            for method in Self.unmappedMethods where item.node[method] != nil {
                warning(OpenAPICode.skipped, "\(method.uppercased()) \(path) is not mapped: the kernel calls GET, POST, PUT, PATCH and DELETE", at: member(item, method)!)
            }
            for method in Self.methods {
                guard let operation = member(item, method) else { continue }
                let name = clientName(path: path, method: method, operation: operation, used: &usedNames)
                if let id = operation.node["operationId"]?.stringValue { operationIds[id] = name }
                if let client = self.client(name, path: path, method: method, item: item, operation: operation) {
                    clients.append(client)
                    anchors["/clients/" + name] = operation.pointer
                    if let affects = member(operation, "x-mizan-affects") { pending.append(PendingAffects(client: name, place: affects)) }
                }
            }
        }
        let byName = Dictionary(clients.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for entry in pending {
            guard let index = clients.firstIndex(where: { $0.name == entry.client }) else { continue }
            clients[index].affects = affects(entry.place, of: clients[index], clients: byName, operationIds: operationIds)
        }
        return clients
    }

    // MARK: Names

    /// `namespace.function`: the namespace from the first tag (or the first path segment), the
    /// function from the operationId with the namespace prefix dropped, or from method and path.
    private func clientName(path: String, method: String, operation: Located, used: inout Set<String>) -> String {
        let segments = path.split(separator: "/").map(String.init)
        let firstLiteral = segments.first { !$0.hasPrefix("{") }
        var namespace = OpenAPINames.segment(
            operation.node["tags"]?.elements?.first?.stringValue ?? firstLiteral ?? "api", fallback: "api")
        if Naming.reservedNamespaces.contains(Naming.camelCase(namespace)) { namespace += "_api" }
        var function: String
        if let id = operation.node["operationId"]?.stringValue {
            function = OpenAPINames.segment(id, fallback: method)
            if function.hasPrefix(namespace + "_"), function.count > namespace.count + 1 {
                function = String(function.dropFirst(namespace.count + 1))
            }
        } else {
            let words = segments.map { segment -> String in
                segment.hasPrefix("{") ? "by_" + OpenAPINames.snakeCase(String(segment.dropFirst().dropLast())) : OpenAPINames.snakeCase(segment)
            }.filter { !$0.isEmpty }
            function = OpenAPINames.segment(([method] + words).joined(separator: "_"), fallback: method)
        }
        if function == namespace { function += "_call" }
        var name = namespace + "." + function
        var n = 2
        // The name must be free, and so must the types mizan makes from it (`…Params`, `…Result`).
        func clashes(_ candidate: String) -> Bool {
            let prefix = Naming.clientTypePrefix(candidate)
            return used.contains(candidate) || ["Params", "Error", "Result"].contains { takenTSNames.contains(prefix + $0) }
        }
        while clashes(name) {
            name = namespace + "." + function + "_\(n)"
            n += 1
        }
        for suffix in ["Params", "Error", "Result"] {
            takenTSNames.insert(Naming.clientTypePrefix(name) + suffix)
        }
        if n > 2 {
            warning(OpenAPICode.renamed, "\(method.uppercased()) \(path) is named '\(name)': '\(namespace).\(function)' was already taken", at: operation)
        }
        used.insert(name)
        return name
    }

    // MARK: One operation

    private func client(_ name: String, path: String, method: String, item: Located, operation: Located) -> Client? {
        let prefix = Naming.clientTypePrefix(name)
        let node = operation.node
        var params: [Param] = []
        var usedParamNames: Set<String> = []
        // A wire name that is already an identifier keeps it; a converted one (`page[size]` →
        // `page_size`) gives way to it, whatever the order of declaration.
        var exactNames: Set<String> = []
        func uniqueParamName(_ base: String, wire: String?) -> String {
            var candidate = base
            var n = 2
            while usedParamNames.contains(candidate) || (candidate != wire && exactNames.contains(candidate)) {
                candidate = base + "_\(n)"
                n += 1
            }
            usedParamNames.insert(candidate)
            return candidate
        }

        // Path-level parameters, overridden by operation-level ones with the same name and place.
        var declared: [(key: String, place: Located)] = []
        for source in [member(item, "parameters"), member(operation, "parameters")].compactMap({ $0 }) {
            for raw in elements(source) {
                guard let p = resolve(raw), let wire = p.node["name"]?.stringValue, let location = p.node["in"]?.stringValue else { continue }
                let key = location + ":" + wire
                declared.removeAll { $0.key == key }
                declared.append((key, p))
            }
        }
        exactNames = Set(declared.compactMap { $0.place.node["name"]?.stringValue }.filter { OpenAPINames.parameter($0) == $0 })
        for (_, p) in declared {
            if let param = parameter(p, prefix: prefix, uniqueName: uniqueParamName) { params.append(param) }
        }

        if let body = member(operation, "requestBody").flatMap(resolve) {
            if method == "get" {
                warning(OpenAPICode.skipped, "GET \(path) declares a request body, which fetch cannot send; it is ignored", at: body)
            } else if let param = requestBody(body, prefix: prefix, name: uniqueParamName("body", wire: nil)) {
                params.append(param)
            }
        }
        for feature in ["callbacks", "links"] where node[feature] != nil {
            warning(OpenAPICode.skipped, "'\(feature)' of \(method.uppercased()) \(path) are not mapped", at: member(operation, feature)!)
        }

        let (returns, errors) = responses(operation, prefix: prefix, path: path, method: method)
        var docLines: [String] = []
        if let summary = node["summary"]?.stringValue { docLines.append(summary) }
        if let description = node["description"]?.stringValue, description != docLines.first { docLines.append(description) }
        return Client(
            name: name, method: HTTPMethod(rawValue: method.uppercased()) ?? .get, path: path,
            doc: docLines.isEmpty ? nil : docLines.joined(separator: "\n\n"),
            deprecation: node["deprecated"]?.boolValue == true ? Deprecation(message: nil) : nil,
            params: params, returns: returns, errors: errors,
            cache: cachePolicy(operation, method: method), affects: [], location: location(operation))
    }

    private func parameter(_ p: Located, prefix: String, uniqueName: (String, String) -> String) -> Param? {
        let wire = p.node["name"]?.stringValue ?? ""
        let location = p.node["in"]?.stringValue ?? ""
        let irLocation: ParamLocation
        switch location {
        case "path": irLocation = .path
        case "query": irLocation = .query
        case "header":
            if Self.ignoredHeaders.contains(wire.lowercased()) { return nil }
            irLocation = .header
        case "cookie":
            warning(OpenAPICode.skipped, "cookie parameter '\(wire)' is not mapped: browsers send cookies themselves", at: p)
            return nil
        default:
            error(OpenAPICode.invalidDocument, "parameter '\(wire)' has an unknown location '\(location)'", at: p)
            return nil
        }
        let schema = member(p, "schema") ?? member(p, "content").flatMap { content in members(content).first.flatMap { member($0.value, "schema") } }
        let base = OpenAPINames.parameter(wire)
        var type = schema.map { typeRef($0, hint: prefix + Naming.pascalCase(base), mode: .request) } ?? .primitive(.string)
        if irLocation == .query || irLocation == .header {
            // Structured values cannot travel in a query or header; dropping is better than a wrong type.
            let shape = schemaShape(type)
            if shape.wire == .json {
                warning(OpenAPICode.unsupportedStyle, "\(location) parameter '\(wire)' is not a scalar or a list of scalars (an object, a map or a union); it is not mapped", at: p)
                forgetInlineTypes(under: p)
                return nil
            }
            if shape.nullable, case .nullable(let inner) = type { type = inner }
            let style = p.node["style"]?.stringValue ?? "form"
            let explode = p.node["explode"]?.boolValue ?? (style == "form")
            if let media = p.node["content"]?.members?.first?.key {
                warning(OpenAPICode.unsupportedStyle, "parameter '\(wire)' is serialised as '\(media)'; the kernel sends it as a plain value (lists as repeated keys)", at: p)
            } else if style != "form" && style != "simple" {
                warning(OpenAPICode.unsupportedStyle, "parameter '\(wire)' uses style '\(style)'; the kernel sends it as a repeated key (form, explode)", at: p)
            } else if !explode, case .list = type {
                warning(OpenAPICode.unsupportedStyle, "parameter '\(wire)' asks for explode: false; the kernel sends lists as repeated keys", at: p)
            }
        }
        let name = uniqueName(base, wire)
        if name != base {
            warning(OpenAPICode.renamed, "parameter '\(wire)' is named '\(name)': '\(base)' was already taken", at: p)
        }
        // A default is the server's business (the kernel sends nothing for a missing parameter);
        // callers see it in the doc, as they do for object fields.
        var docLines = [p.node["description"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)].compactMap { $0 }.filter { !$0.isEmpty }
        if let value = schema?.node["default"] {
            docLines.append("Default: `\(String(decoding: CanonicalJSON.bytes(of: value), as: UTF8.self))`.")
        }
        return Param(
            name: name, wireName: name == wire ? nil : wire, location: irLocation, type: type,
            optional: irLocation == .path ? false : p.node["required"]?.boolValue != true,
            doc: docLines.isEmpty ? nil : docLines.joined(separator: "\n"))
    }

    /// Forgets the inline types made for a schema that is then dropped, so none is emitted unused.
    private func forgetInlineTypes(under place: Located) {
        let prefix = place.file + "#" + place.pointer + "/"
        for (key, name) in convertedSchemas where key.hasPrefix(prefix) {
            convertedSchemas[key] = nil
            types[name] = nil
            anchors["/types/" + name] = nil
        }
    }

    /// The shape of a type using the types made so far (the final schema is not built yet).
    private func schemaShape(_ type: TypeRef) -> ParamShape {
        Schema.shape(of: type, lookup: { self.types[$0] })
    }

    private func requestBody(_ body: Located, prefix: String, name: String) -> Param? {
        guard let content = member(body, "content") else { return nil }
        let media = members(content)
        let required = body.node["required"]?.boolValue == true
        if let json = media.first(where: { isJSON($0.key) }) {
            let type = member(json.value, "schema").map { typeRef($0, hint: prefix + "Body", mode: .request) } ?? .primitive(.any)
            return Param(name: name, location: .payload, type: type, optional: !required, doc: body.node["description"]?.stringValue)
        }
        if let form = media.first(where: { $0.key.hasPrefix("multipart/form-data") || $0.key.hasPrefix("application/x-www-form-urlencoded") }) {
            if form.key.hasPrefix("application/x-www-form-urlencoded") {
                warning(OpenAPICode.unsupportedContent, "an application/x-www-form-urlencoded body is sent as multipart/form-data by the kernel", at: form.value)
            }
            let type = member(form.value, "schema").map { typeRef($0, hint: prefix + "Form", mode: .request) } ?? .map(.primitive(.any))
            return Param(name: name, location: .form, type: type, optional: !required, doc: body.node["description"]?.stringValue)
        }
        if let other = media.first {
            warning(OpenAPICode.unsupportedContent, "request body '\(other.key)' is not mapped: the kernel sends JSON and forms", at: other.value)
        }
        return nil
    }

    private func isJSON(_ mediaType: String) -> Bool {
        let base = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return base == "application/json" || base.hasSuffix("+json") || base == "*/*"
    }

    private func responses(_ operation: Located, prefix: String, path: String, method: String) -> (Returns, [ErrorDecl]) {
        guard let responses = member(operation, "responses") else { return (.empty, []) }
        var successes: [(Int, TypeRef?)] = []
        var errors: [ErrorDecl] = []
        let entries = members(responses).compactMap { key, value -> (Int, Located)? in
            guard let status = Int(key) else {
                if key != "default" && !key.hasSuffix("XX") {
                    warning(OpenAPICode.invalidDocument, "response key '\(key)' is not a status code", at: value)
                }
                return nil
            }
            return (status, value)
        }.sorted { $0.0 < $1.0 }
        let successCount = entries.filter { (200...299).contains($0.0) }.count
        // Links live on responses: the kernel does not follow them.
        func warnAboutLinks(_ response: Located, _ key: String) {
            if let links = member(response, "links") {
                warning(OpenAPICode.skipped, "'links' of the \(key) response of \(method.uppercased()) \(path) are not mapped", at: links)
            }
        }
        for (key, value) in members(responses) where Int(key) == nil { warnAboutLinks(value, key) }
        for (status, raw) in entries {
            guard let response = resolve(raw) else { continue }
            warnAboutLinks(response, String(status))
            let body = responseBody(response, hint: prefix + (status >= 400 ? "Error\(status)" : (successCount > 1 ? "Response\(status)" : "Response")))
            switch status {
            case 200...299: successes.append((status, body))
            case 400...599: errors.append(ErrorDecl(status: status, code: nil, doc: response.node["description"]?.stringValue, detail: body))
            default: break
            }
        }
        switch successes.count {
        case 0: return (.empty, errors)
        case 1: return (successes[0].1.map(Returns.type) ?? .empty, errors)
        default: return (.branches(successes.map { ReturnBranch(status: $0.0, type: $0.1) }), errors)
        }
    }

    private func responseBody(_ response: Located, hint: String) -> TypeRef? {
        guard let content = member(response, "content") else { return nil }
        let media = members(content)
        if let json = media.first(where: { isJSON($0.key) }) {
            return member(json.value, "schema").map { typeRef($0, hint: hint, mode: .response) } ?? .primitive(.any)
        }
        if let other = media.first {
            warning(OpenAPICode.unsupportedContent, "response content '\(other.key)' is not JSON; the kernel reads JSON only, so it is typed unknown", at: other.value)
            return .primitive(.any)
        }
        return nil
    }

    // MARK: Extensions

    private func cachePolicy(_ operation: Located, method: String) -> CachePolicy? {
        guard let place = member(operation, "x-mizan-cache") else {
            if method == "get", let ttl = options.defaultCacheTTL {
                return CachePolicy(ttl: ttl, staleWhileRevalidate: options.defaultStaleWhileRevalidate, context: .public)
            }
            return nil
        }
        if place.node.boolValue == false { return nil }
        guard method == "get" else {
            error(OpenAPICode.invalidExtension, "x-mizan-cache on a \(method.uppercased()) operation: only GET responses are cached", at: place)
            return nil
        }
        guard let ttl = place.node["ttl"]?.intValue, ttl >= 0 else {
            error(OpenAPICode.invalidExtension, "x-mizan-cache needs 'ttl', a number of seconds ≥ 0", at: place)
            return nil
        }
        let contextName = place.node["context"]?.stringValue ?? "public"
        guard let context = CacheContext(rawValue: contextName) else {
            error(OpenAPICode.invalidExtension, "x-mizan-cache context '\(contextName)' is not public, user or session", at: place)
            return nil
        }
        for key in place.node.members?.map(\.key) ?? [] where !["ttl", "stale_while_revalidate", "context", "tags"].contains(key) {
            error(OpenAPICode.invalidExtension, "unknown key '\(key)' in x-mizan-cache\(Spelling.hint(for: key, among: ["ttl", "stale_while_revalidate", "context", "tags"]))", at: place)
        }
        return CachePolicy(
            ttl: ttl, staleWhileRevalidate: place.node["stale_while_revalidate"]?.intValue ?? 0, context: context,
            tags: (place.node["tags"]?.elements ?? []).compactMap(\.stringValue))
    }

    /// `x-mizan-affects: [{client: <operationId or client name>, params: {<param>: {from: <param>} | {value: v} | "*"}}]`;
    /// parameter names may be written as in the document (`X-Request-Id`) or as in TypeScript.
    private func affects(_ place: Located, of client: Client, clients: [String: Client], operationIds: [String: String]) -> [Affect] {
        guard place.node.elements != nil else {
            error(OpenAPICode.invalidExtension, "x-mizan-affects must be a list of {client, params}", at: place)
            return []
        }
        func irName(_ name: String, in target: Client) -> String {
            target.params.first { $0.name == name || $0.wireName == name }?.name ?? name
        }
        var result: [Affect] = []
        for entry in elements(place) {
            guard let reference = entry.node["client"]?.stringValue else {
                error(OpenAPICode.invalidExtension, "an x-mizan-affects entry needs 'client' (an operationId or client name)", at: entry)
                continue
            }
            let targetName = operationIds[reference] ?? reference
            var params: [(name: String, source: ParamSource)] = []
            let target = clients[targetName]
            for member in entry.node["params"]?.members ?? [] {
                let name = target.map { irName(member.key, in: $0) } ?? member.key
                if member.value.stringValue == "*" { continue }
                if let from = member.value["from"]?.stringValue {
                    params.append((name, .from(irName(from, in: client))))
                } else if let value = member.value["value"] {
                    switch value.value {
                    case .string(let s): params.append((name, .value(.string(s))))
                    case .number(let raw): params.append((name, .value(.number(raw))))
                    case .bool(let b): params.append((name, .value(.bool(b))))
                    case .null: params.append((name, .value(.null)))
                    default: error(OpenAPICode.invalidExtension, "x-mizan-affects value for '\(member.key)' must be a scalar", at: entry)
                    }
                } else {
                    error(OpenAPICode.invalidExtension, "x-mizan-affects param '\(member.key)' must be {from: <param>}, {value: <literal>} or \"*\"", at: entry)
                }
            }
            result.append(Affect(client: targetName, params: params))
        }
        return result
    }
}
