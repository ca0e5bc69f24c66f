import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// A real HTTP server on a free loopback port for the client tests: it echoes requests, hashes
/// uploads as they stream in while counting how many are in flight, and plays scripted
/// responses for the retry tests. Every request is logged with the time it arrived.
final class TestServer: @unchecked Sendable {
    struct Scripted: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body = ""
    }

    struct Logged: Sendable {
        var method: String
        var path: String
        var authorization: String?
        var at: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var script: [Scripted] = []
    private var log: [Logged] = []
    private var inFlight = 0
    private var mostInFlight = 0

    var requests: [Logged] { lock.withLock { log } }
    var maxUploadsInFlight: Int { lock.withLock { mostInFlight } }

    /// Responses for `/scripted`, served in order; once they run out it answers 200 "done".
    func play(_ responses: [Scripted]) { lock.withLock { script = responses } }

    private func note(_ request: Request) {
        let entry = Logged(
            method: request.method.rawValue, path: request.uri.path, authorization: request.headers[.authorization], at: .now)
        lock.withLock { log.append(entry) }
    }

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        // The request as the server saw it, as JSON: method, headers (names lower-cased, repeated
        // ones joined with ", ") and the body as text.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/echo", method: method) { request, _ -> Response in
                self.note(request)
                var request = request
                let body = try await request.collectBody(upTo: 16 << 20)
                var headers: [String: String] = [:]
                for field in request.headers {
                    let name = field.name.canonicalName
                    headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
                }
                let object: [String: Any] = ["method": request.method.rawValue, "headers": headers, "body": String(buffer: body)]
                let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                var response = Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
                response.headers.append(HTTPField(name: HTTPField.Name("X-Echo-Twice")!, value: "one"))
                response.headers.append(HTTPField(name: HTTPField.Name("X-Echo-Twice")!, value: "two"))
                return response
            }
        }
        router.head("/echo") { request, _ -> Response in
            self.note(request)
            return Response(status: .noContent, headers: [HTTPField.Name("X-Head")!: "yes"])
        }
        // An upload hashed as it streams in, held a little (`hold` milliseconds) so that
        // concurrent uploads overlap; answers {"bytes":N,"sha256":"…","tag":"…"}.
        for method in [HTTPRequest.Method.post, .put] {
            router.on("/upload", method: method) { request, _ -> Response in
                self.note(request)
                self.lock.withLock {
                    self.inFlight += 1
                    self.mostInFlight = max(self.mostInFlight, self.inFlight)
                }
                defer { self.lock.withLock { self.inFlight -= 1 } }
                var hasher = SHA256()
                var count = 0
                for try await buffer in request.body {
                    buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    count += buffer.readableBytes
                }
                if let hold = request.uri.queryParameters["hold"].flatMap({ Int(String($0)) }) {
                    try await Task.sleep(for: .milliseconds(hold))
                }
                let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
                let tag = request.uri.queryParameters["tag"].map(String.init) ?? ""
                return Self.json(#"{"bytes":\#(count),"sha256":"\#(digest)","tag":"\#(tag)"}"#)
            }
        }
        for method in [HTTPRequest.Method.get, .post, .put] {
            router.on("/scripted", method: method) { request, _ -> Response in
                self.note(request)
                var request = request
                _ = try await request.collectBody(upTo: 16 << 20)
                let next = self.lock.withLock { self.script.isEmpty ? nil : self.script.removeFirst() }
                guard let next else { return Self.json(#"{"done":true}"#) }
                var response = Response(status: .init(code: next.status), body: .init(byteBuffer: ByteBuffer(string: next.body)))
                for (name, value) in next.headers { response.headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
                return response
            }
        }
        // `n` bytes of "x".
        router.get("/bytes") { request, _ -> Response in
            self.note(request)
            let count = request.uri.queryParameters["n"].flatMap { Int(String($0)) } ?? 0
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: count)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: quietLogger)
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Runs a `TestServer` for the length of `body`, then shuts it down gracefully.
func withTestServer<T: Sendable>(_ body: (TestServer, Int) async throws -> T) async throws -> T {
    let server = TestServer()
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = server.application { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quietLogger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError.didNotStart }
        do {
            let value = try await body(server, port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

enum HarnessError: Error { case didNotStart, cannotListen, cannotConnect, noOpenSSL }

let quietLogger: Logger = {
    var logger = Logger(label: "mizan-deploy-tests")
    logger.logLevel = .critical
    return logger
}()
