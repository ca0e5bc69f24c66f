import AsyncHTTPClient
import Foundation
import MizanDevServer
import MizanStores
import MizanTestSupport
import Testing

/// Fresh hits from the memory store are answered on the event loop, from the socket's bytes
/// (CacheHitFront), the rest by the async responder. These check that a client cannot tell the
/// two apart: same headers, HEAD and 304 handled, responses in request order when they are
/// pipelined, requests split across reads or carrying bodies framed as the decoder frames them.
@Suite struct HitPathTests {
    @Test func aHitAnswersLikeTheResponderWithDateAndLength() async throws {
        try await withBookshop { backend, server, browser in
            let miss = try await browser.get("/api/books/1")
            let hit = try await browser.get("/api/books/1")
            #expect(hit.status == 200)
            #expect(hit.body == miss.body)
            #expect(hit.cacheStatus == "mizan; hit; ttl=60")
            #expect(hit.header("Content-Length") == String(miss.body.utf8.count))
            #expect(hit.header("Content-Type") == "application/json")
            #expect(hit.header("ETag") == miss.header("ETag"))
            #expect(hit.header("Age") == "0")
            let date = try #require(hit.header("Date"))
            #expect(date.hasSuffix(" GMT") && date.count == 29, "IMF-fixdate, got \(date)")
            #expect(backend.count("GET /api/books/1") == 1)
            #expect(server.counters.hits == 1)
            #expect(server.counters.requests == 2)
        }
    }

    @Test func headAndConditionalHits() async throws {
        try await withBookshop { backend, _, browser in
            let miss = try await browser.get("/api/books/2")
            let etag = try #require(miss.header("ETag"))

            let head = try await browser.send(.HEAD, "/api/books/2")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(miss.body.utf8.count))
            #expect(head.cacheStatus == "mizan; hit; ttl=60")

            let notModified = try await browser.get("/api/books/2", headers: [("If-None-Match", "W/\(etag), \"other\"")])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            #expect(notModified.header("ETag") == etag)
            #expect(notModified.header("Content-Type") == nil)
            #expect(notModified.cacheStatus == "mizan; hit; ttl=60")

            let changed = try await browser.get("/api/books/2", headers: [("If-None-Match", "\"other\"")])
            #expect(changed.status == 200)
            #expect(changed.body == miss.body)
            #expect(backend.count("GET /api/books/2") == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/books/1")
            let port = browser.port
            // A hit, a miss (answered by the responder, after an upstream round trip), then a hit:
            // the last hit must not overtake the miss.
            let request = "GET /api/books/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /api/books/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            let raw = try await RawServer.exchange(port: port, request: request)
            // Spelled as the responder spells it, whichever path answered.
            let statuses = raw.components(separatedBy: "\r\n").filter { $0.hasPrefix("Cache-Status:") }
            #expect(statuses.count == 3, "\(raw)")
            guard statuses.count == 3 else { return }
            #expect(statuses[0].hasSuffix("mizan; hit; ttl=60"))
            #expect(statuses[1].contains("fwd=miss"))
            #expect(statuses[2].hasSuffix("mizan; hit; ttl=60"))
            let bodies = raw.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.prefix(while: { $0 != "}" }) + "}" }
            #expect(bodies.first?.contains(#""id":1"#) == true)
            #expect(bodies.dropFirst().first?.contains(#""id":2"#) == true, "\(raw)")
            #expect(backend.count("GET /api/books/2") == 1)
        }
    }

    /// Status lines and `Cache-Status` values of the responses in `raw`, in order.
    private func responses(_ raw: String) -> [(status: String, cache: String?)] {
        raw.components(separatedBy: "HTTP/1.1 ").dropFirst().map { response in
            let lines = response.components(separatedBy: "\r\n")
            let cache = lines.first { $0.hasPrefix("Cache-Status: ") }.map { String($0.dropFirst("Cache-Status: ".count)) }
            return (String(lines[0].prefix(3)), cache)
        }
    }

    @Test func aHeadSplitAcrossReadsIsStillAnsweredOnce() async throws {
        try await withBookshop { backend, server, browser in
            _ = try await browser.get("/api/books/1")
            let port = browser.port
            let request = "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"nope\"\r\n\r\n"
                + "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            // Three bytes at a time: heads end mid-read, the second starts mid-read.
            let bytes = Array(request.utf8)
            let pieces = stride(from: 0, to: bytes.count, by: 3).map { String(decoding: bytes[$0..<min($0 + 3, bytes.count)], as: UTF8.self) }
            let raw = try await RawServer.exchange(port: port, pieces: pieces)
            let answers = responses(raw)
            #expect(answers.map(\.status) == ["200", "200"], "\(raw)")
            #expect(answers.map(\.cache) == ["mizan; hit; ttl=60", "mizan; hit; ttl=60"])
            #expect(server.counters.hits == 2)
            #expect(backend.count("GET /api/books/1") == 1)
        }
    }

    @Test func aBodyIsPassedOnWithItsRequestAndNeverReadAsOne() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/books/1")
            let port = browser.port
            // The body looks like a request for another book: it must reach the upstream as the
            // PUT's body, not be answered as a GET.
            let body = "GET /api/books/3 HTTP/1.1\r\n\r\n"
            let request = "GET /api/books/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "PUT /api/books/1 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            let raw = try await RawServer.exchange(port: port, pieces: [request])
            let answers = responses(raw)
            #expect(answers.count == 3, "\(raw)")
            #expect(answers.first?.cache == "mizan; hit; ttl=60")
            #expect(backend.count("PUT /api/books/1") == 1)
            #expect(backend.count("GET /api/books/3") == 0)
        }
    }

    @Test func connectionsTheHitPathCannotFrameGoToTheDecoder() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/books/1")
            let port = browser.port
            // A chunked body: from here on the decoder frames this connection; the hit after it
            // is still a hit, from the responder.
            let chunked = "POST /api/me/cart/items HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "d\r\n{\"title\":\"x\"}\r\n0\r\n\r\n"
                + "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            let raw = try await RawServer.exchange(port: port, pieces: [chunked])
            let answers = responses(raw)
            #expect(answers.count == 2, "\(raw)")
            #expect(answers.last?.cache == "mizan; hit; ttl=60")
            #expect(backend.count("POST /api/me/cart/items") == 1)

            // HTTP/1.0: the responder answers (and closes, as 1.0 without keep-alive asks).
            let old = try await RawServer.exchange(port: port, request: "GET /api/books/1 HTTP/1.0\r\n\r\n")
            #expect(responses(old).map(\.cache) == ["mizan; hit; ttl=60"], "\(old)")

            // A malformed head gets the decoder's answer, never a hit.
            let malformed = try await RawServer.exchange(port: port, request: "GET /api/books/1 HTTP/1.1\r\nHost : t\r\n\r\n")
            #expect(!malformed.contains("200 OK"), "\(malformed)")
            #expect(try await browser.get("/api/books/1").cacheStatus == "mizan; hit; ttl=60")
        }
    }

    @Test func staleEntriesAndOtherStoresStillTakeTheResponder() async throws {
        let clock = TestClock()
        try await withBookshop(clock: clock) { backend, server, browser in
            _ = try await browser.get("/api/books/1")
            clock.advance(seconds: 61)
            let stale = try await browser.get("/api/books/1")
            #expect(stale.cacheStatus == #"mizan; hit; ttl=-1; detail="stale-while-revalidate""#)
            #expect(server.counters.stale == 1)
            try await waitUntil { backend.count("GET /api/books/1") == 2 }
        }
        // SQLite reads block on disk, so its hits are answered by the responder: same answer.
        try await withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder.appendingPathComponent("cache.sqlite").path, clock: clock.storeClock)
            try await withBookshop(store: store, clock: clock) { backend, _, browser in
                let miss = try await browser.get("/api/books/2")
                let hit = try await browser.get("/api/books/2")
                #expect(hit.cacheStatus == "mizan; hit; ttl=60")
                #expect(hit.body == miss.body)
                #expect(hit.header("Date") != nil)
                #expect(backend.count("GET /api/books/2") == 1)
            }
        }
    }
}
