import Foundation
import MizanCore
import MizanDevServer
import MizanOpenAPI
import MizanSchema
import Testing

/// The management API's two documents, `docs/render-api.md` and `docs/render-api.openapi.yaml`,
/// against the code that serves it: `Sources/MizanDevServer/Management/ManagementAPI.swift`,
/// `Sources/MizanDevServer/Management/DeploymentsAPI.swift` and
/// `Sources/MizanDevServer/Deployments/DeploymentStore.swift`.
///
/// The served routes are `ManagementRoute.allCases`, the list the server matches against; error
/// codes and members are read from the Swift sources' text: the codes of `ManagementError(…)`,
/// `problem(…)` and `Problem(…)`, the keys of the JSON objects they write and the members of the
/// JSON bodies they read. A route, code or member added on one side and not the other fails here.
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
        ("listDeployments", "deployments.list_deployments", "GET", "/_mizan/deployments"),
        ("createDeployment", "deployments.create_deployment", "POST", "/_mizan/deployments"),
        ("getDeployment", "deployments.get_deployment", "GET", "/_mizan/deployments/{id}"),
        ("finalizeDeployment", "deployments.finalize_deployment", "POST", "/_mizan/deployments/{id}/finalize"),
        ("activateDeployment", "deployments.activate_deployment", "POST", "/_mizan/deployments/{id}/activate"),
        ("missingBlobs", "deployments.missing_blobs", "POST", "/_mizan/blobs/missing"),
        ("putBlob", "deployments.put_blob", "PUT", "/_mizan/blobs/{hash}"),
        ("getBlob", "deployments.get_blob", "GET", "/_mizan/blobs/{hash}"),
    ]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var yamlPath: String { repository + "/docs/render-api.openapi.yaml" }
    static var markdownPath: String { repository + "/docs/render-api.md" }
    static var sourcePath: String { repository + "/Sources/MizanDevServer/Management/ManagementAPI.swift" }
    static var deploymentsSourcePath: String { repository + "/Sources/MizanDevServer/Management/DeploymentsAPI.swift" }
    static var storeSourcePath: String { repository + "/Sources/MizanDevServer/Deployments/DeploymentStore.swift" }
    /// The files that answer management requests, each read for its codes and members.
    static var sourcePaths: [String] { [sourcePath, deploymentsSourcePath, storeSourcePath] }

    static func source() throws -> ManagementSource {
        ManagementSource(try sourcePaths.map { (($0 as NSString).lastPathComponent, try text($0)) })
    }

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
        let after = ManagementSource([("ManagementAPI.swift", edited)])
        #expect(try after.errors().contains { $0 == (409, "conflict_now") })
        #expect(after.jsonKeys(from: "func statsResponse", to: "func listEntries").contains("extra_counter"))

        let realAPI = try Self.text(Self.deploymentsSourcePath)
        let editedAPI = realAPI
            .replacingOccurrences(of: #"("bytes", .int(d.bytes)),"#, with: "(\"bytes\", .int(d.bytes)),\n            (\"extra_member\", .null),")
            .replacingOccurrences(of: #"root["message"]?.stringValue"#, with: #"root["extra_field"]?.stringValue ?? root["message"]?.stringValue"#)
            .replacingOccurrences(of: #"node["size"]?.intValue"#, with: #"node["size"]?.intValue, let _ = node["mode"]?.intValue"#)
        let realStore = try Self.text(Self.storeSourcePath)
        let editedStore = realStore
            .replacingOccurrences(of: "guard !files.isEmpty else {", with: "guard files.count < 100_000 else { throw Problem(507, \"too_many_files\", \"x\") }\n        guard !files.isEmpty else {")
        #expect(editedAPI.contains("extra_member") && editedAPI.contains("extra_field") && editedAPI.contains(#"node["mode"]"#),
                "the markers of this test are no longer in DeploymentsAPI.swift")
        #expect(editedStore != realStore, "the markers of this test are no longer in DeploymentStore.swift")
        let afterDeployments = ManagementSource([("DeploymentsAPI.swift", editedAPI), ("DeploymentStore.swift", editedStore)])
        #expect(try afterDeployments.errors().contains { $0 == (507, "too_many_files") })
        #expect(afterDeployments.jsonKeys(from: "static func deploymentJSON", to: nil).contains("extra_member"))
        #expect(afterDeployments.bodyMembers(from: "case .createDeployment:", to: "case .missingBlobs:", reader: "root").contains("extra_field"))
        #expect(afterDeployments.bodyMembers(from: "case .createDeployment:", to: "case .missingBlobs:", reader: "node").contains("mode"))
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
        let source = try Self.source()
        for file in source.files {
            let found = try ManagementSource([file]).errors()
            #expect(found.count >= 3, "found only \(found) in \(file.name): update ManagementSource to its new shape")
        }
        let errors = try source.errors()
        #expect(errors.count >= 25, "found only \(errors): update ManagementSource to its new shape")
        let lines = try Self.text(Self.markdownPath).split(separator: "\n")
        for (status, code) in errors {
            let documented = lines.contains { $0.contains("`\(code)`") && $0.contains(String(status)) }
            #expect(documented, "docs/render-api.md has no line naming `\(code)` with \(status)")
        }
    }

    @Test func responseMembersMatchTheServer() throws {
        let source = try Self.source()
        let root = try Self.document()
        let markdown = try Self.text(Self.markdownPath)
        let schemas = root["components"]?["schemas"]
        // `to: nil`: to the end of the file. For a schema made with `allOf`, its own members (those
        // of its inline parts) are compared: `DeploymentCreated` is `Deployment` and `missing`.
        let cases: [(schema: String, from: String, to: String?)] = [
            ("Stats", "func statsResponse", "func listEntries"),
            ("Entry", "static func entryJSON", "func json("),
            ("Health", "func healthResponse", "func statsResponse"),
            ("PurgeResult", "private func purge(", "private func readSelector"),
            ("Deployment", "static func deploymentJSON", nil),
            ("DeploymentList", "case .listDeployments:", "case .getDeployment:"),
            ("DeploymentCreated", "case .createDeployment:", "case .missingBlobs:"),
            ("MissingBlobs", "case .missingBlobs:", "case .putBlob:"),
            ("BlobStored", "case .putBlob:", "case .getBlob:"),
        ]
        for (name, from, to) in cases {
            let keys = source.jsonKeys(from: from, to: to)
            #expect(!keys.isEmpty, "no JSON keys between '\(from)' and '\(to ?? "the end")' in the sources")
            let (required, properties) = Self.ownMembers(schemas?[name])
            #expect(required == keys, "\(name): the server writes \(keys.sorted()), the document requires \(required.sorted())")
            #expect(properties == keys, "\(name): the server writes \(keys.sorted()), the document has \(properties.sorted())")
            for key in keys {
                let mentioned = markdown.contains("`\(key)`")
                #expect(mentioned, "docs/render-api.md does not mention `\(key)` (\(name))")
            }
        }
    }

    /// The members the deployment routes read from their JSON bodies (`root["…"]` and, for a
    /// file, `node["…"]`) are the documented request schemas' properties, and named in the reference.
    @Test func requestMembersMatchTheServer() throws {
        let source = try Self.source()
        let schemas = try Self.document()["components"]?["schemas"]
        let markdown = try Self.text(Self.markdownPath)
        let cases: [(schema: String, from: String, to: String, reader: String)] = [
            ("DeploymentCreate", "case .createDeployment:", "case .missingBlobs:", "root"),
            ("DeploymentFile", "case .createDeployment:", "case .missingBlobs:", "node"),
            ("BlobList", "case .missingBlobs:", "case .putBlob:", "root"),
        ]
        for (name, from, to, reader) in cases {
            let members = source.bodyMembers(from: from, to: to, reader: reader)
            #expect(!members.isEmpty, "no \(reader)[…] reads between '\(from)' and '\(to)' in DeploymentsAPI.swift")
            let (required, properties) = Self.ownMembers(schemas?[name])
            #expect(properties == members, "\(name): the server reads \(members.sorted()), the document has \(properties.sorted())")
            #expect(required.isSubset(of: members), "\(name): the document requires \(required.sorted()), the server reads \(members.sorted())")
            for member in members {
                let mentioned = markdown.contains("`\(member)`")
                #expect(mentioned, "docs/render-api.md does not mention `\(member)` (\(name))")
            }
        }
    }

    /// `required` and `properties` of a schema and of the inline (not `$ref`) parts of its `allOf`.
    static func ownMembers(_ schema: JSONNode?) -> (required: Set<String>, properties: Set<String>) {
        let parts = [schema] + (schema?["allOf"]?.elements ?? []).filter { $0["$ref"] == nil }.map(Optional.some)
        var required: Set<String> = []
        var properties: Set<String> = []
        for part in parts {
            required.formUnion((part?["required"]?.elements ?? []).compactMap(\.stringValue))
            properties.formUnion((part?["properties"]?.members ?? []).map(\.key))
        }
        return (required, properties)
    }
}

/// The text of the files that serve the management API (ManagementAPI.swift, DeploymentsAPI.swift,
/// DeploymentStore.swift), read for what they answer.
struct ManagementSource {
    let files: [(name: String, text: String)]

    init(_ files: [(name: String, text: String)]) { self.files = files }

    /// `(status, code)` of every `ManagementError(400, "bad_json", …)`, `problem(401, "unauthorized", …)`
    /// and `Problem(409, "missing_blobs", …)`, in every file.
    func errors() throws -> [(Int, String)] {
        var found: [(Int, String)] = []
        let regex = try Regex(#"(?:ManagementError|problem|Problem)\((\d{3}), "([a-z_]+)""#)
        for file in files {
            for match in file.text.matches(of: regex) {
                let pair = (Int(Self.group(match, 1)) ?? 0, Self.group(match, 2))
                if !found.contains(where: { $0 == pair }) { found.append(pair) }
            }
        }
        return found
    }

    /// The keys of `("key", …)` JSON members written between two markers (`end` nil: to the end
    /// of the file), in the first file holding `start` with `end` after it.
    func jsonKeys(from start: String, to end: String?) -> Set<String> {
        guard let slice = slice(from: start, to: end) else { return [] }
        let regex = try! Regex(#"\("([a-z_]+)", "#)
        return Set(slice.matches(of: regex).map { Self.group($0, 1) })
    }

    /// The members read from a JSON body as `reader["member"]` between two markers.
    func bodyMembers(from start: String, to end: String, reader: String) -> Set<String> {
        guard let slice = slice(from: start, to: end) else { return [] }
        let regex = try! Regex(#"\b"# + reader + #"\["([a-z_]+)"\]"#)
        return Set(slice.matches(of: regex).map { Self.group($0, 1) })
    }

    private func slice(from start: String, to end: String?) -> Substring? {
        for file in files {
            guard let from = file.text.range(of: start) else { continue }
            guard let end else { return file.text[from.upperBound...] }
            if let to = file.text[from.upperBound...].range(of: end) { return file.text[from.upperBound..<to.lowerBound] }
        }
        return nil
    }

    private static func group(_ match: Regex<AnyRegexOutput>.Match, _ index: Int) -> String {
        match.output[index].substring.map(String.init) ?? ""
    }

    private static func method(_ match: Regex<AnyRegexOutput>.Match, _ index: Int) -> String {
        group(match, index).uppercased()
    }
}
