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
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 1, "clients": 1])
            #expect(try await store.integrityCheck() == "ok")
        }
    }

    /// A file written by schema 1 (reverse indexes, no `clients`) opens as schema 2 with its
    /// entries, counts and index rows intact.
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
        #expect(version == 2)
        #expect(try await store.stats() == StoreStats(entries: 3, bytes: 12, perClient: ["books.get_book": 2, "pages.home": 1], evictions: 0))
        #expect(try await store.get(entries[1].key)?.metadata == entries[1])
        #expect(try await store.purge(.client("books.get_book", params: params(#"{"id":5}"#))) == 2)
        #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 0, "clients": 1])
        #expect(try await store.integrityCheck() == "ok")
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
            #expect(try rowCounts(path) == ["entries": 1, "entry_clients": 1, "entry_params": 1, "entry_tags": 1, "clients": 1])
            #expect(try await store.stats().perClient == ["authors.get": 1])
            #expect(try await store.get(page.key) == nil)
            #expect(try await store.get(other.key)?.metadata == other)
            #expect(try await store.integrityCheck() == "ok")
        }
    }
}
