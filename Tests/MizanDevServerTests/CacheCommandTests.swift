import Foundation
import MizanCore
import MizanManifest
import MizanProtocol
import MizanStores
import MizanTestSupport
import Testing

/// `mizan cache` through the real binary, against each kind of store: an SQLite file, a Redis
/// server, and a running `mizan dev` (its memory store, through the management API).
@Suite struct CacheCommandTests {
    /// A project folder with the test manifest where `mizan cache` looks for it.
    static func project() throws -> URL {
        let folder = try makeTemporaryDirectory(prefix: "mizan-cache")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("generated"), withIntermediateDirectories: true)
        try TestManifest.json.write(to: folder.appendingPathComponent("generated/manifest.json"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Three entries as the dev server would store them.
    static func fill(_ store: any CacheStore, now: Int64 = StoreClock.system.now()) async throws -> [EntryMetadata] {
        var entries: [EntryMetadata] = []
        for (client, params, tags) in [("books.get_book", #"{"id":5}"#, ["catalog"]), ("books.get_book", #"{"id":7}"#, ["catalog"]), ("books.list_books", #"{"genre":"sf"}"#, [])] {
            let canonical = try CanonicalParams(canonicalJSON: Array(params.utf8))
            let key = try testDerivation.key(client: client, params: canonical, context: .public, caller: nil)
            let body = Array("\(client) \(params)".utf8)
            let metadata = EntryMetadata(
                key: key, client: client, params: canonical, context: .public, caller: nil, status: 200, contentType: "application/json",
                headers: [StoredHeader(name: "content-language", value: "en")], created: now, expires: now + 60_000, staleUntil: now + 90_000,
                etag: EntryMetadata.etag(forBody: body), size: body.count, tags: tags)
            try await store.put(body, metadata: metadata)
            entries.append(metadata)
        }
        return entries
    }

    static func jsonArray(_ text: String) throws -> [JSONNode] {
        try #require(try JSONParser.parse(Array(text.utf8), file: "stdout").root.elements)
    }

    @Test func listShowAndPurgeAnSQLiteFile() async throws {
        let folder = try Self.project()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cache.sqlite").path
        let entries = try await Self.fill(try SQLiteStore(path: path))
        let store = ["--store", "sqlite:\(path)"]
        try await checkListShowPurge(store: store, folder: folder, entries: entries)
    }

    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func listShowAndPurgeARedisServer() async throws {
        let redis = try RedisServer()
        defer { redis.removeFiles() }
        let folder = try Self.project()
        defer { try? FileManager.default.removeItem(at: folder) }
        let entries = try await Self.fill(RedisStore(port: redis.port, database: 3))
        try await checkListShowPurge(store: ["--store", "redis://127.0.0.1:\(redis.port)/3"], folder: folder, entries: entries)
        // Another database of the same server holds nothing.
        let other = try await runMizan(["cache", "ls", "--json", "--store", "redis://127.0.0.1:\(redis.port)/4"], in: folder)
        #expect(try Self.jsonArray(other.stdout).isEmpty, "\(other)")
    }

    /// The same checks for every store reached directly.
    func checkListShowPurge(store: [String], folder: URL, entries: [EntryMetadata]) async throws {
        let all = try await runMizan(["cache", "ls", "--json"] + store, in: folder)
        #expect(all.exitCode == 0, "\(all)")
        let listed = try Self.jsonArray(all.stdout)
        #expect(Set(listed.compactMap { $0["key"]?.stringValue }) == Set(entries.map(\.key.hex)))

        // Typed by the manifest: "5" on the command line is the integer 5 that keyed the entry.
        let one = try await runMizan(["cache", "ls", "--json", "--client", "books.get_book", "--param", "id=5"] + store, in: folder)
        let selected = try Self.jsonArray(one.stdout)
        #expect(selected.map { $0["key"]?.stringValue } == [entries[0].key.hex], "\(one)")

        // In a pipe: tab-separated, a header row, full keys.
        let plain = try await runMizan(["cache", "ls", "--tag", "catalog"] + store, in: folder)
        #expect(plain.stdoutLines.first == "key\tclient\tparams\tcontext\tcaller\tstatus\tsize\tcreated\texpires\tstale_until\ttags")
        #expect(plain.stdoutLines.count == 3, "\(plain)")
        #expect(plain.stdoutLines.dropFirst().allSatisfy { $0.split(separator: "\t").count == 11 && $0.hasSuffix("\tcatalog") })

        let show = try await runMizan(["cache", "show", entries[0].key.hex] + store, in: folder)
        #expect(show.stdoutLines.contains("client       books.get_book"), "\(show)")
        #expect(show.stdoutLines.contains("params       {\"id\":5}"), "\(show)")
        #expect(show.stdoutLines.contains("  content-language: en"), "\(show)")
        let body = try await runMizan(["cache", "show", entries[0].key.hex, "--body"] + store, in: folder)
        #expect(body.stdout == #"books.get_book {"id":5}"#)

        let dry = try await runMizan(["cache", "purge", "--tag", "catalog", "--dry-run"] + store, in: folder)
        #expect(dry.stdout == "would purge 2 entries (hard)\n", "\(dry)")
        let purge = try await runMizan(["cache", "purge", "--client", "books.get_book", "--param", "id=5"] + store, in: folder)
        #expect(purge.stdout == "purged 1 entry (hard)\n", "\(purge)")
        let gone = try await runMizan(["cache", "show", entries[0].key.hex] + store, in: folder)
        #expect(gone.exitCode == 65, "\(gone)")

        let refuse = try await runMizan(["cache", "purge", "--all"] + store, in: folder)
        #expect(refuse.exitCode == 64, "\(refuse)")
        #expect(refuse.stderr.contains("add --yes"), "\(refuse)")
        let stats = try await runMizan(["cache", "stats", "--json"] + store, in: folder)
        let counts = try JSONParser.parse(Array(stats.stdout.utf8), file: "stats").root
        #expect(counts["entries"]?.intValue == 2, "\(stats)")
        #expect(counts["per_client"]?["books.list_books"]?.intValue == 1, "\(stats)")
        let everything = try await runMizan(["cache", "purge", "--all", "--yes", "--json"] + store, in: folder)
        #expect(everything.stdout == #"{"purged":2,"mode":"hard","dry_run":false}"# + "\n", "\(everything)")
    }

    @Test(arguments: [
        (["cache", "ls", "--client", "books.get_bok"], 64, "'books.get_bok' is not a client of this manifest; did you mean 'books.get_book'?"),
        (["cache", "ls", "--client", "books.get_book", "--param", "idd=5"], 64, "'books.get_book' has no parameter 'idd'; did you mean 'id'?"),
        (["cache", "ls", "--client", "books.get_book", "--param", "id"], 64, "--param takes name=value"),
        (["cache", "ls", "--client", "books.get_book", "--param", "id=five"], 64, #"parameter 'id' (int): "five" is not an integer"#),
        (["cache", "purge"], 64, "say what to purge"),
        (["cache", "ls", "--store", "ftp://cache"], 64, "--store takes sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST"),
        (["cache", "ls", "--store", "redis://127.0.0.1:1/0"], 69, "cannot connect to Redis at 127.0.0.1:1"),
        (["cache", "ls", "--store", "sqlite:missing.sqlite"], 74, "no SQLite store at missing.sqlite"),
        (["cache", "stats", "--store", "http://127.0.0.1:1"], 69, "cannot reach http://127.0.0.1:1"),
        (["cache", "show", "abc"], 64, "a key is 64 hex digits"),
    ])
    func badInputGetsOneClearLineAndItsExitStatus(arguments: [String], status: Int32, message: String) async throws {
        let folder = try Self.project()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cache.sqlite").path
        _ = try SQLiteStore(path: path)
        let store = arguments.contains("--store") ? [] : ["--store", "sqlite:\(path)"]
        let result = try await runMizan(arguments + store, in: folder)
        #expect(result.exitCode == status, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test func throughARunningDevServer() async throws {
        let backend = TestBackend()
        try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
            let folder = try Self.project()
            defer { try? FileManager.default.removeItem(at: folder) }
            try TestManifest.json.write(to: folder.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
            let dev = try DevProcess(["--manifest", "manifest.json", "--upstream", "http://127.0.0.1:\(upstreamPort)"], in: folder)
            defer { dev.stop() }
            let browser = Browser(port: dev.port)
            for path in ["/api/books/1", "/api/books/2", "/api/books?genre=sf", "/api/books/1"] { _ = try await browser.get(path) }
            await browser.shutdown()
            let store = ["--store", "http://127.0.0.1:\(dev.port)"]
            let token = ["MIZAN_TOKEN": DevProcess.token]

            let list = try await runMizan(["cache", "ls", "--json"] + store, in: folder, environment: token)
            #expect(try Self.jsonArray(list.stdout).count == 3, "\(list)")
            let narrowed = try await runMizan(["cache", "ls", "--json", "--client", "books.get_book", "--param", "id=2"] + store, in: folder, environment: token)
            let entries = try Self.jsonArray(narrowed.stdout)
            try #require(entries.count == 1, "\(narrowed)")
            let key = try #require(entries[0]["key"]?.stringValue)
            let body = try await runMizan(["cache", "show", key, "--body"] + store, in: folder, environment: token)
            #expect(body.stdout == #"{"id":2,"title":"Emma","v":0}"#, "\(body)")

            let stats = try await runMizan(["cache", "stats", "--json"] + store, in: folder, environment: token)
            let counts = try JSONParser.parse(Array(stats.stdout.utf8), file: "stats").root
            #expect(counts["hits"]?.intValue == 1, "\(stats)")
            #expect(counts["misses"]?.intValue == 3, "\(stats)")

            let soft = try await runMizan(["cache", "purge", "--tag", "catalog", "--soft"] + store, in: folder, environment: token)
            #expect(soft.stdout == "purged 3 entries (soft)\n", "\(soft)")
            let wrong = try await runMizan(["cache", "ls"] + store, in: folder, environment: ["MIZAN_TOKEN": "wrong"])
            #expect(wrong.exitCode == 77, "\(wrong)")
            #expect(wrong.stderr.contains("refused the token"), "\(wrong)")
            let unknown = try await runMizan(["cache", "purge", "--client", "books.get_bok", "--param", "id=1"] + store, in: folder, environment: token)
            #expect(unknown.exitCode == 64, "\(unknown)")
        }
    }
}
