import MizanTestSupport
import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

/// Redis purges run as one script per chunk of candidates. Sets are made hashtables (as large
/// ones are) so that SSCAN honours the chunk size and a purge takes many chunks here.
@Suite struct RedisStorePurgeTests {
    /// A store on a server of its own taking `chunk` candidates a script, and a connection to
    /// that server.
    private func withChunkedStore(chunk: Int, _ body: (RedisStore, RedisConnection, ManualClock) async throws -> Void) async throws {
        let server = try RedisServer()
        defer { server.removeFiles() }
        let clock = ManualClock()
        let admin = RedisConnection(host: "127.0.0.1", port: server.port, connectTimeoutMilliseconds: 2000, commandTimeoutMilliseconds: 5000)
        _ = try admin.command("CONFIG", "SET", "set-max-intset-entries", "0")
        // Redis 7.2 added small sets as listpacks; 7.0 has no such setting.
        _ = try? admin.command("CONFIG", "SET", "set-max-listpack-entries", "0")
        let store = RedisStore(port: server.port, prefix: "chunks:", clock: clock.storeClock)
        store.purgeChunk = chunk
        try await body(store, admin, clock)
    }

    private func fill(_ store: any CacheStore, now: Int64) async throws {
        let (alice, bob) = (caller("alice"), caller("bob"))
        for i in 0..<60 {
            let context: CacheContext = i % 5 == 0 ? .user : .public
            try await put(store, "books.get_book", #"{"id":\#(i),"lang":"\#(i % 2 == 0 ? "en" : "fr")"}"#, context: context,
                          caller: context == .user ? (i % 10 == 0 ? alice : bob) : nil, now: now, tags: ["book", "shelf:\(i % 3)"])
        }
        for i in 0..<20 {
            try await put(store, "pages.book", #"{"slug":"\#(i)"}"#, now: now, tags: ["page"],
                          deps: [Dependency(client: "books.get_book", params: params(#"{"id":\#(i * 3),"lang":"\#(i % 2 == 0 ? "en" : "fr")"}"#))])
        }
    }

    /// The same purges on a memory store and on a Redis store taking 3 candidates a chunk:
    /// the same counts, and the same entries left.
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func chunkedPurgesAgreeWithTheMemoryStore() async throws {
        try await withChunkedStore(chunk: 3) { redis, _, clock in
            let memory = MemoryStore(clock: clock.storeClock)
            try await fill(redis, now: clock.now)
            try await fill(memory, now: clock.now)
            let purges: [(PurgeSelector, PurgeScope, PurgeMode)] = [
                (.client("books.get_book", params: params(#"{"lang":"en"}"#)), .everything, .soft),
                (.client("books.get_book", params: params(#"{"id":3,"lang":"fr"}"#)), .everything, .soft),
                (.tag("shelf:1"), PurgeScope(context: .public), .hard),
                (.client("books.get_book", params: .empty), PurgeScope(caller: caller("alice")), .hard),
                (.client("books.get_book", params: params(#"{"id":9,"lang":"fr"}"#)), .everything, .hard),
                (.all, PurgeScope(context: .public), .soft),
                (.tag("book"), .everything, .soft),
                (.all, .everything, .hard),
            ]
            for (selector, scope, mode) in purges {
                clock.advance(10)
                let expected = try await memory.purge(selector, scope: scope, mode: mode)
                #expect(try await redis.purge(selector, scope: scope, mode: mode) == expected, "\(selector) \(scope) \(mode)")
                #expect(expected > 0)
                let left = try await redis.list(.all, after: nil, limit: 0).entries
                #expect(left == (try await memory.list(.all, after: nil, limit: 0)).entries, "\(selector) \(scope) \(mode)")
                #expect(try await redis.stats() == (try await memory.stats()))
            }
        }
    }

    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func aLargePurgeRunsAsManyScriptsAndLeavesNoKeysBehind() async throws {
        try await withChunkedStore(chunk: 10) { store, admin, clock in
            for i in 0..<200 { try await put(store, "c", #"{"i":\#(i)}"#, now: clock.now, tags: ["all"]) }
            let before = try Self.scriptCalls(admin)
            #expect(try await store.purge(.tag("all"), mode: .soft) == 200)
            // Each call takes about `purgeChunk` candidates: far more than one call for 200.
            #expect(try Self.scriptCalls(admin) - before >= 10)
            #expect(try await store.purge(.client("c", params: .empty), mode: .hard) == 200)
            #expect(try await store.stats() == StoreStats(entries: 0, bytes: 0, perClient: [:], evictions: 0))
            try await store.applyPurges()
            // What is left under the prefix: the counters and nothing of any entry, nor of a purge.
            let keys = try admin.command("KEYS", "chunks:*").elements.compactMap(\.text).sorted()
            #expect(keys == ["chunks:stats"])
        }
    }

    /// A hard purge deletes the entries' hashes and counts them down at once, and leaves the rest
    /// to `tidy`: until then they are neither served, listed, counted nor purged again; one put
    /// back is counted once; tidying leaves no key of theirs behind.
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func hardPurgesTidyLater() async throws {
        try await withChunkedStore(chunk: 4) { store, admin, clock in
            store.tidyDelay = nil
            var items: [EntryMetadata] = []
            for i in 0..<10 { items.append(try await put(store, "c", #"{"i":\#(i),"odd":\#(i % 2)}"#, now: clock.now, tags: ["all"])) }
            #expect(try await store.purge(.client("c", params: params(#"{"odd":1}"#))) == 5)
            #expect(try await store.purge(.client("c", params: params(#"{"odd":1}"#))) == 0)
            #expect(try admin.command("SCARD", "chunks:dead").int == 5)
            #expect(try await store.get(items[1].key) == nil)
            #expect(try await store.list(.all, after: nil, limit: 0).entries.count == 5)
            #expect(try await store.list(EntryFilter(.tag("all")), after: nil, limit: 0).entries.count == 5)
            #expect(try await store.stats().perClient == ["c": 5])
            try await put(store, "c", #"{"i":1,"odd":1}"#, now: clock.now, tags: ["all"])
            #expect(try admin.command("SCARD", "chunks:dead").int == 4)
            #expect(try await store.stats().perClient == ["c": 6])
            #expect(try await store.purge(.tag("all")) == 6)
            #expect(try await store.stats() == StoreStats(entries: 0, bytes: 0, perClient: [:], evictions: 0))
            try await store.applyPurges()
            let keys = try admin.command("KEYS", "chunks:*").elements.compactMap(\.text).sorted()
            #expect(keys == ["chunks:stats"])
        }
    }

    private static func scriptCalls(_ admin: RedisConnection) throws -> Int {
        let info = try admin.command("INFO", "commandstats").text ?? ""
        let line = info.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_eval:") } ?? ""
        return Int(line.split(separator: ",").first?.split(separator: "=").last ?? "") ?? 0
    }
}
