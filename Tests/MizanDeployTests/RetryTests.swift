import Foundation
import Testing

@testable import MizanDeploy

/// `send(_:policy:onRetry:)` and `sendAll(…policy:…)` against a server that plays scripted
/// statuses, and against sockets that fail.
@Suite struct RetryTests {
    let client = CurlClient()
    /// Short waits, so that the tests are quick; the one that is about waiting sets its own.
    let quick = RetryPolicy(maxAttempts: 5, baseDelay: 0.01, maxDelay: 0.05)

    final class Retries: @unchecked Sendable {
        private let lock = NSLock()
        private var log: [(attempt: Int, reason: String, delay: Double)] = []
        func add(_ attempt: Int, _ reason: String, _ delay: Double) { lock.withLock { log.append((attempt, reason, delay)) } }
        var entries: [(attempt: Int, reason: String, delay: Double)] { lock.withLock { log } }
    }

    private func scripted(_ port: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/scripted", headers: [("Authorization", "Bearer sekrit")], body: .bytes(Array("bundle".utf8)))
    }

    @Test func a503WithRetryAfterIsWaitedForThenSucceeds() async throws {
        try await withTestServer { server, port in
            server.play([.init(status: 503, headers: [("Retry-After", "1")], body: "busy")])
            let retries = Retries()
            let response = try await client.send(scripted(port), policy: quick) { retries.add($0, $1, $2) }
            #expect(response.status == 200)
            #expect(retries.entries.map(\.attempt) == [1])
            #expect(retries.entries.map(\.reason) == ["503"])
            #expect(retries.entries.map(\.delay) == [1])
            let times = server.requests.map(\.at)
            #expect(times.count == 2)
            if times.count == 2 { #expect(times[1] - times[0] >= .milliseconds(950)) }
            // The body and headers went again with the retry.
            #expect(server.requests.map(\.authorization) == ["Bearer sekrit", "Bearer sekrit"])
        }
    }

    @Test func a429IsRetried() async throws {
        try await withTestServer { server, port in
            server.play([.init(status: 429)])
            let response = try await client.send(scripted(port), policy: quick, onRetry: nil)
            #expect(response.status == 200)
            #expect(server.requests.count == 2)
        }
    }

    @Test func twoServerErrorsThenSuccess() async throws {
        try await withTestServer { server, port in
            server.play([.init(status: 500), .init(status: 500)])
            let retries = Retries()
            let response = try await client.send(scripted(port), policy: quick) { retries.add($0, $1, $2) }
            #expect(response.status == 200)
            #expect(response.text == #"{"done":true}"#)
            #expect(retries.entries.map(\.attempt) == [1, 2])
            #expect(retries.entries.allSatisfy { $0.delay >= 0 && $0.delay <= 0.05 })
            #expect(server.requests.count == 3)
        }
    }

    @Test(arguments: [400, 401, 403, 404, 409, 422, 501])
    func aClientErrorIsReturnedAtOnce(status: Int) async throws {
        try await withTestServer { server, port in
            server.play([.init(status: status, body: "no"), .init(status: 200)])
            let retries = Retries()
            let response = try await client.send(scripted(port), policy: quick) { retries.add($0, $1, $2) }
            #expect(response.status == status)
            #expect(response.text == "no")
            #expect(retries.entries.isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aRetryAfterBeyondTheLimitIsAnError() async throws {
        try await withTestServer { server, port in
            server.play([.init(status: 503, headers: [("Retry-After", "600")])])
            var policy = quick
            policy.maxRetryAfter = 120
            let started = ContinuousClock.now
            do throws(HTTPTransportError) {
                _ = try await client.send(scripted(port), policy: policy, onRetry: nil)
                Issue.record("no error")
            } catch {
                #expect(error.message.contains("600 s"))
                #expect(!error.isRetryable)
                #expect(!error.description.contains("sekrit"))
            }
            // Not the 600 s it asked for (a wide bound, for a loaded machine).
            #expect(ContinuousClock.now - started < .seconds(120))
            #expect(server.requests.count == 1)
        }
    }

    @Test func afterTheLastAttemptTheLastResponseIsReturned() async throws {
        try await withTestServer { server, port in
            server.play(Array(repeating: .init(status: 502, body: "bad gateway"), count: 5))
            var policy = quick
            policy.maxAttempts = 3
            let response = try await client.send(scripted(port), policy: policy, onRetry: nil)
            #expect(response.status == 502)
            #expect(response.text == "bad gateway")
            #expect(server.requests.count == 3)
        }
    }

    @Test func aRefusedConnectionIsRetriedThenThrown() async throws {
        let port = try RawSocketServer.unusedPort()
        let retries = Retries()
        var policy = quick
        policy.maxAttempts = 3
        do {
            _ = try await client.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/"), policy: policy) { retries.add($0, $1, $2) }
            Issue.record("no error")
        } catch {
            #expect(error.kind == .connect)
        }
        #expect(retries.entries.map(\.attempt) == [1, 2])
        #expect(retries.entries.allSatisfy { $0.reason == "connection failed" })
    }

    @Test func aServerThatDropsConnectionsGetsTheRequestAgain() async throws {
        let counter = Counter()
        let server = try RawSocketServer { connection in
            _ = connection.readHead()
            if counter.next() < 2 {
                connection.reset()
            } else {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                connection.close()
            }
        }
        defer { server.stop() }
        let response = try await client.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/"), policy: quick, onRetry: nil)
        #expect(response.text == "ok")
        #expect(counter.value == 3)
    }

    @Test func anUnreadableFileIsNotRetried() async throws {
        let retries = Retries()
        do {
            _ = try await client.send(
                HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:1/", body: .file(path: "/nonexistent/bundle.tar")), policy: quick
            ) { retries.add($0, $1, $2) }
            Issue.record("no error")
        } catch {
            #expect(error.kind == .fileUnreadable)
        }
        #expect(retries.entries.isEmpty)
    }

    @Test func sendAllRetriesEachRequestOnItsOwn() async throws {
        try await withTestServer { server, port in
            // The first three requests to arrive get a 503, whichever they are.
            server.play(Array(repeating: .init(status: 503), count: 3))
            let indices = Retries()
            let requests = (0..<8).map { _ in scripted(port) }
            let results = await client.sendAll(requests, maxParallel: 3, policy: quick, onRetry: { index, attempt, reason, delay in
                indices.add(index, reason, delay)
            })
            #expect(results.allSatisfy { $0.status == 200 })
            #expect(indices.entries.count == 3)
            #expect(server.requests.count == 11)
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// The count before this call.
    func next() -> Int { lock.withLock { defer { count += 1 }; return count } }
    var value: Int { lock.withLock { count } }
}
