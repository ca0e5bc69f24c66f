import AsyncHTTPClient
import Foundation
import MizanDevServer
import MizanProtocol
import MizanStores
import MizanTestSupport
import Testing

/// The dev server over real sockets: a real backend, `mizan dev`'s server, a real HTTP client.
@Suite struct ProxyCachingTests {
    @Test func aHitIsServedWithoutTouchingTheBackend() async throws {
        try await withBookshop { backend, _, browser in
            let first = try await browser.get("/api/books/1")
            #expect(first.status == 200)
            #expect(first.body == #"{"id":1,"title":"Dune","v":0}"#)
            #expect(first.cacheStatus == "mizan; fwd=miss; fwd-status=200; stored; ttl=60")
            let etag = try #require(first.header("ETag"))

            let second = try await browser.get("/api/books/1")
            #expect(second.body == first.body)
            #expect(second.cacheStatus == "mizan; hit; ttl=60")
            #expect(second.header("ETag") == etag)
            #expect(second.header("Age") == "0")
            #expect(second.header("Content-Type") == "application/json")
            #expect(backend.count("GET /api/books/1") == 1)
        }
    }

    @Test func equalParamsSpelledDifferentlyShareOneEntry() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/books?genre=sf")
            let again = try await browser.get("/api/books?genre=%73f")
            #expect(again.cacheStatus.hasPrefix("mizan; hit"))
            #expect(backend.requests.count == 1)
        }
    }

    @Test func undeclaredOrBadParamsAreForwardedButNeverStored() async throws {
        try await withBookshop { backend, server, browser in
            let unknown = try await browser.get("/api/books?genre=sf&utm=x")
            #expect(unknown.status == 200)
            #expect(unknown.cacheStatus.hasPrefix("mizan; fwd=bypass; fwd-status=200; detail=\"params: "))
            let badType = try await browser.get("/api/books/abc")
            #expect(badType.cacheStatus.contains("fwd=bypass"))
            _ = try await browser.get("/api/books?genre=sf&utm=x")
            #expect(backend.count("GET /api/books?genre=sf&utm=x") == 2)
            #expect(server.counters.stored == 0)
        }
    }

    @Test func routesOutsideTheManifestPassUntouched() async throws {
        try await withBookshop { backend, _, browser in
            for _ in 0..<2 {
                let reply = try await browser.get("/unmanaged")
                #expect(reply.body == "not in the manifest")
                #expect(reply.cacheStatus == "mizan; fwd=uri-miss; fwd-status=200")
            }
            #expect(backend.count("GET /unmanaged") == 2)
        }
    }

    @Test func notCacheableClientsGetNoStore() async throws {
        try await withBookshop { backend, _, browser in
            for _ in 0..<2 {
                let reply = try await browser.get("/api/stats")
                #expect(reply.header("Cache-Control") == "no-store")
                #expect(reply.cacheStatus == #"mizan; fwd=bypass; fwd-status=200; detail="not-cacheable""#)
            }
            #expect(backend.count("GET /api/stats") == 2)
        }
    }

    @Test func responsesThatSetCookiesAreNeverStored() async throws {
        try await withBookshop { backend, _, browser in
            let reply = try await browser.get("/api/login")
            #expect(reply.cacheStatus == #"mizan; fwd=miss; fwd-status=200; detail="set-cookie""#)
            #expect(reply.header("Set-Cookie") == "sessionid=abc; HttpOnly")
            _ = try await browser.get("/api/login")
            #expect(backend.count("GET /api/login") == 2)
        }
    }

    @Test func aHundredConcurrentMissesMakeOneUpstreamRequest() async throws {
        try await withBookshop { backend, server, browser in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<100 { group.addTask { try await browser.get("/api/slow") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 && $0.body == #"{"slow":true}"# })
            #expect(backend.count("GET /api/slow") == 1)
            let collapsed = replies.filter { $0.cacheStatus.contains("collapsed") }.count
            let stored = replies.filter { $0.cacheStatus.contains("stored") }.count
            #expect(stored == 1)
            // Requests that arrived after the entry was stored are plain hits.
            #expect(collapsed + stored + replies.filter { $0.cacheStatus.hasPrefix("mizan; hit") }.count == 100)
            #expect(server.counters.coalesced == collapsed)
        }
    }

    @Test func responsesThatSetCookiesAreNeverSharedBetweenWaitingRequests() async throws {
        try await withBookshop { backend, _, browser in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<20 { group.addTask { try await browser.get("/api/login") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.header("Set-Cookie") == "sessionid=abc; HttpOnly" && !$0.cacheStatus.contains("collapsed") })
            #expect(backend.count("GET /api/login") == 20)
        }
    }

    @Test(.enabled(if: RedisServer.isInstalled, "redis-server is not installed (apt-get install redis-server)"))
    func aStoreThatIsDownDegradesToForwarding() async throws {
        let redis = try RedisServer()
        defer { redis.removeFiles() }
        let store = RedisStore(port: redis.port, prefix: "dev-test:", connectTimeoutMilliseconds: 200, commandTimeoutMilliseconds: 500)
        try await withBookshop(store: store) { backend, _, browser in
            #expect(try await browser.get("/api/books/1").cacheStatus.contains("stored"))
            redis.stop()
            let reply = try await browser.get("/api/books/1")
            #expect(reply.status == 200)
            #expect(reply.body.contains("Dune"))
            #expect(reply.cacheStatus.contains(#"detail="store unavailable"#), "\(reply.cacheStatus)")
            #expect(backend.count("GET /api/books/1") == 2)
        }
    }

    @Test func ifNoneMatchGets304FromTheCache() async throws {
        try await withBookshop { backend, _, browser in
            let first = try await browser.get("/api/books/2")
            let etag = try #require(first.header("ETag"))
            let conditional = try await browser.get("/api/books/2", headers: [("If-None-Match", etag)])
            #expect(conditional.status == 304)
            #expect(conditional.body.isEmpty)
            #expect(conditional.header("ETag") == etag)
            #expect(conditional.cacheStatus.hasPrefix("mizan; hit"))
            let other = try await browser.get("/api/books/2", headers: [("If-None-Match", "\"other\"")])
            #expect(other.status == 200)
            // A conditional miss is answered from what it stores, never passed on.
            let fresh = try await browser.get("/api/books/5", headers: [("If-None-Match", "*")])
            #expect(fresh.status == 304)
            #expect(backend.requests == ["GET /api/books/2", "GET /api/books/5"])
        }
    }

    @Test func staleEntriesAreServedWhileOneRefreshRuns() async throws {
        let clock = TestClock()
        try await withBookshop(clock: clock) { backend, _, browser in
            _ = try await browser.get("/api/books/1")
            clock.advance(seconds: 70)
            let stale = try await browser.get("/api/books/1")
            #expect(stale.status == 200)
            #expect(stale.cacheStatus == #"mizan; hit; ttl=-10; detail="stale-while-revalidate""#)
            try await waitUntil { backend.count("GET /api/books/1") == 2 }
            try await waitUntil { try await browser.get("/api/books/1").cacheStatus == "mizan; hit; ttl=60" }
            #expect(backend.count("GET /api/books/1") == 2)
        }
    }

    @Test func staleIfErrorKeepsServingWhenTheBackendFails() async throws {
        let clock = TestClock()
        try await withBookshop(clock: clock) { backend, _, browser in
            let original = try await browser.get("/api/books/1")
            backend.setFailing(true)
            clock.advance(seconds: 61)
            let stale = try await browser.get("/api/books/1")
            #expect(stale.body == original.body)
            try await waitUntil { try await browser.get("/api/books/1").cacheStatus.contains("stale-if-error") }
            let again = try await browser.get("/api/books/1")
            #expect(again.status == 200)
            #expect(again.body == original.body)
            // Past the stale window the error reaches the browser.
            clock.advance(seconds: 30)
            let gone = try await browser.get("/api/books/1")
            #expect(gone.status == 500)
            // (It may share a background refresh still in flight: then it also says `collapsed`.)
            #expect(gone.cacheStatus.hasPrefix("mizan; fwd=miss; fwd-status=500"), "\(gone.cacheStatus)")
            #expect(gone.cacheStatus.hasSuffix(#"detail="status""#), "\(gone.cacheStatus)")
        }
    }

    @Test func perUserEntriesNeverCrossCallers() async throws {
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0..<UInt64.max, using: &generator)
        var random = SplitMix(seed: seed)
        try await withBookshop { backend, _, browser in
            let users = ["Token alice", "Token bob", "Token carol", "Token dave"]
            // Rounds of concurrent requests by random users, so misses and hits of different
            // callers interleave.
            for _ in 0..<40 {
                let round = (0..<5).map { _ in users[Int(random.next() % UInt64(users.count))] }
                try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                    for user in round { group.addTask { (user, try await browser.get("/api/me/cart", headers: [("Authorization", user)])) } }
                    for try await (user, reply) in group {
                        #expect(reply.body == #"{"owner":"\#(user)"}"#, "seed \(seed)")
                    }
                }
            }
            #expect(backend.count("GET /api/me/cart") == users.count, "seed \(seed)")
            let anonymous = try await browser.get("/api/me/cart")
            #expect(anonymous.cacheStatus.contains(#"detail="no user credential""#))
        }
    }

    @Test func aCacheFillAsksForTheWholeUnencodedResponse() async throws {
        try await withBookshop { _, _, browser in
            let reply = try await browser.get("/api/echo", headers: [("Accept-Encoding", "gzip, br"), ("If-None-Match", "\"x\"")])
            #expect(reply.status == 200)
            #expect(reply.body == #"{"accept_encoding":"","if_none_match":""}"#)
        }
    }

    @Test(arguments: [("Accept-Language", false), ("Accept-Encoding", true), ("Cookie", false), ("accept-language, accept-encoding", false)])
    func responsesVaryingOnUnkeyedHeadersAreNotShared(vary: String, stored: Bool) async throws {
        try await withBookshop { backend, _, browser in
            let query = "/api/echo?vary=\(vary.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            let first = try await browser.get(query)
            if stored {
                #expect(first.cacheStatus.contains("stored"))
            } else {
                #expect(first.cacheStatus.contains(#"detail="vary: \#(vary.lowercased().replacingOccurrences(of: ", accept-encoding", with: ""))""#), "\(first.cacheStatus)")
                _ = try await browser.get(query)
                #expect(backend.requests.count == 2)
            }
        }
    }

    @Test func aTenMegabyteResponseIsCachedWhole() async throws {
        try await withBookshop { backend, _, browser in
            let first = try await browser.get("/api/big")
            #expect(first.body.utf8.count == 10 << 20)
            #expect(first.cacheStatus.contains("stored"))
            let second = try await browser.get("/api/big")
            #expect(second.body.utf8.count == 10 << 20)
            #expect(backend.count("GET /api/big") == 1)
        }
    }

    @Test func responsesLargerThanTheEntryLimitStreamThroughUnstored() async throws {
        try await withBookshop(configure: { $0.maxEntryBytes = 1 << 20 }) { backend, server, browser in
            for _ in 0..<2 {
                let reply = try await browser.get("/api/big")
                #expect(reply.body.utf8.count == 10 << 20)
                #expect(reply.cacheStatus.contains(#"detail="too-large""#))
            }
            #expect(backend.count("GET /api/big") == 2)
            #expect(server.counters.stored == 0)
        }
    }
}

/// Polls `condition` for up to five seconds: for what the server does in the background.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<100 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within 5 s")
}

/// A seeded generator, so a failing random sequence can be replayed from its printed seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
