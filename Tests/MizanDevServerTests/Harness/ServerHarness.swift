import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import MizanDevServer
import MizanManifest
import MizanProtocol
import MizanStores
import NIOCore
import ServiceLifecycle

/// Runs a Hummingbird application on a free loopback port for the length of `body`, then shuts it
/// down gracefully.
func withRunning<App: ApplicationProtocol, T: Sendable>(
    _ makeApp: (_ onListening: @escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApp { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quietLogger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError.didNotStart }
        do {
            let value = try await body(port)
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

enum HarnessError: Error { case didNotStart }

let quietLogger: Logger = {
    var logger = Logger(label: "mizan-tests")
    logger.logLevel = .critical
    return logger
}()

/// A clock the test moves by hand, shared by the dev server and its store.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64 = StoreClock.system.now()

    var now: Int64 { lock.withLock { current } }
    func advance(seconds: Int64) { lock.withLock { current += seconds * 1000 } }
    var storeClock: StoreClock { StoreClock { [self] in self.now } }
}

/// One HTTP response as the test client saw it.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    func header(_ name: String) -> String? { headers.first(name: name) }
    var cacheStatus: String { header("Cache-Status") ?? "" }
}

/// A real HTTP client over loopback (AsyncHTTPClient with its own pool), for requests to the
/// dev server.
final class Browser: Sendable {
    let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30)))
        // One connection per concurrent request, as a crowd of browsers would open.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
    let port: Int

    init(port: Int) { self.port = port }

    func send(_ method: HTTPMethod = .GET, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            if !request.headers.contains(name: "content-type") { request.headers.add(name: "content-type", value: "application/json") }
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply { try await send(.GET, path, headers: headers) }

    func shutdown() async { try? await client.shutdown() }
}

/// The dev server in front of `upstream`, with a memory store unless given one, for the length
/// of `body`.
func withDevServer<T: Sendable>(
    upstreamPort: Int, manifest: EdgeManifest = TestManifest.bookshop, store: (any CacheStore)? = nil, clock: TestClock = TestClock(),
    deployments: DeploymentStore? = nil, configure: (inout DevServerOptions) -> Void = { _ in },
    _ body: (DevServer, Browser) async throws -> T
) async throws -> T {
    var options = DevServerOptions(upstream: UpstreamAddress("http://127.0.0.1:\(upstreamPort)")!, managementToken: testToken)
    options.port = 0
    options.clock = clock.storeClock
    configure(&options)
    let server = DevServer(
        options: options, store: store ?? MemoryStore(capacity: 64 << 20, clock: clock.storeClock), derivation: testDerivation,
        manifest: manifest, deployments: deployments)
    let outcome: Result<T, any Error>
    do {
        outcome = .success(try await withRunning({ server.application(onListening: $0) }) { port in
            let browser = Browser(port: port)
            let result: Result<T, any Error>
            do { result = .success(try await body(server, browser)) } catch { result = .failure(error) }
            await browser.shutdown()
            return try result.get()
        })
    } catch {
        outcome = .failure(error)
    }
    await server.shutdown()
    return try outcome.get()
}

/// The test backend and a dev server in front of it.
func withBookshop<T: Sendable>(
    store: (any CacheStore)? = nil, clock: TestClock = TestClock(), deployments: DeploymentStore? = nil,
    configure: (inout DevServerOptions) -> Void = { _ in },
    _ body: (TestBackend, DevServer, Browser) async throws -> T
) async throws -> T {
    let backend = TestBackend()
    return try await withRunning({ backend.application(onListening: $0) }) { upstreamPort in
        try await withDevServer(upstreamPort: upstreamPort, store: store, clock: clock, deployments: deployments, configure: configure) { server, browser in
            try await body(backend, server, browser)
        }
    }
}

let testToken = "test-management-token"
let testDerivation = try! CacheKeyDerivation(secret: "a dev-server test secret, not for production")
