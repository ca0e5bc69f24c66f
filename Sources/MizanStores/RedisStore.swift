import Dispatch
import Foundation
import MizanProtocol

/// Entries in Redis (through the system hiredis), shared by every `mizan dev` or worker process
/// that uses the same server and prefix: what one purges, all stop serving.
///
/// Layout under `prefix`: `e:KEY` a hash (metadata JSON, body, expires, sources) whose Redis TTL
/// ends at stale-until; index sets `c:CLIENT`, `p:CLIENT\0NAME\0VALUE`, `t:TAG`, `x:CONTEXT`,
/// `u:CALLER`; `order` (keys, for paged listing) and `expiry` (keys by stale-until) sorted sets;
/// `ix:KEY` the sets an entry is in; `stats` and `clients` counters; `dead` the entries a hard
/// purge deleted the hash of, left for `tidy` to take out of the rest (RedisScripts). No operation scans the
/// keyspace (KEYS, SCAN). A put is one Lua script, so it is atomic; a purge is one script per chunk of its
/// candidates (`purgeChunk`, from SSCAN of an index set), each atomic, so that a purge of a
/// million entries does not stop Redis for everyone while it runs.
public final class RedisStore: CacheStore, @unchecked Sendable {
    private let connection: RedisConnection
    private let queue = DispatchQueue(label: "mizan.redis-store")
    private let clock: StoreClock
    private let prefix: String
    /// Candidates a purge takes per script call: a script blocks Redis while it runs, so a purge
    /// of many entries runs as many short ones (about 40 ms each at a million entries, measured
    /// on the 2-core benchmark machine).
    var purgeChunk = 1000

    /// Hard-purged entries one `tidy` script drops for good: about 10 ms of Redis at a million
    /// entries.
    static let tidyChunk = 200
    /// How long after a hard purge tidying starts; nil: only when `applyPurges()` is called
    /// (tests). A short wait lets a burst of purges and the requests after them go first.
    var tidyDelay: DispatchTimeInterval? = .milliseconds(100)
    /// Whether a background tidy is queued; read and written on `queue` only.
    private var tidyQueued = false

    /// Timeouts bound how long an operation waits on a down or stuck server before it fails
    /// with `StoreError.Kind.unavailable`.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, prefix: String = "mizan:", clock: StoreClock = .system,
        connectTimeoutMilliseconds: Int = 2000, commandTimeoutMilliseconds: Int = 5000
    ) {
        connection = RedisConnection(
            host: host, port: port, database: database, connectTimeoutMilliseconds: connectTimeoutMilliseconds,
            commandTimeoutMilliseconds: commandTimeoutMilliseconds)
        self.clock = clock
        self.prefix = prefix
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

    private func eval(_ script: String, _ arguments: [[UInt8]], _ redis: RedisConnection) throws -> RedisReply {
        try redis.command([Array("EVAL".utf8), Array(script.utf8), Array("0".utf8), Array(prefix.utf8)] + arguments)
    }

    // MARK: - Key names

    private func entryKey(_ key: String) -> [UInt8] { Array((prefix + "e:" + key).utf8) }
    private func clientSet(_ client: String) -> [UInt8] { Array((prefix + "c:" + client).utf8) }
    private func paramSet(_ term: EntryIndexTerms.Param) -> [UInt8] {
        Array((prefix + "p:" + term.client).utf8) + [0] + Array(term.name.utf8) + [0] + term.value
    }
    private func tagSet(_ tag: String) -> [UInt8] { Array((prefix + "t:" + tag).utf8) }
    private func contextSet(_ context: CacheContext) -> [UInt8] { Array((prefix + "x:" + context.rawValue).utf8) }
    private func callerSet(_ caller: CallerID) -> [UInt8] { Array((prefix + "u:" + caller.hex).utf8) }

    /// The sets whose intersection holds a selector's candidates within a scope; empty means all.
    private func sets(_ selector: PurgeSelector, scope: PurgeScope) -> [[UInt8]] {
        var sets: [[UInt8]] = []
        switch selector {
        case .all: break
        case .tag(let tag): sets.append(tagSet(tag))
        case .client(let client, let params) where params.isEmpty: sets.append(clientSet(client))
        case .client(let client, let params): sets += EntryIndexTerms.terms(client: client, params: params).map(paramSet)
        }
        if let context = scope.context { sets.append(contextSet(context)) }
        if let caller = scope.caller { sets.append(callerSet(caller)) }
        return sets
    }

    // MARK: - The ABI

    public func get(_ key: CacheKey) async throws -> StoredEntry? {
        let now = clock.now()
        let name = entryKey(key.hex)
        return try await run { redis in
            let reply = try redis.command([Array("HMGET".utf8), name, [UInt8]("m".utf8), [UInt8]("b".utf8), [UInt8]("x".utf8)]).elements
            guard reply.count == 3, let meta = reply[0].bytes, let expires = reply[2].int else { return nil }
            var metadata = try MetadataJSON.decode(meta)
            metadata.expires = expires
            return metadata.isGone(at: now) ? nil : StoredEntry(metadata: metadata, body: reply[1].bytes ?? [])
        }
    }

    public func put(_ body: [UInt8], metadata: EntryMetadata) async throws {
        try metadata.checkStorable()
        let now = clock.now()
        let meta = try MetadataJSON.encode(metadata)
        let terms = EntryIndexTerms(metadata)
        var record = Array((metadata.client + "\n" + String(body.count)).utf8)
        var members = terms.clients.map(clientSet) + terms.params.map(paramSet) + metadata.tags.map(tagSet)
        members.append(contextSet(metadata.context))
        if let caller = metadata.caller { members.append(callerSet(caller)) }
        for member in members { record += [10] + member }
        // One line per source (the entry, then each dependency): client, \1, then \2name\0value\2 per param.
        var sources: [UInt8] = []
        for (client, params) in [(metadata.client, metadata.params)] + metadata.deps.map({ ($0.client, $0.params) }) {
            sources += Array(client.utf8) + [1]
            for term in EntryIndexTerms.terms(client: client, params: params) { sources += [2] + Array(term.name.utf8) + [0] + term.value + [2] }
            sources.append(10)
        }
        let arguments: [[UInt8]] = [
            Array(metadata.key.hex.utf8), meta, body, Array(String(metadata.expires).utf8), Array(String(metadata.staleUntil).utf8),
            Array(String(body.count).utf8), Array(metadata.client.utf8), Array(String(now).utf8), record, sources,
        ]
        try await run { redis in
            // Tidies what another process's hard purge left, should it have exited first.
            if (try self.eval(RedisScripts.put, arguments, redis).int ?? 0) > 0 { self.scheduleTidy() }
        }
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        let now = clock.now()
        let sets = sets(selector, scope: scope)
        var selection: [[UInt8]] = [Array(String(sets.count).utf8)] + sets
        if case .client(let client, let params) = selector, selector.needsConfirmation {
            let terms = EntryIndexTerms.terms(client: client, params: params)
            selection += [Array(client.utf8), Array(String(terms.count).utf8)]
            for term in terms { selection += [Array(term.name.utf8), term.value] }
        } else {
            selection += [[], Array("0".utf8)]
        }
        let marked = Array((prefix + "purge:" + UUID().uuidString).utf8)
        let chunk = purgeChunk
        var (total, cursor, source): (Int, [UInt8], Int64) = (0, [], 0)
        // One script per chunk, each its own job on the queue: Redis, and this store's other
        // callers, are served between them.
        repeat {
            let arguments = [Array(mode.rawValue.utf8), Array(String(now).utf8), Array(String(chunk).utf8), cursor,
                             Array(String(source).utf8), marked] + selection
            let reply = try await run { redis in try self.eval(RedisScripts.purge, arguments, redis) }.elements
            guard reply.count == 3, let count = reply[0].int, let next = reply[1].bytes, let picked = reply[2].int else {
                throw StoreError(.failed, "Redis answered a purge with an unexpected reply")
            }
            (total, cursor, source) = (total + Int(count), next, picked)
        } while !cursor.isEmpty
        if mode == .hard && total > 0 { queue.async { self.scheduleTidy() } }
        return total
    }

    /// Drops every hard-purged entry for good now, instead of in the background: for tests,
    /// benchmarks and a process about to exit.
    public func applyPurges() async throws {
        var left = 0
        repeat {
            let arguments = [Array(String(Self.tidyChunk).utf8)]
            left = try await run { redis in Int(try self.eval(RedisScripts.tidy, arguments, redis).int ?? 0) }
        } while left > 0
    }

    /// Queues tidy scripts until `dead` is empty; on `queue` only. A failure (Redis down) is
    /// retried at the next hard purge or put.
    private func scheduleTidy(continuing: Bool = false) {
        guard !tidyQueued, let delay = tidyDelay else { return }
        tidyQueued = true
        // The first waits; the rest follow at once, behind whatever was queued meanwhile.
        queue.asyncAfter(deadline: .now() + (continuing ? .milliseconds(0) : delay)) { [weak self] in
            guard let self else { return }
            self.tidyQueued = false
            let arguments = [Array(String(Self.tidyChunk).utf8)]
            guard let left = try? self.eval(RedisScripts.tidy, arguments, self.connection).int, left > 0 else { return }
            self.scheduleTidy(continuing: true)
        }
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        let now = clock.now()
        let sets = sets(filter.selector, scope: filter.scope)
        let prefix = prefix
        return try await run { redis in
            let pageSize = limit > 0 ? limit : Int.max
            var found: [EntryMetadata] = []
            var keys: [String]
            if sets.isEmpty {
                keys = []
            } else {
                let command = sets.count == 1 ? "SMEMBERS" : "SINTER"
                keys = try redis.command([Array(command.utf8)] + sets).elements.compactMap(\.text).sorted()
                if let cursor { keys = keys.filter { $0 > cursor } }
            }
            var start = cursor.map { "(" + $0 } ?? "-"
            var index = 0
            while found.count <= pageSize {
                if sets.isEmpty {
                    // Every entry, in key order, a batch at a time from the `order` set.
                    if index == keys.count {
                        let batch = min(pageSize == Int.max ? 1000 : pageSize + 1, 1000)
                        keys = try redis.command("ZRANGEBYLEX", prefix + "order", start, "+", "LIMIT", "0", String(batch)).elements.compactMap(\.text)
                        index = 0
                        guard let last = keys.last else { break }
                        start = "(" + last
                    }
                } else if index == keys.count {
                    break
                }
                let key = keys[index]
                index += 1
                let reply = try redis.command([Array("HMGET".utf8), Array((prefix + "e:" + key).utf8), [UInt8]("m".utf8), [UInt8]("x".utf8)]).elements
                guard reply.count == 2, let meta = reply[0].bytes, let expires = reply[1].int else { continue }
                var metadata = try MetadataJSON.decode(meta)
                metadata.expires = expires
                guard !metadata.isGone(at: now) else { continue }
                if filter.selector.needsConfirmation && !filter.selector.matches(metadata) { continue }
                found.append(metadata)
            }
            return EntryPage.make(found, limit: limit)
        }
    }

    public func stats() async throws -> StoreStats {
        let now = clock.now()
        return try await run { redis in
            let reply = try self.eval(RedisScripts.stats, [Array(String(now).utf8)], redis).elements
            var stats = StoreStats(entries: Int(reply.first?.int ?? 0), bytes: Int(reply.dropFirst().first?.int ?? 0), perClient: [:], evictions: 0)
            var rest = reply.dropFirst(2)
            while let client = rest.popFirst()?.text, let count = rest.popFirst()?.int {
                stats.perClient[client] = Int(count)
            }
            return stats
        }
    }

    /// Deletes every key under this store's prefix that the store knows of (tests use a prefix
    /// of their own). Purges all entries, then the counters.
    public func removeAll() async throws {
        _ = try await purge(.all, scope: .everything, mode: .hard)
        try await applyPurges()
        let prefix = prefix
        _ = try await run { redis in try redis.command("DEL", prefix + "stats", prefix + "clients", prefix + "order", prefix + "expiry", prefix + "dead") }
    }
}
