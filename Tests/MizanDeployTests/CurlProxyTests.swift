import Foundation
import Testing

@testable import MizanDeploy

/// The client sets no proxy of its own, so libcurl takes `http_proxy`, `https_proxy` and
/// `no_proxy` from the environment, as the curl tool does. The proxy test changes the process's
/// environment, so it first puts loopback in `no_proxy`: other tests that run meanwhile and talk
/// to 127.0.0.1 or localhost still go direct. Tests here that name other hosts run one at a
/// time with it.
@Suite(.serialized) struct CurlProxyTests {
    /// A proxy that records each request's first line and answers 200 "via proxy" (403 to
    /// CONNECT, so no tunnel is made).
    final class RecordingProxy: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        var seen: [String] { lock.withLock { lines } }

        func serve(_ connection: RawConnection) {
            let head = connection.readHead()
            let first = head.split(separator: "\r\n").first.map(String.init) ?? ""
            lock.withLock { lines.append(first) }
            if first.hasPrefix("CONNECT ") {
                connection.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            } else {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nvia proxy")
            }
            connection.close()
        }
    }

    @Test func anUnresolvableHostIsAConnectError() async throws {
        do throws(HTTPTransportError) {
            _ = try await CurlClient().send(HTTPRequestSpec(method: "GET", url: "http://mizan-no-such-host.invalid/"))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .connect)
            #expect(error.message.contains("mizan-no-such-host.invalid"))
        }
    }

    @Test func proxiesComeFromTheEnvironment() async throws {
        let recorder = RecordingProxy()
        let proxy = try RawSocketServer { recorder.serve($0) }
        defer { proxy.stop() }
        let client = CurlClient()

        let saved = ["no_proxy", "http_proxy", "https_proxy"].map { ($0, ProcessInfo.processInfo.environment[$0]) }
        defer {
            for (name, value) in saved.reversed() {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        let loopback = "127.0.0.1,localhost,::1"
        setenv("no_proxy", saved[0].1.map { "\(loopback),\($0)" } ?? loopback, 1)
        setenv("http_proxy", "http://127.0.0.1:\(proxy.port)", 1)
        setenv("https_proxy", "http://127.0.0.1:\(proxy.port)", 1)

        // Plain HTTP goes to the proxy with the absolute URL.
        let response = try await client.send(HTTPRequestSpec(method: "GET", url: "http://mizan-deploy.test/v1/services"))
        #expect(response.status == 200)
        #expect(response.text == "via proxy")
        #expect(recorder.seen == ["GET http://mizan-deploy.test/v1/services HTTP/1.1"])

        // HTTPS asks the proxy for a tunnel; the proxy's refusal is an error, not a response.
        do throws(HTTPTransportError) {
            _ = try await client.send(HTTPRequestSpec(method: "GET", url: "https://mizan-deploy.test/v1/services"))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .other)
            #expect(error.message == "the proxy refused a tunnel to mizan-deploy.test with status 403; check https_proxy and no_proxy")
        }
        #expect(recorder.seen.last == "CONNECT mizan-deploy.test:443 HTTP/1.1")

        // no_proxy hosts go direct.
        try await withTestServer { server, port in
            let direct = try await client.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/echo"))
            #expect(direct.status == 200)
            #expect(server.requests.count == 1)
        }
        #expect(recorder.seen.count == 2)
    }
}
