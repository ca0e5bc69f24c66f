import Foundation
import MizanCore
import MizanDevServer
import MizanOpenAPI
import MizanSchema
import Testing

/// The management API's two documents, `docs/render-api.md` and `docs/render-api.openapi.yaml`,
/// against the code that serves it, `Sources/MizanDevServer/Management/ManagementAPI.swift`.
///
/// The served routes are `ManagementRoute.allCases`, the list the server matches against; error
/// codes and response members are read from the Swift source's text: the codes of
/// `ManagementError(…)` and `problem(…)`, the keys of the JSON objects it writes. A route, code or
/// member added on one side and not the other fails here.
@Suite struct RenderAPIDocumentTests {
    /// Every route of the management API: operationId, the client name mizan's importer gives it,
    /// method and path.
    static let routes: [(operationId: String, client: String, method: String, path: String)] = [
        ("health", "management.health", "GET", "/_mizan/health"),
        ("getStats", "management.get_stats", "GET", "/_mizan/stats"),
        ("listEntries", "management.list_entries", "GET", "/_mizan/entries"),
        ("getEntry", "management.get_entry", "GET", "/_mizan/entries/{key}"),
        ("getEntryBody", "management.get_entry_body", "GET", "/_mizan/entries/{key}/body"),
        ("purge", "management.purge", "POST", "/_mizan/purge"),
    ]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var yamlPath: String { repository + "/docs/render-api.openapi.yaml" }
    static var markdownPath: String { repository + "/docs/render-api.md" }
    static var sourcePath: String { repository + "/Sources/MizanDevServer/Management/ManagementAPI.swift" }

    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func document() throws -> JSONNode {
        let bytes = Array(try text(yamlPath).utf8)
        return try DocumentReader.read(bytes, file: yamlPath).root
    }

    /// `METHOD path` of every operation in the document, paths with `{…}` as written.
    static func documentRoutes(_ root: JSONNode) -> Set<String> {
        var found: Set<String> = []
        for item in root["paths"]?.members ?? [] {
            for method in ["get", "put", "post", "patch", "delete", "head", "options", "trace"] where item.value[method] != nil {
                found.insert(method.uppercased() + " " + item.key)
            }
        }
        return found
    }

    // MARK: - (a) the document imports through mizan's own importer

    @Test func theDocumentImportsWithoutErrorsAndGivesOneClientPerOperation() throws {
        let result = SchemaSource.load(path: Self.yamlPath)
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.formatted).joined(separator: "\n"))")
        let schema = try #require(result.schema)

        let root = try Self.document()
        var operationIds: [String] = []
        for item in root["paths"]?.members ?? [] {
            for operation in item.value.members ?? [] {
                if let id = operation.value["operationId"]?.stringValue { operationIds.append(id) }
            }
        }
        #expect(operationIds.sorted() == Self.routes.map(\.operationId).sorted())

        #expect(schema.clients.count == Self.routes.count, "\(schema.clients.map(\.name))")
        for route in Self.routes {
            let client = schema.clients.first { $0.name == route.client }
            #expect(client != nil, "no client '\(route.client)' for operationId '\(route.operationId)' (clients: \(schema.clients.map(\.name)))")
            #expect(client?.method.rawValue == route.method, "\(route.client)")
            #expect(client?.path == route.path, "\(route.client)")
        }
    }

    @Test func everyRouteButHealthNeedsTheBearerToken() throws {
        let root = try Self.document()
        #expect(root["components"]?["securitySchemes"]?["bearer"]?["scheme"]?.stringValue == "bearer")
        #expect(root["security"]?.elements?.first?["bearer"] != nil, "the document's default security is the bearer token")
        for item in root["paths"]?.members ?? [] {
            for operation in item.value.members ?? [] {
                let open = operation.value["security"]?.elements?.isEmpty == true
                #expect(open == (item.key == "/_mizan/health"), "\(operation.key.uppercased()) \(item.key): security")
                if item.key != "/_mizan/health" {
                    #expect(operation.value["responses"]?["401"] != nil, "\(operation.key.uppercased()) \(item.key) has no 401")
                }
            }
        }
    }

    // MARK: - (b) the document's routes are the served ones

    @Test func theDocumentHasExactlyTheRoutesTheListNames() throws {
        let expected = Set(Self.routes.map { $0.method + " " + $0.path })
        #expect(Self.documentRoutes(try Self.document()) == expected)
    }

    @Test func theServerServesExactlyTheRoutesTheListNames() throws {
        let served = Set(ManagementRoute.allCases.map { "\($0.method.rawValue) \($0.pattern)" })
        let expected = Set(Self.routes.map { $0.method + " " + $0.path })
        #expect(served == expected, "served (ManagementRoute): \(served.sorted()); documented: \(expected.sorted())")
    }

    /// The reader of the source is what makes the checks below able to fail: fed the real file
    /// with one more code and member, it must see each.
    @Test func theSourceReaderNoticesAdditions() throws {
        let real = try Self.text(Self.sourcePath)
        let edited = real
            .replacingOccurrences(of: #"case .stats:"#, with: "case .stats:\n                throw ManagementError(409, \"conflict_now\", \"x\")")
            .replacingOccurrences(of: #"("bytes", .int(storeStats.bytes)),"#, with: "(\"bytes\", .int(storeStats.bytes)),\n            (\"extra_counter\", .int(0)),")
        #expect(edited != real, "the markers of this test are no longer in ManagementAPI.swift")
        let after = ManagementSource(edited)
        #expect(try after.errors().contains { $0 == (409, "conflict_now") })
        #expect(after.jsonKeys(from: "func statsResponse", to: "func listEntries").contains("extra_counter"))
    }

    // MARK: - (c) the reference names every route, error code and member

    @Test func theReferenceNamesEveryRoute() throws {
        let markdown = try Self.text(Self.markdownPath)
        for route in Self.routes {
            let mentioned = markdown.contains("`\(route.method) \(route.path)`")
            #expect(mentioned, "docs/render-api.md does not mention `\(route.method) \(route.path)`")
        }
    }

    /// Each `(status, code)` the server can answer with has a line in the reference naming both.
    @Test func theReferenceNamesEveryErrorCodeWithItsStatus() throws {
        let errors = try ManagementSource(Self.text(Self.sourcePath)).errors()
        #expect(errors.count >= 10, "found only \(errors) in ManagementAPI.swift: update ManagementSource to its new shape")
        let lines = try Self.text(Self.markdownPath).split(separator: "\n")
        for (status, code) in errors {
            let documented = lines.contains { $0.contains("`\(code)`") && $0.contains(String(status)) }
            #expect(documented, "docs/render-api.md has no line naming `\(code)` with \(status)")
        }
    }

    @Test func statsAndEntryMembersMatchTheServer() throws {
        let source = ManagementSource(try Self.text(Self.sourcePath))
        let root = try Self.document()
        let markdown = try Self.text(Self.markdownPath)
        let schemas = root["components"]?["schemas"]
        let cases: [(schema: String, from: String, to: String)] = [
            ("Stats", "func statsResponse", "func listEntries"),
            ("Entry", "static func entryJSON", "func json("),
            ("Health", "func healthResponse", "func statsResponse"),
            ("PurgeResult", "private func purge(", "private func readSelector"),
        ]
        for (name, from, to) in cases {
            let keys = source.jsonKeys(from: from, to: to)
            #expect(!keys.isEmpty, "no JSON keys between '\(from)' and '\(to)' in ManagementAPI.swift")
            let required = Set((schemas?[name]?["required"]?.elements ?? []).compactMap(\.stringValue))
            let properties = Set((schemas?[name]?["properties"]?.members ?? []).map(\.key))
            #expect(required == keys, "\(name): the server writes \(keys.sorted()), the document requires \(required.sorted())")
            #expect(properties == keys, "\(name): the server writes \(keys.sorted()), the document has \(properties.sorted())")
            for key in keys {
                let mentioned = markdown.contains("`\(key)`")
                #expect(mentioned, "docs/render-api.md does not mention `\(key)` (\(name))")
            }
        }
    }
}

/// The text of ManagementAPI.swift, read for what it serves.
struct ManagementSource {
    let text: String

    init(_ text: String) { self.text = text }

    /// `(status, code)` of every `ManagementError(400, "bad_json", …)` and `problem(401, "unauthorized", …)`.
    func errors() throws -> [(Int, String)] {
        var found: [(Int, String)] = []
        for match in text.matches(of: try Regex(#"(?:ManagementError|problem)\((\d{3}), "([a-z_]+)""#)) {
            let pair = (Int(Self.group(match, 1)) ?? 0, Self.group(match, 2))
            if !found.contains(where: { $0 == pair }) { found.append(pair) }
        }
        return found
    }

    /// The keys of `("key", …)` JSON members written between two markers.
    func jsonKeys(from start: String, to end: String) -> Set<String> {
        guard let from = text.range(of: start), let to = text[from.upperBound...].range(of: end) else { return [] }
        let slice = text[from.upperBound..<to.lowerBound]
        let regex = try! Regex(#"\("([a-z_]+)", "#)
        return Set(slice.matches(of: regex).map { Self.group($0, 1) })
    }

    private static func group(_ match: Regex<AnyRegexOutput>.Match, _ index: Int) -> String {
        match.output[index].substring.map(String.init) ?? ""
    }

    private static func method(_ match: Regex<AnyRegexOutput>.Match, _ index: Int) -> String {
        group(match, index).uppercased()
    }
}
