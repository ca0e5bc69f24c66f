import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct SQLiteStoreTests {
    /// A store on a new file of its own, removed afterwards.
    private func withNewStore(_ body: (SQLiteStore, String, ManualClock) async throws -> Void) async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        try await body(try SQLiteStore(path: path, clock: clock.storeClock), path, clock)
    }

    private func temporaryPath() throws -> (URL, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent("cache.sqlite").path)
    }

    @Test func entriesSurviveReopeningAndSchemaVersionIsRecorded() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let m: EntryMetadata
        do {
            let store = try SQLiteStore(path: path, clock: clock.storeClock)
            m = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now, tags: ["catalog"])
        }
        let reopened = try SQLiteStore(path: path, clock: clock.storeClock)
        #expect(try await reopened.get(m.key)?.metadata == m)
        #expect(try await reopened.integrityCheck() == "ok")
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        var version: Int64 = -1
        try connection.query("PRAGMA user_version") { version = $0.int(0) }
        #expect(version == SQLiteStore.schemaVersion)
        var mode = ""
        try connection.query("PRAGMA journal_mode") { mode = $0.text(0) ?? "" }
        #expect(mode == "wal")
    }

    @Test func aFileFromANewerMizanIsRefused() throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        try connection.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
    }

    @Test func twoConnectionsToOneFileSeeEachOthersWrites() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let first = try SQLiteStore(path: path, clock: clock.storeClock)
        let second = try SQLiteStore(path: path, clock: clock.storeClock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [first, second].enumerated() {
                group.addTask {
                    for i in 0..<100 { try await put(store, "c\(index)", #"{"i":\#(i)}"#, now: clock.now) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.stats().perClient == ["c0": 100, "c1": 100])
        #expect(try await second.purge(.client("c0", params: .empty)) == 100)
        #expect(try await first.stats().entries == 100)
    }

    /// Rows in each table of the file, read on a connection of the test's own.
    private func rowCounts(_ path: String) throws -> [String: Int] {
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        var counts: [String: Int] = [:]
        for table in ["entries", "entry_clients", "entry_params", "entry_tags", "clients"] {
            try connection.query("SELECT count(*) FROM \(table)") { counts[table] = Int($0.int(0)) }
        }
        return counts
    }

    @Test func aPutSweepsEntriesPastTheirStaleWindowABatchAtATime() async throws {
        try await withNewStore { store, path, clock in
            let gone = SQLiteStore.sweepLimit + 5
            for i in 0..<gone { try await put(store, "short.item", #"{"i":\#(i)}"#, now: clock.now, ttl: 1000, swr: 1000, tags: ["short"]) }
            let kept = try await put(store, "long.item", #"{"i":1}"#, now: clock.now, ttl: 60_000, tags: ["long"])
            clock.advance(2000)
            #expect(try await store.stats().entries == gone + 1, "nothing is swept until a put")

            try await put(store, "long.item", #"{"i":2}"#, now: clock.now)
            #expect(try await store.stats().entries == gone + 2 - SQLiteStore.sweepLimit)
            try await put(store, "long.item", #"{"i":3}"#, now: clock.now)
            let stats = try await store.stats()
            #expect(stats.entries == 3)
            #expect(stats.perClient == ["long.item": 3])
            // Their index rows went with them: one of each per remaining entry.
            #expect(try rowCounts(path) == ["entries": 3, "entry_clients": 3, "entry_params": 3, "entry_tags": 1, "clients": 1])
            #expect(try await store.get(kept.key) != nil)
            #expect(try await store.purge(.tag("short")) == 0)
        }
    }

    @Test func purgesLeaveNoIndexRowsBehind() async throws {
        try await withNewStore { store, path, clock in
            try await put(store, "pages.book", #"{"slug":"five"}"#, now: clock.now, tags: ["a", "b"],
                          deps: [Dependency(client: "books.get_book", params: params(#"{"id":5,"lang":"en"}"#))])
            try await put(store, "books.get_book", #"{"id":5,"lang":"en"}"#, now: clock.now, tags: ["a"])
            try await put(store, "books.get_book", #"{"id":6,"lang":"en"}"#, now: clock.now)
            #expect(try rowCounts(path) == ["entries": 3, "entry_clients": 4, "entry_params": 7, "entry_tags": 3, "clients": 2])
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":5,"lang":"en"}"#))) == 2)
            try await store.applyPurges()
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 2, "entry_tags": 0, "clients": 1])
            #expect(try await store.stats() == StoreStats(entries: 1, bytes: Array(#"books.get_book {"id":6,"lang":"en"}"#.utf8).count,
                                                            perClient: ["books.get_book": 1], evictions: 0))
        }
    }

    @Test func anEntryWhoseRecordDoesNotReadCanStillBePurged() async throws {
        try await withNewStore { store, path, clock in
            let m = try await put(store, "books.get_book", #"{"id":5}"#, now: clock.now, tags: ["a"])
            try await put(store, "books.get_book", #"{"id":6}"#, now: clock.now, tags: ["a"])
            let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
            // Without its `terms` either, its index rows can only be found by scanning.
            try connection.query("UPDATE entries SET meta = ?1, terms = NULL WHERE key = ?2", [.blob(Array("{not json".utf8)), .text(m.key.hex)])
            await #expect(throws: StoreError.self) { try await store.get(m.key) }
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":5}"#))) == 1)
            try await store.applyPurges()
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 1, "clients": 1])
            #expect(try await store.integrityCheck() == "ok")
        }
    }

    /// A file written by schema 1 (reverse indexes, no `clients`) opens as the current schema
    /// with its entries, counts and index rows intact.
    @Test func aVersionOneFileIsMigrated() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let old = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        try SQLiteStore.migrate(old, to: 1)
        var entries: [EntryMetadata] = []
        for (id, m) in [metadata("books.get_book", #"{"id":5}"#, now: clock.now, tags: ["a"], size: 3),
                        metadata("pages.home", "{}", now: clock.now, deps: [Dependency(client: "books.get_book", params: params(#"{"id":5}"#))], size: 4),
                        metadata("books.get_book", #"{"id":6}"#, now: clock.now, size: 5)].enumerated() {
            entries.append(m)
            try old.query("INSERT INTO entries(id, key, client, context, caller, expires, stale_until, size, meta, body) VALUES (?1, ?2, ?3, 'public', NULL, ?4, ?5, ?6, ?7, ?8)",
                          [.int(Int64(id + 1)), .text(m.key.hex), .text(m.client), .int(m.expires), .int(m.staleUntil), .int(Int64(m.size)),
                           .blob(try MetadataJSON.encode(m)), .blob([UInt8](repeating: 1, count: m.size))])
            let terms = EntryIndexTerms(m)
            for client in terms.clients { try old.query("INSERT INTO entry_clients VALUES (?1, ?2)", [.text(client), .int(Int64(id + 1))]) }
            for t in terms.params { try old.query("INSERT INTO entry_params VALUES (?1, ?2, ?3, ?4)", [.text(t.client), .text(t.name), .blob(t.value), .int(Int64(id + 1))]) }
            for tag in m.tags { try old.query("INSERT INTO entry_tags VALUES (?1, ?2)", [.text(tag), .int(Int64(id + 1))]) }
        }

        let store = try SQLiteStore(path: path, clock: clock.storeClock)
        var version: Int64 = 0
        try old.query("PRAGMA user_version") { version = $0.int(0) }
        #expect(version == SQLiteStore.schemaVersion)
        #expect(try await store.stats() == StoreStats(entries: 3, bytes: 12, perClient: ["books.get_book": 2, "pages.home": 1], evictions: 0))
        #expect(try await store.get(entries[1].key)?.metadata == entries[1])
        #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":5}"#))) == 2)
        try await store.applyPurges()
        #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 0, "clients": 1])
        #expect(try await store.integrityCheck() == "ok")
    }

    /// A file of schema 2 (no `purged`) opens as schema 3: its entries serve, count and purge,
    /// and their rows go once the purge is applied.
    @Test func aVersionTwoFileIsMigrated() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let old = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        try SQLiteStore.migrate(old, to: 2)
        let entries = [metadata("books.get_book", #"{"id":5}"#, now: clock.now, tags: ["a"], size: 3),
                       metadata("books.get_book", #"{"id":6}"#, now: clock.now, size: 5)]
        for (id, m) in entries.enumerated() {
            let rows = SQLiteIndexRows(m)
            try old.query("INSERT INTO entries(id, key, client, context, caller, expires, stale_until, size, meta, body, terms) VALUES (?1, ?2, ?3, 'public', NULL, ?4, ?5, ?6, ?7, ?8, ?9)",
                          [.int(Int64(id + 1)), .text(m.key.hex), .text(m.client), .int(m.expires), .int(m.staleUntil), .int(Int64(m.size)),
                           .blob(try MetadataJSON.encode(m)), .blob([UInt8](repeating: 1, count: m.size)), .blob(rows.encoded)])
            try rows.insert(entry: Int64(id + 1), old)
        }
        try old.execute("INSERT INTO clients VALUES ('books.get_book', 2, 8)")

        let store = try SQLiteStore(path: path, clock: clock.storeClock)
        var version: Int64 = 0
        try old.query("PRAGMA user_version") { version = $0.int(0) }
        #expect(version == 3)
        #expect(try await store.get(entries[0].key)?.metadata == entries[0])
        #expect(try await store.purge(.tag("a")) == 1)
        #expect(try await store.stats() == StoreStats(entries: 1, bytes: 5, perClient: ["books.get_book": 1], evictions: 0))
        try await store.applyPurges()
        #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 0, "clients": 1])
        #expect(try await store.integrityCheck() == "ok")
    }

    /// A purge writes only `purged`; until it is applied, every read goes through it: a
    /// hard-purged entry is not served, listed, counted nor purged again, a soft-purged one is
    /// stale. Replacing, sweeping or applying takes each off `purged` without counting it twice.
    @Test func purgesShowAtOnceAndApplyLater() async throws {
        try await withNewStore { store, path, clock in
            store.applyDelay = nil
            var books: [EntryMetadata] = []
            for i in 0..<6 { books.append(try await put(store, "books.get_book", #"{"id":\#(i),"shelf":\#(i % 2)}"#, now: clock.now, ttl: 1000, swr: 1000)) }
            let page = try await put(store, "pages.home", "{}", now: clock.now, ttl: 60_000)
            func pending() throws -> [Int] {
                let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
                var counts = [0, 0]
                try connection.query("SELECT count(*), count(expires) FROM purged") { counts = [Int($0.int(0)), Int($0.int(1))] }
                return counts
            }

            #expect(try await store.purge(.client("books.get_book", params: params(#"{"shelf":0}"#))) == 3)
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"shelf":0}"#))) == 0)
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"shelf":1}"#)), mode: .soft) == 3)
            #expect(try pending() == [6, 3])
            #expect(try rowCounts(path)["entries"] == 7, "nothing deleted yet")
            #expect(try await store.get(books[0].key) == nil)
            let stale = try #require(try await store.get(books[1].key))
            #expect(stale.metadata.expires == clock.now && !stale.metadata.isFresh(at: clock.now + 1))
            #expect(try await store.list(.all, after: nil, limit: 0).entries.map(\.key) == ([books[1], books[3], books[5], page].map(\.key)).sorted { $0.hex < $1.hex })
            #expect(try await store.list(EntryFilter(.client("books.get_book", params: .empty)), after: nil, limit: 0).entries.count == 3)
            #expect(try await store.stats().perClient == ["books.get_book": 3, "pages.home": 1])
            #expect(try await store.purge(.client("books.get_book", params: .empty)) == 3)
            #expect(try await store.stats().perClient == ["pages.home": 1])

            // Put back, one is counted once; past their stale window, the sweep takes the rest
            // without counting them down again.
            try await put(store, "books.get_book", #"{"id":0,"shelf":0}"#, now: clock.now, ttl: 1000, swr: 1000)
            #expect(try await store.stats().perClient == ["books.get_book": 1, "pages.home": 1])
            clock.advance(5000)
            try await put(store, "pages.home", #"{"v":2}"#, now: clock.now)
            #expect(try await store.stats().perClient == ["pages.home": 2])
            #expect(try pending() == [0, 0])
            #expect(try rowCounts(path) == ["entries": 2, "entry_clients": 2, "entry_params": 1, "entry_tags": 0, "clients": 1])

            // Applied: soft purges move into the rows, hard ones delete them.
            let other = try await put(store, "books.get_book", #"{"id":9,"shelf":1}"#, now: clock.now)
            #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":9}"#)), mode: .soft) == 1)
            #expect(try await store.purge(.client("pages.home", params: .empty)) == 2)
            try await store.applyPurges()
            #expect(try pending() == [0, 0])
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 2, "entry_tags": 0, "clients": 1])
            #expect(try await store.get(other.key)?.metadata.expires == clock.now)
            #expect(try await store.stats().perClient == ["books.get_book": 1])
            #expect(try await store.integrityCheck() == "ok")
        }
    }

    /// Purges left pending by a process that exits are applied by the next to open the file.
    @Test func purgesLeftByAnotherProcessAreAppliedOnOpening() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        do {
            let first = try SQLiteStore(path: path, clock: clock.storeClock)
            first.applyDelay = nil
            for i in 0..<10 { try await put(first, "c", #"{"i":\#(i)}"#, now: clock.now) }
            #expect(try await first.purge(.client("c", params: .empty)) == 10)
            #expect(try rowCounts(path)["entries"] == 10)
        }
        let second = try SQLiteStore(path: path, clock: clock.storeClock)
        // The open queued the work; a purge of nothing queues behind it.
        _ = try await second.stats()
        for _ in 0..<100 where try rowCounts(path)["entries"] != 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try rowCounts(path)["entries"] == 0)
    }

    /// With SQLite's automatic checkpoint replaced, the store's own must run once the WAL passes
    /// 1000 frames, or the WAL would grow without end.
    @Test func theWALIsCheckpointedOnceItPassesAThousandFrames() async throws {
        try await withNewStore { store, _, clock in
            try await put(store, "c", #"{"i":0}"#, now: clock.now)
            store.checkpointer.waitUntilIdle()
            #expect(store.checkpointer.completed == 0)
            // Each put commits a few pages: 400 of them write well over 1000 frames.
            for i in 1...400 { try await put(store, "c", #"{"i":\#(i)}"#, now: clock.now, tags: ["t"]) }
            store.checkpointer.waitUntilIdle()
            #expect(store.checkpointer.completed >= 1)
            #expect(try await store.stats().entries == 401)
        }
    }

    @Test func indexRowsReadBackAsWritten() throws {
        let m = metadata("pages/é", #"{"q":"a\u0000b","n":[1,2]}"#, now: 0, tags: ["x", "y:1"],
                         deps: [Dependency(client: "books.get_book", params: params(#"{"id":5}"#))])
        let rows = SQLiteIndexRows(m)
        #expect(rows.clients.count == 2 && rows.params.count == 3 && rows.tags == ["x", "y:1"])
        #expect(SQLiteIndexRows(encoded: rows.encoded) == rows)
        #expect(SQLiteIndexRows(encoded: Array(rows.encoded.dropLast())) == nil)
        #expect(SQLiteIndexRows(encoded: []) == nil)
    }

    /// A purge of a large share of the store deletes in one pass over each table (over 1000
    /// entries and a quarter of the store); what it leaves must be the same.
    @Test func aLargePurgeLeavesExactlyTheOtherEntriesRows() async throws {
        try await withNewStore { store, path, clock in
            for i in 0..<1200 { try await put(store, "books.get_book", #"{"id":\#(i)}"#, now: clock.now, tags: ["book"]) }
            let page = try await put(store, "pages.book", #"{"slug":"x"}"#, now: clock.now, tags: ["page"],
                                     deps: [Dependency(client: "books.get_book", params: params(#"{"id":7}"#))])
            let other = try await put(store, "authors.get", #"{"id":1}"#, now: clock.now, tags: ["author"])
            #expect(try await store.purge(.client("books.get_book", params: .empty)) == 1201)
            try await store.applyPurges()
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 1, "clients": 1])
            #expect(try await store.stats().perClient == ["authors.get": 1])
            #expect(try await store.get(page.key) == nil)
            #expect(try await store.get(other.key)?.metadata == other)
            #expect(try await store.integrityCheck() == "ok")
        }
    }
}
