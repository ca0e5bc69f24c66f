import MizanTestSupport
import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct SQLiteCrashTests {
    /// `mizan-stores-bench write-loop` puts entries and prints "committed N" after each put
    /// returns; it is killed with SIGKILL mid-write, then the file is reopened.
    @Test func killedWriterLeavesASoundFileWithEveryCommittedEntry() async throws {
        let writer = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mizan-stores-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: writer), "build mizan-stores-bench first (swift build)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cache.sqlite").path
        let log = directory.appendingPathComponent("writer.log").path

        let child = try spawn([writer, "write-loop", path], stdout: log)
        var committed = -1
        for _ in 0..<2000 where committed < 300 {
            try await Task.sleep(for: .milliseconds(10))
            committed = Self.lastCommitted(log)
        }
        kill(child, SIGKILL)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        committed = Self.lastCommitted(log)
        #expect(committed >= 300, "the writer committed only \(committed + 1) entries")

        let store = try SQLiteStore(path: path)
        #expect(try await store.integrityCheck() == "ok")
        let derivation = try CacheKeyDerivation(secret: "benchmark secret, not for production")
        var missing: [Int] = []
        for i in 0...max(committed, 0) {
            let params = try CanonicalParams(canonicalJSON: Array(#"{"group":\#(i % 10),"id":\#(i)}"#.utf8))
            let key = try derivation.key(client: "crash.item", params: params, context: .public, caller: nil)
            if try await store.get(key)?.body != Array("body \(i)".utf8) { missing.append(i) }
        }
        #expect(missing.isEmpty, "committed entries lost: \(missing.prefix(20))")
        #expect(try await store.stats().entries >= committed + 1)
    }

    private static func lastCommitted(_ log: String) -> Int {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return -1 }
        // Only whole lines count: the last one may be cut off by the kill.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return lines.last.flatMap { Int($0.dropFirst("committed ".count)) } ?? -1
    }
}
