import Foundation
import Hummingbird
import Logging
import MizanManifest
import MizanProtocol
import MizanStores
import NIOCore

/// Everything `mizan dev` is started with. The CLI fills it from flags, the environment and
/// `mizan.toml`; tests fill it directly.
public struct DevServerOptions: Sendable {
    public var upstream: UpstreamAddress
    /// 127.0.0.1 unless told otherwise: the management API must not face a network by accident.
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); `onListening` reports it.
    public var port = 4000
    /// Required on every `/_mizan/` request but `health`, as `Authorization: Bearer TOKEN`.
    public var managementToken: String
    public var credentials = CredentialSources()
    public var connectTimeout: TimeAmount = .seconds(5)
    /// For a whole upstream response head; a slower upstream gets a 504.
    public var upstreamTimeout: TimeAmount = .seconds(30)
    /// Request bodies are read whole (mutations need their params); larger ones get a 413.
    public var maxRequestBody = 64 << 20
    /// Responses up to this size are cached; larger ones are streamed through, not stored.
    public var maxEntryBytes = 16 << 20
    public var clock = StoreClock.system

    public init(upstream: UpstreamAddress, managementToken: String) {
        self.upstream = upstream
        self.managementToken = managementToken
    }
}

/// The local caching proxy: one object holding the store, the routes and the upstream client,
/// and the Hummingbird application that serves it. `main` and the tests build it the same way:
///
/// ```swift
/// let server = DevServer(options: options, store: store, derivation: derivation, manifest: manifest)
/// try await server.application(onListening: { port in ... }).runService()
/// ```
public final class DevServer: Sendable {
    public let options: DevServerOptions
    let store: any CacheStore
    let derivation: CacheKeyDerivation
    let routes: RoutesHolder
    let upstream: UpstreamClient
    let inFlight = InFlight<Fetched>()
    let stats = DevStats()
    let refreshFailures = RefreshFailures()
    let log: @Sendable (RequestLogRecord) -> Void
    /// The Render deployments API's state; nil: that part of the API answers 404.
    let deploymentStore: DeploymentStore?
    /// Incremented by every purge, so a fetch that started before a purge does not store what
    /// the purge meant to remove.
    let purgeEpoch = Epoch()

    public init(
        options: DevServerOptions, store: any CacheStore, derivation: CacheKeyDerivation, manifest: EdgeManifest,
        deployments: DeploymentStore? = nil, log: @escaping @Sendable (RequestLogRecord) -> Void = { _ in }
    ) {
        self.deploymentStore = deployments
        self.options = options
        self.store = store
        self.derivation = derivation
        self.routes = RoutesHolder(RouteTable(manifest: manifest))
        self.upstream = UpstreamClient(address: options.upstream, connectTimeout: options.connectTimeout, timeout: options.upstreamTimeout)
        self.log = log
    }

    /// The manifest being served.
    public var manifest: EdgeManifest { routes.current.manifest }

    public var counters: DevCounters { stats.snapshot }

    /// The Hummingbird application; `runService()` runs it until SIGINT or SIGTERM and then
    /// drains open requests.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "mizan-dev")
        logger.logLevel = .error
        // Fresh hits from the memory store are answered on the event loop (CacheHitFront);
        // the other stores block on I/O, so their hits go through the async responder.
        let memory = store as? MemoryStore
        let handlers: @Sendable () -> [any RemovableChannelHandler] = { [self] in
            memory.map { [ResponseEndCounter(server: self, store: $0)] } ?? []
        }
        return Application(
            responder: DevResponder(server: self),
            server: .http1(configuration: .init(additionalChannelHandlers: handlers())),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Closes the upstream connections; call after the application stopped.
    public func shutdown() async {
        await upstream.shutdown()
    }
}

/// The routes, swapped as a whole when the manifest is reloaded, with the hit path's memo of
/// keys, which belongs to one route table and is dropped with it.
final class RoutesHolder: @unchecked Sendable {
    /// One manifest's routes and the keys remembered for them.
    final class Routes: Sendable {
        let table: RouteTable
        let memo = HitKeyMemo()

        init(_ table: RouteTable) { self.table = table }
    }

    private let lock = NSLock()
    private var routes: Routes

    init(_ table: RouteTable) { routes = Routes(table) }

    var current: RouteTable { lock.withLock { routes.table } }
    /// One reference for the hit path, which often needs only the memo.
    var currentWithMemo: Routes { lock.withLock { routes } }
    func replace(_ table: RouteTable) { lock.withLock { routes = Routes(table) } }
}

extension DevServer {
    /// Whether a request path is the management API's (`/_mizan` and below): such a request is
    /// never proxied and never a cache hit.
    static func isManagementPath(_ path: some StringProtocol) -> Bool {
        path == "/_mizan" || path.hasPrefix("/_mizan/")
    }
}

final class Epoch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var current: Int { lock.withLock { value } }
    func advance() { lock.withLock { value += 1 } }
}

/// Keys whose last background refresh failed, so the stale entry served meanwhile says
/// `stale-if-error`; cleared by the next successful fetch.
final class RefreshFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: Set<CacheKey> = []

    func record(_ key: CacheKey, failed: Bool) {
        lock.withLock { if failed { keys.insert(key) } else { keys.remove(key) } }
    }
    func contains(_ key: CacheKey) -> Bool { lock.withLock { keys.contains(key) } }
}

struct DevResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: DevServer

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var record = RequestLogRecord(method: request.method.rawValue, path: request.uri.path)
        let response: Response
        if DevServer.isManagementPath(request.uri.path) {
            response = await server.management(request, record: &record)
        } else {
            response = await server.proxy(request, record: &record)
        }
        record.status = Int(response.status.code)
        let elapsed = (ContinuousClock.now - started).components
        record.milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        server.log(record)
        return response
    }
}
