import Foundation
import MizanCore
import MizanTestSupport
import Testing

/// `mizan deploy` end to end against a running `mizan dev`, which serves the Render API.
@Suite struct DeployCommandTests {
    /// A project with a manifest, a worker bundle and assets, deploying to `port`.
    static func project(port: Int) throws -> URL {
        let folder = try makeTemporaryDirectory(prefix: "mizan-deploy")
        let manager = FileManager.default
        for path in ["generated", "dist/worker/lib", "public"] {
            try manager.createDirectory(at: folder.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try TestManifest.json.write(to: folder.appendingPathComponent("generated/manifest.json"), atomically: true, encoding: .utf8)
        try "export default { fetch() {} }".write(to: folder.appendingPathComponent("dist/worker/index.js"), atomically: true, encoding: .utf8)
        try "export const x = 1".write(to: folder.appendingPathComponent("dist/worker/lib/x.js"), atomically: true, encoding: .utf8)
        try "body { margin: 0 }".write(to: folder.appendingPathComponent("public/site.css"), atomically: true, encoding: .utf8)
        try """
            [render]
            project = "bookshop"
            url = "http://127.0.0.1:\(port)"
            """.write(to: folder.appendingPathComponent("mizan.toml"), atomically: true, encoding: .utf8)
        return folder
    }

    static func setTTL(_ ttl: Int, in folder: URL) throws {
        let text = TestManifest.json.replacingOccurrences(of: #""ttl": 60,"#, with: #""ttl": \#(ttl),"#)
        try text.write(to: folder.appendingPathComponent("generated/manifest.json"), atomically: true, encoding: .utf8)
    }

    @Test func deployRedeployChangeAndRollBack() async throws {
        let backend = TestBackend()
        try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
            let port = try RedisServer.freePort()
            let folder = try Self.project(port: port)
            defer { try? FileManager.default.removeItem(at: folder) }
            // The server watches a manifest of its own: the test edits the bundle's, and a watched
            // file's reload would race the deploys.
            try TestManifest.json.write(to: folder.appendingPathComponent("served.json"), atomically: true, encoding: .utf8)
            let dev = try DevProcess(["--manifest", "served.json", "--upstream", "http://127.0.0.1:\(upstreamPort)"], in: folder, port: port)
            defer { dev.stop() }
            let token = ["MIZAN_TOKEN": DevProcess.token]
            let browser = Browser(port: port)
            defer { Task { await browser.shutdown() } }

            let dry = try await runMizan(["deploy", "--dry-run"], in: folder, environment: token)
            #expect(dry.exitCode == 0, "\(dry)")
            #expect(dry.stdoutLines.filter { $0.hasPrefix("  upload  ") }.count == 4, "\(dry)")
            #expect(dry.stdout.contains("nothing is live yet"), "\(dry)")

            let first = try await runMizan(["deploy", "--json", "--message", "first"], in: folder, environment: token)
            #expect(first.exitCode == 0, "\(first)")
            let result = try JSONParser.parse(Array(first.stdout.utf8), file: "deploy").root
            let firstID = try #require(result["id"]?.stringValue)
            #expect(result["status"]?.stringValue == "live")
            #expect(result["uploaded"]?["files"]?.intValue == 4)
            #expect(result["skipped"]?["files"]?.intValue == 0)

            // The same bundle again: nothing to upload, the same deployment.
            let again = try await runMizan(["deploy", "--json"], in: folder, environment: token)
            let againResult = try JSONParser.parse(Array(again.stdout.utf8), file: "deploy").root
            #expect(againResult["id"]?.stringValue == firstID, "\(again)")
            #expect(againResult["uploaded"]?["files"]?.intValue == 0)

            // A new TTL: only the manifest uploads; once live, the proxy stores with the new TTL.
            try Self.setTTL(5, in: folder)
            let plan = try await runMizan(["deploy", "--dry-run"], in: folder, environment: token)
            #expect(plan.stdoutLines.filter { $0.hasPrefix("  upload  ") } == [plan.stdoutLines.first { $0.hasPrefix("  upload  manifest.json") } ?? "missing"], "\(plan)")
            #expect(plan.stdout.contains("books.get_book"), "the dry run names the changed client\n\(plan)")
            #expect(try await browser.get("/api/books/1").cacheStatus.hasSuffix("stored; ttl=60"))
            let second = try await runMizan(["deploy", "--json"], in: folder, environment: token)
            let secondResult = try JSONParser.parse(Array(second.stdout.utf8), file: "deploy").root
            #expect(secondResult["uploaded"]?["files"]?.intValue == 1, "\(second)")
            #expect(secondResult["skipped"]?["files"]?.intValue == 3, "\(second)")
            #expect(try await browser.get("/api/books/1").cacheStatus.hasSuffix("stored; ttl=5"))

            let list = try await runMizan(["deploy", "ls"], in: folder, environment: token)
            #expect(list.stdoutLines.count == 2, "\(list)")
            #expect(list.stdoutLines.last?.contains("superseded") == true, "\(list)")

            let rollback = try await runMizan(["deploy", "rollback", firstID], in: folder, environment: token)
            #expect(rollback.exitCode == 0, "\(rollback)")
            let restored = try await browser.get("/api/books/1").cacheStatus
            #expect(Self.ttl(restored).map { $0 > 5 } == true, "after the rollback: \(restored)")

            // Deploying the superseded TTL-5 bundle again makes it live again, uploading nothing.
            let forward = try await runMizan(["deploy", "--json"], in: folder, environment: token)
            let forwardResult = try JSONParser.parse(Array(forward.stdout.utf8), file: "deploy").root
            #expect(forwardResult["status"]?.stringValue == "live", "\(forward)")
            #expect(forwardResult["uploaded"]?["files"]?.intValue == 0, "\(forward)")
            let reactivated = try await browser.get("/api/books/1").cacheStatus
            #expect(Self.ttl(reactivated).map { $0 <= 5 } == true, "after deploying the TTL-5 bundle again: \(reactivated)")
        }
    }

    /// The `ttl` a `Cache-Status` reports: the policy's on a store, what is left on a hit.
    static func ttl(_ cacheStatus: String) -> Int? {
        cacheStatus.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("ttl=") }.flatMap { Int($0.dropFirst(4)) }
    }

    @Test func whatStopsADeployAndHowItExits() async throws {
        let port = try RedisServer.freePort()
        let folder = try Self.project(port: port)
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = ["MIZAN_TOKEN": DevProcess.token]

        let noToken = try await runMizan(["deploy"], in: folder)
        #expect(noToken.exitCode == 77, "\(noToken)")
        #expect(noToken.stderr.contains("MIZAN_TOKEN is not set"))

        let down = try await runMizan(["deploy"], in: folder, environment: token.merging(["MIZAN_QUIET_RETRIES": "1", "MIZAN_DEPLOY_RETRY_BASE_MS": "10"]) { $1 })
        #expect(down.exitCode == 69, "\(down)")
        // The deploy's own variables are not config keys, and not warned about as typos of one.
        #expect(!down.stderr.contains("MZ108"), "\(down)")

        let badTunable = try await runMizan(["deploy"], in: folder, environment: token.merging(["MIZAN_DEPLOY_TIMEOUT": "soon"]) { $1 })
        #expect(badTunable.exitCode == 64, "\(badTunable)")
        #expect(badTunable.stderr.contains("mizan: MIZAN_DEPLOY_TIMEOUT must be a number above 0, not 'soon'"), "\(badTunable)")

        try #"{"manifest_version": 1}"#.write(to: folder.appendingPathComponent("generated/manifest.json"), atomically: true, encoding: .utf8)
        let invalid = try await runMizan(["deploy"], in: folder, environment: token)
        #expect(invalid.exitCode == 65, "\(invalid)")
        #expect(invalid.stderr.contains("nothing was uploaded"), "\(invalid)")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("generated/manifest.json"))
        let missing = try await runMizan(["deploy"], in: folder, environment: token)
        #expect(missing.exitCode == 64, "\(missing)")
        #expect(missing.stderr.contains("run `mizan codegen` first"), "\(missing)")

        let badEnv = try await runMizan(["deploy", "--env", "staging"], in: folder, environment: token)
        #expect(badEnv.exitCode == 64, "\(badEnv)")

        // An id goes into the URL: one that could reach another route is refused here.
        let badID = try await runMizan(["deploy", "rollback", "../blobs/x"], in: folder, environment: token)
        #expect(badID.exitCode == 64, "\(badID)")
        #expect(badID.stderr.contains("is not a deployment id"), "\(badID)")
    }
}
