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
}
