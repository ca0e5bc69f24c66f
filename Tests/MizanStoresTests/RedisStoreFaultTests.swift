import MizanTestSupport
import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct RedisStoreFaultTests {
    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func failsWhileRedisIsDownAndRecoversWhenItIsBack() async throws {
        let server = try RedisServer()
        defer { server.removeFiles() }
        let clock = ManualClock()
        let store = RedisStore(port: server.port, prefix: "fault:", clock: clock.storeClock,
                               connectTimeoutMilliseconds: 500, commandTimeoutMilliseconds: 500)
        let m = try await put(store, "books.get_book", #"{"id":1}"#, now: clock.now)
        #expect(try await store.get(m.key) != nil)

        server.stop()
        // Each call fails (after at most the 500 ms timeouts; not timed here, since a loaded
        // machine would make a wall-clock bound flaky) instead of hanging.
        for _ in 0..<3 {
            do {
                _ = try await store.get(m.key)
                Issue.record("a get succeeded with Redis stopped")
            } catch let error as StoreError {
                #expect(error.kind == .unavailable)
                #expect(error.message.contains("Redis at 127.0.0.1:\(server.port)"))
            }
        }
        await #expect(throws: StoreError.self) { try await store.purge(.all) }

        try server.start()
        // Nothing was saved, so the server comes back empty; the store reconnects by itself.
        #expect(try await store.get(m.key) == nil)
        try await store.put(Array("again".utf8), metadata: m)
        #expect(try await store.get(m.key)?.body == Array("again".utf8))
    }
}
