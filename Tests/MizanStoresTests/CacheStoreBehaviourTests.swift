import MizanTestSupport
import Foundation
import MizanProtocol
import MizanStores
import Testing

/// The store ABI's behaviour, run against every store kind.
@Suite struct CacheStoreBehaviourTests {
    @Test("redis-server is installed, so the Redis store is tested",
          .enabled(if: RedisServer.isInstalled, "redis-server is not installed: the Redis store cases are skipped (apt-get install redis-server)"))
    func redisServerIsInstalled() {}

    @Test(arguments: StoreKind.available)
    func roundTripAndReplace(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let m = try await put(store, "books.get_book", #"{"id":5}"#, now: clock.now, tags: ["catalog"])
            let got = try #require(try await store.get(m.key))
            #expect(got.metadata == m)
            #expect(got.body == Array(#"books.get_book {"id":5}"#.utf8))

            let missing = metadata("books.get_book", #"{"id":6}"#, now: clock.now)
            #expect(try await store.get(missing.key) == nil)

            var replaced = m
            replaced.etag = "\"new\""
            try await store.put(Array("new".utf8), metadata: replaced)
            let again = try #require(try await store.get(m.key))
            #expect(again.body == Array("new".utf8))
            #expect(again.metadata.etag == "\"new\"")
            #expect(try await store.stats().entries == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func freshThenStaleThenGone(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            // Long enough that Redis's own TTL (wall-clock time) does not end the entry first.
            let m = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now, ttl: 60_000, swr: 30_000)
            clock.advance(59_999)
            #expect(try #require(try await store.get(m.key)).metadata.isFresh(at: clock.now))
            clock.advance(1)
            let stale = try #require(try await store.get(m.key))
            #expect(stale.metadata.isServableStale(at: clock.now))
            clock.advance(29_999)
            #expect(try await store.get(m.key) != nil)
            clock.advance(1)
            #expect(try await store.get(m.key) == nil)
            #expect(try await store.list(.all, after: nil, limit: 10).entries.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeByExactParams(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let a = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now)
            let b = try await put(store, "books.get_book", #"{"id":2}"#, now: clock.now)
            let c = try await put(store, "books.get_book", #"{"id":"2x"}"#, now: clock.now)
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":2}"#))) == 1)
            #expect(try await isPresent(store, a))
            #expect(try await !isPresent(store, b))
            #expect(try await isPresent(store, c))
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":2}"#))) == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeByParamSubset(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            var sf: [EntryMetadata] = []
            for page in 1...3 { sf.append(try await put(store, "books.list_books", #"{"genre":"sf","page":\#(page)}"#, now: clock.now)) }
            let poetry = try await put(store, "books.list_books", #"{"genre":"poetry","page":1}"#, now: clock.now)
            let allGenres = try await put(store, "books.list_books", #"{"page":1}"#, now: clock.now)
            let otherClient = try await put(store, "authors.list", #"{"genre":"sf"}"#, now: clock.now)

            #expect(try await store.purge(.client("books.list_books", params: params(#"{"genre":"sf","page":2}"#))) == 1)
            #expect(try await !isPresent(store, sf[1]))
            #expect(try await store.purge(.client("books.list_books", params: params(#"{"genre":"sf"}"#))) == 2)
            for m in sf { #expect(try await !isPresent(store, m)) }
            #expect(try await isPresent(store, poetry))
            #expect(try await isPresent(store, allGenres))
            #expect(try await isPresent(store, otherClient))
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeByClientTakesDependentPages(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let books = try await put(store, "books.get_book", #"{"id":5}"#, now: clock.now)
            let list = try await put(store, "books.list_books", #"{"page":1}"#, now: clock.now)
            let page5 = try await put(store, "pages.book", #"{"slug":"five"}"#, now: clock.now,
                                      deps: [Dependency(client: "books.get_book", params: params(#"{"id":5}"#))])
            let page6 = try await put(store, "pages.book", #"{"slug":"six"}"#, now: clock.now,
                                      deps: [Dependency(client: "books.get_book", params: params(#"{"id":6}"#))])
            // Two params matching two different dependencies select nothing.
            let mixed = try await put(store, "pages.mixed", "{}", now: clock.now, deps: [
                Dependency(client: "books.search", params: params(#"{"q":"a","page":1}"#)),
                Dependency(client: "books.search", params: params(#"{"q":"b","page":2}"#)),
            ])
            #expect(try await store.purge(.client("books.search", params: params(#"{"q":"a","page":2}"#))) == 0)
            #expect(try await isPresent(store, mixed))

            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":5}"#))) == 2)
            #expect(try await !isPresent(store, books))
            #expect(try await !isPresent(store, page5))
            #expect(try await isPresent(store, page6))

            #expect(try await store.purge(.client("books.get_book", params: .empty)) == 1)
            #expect(try await !isPresent(store, page6))
            #expect(try await isPresent(store, list))
            #expect(try await store.stats().perClient == ["books.list_books": 1, "pages.mixed": 1])
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeByTag(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let a = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now, tags: ["catalog", "book:1"])
            let b = try await put(store, "books.get_book", #"{"id":2}"#, now: clock.now, tags: ["catalog"])
            let c = try await put(store, "authors.get", #"{"id":1}"#, now: clock.now, tags: ["people"])
            #expect(try await store.purge(.tag("book:1")) == 1)
            #expect(try await !isPresent(store, a))
            #expect(try await store.purge(.tag("catalog")) == 1)
            #expect(try await !isPresent(store, b))
            #expect(try await isPresent(store, c))
        }
    }

    @Test(arguments: StoreKind.available)
    func invalidTagIsRefused(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let m = metadata("books.get_book", now: clock.now, tags: ["has space"])
            await #expect(throws: StoreError.self) { try await store.put([], metadata: m) }
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeWithinContextAndCaller(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let (alice, bob) = (caller("alice"), caller("bob"))
            let shared = try await put(store, "me.profile", "{}", now: clock.now)
            let aliceEntry = try await put(store, "me.profile", "{}", context: .user, caller: alice, now: clock.now)
            let bobEntry = try await put(store, "me.profile", "{}", context: .user, caller: bob, now: clock.now)
            let aliceSession = try await put(store, "me.cart", "{}", context: .session, caller: alice, now: clock.now)

            #expect(aliceEntry.key != bobEntry.key)
            let aliceOwn = PurgeScope(context: .user, caller: alice)
            #expect(try await store.purge(.client("me.profile", params: .empty), scope: aliceOwn, mode: .hard) == 1)
            #expect(try await !isPresent(store, aliceEntry))
            #expect(try await isPresent(store, bobEntry))
            #expect(try await isPresent(store, shared))
            #expect(try await isPresent(store, aliceSession))

            #expect(try await store.purge(.all, scope: PurgeScope(context: .public), mode: .hard) == 1)
            #expect(try await !isPresent(store, shared))
            #expect(try await store.purge(.all, scope: PurgeScope(caller: alice), mode: .hard) == 1)
            #expect(try await !isPresent(store, aliceSession))
            #expect(try await isPresent(store, bobEntry))
        }
    }

    @Test(arguments: StoreKind.available)
    func softPurgeServesStaleHardPurgeRemoves(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let a = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now, ttl: 600_000, swr: 300_000)
            // Long lifetimes: Redis expires keys in real time, and a loaded machine is slow.
            let b = try await put(store, "books.get_book", #"{"id":2}"#, now: clock.now, ttl: 600_000, swr: 0)
            clock.advance(1000)
            #expect(try await store.purge(.client("books.get_book", params: .empty), mode: .soft) == 2)
            let stale = try #require(try await store.get(a.key))
            #expect(!stale.metadata.isFresh(at: clock.now))
            #expect(stale.metadata.isServableStale(at: clock.now))
            #expect(stale.metadata.staleUntil == a.staleUntil)
            // Stale until its unchanged stale-until (docs/protocol.md, "Soft and hard").
            #expect(try #require(try await store.get(b.key)).metadata.expires == clock.now)
            #expect(try await store.get(b.key).map { $0.metadata.isFresh(at: clock.now) } == false)
            // A later soft purge never makes anything fresher.
            clock.advance(1000)
            try await store.purge(.all, mode: .soft)
            #expect(try #require(try await store.get(a.key)).metadata.expires == a.created + 1000)

            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":1}"#)), mode: .hard) == 1)
            #expect(try await store.get(a.key) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeAll(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            for i in 0..<20 { try await put(store, "c\(i % 3)", #"{"i":\#(i)}"#, now: clock.now, tags: ["t\(i % 2)"]) }
            #expect(try await store.purge(.all) == 20)
            let stats = try await store.stats()
            #expect(stats.entries == 0)
            #expect(stats.bytes == 0)
            #expect(stats.perClient.isEmpty)
            #expect(try await store.list(.all, after: nil, limit: 100).entries.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func listingPagesInKeyOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            var keys: [String] = []
            for i in 0..<25 { keys.append(try await put(store, "books.get_book", #"{"id":\#(i)}"#, now: clock.now).key.hex) }
            for i in 0..<5 { try await put(store, "authors.get", #"{"id":\#(i)}"#, now: clock.now) }

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await store.list(EntryFilter(.client("books.get_book", params: .empty)), after: cursor, limit: 10)
                #expect(page.entries.allSatisfy { $0.client == "books.get_book" })
                seen += page.entries.map(\.key.hex)
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == keys.sorted())

            let everything = try await store.list(.all, after: nil, limit: 0)
            #expect(everything.entries.count == 30)
            #expect(everything.next == nil)
            let one = try await store.list(EntryFilter(.client("books.get_book", params: params(#"{"id":7}"#))), after: nil, limit: 10)
            #expect(one.entries.map(\.params) == [params(#"{"id":7}"#)])
        }
    }

    @Test(arguments: StoreKind.available)
    func statsCountEntriesBytesAndClients(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            var bytes = 0
            for i in 0..<4 { bytes += try await put(store, "a", #"{"i":\#(i)}"#, now: clock.now).size }
            for i in 0..<2 { bytes += try await put(store, "b", #"{"i":\#(i)}"#, now: clock.now).size }
            let stats = try await store.stats()
            #expect(stats.entries == 6)
            #expect(stats.bytes == bytes)
            #expect(stats.perClient == ["a": 4, "b": 2])
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentWriters(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            let now = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<32 {
                    group.addTask {
                        for i in 0..<20 {
                            try await put(store, "load.item", #"{"task":\#(task),"i":\#(i)}"#, now: now, tags: ["load"])
                            // Every task also rewrites one shared entry.
                            try await put(store, "load.shared", "{}", now: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stats = try await store.stats()
            #expect(stats.entries == 32 * 20 + 1)
            #expect(stats.perClient == ["load.item": 640, "load.shared": 1])
            #expect(try await store.purge(.tag("load")) == 640)
        }
    }

    @Test(arguments: StoreKind.available)
    func tenMegabyteValue(kind: StoreKind) async throws {
        try await withStore(kind) { store, clock in
            var body = [UInt8](repeating: 0, count: 10 << 20)
            var state: UInt32 = 2_463_534_242
            for i in body.indices {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5
                body[i] = UInt8(truncatingIfNeeded: state)
            }
            let m = metadata("files.get", #"{"name":"big"}"#, now: clock.now, size: body.count)
            try await store.put(body, metadata: m)
            let got = try #require(try await store.get(m.key))
            #expect(got.body == body)
            #expect(try await store.stats().bytes == body.count)
        }
    }
}
