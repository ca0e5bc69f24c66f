import MizanTestSupport
import Foundation
import MizanProtocol
import Testing
@testable import MizanStores

/// The store kinds the behaviour suite runs against. Redis needs `redis-server`; without it the
/// Redis cases are left out and `redisServerIsInstalled` is skipped with a message saying so.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, sqlite, redis

    static var available: [StoreKind] { RedisServer.isInstalled ? allCases : [.memory, .sqlite] }
    var testDescription: String { rawValue }
}

/// A clock the test moves by hand; starts at the wall clock so Redis TTLs are sensible.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64 = StoreClock.system.now()

    var now: Int64 { lock.withLock { current } }
    func advance(_ milliseconds: Int64) { lock.withLock { current += milliseconds } }
    var storeClock: StoreClock { StoreClock { [self] in self.now } }
}

/// Runs `body` with a fresh store of `kind` and tears it down afterwards (a temporary SQLite
/// file; a redis-server of its own).
func withStore(
    _ kind: StoreKind, clock: ManualClock = ManualClock(), capacity: Int = 1 << 30,
    _ body: (any CacheStore, ManualClock) async throws -> Void
) async throws {
    switch kind {
    case .memory:
        try await body(MemoryStore(capacity: capacity, clock: clock.storeClock), clock)
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(SQLiteStore(path: directory.appendingPathComponent("cache.sqlite").path, clock: clock.storeClock), clock)
    case .redis:
        let server = try RedisServer()
        defer { server.removeFiles() }
        try await body(RedisStore(port: server.port, prefix: "test:", clock: clock.storeClock), clock)
    }
}

let derivation = try! CacheKeyDerivation(secret: "a test secret, not for production")

func params(_ json: String) -> CanonicalParams { try! CanonicalParams(canonicalJSON: Array(json.utf8)) }

func caller(_ name: String) -> CallerID { try! derivation.callerID(credential: name) }

/// Metadata for a test entry created at `now`, fresh for `ttl` ms and servable stale for `swr` more.
func metadata(
    _ client: String, _ paramsJSON: String = "{}", context: CacheContext = .public, caller: CallerID? = nil,
    now: Int64, ttl: Int64 = 60_000, swr: Int64 = 30_000, tags: [String] = [], deps: [Dependency] = [], size: Int = 0
) -> EntryMetadata {
    let p = params(paramsJSON)
    let key = try! derivation.key(client: client, params: p, context: context, caller: caller)
    return EntryMetadata(
        key: key, client: client, params: p, context: context, caller: caller, status: 200, contentType: "application/json",
        headers: [StoredHeader(name: "Content-Language", value: "en")], created: now, expires: now + ttl, staleUntil: now + ttl + swr,
        etag: "\"e\"", size: size, tags: tags, deps: deps)
}

/// Puts an entry whose body is its client and params, and returns its metadata.
@discardableResult
func put(_ store: any CacheStore, _ client: String, _ paramsJSON: String = "{}", context: CacheContext = .public, caller: CallerID? = nil,
         now: Int64, ttl: Int64 = 60_000, swr: Int64 = 30_000, tags: [String] = [], deps: [Dependency] = []) async throws -> EntryMetadata {
    let body = Array("\(client) \(paramsJSON)".utf8)
    let m = metadata(client, paramsJSON, context: context, caller: caller, now: now, ttl: ttl, swr: swr, tags: tags, deps: deps, size: body.count)
    try await store.put(body, metadata: m)
    return m
}

func isPresent(_ store: any CacheStore, _ m: EntryMetadata) async throws -> Bool { try await store.get(m.key) != nil }
