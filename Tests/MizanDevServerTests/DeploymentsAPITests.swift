import Foundation
import MizanCore
import MizanDevServer
import MizanTestSupport
import Testing

/// The Render deployments API as `mizan dev` serves it: content-addressed blobs, idempotent
/// creates, finalize swapping the manifest live, rollback.
@Suite struct DeploymentsAPITests {
    let auth = [("Authorization", "Bearer \(testToken)")]

    static func withDeployments<T: Sendable>(_ body: (TestBackend, DevServer, Browser, DeploymentStore) async throws -> T) async throws -> T {
        let folder = try makeTemporaryDirectory(prefix: "mizan-deployments")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try DeploymentStore(folder: folder.path)
        return try await withBookshop(deployments: store) { backend, server, browser in try await body(backend, server, browser, store) }
    }

    /// The test manifest with another TTL for books.get_book.
    static func manifest(ttl: Int) -> [UInt8] {
        Array(TestManifest.json.replacingOccurrences(of: #""ttl": 60,"#, with: #""ttl": \#(ttl),"#).utf8)
    }

    func create(_ browser: Browser, key: String, files: [(String, [UInt8])]) async throws -> (Reply, JSONNode) {
        let list = files.map { #"{"path": "\#($0.0)", "hash": "\#(ContentHash.sha256($0.1))", "size": \#($0.1.count)}"# }.joined(separator: ", ")
        let reply = try await browser.send(.POST, "/_mizan/deployments", headers: auth + [("Idempotency-Key", key)],
                                           body: #"{"project": "bookshop", "message": "test", "files": [\#(list)]}"#)
        return (reply, try JSONParser.parse(Array(reply.body.utf8), file: "create").root)
    }

    func upload(_ browser: Browser, _ bytes: [UInt8], as hash: String? = nil) async throws -> Reply {
        try await browser.send(.PUT, "/_mizan/blobs/\(hash ?? ContentHash.sha256(bytes))", headers: auth + [("Content-Type", "application/octet-stream")],
                               body: String(decoding: bytes, as: UTF8.self))
    }

    @Test func aDeployGoesLiveAndChangesTheProxyAndARollbackRestoresIt() async throws {
        try await Self.withDeployments { _, server, browser, _ in
            let manifest = Self.manifest(ttl: 5)
            let worker = Array("export default {}".utf8)
            let (created, body) = try await create(browser, key: "k1", files: [("manifest.json", manifest), ("worker/index.js", worker)])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(body["id"]?.stringValue)
            #expect(body["status"]?.stringValue == "pending")
            #expect(body["missing"]?.elements?.count == 2)

            // A retried create with the same key is the same deployment.
            let (again, againBody) = try await create(browser, key: "k1", files: [("manifest.json", manifest), ("worker/index.js", worker)])
            #expect(again.status == 200)
            #expect(againBody["id"]?.stringValue == id)

            let early = try await browser.send(.POST, "/_mizan/deployments/\(id)/finalize", headers: auth, body: "{}")
            #expect(early.status == 409, "\(early.body)")
            #expect(early.body.contains("missing_blobs"))

            #expect(try await upload(browser, manifest).status == 201)
            #expect(try await upload(browser, manifest).status == 200)
            let wrong = try await upload(browser, worker, as: ContentHash.sha256(manifest))
            #expect(wrong.status == 400)
            #expect(wrong.body.contains("hash_mismatch"))
            #expect(try await upload(browser, worker).status == 201)

            #expect(try await browser.get("/api/books/1").cacheStatus.hasSuffix("ttl=60"))
            let live = try await browser.send(.POST, "/_mizan/deployments/\(id)/finalize", headers: auth, body: "{}")
            #expect(live.status == 200, "\(live.body)")
            #expect(live.body.contains(#""status": "live""#))
            #expect(server.manifest.route(for: "books.get_book")?.cache?.ttl == 5)
            // The changed client's entries went with the reload; the new TTL applies.
            #expect(try await browser.get("/api/books/1").cacheStatus.hasSuffix("stored; ttl=5"))

            // A second deployment, then a rollback to the first.
            let (second, secondBody) = try await create(browser, key: "k2", files: [("manifest.json", Self.manifest(ttl: 7))])
            #expect(second.status == 201)
            let secondID = try #require(secondBody["id"]?.stringValue)
            _ = try await upload(browser, Self.manifest(ttl: 7))
            #expect(try await browser.send(.POST, "/_mizan/deployments/\(secondID)/finalize", headers: auth, body: "{}").status == 200)
            #expect(server.manifest.route(for: "books.get_book")?.cache?.ttl == 7)
            let rollback = try await browser.send(.POST, "/_mizan/deployments/\(id)/activate", headers: auth, body: "{}")
            #expect(rollback.status == 200, "\(rollback.body)")
            #expect(server.manifest.route(for: "books.get_book")?.cache?.ttl == 5)

            let list = try JSONParser.parse(Array(try await browser.get("/_mizan/deployments", headers: auth).body.utf8), file: "list").root
            let statuses = (list["deployments"]?.elements ?? []).map { ($0["id"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") }
            #expect(statuses.map(\.1) == ["superseded", "live"])
            #expect(statuses.map(\.0) == [secondID, id])
        }
    }

    @Test func anInvalidManifestFailsTheDeploymentAndKeepsTheOldOneServing() async throws {
        try await Self.withDeployments { _, server, browser, _ in
            let broken = Array(#"{"manifest_version": 1}"#.utf8)
            let (_, body) = try await create(browser, key: "bad", files: [("manifest.json", broken)])
            let id = try #require(body["id"]?.stringValue)
            _ = try await upload(browser, broken)
            let finalize = try await browser.send(.POST, "/_mizan/deployments/\(id)/finalize", headers: auth, body: "{}")
            #expect(finalize.status == 422, "\(finalize.body)")
            #expect(finalize.body.contains("invalid_manifest"))
            let status = try await browser.get("/_mizan/deployments/\(id)", headers: auth)
            #expect(status.body.contains(#""status": "failed""#))
            let activate = try await browser.send(.POST, "/_mizan/deployments/\(id)/activate", headers: auth, body: "{}")
            #expect(activate.status == 409, "\(activate.body)")
            #expect(activate.body.contains("failed_deployment"))
            #expect(server.manifest.route(for: "books.get_book")?.cache?.ttl == 60)
        }
    }

    @Test func badCreatesAreRefusedWithACode() async throws {
        try await Self.withDeployments { _, _, browser, _ in
            let cases: [(String, [(String, String)], String)] = [
                (#"{"project": "p", "files": [{"path": "manifest.json", "hash": "sha256:00", "size": 1}]}"#, [("Idempotency-Key", "a")], "bad_files"),
                (#"{"project": "p", "files": [{"path": "worker.js", "hash": "sha256:\#(String(repeating: "0", count: 64))", "size": 1}]}"#, [("Idempotency-Key", "b")], "must include the edge manifest"),
                (#"{"project": "p", "files": [{"path": "../x", "hash": "sha256:\#(String(repeating: "0", count: 64))", "size": 1}]}"#, [("Idempotency-Key", "c")], "without '..'"),
                (#"{"project": "p", "files": []}"#, [], "Idempotency-Key header is required"),
                (#"{"files": []}"#, [("Idempotency-Key", "d")], "'project' is required"),
            ]
            for (body, headers, text) in cases {
                let reply = try await browser.send(.POST, "/_mizan/deployments", headers: auth + headers, body: body)
                #expect(reply.status == 400, "\(body): \(reply.body)")
                #expect(reply.body.contains(text), "\(body): \(reply.body)")
            }
            let manifest = Array(TestManifest.json.utf8)
            _ = try await create(browser, key: "same", files: [("manifest.json", manifest)])
            let (conflict, _) = try await create(browser, key: "same", files: [("manifest.json", manifest), ("x.js", [1])])
            #expect(conflict.status == 409)
            #expect(conflict.body.contains("idempotency_conflict"))
            let missing = try await browser.send(.POST, "/_mizan/blobs/missing", headers: auth, body: #"{"hashes": ["\#(ContentHash.sha256(manifest))"]}"#)
            #expect(missing.body.contains(ContentHash.sha256(manifest)))
            let badHash = try await browser.send(.POST, "/_mizan/blobs/missing", headers: auth, body: #"{"hashes": ["sha256:../deployments.json"]}"#)
            #expect(badHash.status == 400)
            #expect(badHash.body.contains("bad_hash"))
            // The same files in another order are the same deployment.
            let (reordered, _) = try await create(browser, key: "order", files: [("manifest.json", manifest), ("a.js", [1]), ("b.js", [2])])
            let (again, _) = try await create(browser, key: "order", files: [("b.js", [2]), ("manifest.json", manifest), ("a.js", [1])])
            #expect(reordered.status == 201)
            #expect(again.status == 200)
            #expect(try await browser.get("/_mizan/deployments/nope", headers: auth).status == 404)
        }
    }

    @Test func withoutAStateFolderTheDeploymentsAPIIsOff() async throws {
        try await withBookshop { _, _, browser in
            let reply = try await browser.get("/_mizan/deployments", headers: auth)
            #expect(reply.status == 404)
            #expect(reply.body.contains("deployments_disabled"))
        }
    }
}
