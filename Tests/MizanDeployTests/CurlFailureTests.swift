import Foundation
import Testing

@testable import MizanDeploy

/// What the client does when the network or the server misbehaves, against real sockets.
@Suite struct CurlFailureTests {
    let client = CurlClient()
    static let token = "Bearer sekrit-deploy-token-0451"

    private func failure(_ request: HTTPRequestSpec) async -> HTTPTransportError? {
        do {
            _ = try await client.send(request)
            return nil
        } catch {
            return error
        }
    }

    @Test func aRefusedConnectionIsAConnectError() async throws {
        let port = try RawSocketServer.unusedPort()
        let error = try #require(await failure(HTTPRequestSpec(
            method: "PUT", url: "http://127.0.0.1:\(port)/bundles?token=query-secret", headers: [("Authorization", Self.token)],
            body: .bytes([1, 2, 3]))))
        #expect(error.kind == .connect)
        #expect(error.isRetryable)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(!error.description.contains("sekrit"))
        #expect(!error.description.contains("query-secret"))
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try RawSocketServer { connection in
            connection.drain()
            connection.close()
        }
        defer { server.stop() }
        var request = HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/", headers: [("Authorization", Self.token)])
        request.timeout = 1
        let started = ContinuousClock.now
        let error = try #require(await failure(request))
        let waited = ContinuousClock.now - started
        #expect(error.kind == .timeout)
        #expect(error.isRetryable)
        #expect(!error.description.contains("sekrit"))
        #expect(waited >= .milliseconds(900))
        // Without the timeout this would never end; the wide bound is for a loaded machine.
        #expect(waited < .seconds(60))
    }

    @Test func aStalledTransferFailsBeforeTheOverallTimeout() async throws {
        let server = try RawSocketServer { connection in
            connection.drain()
            connection.close()
        }
        defer { server.stop() }
        var request = HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/")
        request.timeout = 600
        request.stallTimeout = 1
        let started = ContinuousClock.now
        let error = try #require(await failure(request))
        #expect(error.kind == .timeout)
        // Well before the 600 s overall timeout: the stall limit ended it.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func aConnectionDroppedMidUploadIsInterrupted() async throws {
        let server = try RawSocketServer { connection in
            _ = connection.readHead()
            var received = 0
            while received < 256 << 10 {
                let chunk = connection.read()
                if chunk.isEmpty { break }
                received += chunk.count
            }
            connection.reset()
        }
        defer { server.stop() }
        let file = try TestFiles.random(size: 32 << 20)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        let error = try #require(await failure(HTTPRequestSpec(
            method: "PUT", url: "http://127.0.0.1:\(server.port)/upload", headers: [("Authorization", Self.token)],
            body: .file(path: file.path))))
        #expect(error.kind == .interrupted, "\(error)")
        #expect(error.isRetryable)
        #expect(!error.description.contains("sekrit"))
    }

    @Test func aServerThatClosesWithoutAnsweringIsInterrupted() async throws {
        let server = try RawSocketServer { connection in
            _ = connection.readHead()
            connection.close()
        }
        defer { server.stop() }
        let error = try #require(await failure(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/")))
        #expect(error.kind == .interrupted)
    }

    @Test func aMissingOrSpecialFileIsUnreadableAndNothingIsSent() async throws {
        try await withTestServer { server, port in
            for path in ["/nonexistent/bundle.tar", FileManager.default.temporaryDirectory.path] {
                let error = try #require(await failure(HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload", body: .file(path: path))))
                #expect(error.kind == .fileUnreadable)
                #expect(!error.isRetryable)
                #expect(error.message.contains(path))
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aHeaderValueWithALineBreakIsRefusedWithoutQuotingIt() async throws {
        try await withTestServer { server, port in
            let error = try #require(await failure(HTTPRequestSpec(
                method: "GET", url: "http://127.0.0.1:\(port)/echo", headers: [("Authorization", Self.token + "\r\nX-Injected: 1")])))
            #expect(error.kind == .other)
            #expect(error.message.contains("Authorization"))
            #expect(!error.description.contains("sekrit"))
            #expect(server.requests.isEmpty)
        }
    }

    @Test func onlyHTTPAndHTTPSAreSpoken() async throws {
        let error = try #require(await failure(HTTPRequestSpec(method: "GET", url: "file:///etc/hostname")))
        #expect(error.kind == .other)
    }

    @Test func cancellingTheTaskStopsTheTransfer() async throws {
        let server = try RawSocketServer { connection in
            connection.drain()
            connection.close()
        }
        defer { server.stop() }
        let client = client
        var request = HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/")
        request.timeout = 600
        let started = ContinuousClock.now
        let task = Task { try await client.send(request) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        // Well before the 600 s timeout: the cancellation ended it.
        #expect(ContinuousClock.now - started < .seconds(120))
        #expect(throws: HTTPTransportError.self) { try result.get() }
    }

    // MARK: - TLS

    @Test(.enabled(if: TLSServer.available, "needs /usr/bin/openssl"))
    func anUntrustedCertificateFailsVerification() async throws {
        let server = try await TLSServer.start(subjectAltName: "IP:127.0.0.1,DNS:localhost")
        defer { server.stop() }
        let error = try #require(await failure(HTTPRequestSpec(method: "GET", url: "https://127.0.0.1:\(server.port)/")))
        #expect(error.kind == .tls, "\(error)")
        #expect(!error.isRetryable)
    }

    @Test(.enabled(if: TLSServer.available, "needs /usr/bin/openssl"))
    func aTrustedCertificateForTheHostPasses() async throws {
        let server = try await TLSServer.start(subjectAltName: "IP:127.0.0.1,DNS:localhost")
        defer { server.stop() }
        let trusting = CurlClient(caBundlePath: server.certificatePath)
        let response = try await trusting.send(HTTPRequestSpec(method: "GET", url: "https://127.0.0.1:\(server.port)/"))
        #expect(response.status == 200)
    }

    @Test(.enabled(if: TLSServer.available, "needs /usr/bin/openssl"))
    func aTrustedCertificateForAnotherHostFailsVerification() async throws {
        let server = try await TLSServer.start(subjectAltName: "DNS:other.test")
        defer { server.stop() }
        let trusting = CurlClient(caBundlePath: server.certificatePath)
        let error = try #require(await failureOf(trusting, HTTPRequestSpec(method: "GET", url: "https://127.0.0.1:\(server.port)/")))
        #expect(error.kind == .tls, "\(error)")
    }

    private func failureOf(_ client: CurlClient, _ request: HTTPRequestSpec) async -> HTTPTransportError? {
        do {
            _ = try await client.send(request)
            return nil
        } catch {
            return error
        }
    }
}
