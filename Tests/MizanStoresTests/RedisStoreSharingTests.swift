import Foundation
import MizanTestSupport
import MizanProtocol
import MizanStores
import Testing

@Suite struct RedisStoreSharingTests {
    /// Two stores on one server and prefix stand for two `mizan dev` processes: what one writes
    /// the other serves, what one purges the other stops serving.
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func twoConnectionsShareEntriesAndPurges() async throws {
        let server = try RedisServer()
        defer { server.removeFiles() }
        let clock = ManualClock()
        let first = RedisStore(port: server.port, prefix: "shared:", clock: clock.storeClock)
        let second = RedisStore(port: server.port, prefix: "shared:", clock: clock.storeClock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [first, second].enumerated() {
                group.addTask {
                    for i in 0..<100 { try await put(store, "c\(index)", #"{"i":\#(i)}"#, now: clock.now, tags: ["all"]) }
                }
            }
            try await group.waitForAll()
        }
        let m = metadata("c0", #"{"i":3}"#, now: clock.now)
        #expect(try await second.get(m.key) != nil)
        #expect(try await first.stats().perClient == ["c0": 100, "c1": 100])
        #expect(try await second.purge(.client("c0", params: params(#"{"i":3}"#))) == 1)
        #expect(try await first.get(m.key) == nil)
        #expect(try await first.purge(.tag("all")) == 199)
        #expect(try await second.stats().entries == 0)
    }

    /// Redis expires an entry relative to the writer's clock, so a writer whose clock is behind
    /// the Redis host's (another machine, or a test clock) does not lose entries at once.
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func expiryFollowsTheWritersClockNotTheServers() async throws {
        let server = try RedisServer()
        defer { server.removeFiles() }
        let clock = ManualClock()
        clock.advance(-3_600_000)
        let store = RedisStore(port: server.port, prefix: "skew:", clock: clock.storeClock)
        let entry = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now, ttl: 60_000, swr: 0)
        #expect(try await store.get(entry.key) != nil)
        #expect(try await store.stats().entries == 1)
    }

    /// Two OS processes on one Redis: `mizan-stores-bench redis` puts and purges from a process
    /// of its own, and this process sees each effect as soon as the other has exited.
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func twoProcessesShareEntriesAndPurges() async throws {
        let other = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mizan-stores-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: other), "build mizan-stores-bench first (swift build)")
        let server = try RedisServer()
        defer { server.removeFiles() }
        let store = RedisStore(port: server.port, prefix: "procs:")
        // The other process's entries: its client and params, keyed with its secret.
        let secret = try CacheKeyDerivation(secret: "benchmark secret, not for production")
        func key(_ i: Int) throws -> CacheKey {
            try secret.key(client: "shared.item", params: params(#"{"group":\#(i % 10),"id":\#(i)}"#), context: .public, caller: nil)
        }
        let now = StoreClock.system.now()
        for i in 0..<50 {
            let m = metadata("shared.item", #"{"group":\#(i % 10),"id":\#(i)}"#, now: now)
            try await store.put(Array("ours \(i)".utf8), metadata: m)
        }

        #expect(try Self.run([other, "redis", String(server.port), "procs:", "put", "50", "50"]) == "put 50")
        #expect(try await store.get(try key(57))?.body == Array("body 57".utf8))
        #expect(try await store.stats().perClient == ["shared.item": 100])

        // Group 3: five entries from each process, purged by the other one.
        #expect(try Self.run([other, "redis", String(server.port), "procs:", "purge", #"{"group":3}"#]) == "purged 10")
        #expect(try await store.get(try key(53)) == nil)
        #expect(try await store.get(metadata("shared.item", #"{"group":3,"id":13}"#, now: now).key) == nil)
        #expect(try await store.get(try key(54)) != nil)
        #expect(try await store.stats().entries == 90)
        #expect(try await store.purge(.client("shared.item", params: params(#"{"group":3}"#))) == 0)
    }

    /// Runs a process to its end; its standard output, trimmed. Fails unless it exits with 0.
    private static func run(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-child-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try spawn(arguments, stdout: output)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        guard status == 0 else { throw TestSetupError("\(arguments.dropFirst().joined(separator: " ")) exited with status \(status)") }
        return (try String(contentsOfFile: output, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
