import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct SQLiteStoreTests {
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
}
