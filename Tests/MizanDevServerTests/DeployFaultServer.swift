import Foundation
import HTTPTypes
import Hummingbird
import MizanStores
import NIOCore

@testable import MizanDevServer

/// The Render API as `mizan dev` serves it — a real `DevServer` with a real `DeploymentStore` —
/// behind a front that misbehaves on purpose: each scripted fault takes the next request of its
/// step (create, upload, finalize, …) and answers it wrongly, late or not at all. The store is
/// the witness: whatever the client retried, it shows how many deployments one run made.
final class FaultyRender: @unchecked Sendable {
    /// A step of a deploy, as the requests show it.
    enum Step: String, Sendable {
        case create, upload, finalize, status, list, activate, missing, download, other
    }

    enum Fault: Sendable {
        /// Answers this; the server never sees the request.
        case answer(Int, headers: [(String, String)] = [], body: String = "")
        /// The server handles the request, then this answer replaces its own: the work is done,
        /// the client hears it failed.
        case answerAfterHandling(Int, body: String = "")
        /// Reads the first part of the body, then closes the connection.
        case drop
        /// The server handles the request; its answer is held back until the client has given
        /// up — another request arrived, or the test is over — so it is late whatever the
        /// client's timeout and the machine's load.
        case late
        /// The server handles the request; `change` rewrites its answer's body.
        case rewrite(@Sendable (String) -> String)
        /// Runs `action` first, then the server handles the request as usual.
        case before(@Sendable (DeploymentStore) -> Void)
    }

    /// A request as it arrived, and the status it got (0: none, the connection was dropped).
    struct Logged: Sendable {
        var step: Step
        var method: String
        var path: String
        var idempotencyKey: String?
        var status: Int
    }

    let token = "tok-\(UUID().uuidString.lowercased())-never-printed"
    let deployments: DeploymentStore
    let folder: URL
    private let lock = NSLock()
    private var rules: [(step: Step, pathContains: String?, fault: Fault, remaining: Int)] = []
    private var entries: [Logged] = []
    private var released = false

    init() throws {
        folder = try makeTemporaryDirectoryForDeploys()
        deployments = try DeploymentStore(folder: folder.path)
    }

    /// The next `times` requests of `step` (whose path contains `pathContains`, when given) meet
    /// `fault`.
    func inject(_ fault: Fault, on step: Step, pathContains: String? = nil, times: Int = 1) {
        lock.withLock { rules.append((step, pathContains, fault, times)) }
    }

    /// Lets every held-back answer go (the test is over).
    func release() { lock.withLock { released = true } }

    /// Faults not yet met are forgotten.
    func clearFaults() { lock.withLock { rules.removeAll() } }

    var log: [Logged] { lock.withLock { entries } }
    func requests(_ step: Step) -> [Logged] { log.filter { $0.step == step } }

    private func take(_ step: Step, path: String) -> Fault? {
        lock.withLock {
            guard let index = rules.firstIndex(where: { $0.step == step && ($0.pathContains.map(path.contains) ?? true) }) else { return nil }
            rules[index].remaining -= 1
            let fault = rules[index].fault
            if rules[index].remaining <= 0 { rules.remove(at: index) }
            return fault
        }
    }

    static func step(_ method: HTTPRequest.Method, _ path: String) -> Step {
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts.count) {
        case (.post, 2) where parts == ["_mizan", "deployments"]: return .create
        case (.get, 2) where parts == ["_mizan", "deployments"]: return .list
        case (.get, 3) where parts[1] == "deployments": return .status
        case (.post, 4) where parts[1] == "deployments" && parts[3] == "finalize": return .finalize
        case (.post, 4) where parts[1] == "deployments" && parts[3] == "activate": return .activate
        case (.post, 3) where parts[1] == "blobs" && parts[2] == "missing": return .missing
        case (.put, 3) where parts[1] == "blobs": return .upload
        case (.get, 3) where parts[1] == "blobs": return .download
        default: return .other
        }
    }

    func respond(_ request: Request, channel: any Channel, server: DevServer) async throws -> Response {
        let path = request.uri.path
        let step = Self.step(request.method, path)
        // Logged on arrival (a slow answer is still counted), its status filled in on leaving.
        let index = lock.withLock {
            entries.append(Logged(
                step: step, method: request.method.rawValue, path: path,
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], status: 0))
            return entries.count - 1
        }
        func handled() async -> Response {
            var record = RequestLogRecord(method: request.method.rawValue, path: path)
            return await server.management(request, record: &record)
        }
        let response: Response
        switch take(step, path: path) {
        case nil:
            response = await handled()
        case .answer(let status, let headers, let body)?:
            // Read the body first, so the client is not cut off mid-send.
            for try await _ in request.body {}
            response = Self.response(status, headers: headers, body: body)
        case .answerAfterHandling(let status, let body)?:
            _ = await handled()
            response = Self.response(status, body: body)
        case .drop?:
            var body = request.body.makeAsyncIterator()
            _ = try await body.next()
            try? await channel.close()
            throw CancellationError()
        case .late?:
            response = await handled()
            while lock.withLock({ !released && entries.count == index + 1 }) { try? await Task.sleep(for: .milliseconds(50)) }
        case .rewrite(let change)?:
            var original = await handled()
            let text = String(buffer: try await original.body.collect())
            original.body = ResponseBody(byteBuffer: ByteBuffer(string: change(text)))
            original.headers[.contentLength] = nil
            response = original
        case .before(let action)?:
            action(deployments)
            response = await handled()
        }
        lock.withLock { entries[index].status = Int(response.status.code) }
        return response
    }

    static func response(_ status: Int, headers: [(String, String)] = [], body: String) -> Response {
        var response = Response(status: .init(code: status), body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        response.headers[.contentType] = "application/json"
        for (name, value) in headers { response.headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return response
    }
}

/// Hands the channel to the responder, so that a fault can drop the connection.
struct FaultContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct FaultResponder: HTTPResponder {
    let render: FaultyRender
    let server: DevServer

    func respond(to request: Request, context: FaultContext) async throws -> Response {
        try await render.respond(request, channel: context.channel, server: server)
    }
}

extension ResponseBody {
    /// The whole body of a response built in memory.
    func collect() async throws -> ByteBuffer {
        let collector = BodyCollector()
        try await write(collector)
        return collector.buffer
    }
}

private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws { self.buffer.writeImmutableBuffer(buffer) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

func makeTemporaryDirectoryForDeploys() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-render-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.resolvingSymlinksInPath()
}

/// Runs a `FaultyRender` on a free loopback port for the length of `body`.
func withFaultyRender<T: Sendable>(_ body: (FaultyRender, Int) async throws -> T) async throws -> T {
    let render = try FaultyRender()
    defer { try? FileManager.default.removeItem(at: render.folder) }
    // Deploys never reach the upstream: one nothing listens on.
    var options = DevServerOptions(upstream: UpstreamAddress("http://127.0.0.1:\(try RawServer.unusedPort())")!, managementToken: render.token)
    options.port = 0
    let server = DevServer(
        options: options, store: MemoryStore(capacity: 1 << 20), derivation: testDerivation, manifest: TestManifest.bookshop,
        deployments: render.deployments)
    let outcome: Result<T, any Error>
    do {
        outcome = .success(try await withRunning({ onListening in
            Application(
                responder: FaultResponder(render: render, server: server),
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: quietLogger)
        }) { port in
            defer { render.release() }
            return try await body(render, port)
        })
    } catch {
        outcome = .failure(error)
    }
    await server.shutdown()
    return try outcome.get()
}
