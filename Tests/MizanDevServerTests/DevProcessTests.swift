import AsyncHTTPClient
import Foundation
import MizanManifest
import MizanTestSupport
import Testing

/// `mizan dev` as users run it: the real executable, as separate processes.
@Suite struct DevProcessTests {
    static let redisInstalled = RedisServer.isInstalled

    @Test(.enabled(if: redisInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func twoProcessesSharingRedisSeeEachOthersPurges() async throws {
        let redis = try RedisServer()
        defer { redis.removeFiles() }
        let backend = TestBackend()
        try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
            let folder = try DevProcess.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TestManifest.json.write(to: folder.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
            let arguments = ["--manifest", "manifest.json", "--upstream", "http://127.0.0.1:\(upstreamPort)", "--store", "redis://127.0.0.1:\(redis.port)/2"]
            let first = try DevProcess(arguments, in: folder)
            defer { first.stop() }
            let second = try DevProcess(arguments, in: folder)
            defer { second.stop() }
            let one = Browser(port: first.port)
            let two = Browser(port: second.port)
            defer { Task { await one.shutdown(); await two.shutdown() } }

            #expect(try await one.get("/api/books/1").cacheStatus.contains("stored"))
            // The second process serves what the first stored: same secret, same keys, one store.
            #expect(try await two.get("/api/books/1").cacheStatus.hasPrefix("mizan; hit"))
            _ = try await two.send(.PUT, "/api/books/1", body: #"{"title":"Dune (2nd ed.)"}"#)
            let after = try await one.get("/api/books/1")
            #expect(after.cacheStatus.contains("fwd=miss"))
            #expect(after.body.contains("2nd ed."))
            #expect(backend.count("GET /api/books/1") == 2)
            // A management purge through one is seen by the other at once.
            let purge = try await one.send(.POST, "/_mizan/purge", headers: [("Authorization", "Bearer \(DevProcess.token)")], body: #"{"selector": {"all": true}}"#)
            #expect(purge.body.contains(#""purged": 1"#))
            #expect(try await two.get("/api/books/1").cacheStatus.contains("fwd=miss"))
        }
    }

    @Test func aChangedSchemaIsServedWithoutARestartAndABrokenOneIsNot() async throws {
        let backend = TestBackend()
        try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
            let folder = try DevProcess.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let schemaURL = folder.appendingPathComponent("mizan-schema.json")
            try DevProcess.schema(ttl: 60).write(to: schemaURL, atomically: true, encoding: .utf8)
            let dev = try DevProcess(["--schema", "mizan-schema.json", "--upstream", "http://127.0.0.1:\(upstreamPort)"], in: folder)
            defer { dev.stop() }
            let browser = Browser(port: dev.port)
            defer { Task { await browser.shutdown() } }
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated/clients.ts").path))
            #expect(try await browser.get("/api/books/1").cacheStatus == "mizan; fwd=miss; fwd-status=200; stored; ttl=60")

            // A new cache policy: the manifest reloads and the changed client's entries go.
            try DevProcess.schema(ttl: 5).write(to: schemaURL, atomically: true, encoding: .utf8)
            try await waitUntil { dev.stderr.contains("; purged 1 entry of books.get_book") }
            #expect(try await browser.get("/api/books/1").cacheStatus.hasSuffix("stored; ttl=5"))

            // A broken schema: diagnostics printed, the last good manifest keeps serving.
            try #"{"format_version": 1, "types": {}, "clients": {"x": 1}}"#.write(to: schemaURL, atomically: true, encoding: .utf8)
            try await waitUntil { dev.stderr.contains("keeping the last good manifest") }
            #expect(dev.stderr.contains("mizan-schema.json:1:"), "\(dev.stderr)")
            #expect(try await browser.get("/api/books/1").cacheStatus.hasPrefix("mizan; hit"))
        }
    }

    @Test func sigtermStopsCleanlyAndLogsOneLinePerRequest() async throws {
        let backend = TestBackend()
        try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
            let folder = try DevProcess.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TestManifest.json.write(to: folder.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
            // Two event loops (the default here is one): requests on either are logged alike.
            let dev = try DevProcess(
                ["--manifest", "manifest.json", "--upstream", "http://127.0.0.1:\(upstreamPort)", "--log-format", "json", "--threads", "2"],
                in: folder, secret: nil)
            let browser = Browser(port: dev.port)
            _ = try await browser.get("/api/books/1")
            _ = try await browser.get("/api/books/1")
            await browser.shutdown()
            #expect(dev.stop() == 0)
            let lines = dev.stdout.split(separator: "\n")
            try #require(lines.count == 2, "\(dev.stdout)")
            #expect(lines[0].hasPrefix(#"{"method":"GET","path":"/api/books/1","client":"books.get_book","outcome":"miss","stored":true,"status":200,"ms":"#))
            #expect(lines[1].contains(#""outcome":"hit""#))
            // No secret given: one was made, readable by the owner only, and reported.
            let secret = folder.appendingPathComponent(".mizan/secret").path
            let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(dev.stderr.contains(".mizan/secret (created)"))

            let noThreads = try await runMizan(["dev", "--manifest", "manifest.json", "--threads", "0"], in: folder)
            #expect(noThreads.exitCode == 64)
            #expect(noThreads.stderr.contains("--threads takes 1 to 256, not 0"), "\(noThreads.stderr)")
        }
    }
}

/// One `mizan dev` process on a free port, its output captured in files.
final class DevProcess: @unchecked Sendable {
    static let token = "process-test-token"
    let port: Int
    let pid: pid_t
    private let output: URL

    init(_ arguments: [String], in folder: URL, secret: String? = "a shared secret for both processes", port: Int? = nil) throws {
        self.port = try port ?? RedisServer.freePort()
        output = folder.appendingPathComponent("out-\(port)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MIZAN_") }
        environment["MIZAN_TOKEN"] = Self.token
        environment["NO_COLOR"] = "1"
        if let secret { environment["MIZAN_SECRET"] = secret }
        let executable = try MizanExecutable.url().path
        // posix_spawn has no working-folder option: run through a shell `cd`.
        let command = "cd '\(folder.path)' && exec '\(executable)' dev --port \(self.port) " + arguments.map { "'\($0)'" }.joined(separator: " ")
        pid = try spawn(["/bin/sh", "-c", command], stdout: output.appendingPathComponent("stdout").path,
                        stderr: output.appendingPathComponent("stderr").path, environment: environment)
        for _ in 0..<200 {
            if stderr.contains("listening on") { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { throw TestSetupError("mizan dev exited at start:\n\(stderr)") }
            usleep(50_000)
        }
        throw TestSetupError("mizan dev did not start within 10 s:\n\(stderr)")
    }

    var stdout: String { (try? String(contentsOf: output.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: output.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (SIGKILL after 10 s); returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<1000 {
            if waitpid(pid, &status, WNOHANG) == pid { return (status >> 8) & 0xFF }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return -1
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.resolvingSymlinksInPath()
    }

    /// A small schema-export with one cached read, whose ttl the watch test changes.
    static func schema(ttl: Int) -> String {
        """
        {
          "format_version": 1,
          "project": "watch",
          "types": {
            "Book": {"kind": "object", "fields": {"id": {"type": "int"}, "title": {"type": "string"}}}
          },
          "clients": {
            "books.get_book": {
              "method": "GET", "path": "/api/books/{id}",
              "params": {"id": {"type": "int", "in": "path"}},
              "returns": "Book",
              "cache": {"ttl": \(ttl), "context": "public"}
            }
          }
        }
        """
    }
}
