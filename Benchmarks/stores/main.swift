// Store benchmarks, and the other processes of the store tests.
//
//   mizan-stores-bench run KIND [ENTRIES]   KIND: memory, sqlite, redis (REDIS_PORT, default 6379)
//   mizan-stores-bench write-loop PATH      puts entries into the SQLite store at PATH forever,
//                                           printing "committed N" after each put returns
//   mizan-stores-bench fill PATH COUNT      puts COUNT entries of client "bench.item" into the
//                                           SQLite store at PATH (for the `mizan cache ls` benchmark)
//   mizan-stores-bench redis PORT PREFIX put FIRST COUNT
//                                           puts entries FIRST..<FIRST+COUNT of client
//                                           "shared.item" ({"group":i%10,"id":i}, body "body i")
//                                           into the Redis store; prints "put COUNT"
//   mizan-stores-bench redis PORT PREFIX purge PARAMS
//                                           hard-purges "shared.item" entries with PARAMS (JSON);
//                                           prints "purged N"
import Foundation
import MizanProtocol
import MizanStores

let derivation = try! CacheKeyDerivation(secret: "benchmark secret, not for production")

func entry(_ client: String, id: Int, group: Int, now: Int64, size: Int) -> EntryMetadata {
    let params = try! CanonicalParams(canonicalJSON: Array(#"{"group":\#(group),"id":\#(id)}"#.utf8))
    let key = try! derivation.key(client: client, params: params, context: .public, caller: nil)
    return EntryMetadata(key: key, client: client, params: params, context: .public, caller: nil, status: 200,
                         contentType: "application/json", headers: [], created: now, expires: now + 3_600_000,
                         staleUntil: now + 7_200_000, etag: "\"b\"", size: size, tags: ["t\(group % 10)"])
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, seconds(ContinuousClock.now - start))
}

func run(kind: String, entries n: Int) async throws {
    let store: any CacheStore
    var cleanup: () -> Void = {}
    defer { cleanup() }
    switch kind {
    case "memory": store = MemoryStore(capacity: 8 << 30)
    case "sqlite":
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-bench-\(getpid()).sqlite").path
        store = try SQLiteStore(path: path)
        cleanup = { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    case "redis":
        let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
        // A whole-client purge of a million entries is one long script; give it time.
        store = RedisStore(port: port, prefix: "bench\(getpid()):", commandTimeoutMilliseconds: 300_000)
    default: fatalError("unknown store kind \(kind)")
    }
    let now = StoreClock.system.now()
    let body = [UInt8](repeating: 0x61, count: 100)
    let groups = max(1, n / 1000)
    var keys: [CacheKey] = []
    keys.reserveCapacity(n)
    // Metadata (and its HMAC key) is made in batches outside the timed part.
    var putTime = 0.0
    for batchStart in stride(from: 0, to: n, by: 10_000) {
        let batch = (batchStart..<min(n, batchStart + 10_000)).map { entry("bench.item", id: $0, group: $0 % groups, now: now, size: body.count) }
        keys += batch.map(\.key)
        let (_, time) = try await timed { for m in batch { try await store.put(body, metadata: m) } }
        putTime += time
    }
    // Drawn before timing: SystemRandomNumberGenerator is a getrandom(2) syscall per number,
    // which the timed loop used to measure along with the store.
    let reads = min(n, 200_000)
    let order = (0..<reads).map { _ in keys[Int.random(in: 0..<n)] }
    let (hits, getTime) = try await timed {
        var hits = 0
        for key in order where try await store.get(key) != nil { hits += 1 }
        return hits
    }
    // Five hard purges of one group and five soft ones, each followed by applying what the
    // store deferred (timed apart), so that each purge starts on a store with nothing pending.
    func group(_ g: Int) -> PurgeSelector {
        .client("bench.item", params: try! CanonicalParams(canonicalJSON: Array(#"{"group":\#(g)}"#.utf8)))
    }
    var hard: [(Int, Double)] = [], soft: [(Int, Double)] = [], deferred: [Double] = []
    for round in 0..<5 {
        hard.append(try await timed { try await store.purge(group(7 + 10 * round), scope: .everything, mode: .hard) })
        deferred.append(try await timed { try await applyPurges(store) }.1)
        soft.append(try await timed { try await store.purge(group(8 + 10 * round), scope: .everything, mode: .soft) })
        deferred.append(try await timed { try await applyPurges(store) }.1)
    }
    func times(_ runs: [(Int, Double)]) -> String {
        let ms = runs.map { $0.1 * 1000 }
        return "\(Set(runs.map(\.0)).sorted().map(String.init).joined(separator: "/")) entries, median \(String(format: "%.2f", ms.sorted()[ms.count / 2])) ms ("
            + ms.map { String(format: "%.1f", $0) }.joined(separator: ", ") + ")"
    }
    let hardDeferred = stride(from: 0, to: deferred.count, by: 2).map { deferred[$0] * 1000 }
    let softDeferred = stride(from: 1, to: deferred.count, by: 2).map { deferred[$0] * 1000 }
    let (purgedClient, clientTime) = try await timed { try await store.purge(.client("bench.item", params: .empty), scope: .everything, mode: .hard) }
    let clientDeferred = try await timed { try await applyPurges(store) }.1
    print("""
        store \(kind), \(n) entries of \(body.count) B
          put:    \(String(format: "%.0f", Double(n) / putTime)) /s (\(String(format: "%.2f", putTime * 1e6 / Double(n))) µs each)
          get:    \(String(format: "%.0f", Double(reads) / getTime)) /s (\(String(format: "%.2f", getTime * 1e6 / Double(reads))) µs each, \(hits) hits)
          purge one param value (hard): \(times(hard))
            then applied in the background: \(hardDeferred.map { String(format: "%.1f", $0) }.joined(separator: ", ")) ms
          purge one param value (soft): \(times(soft))
            then applied in the background: \(softDeferred.map { String(format: "%.1f", $0) }.joined(separator: ", ")) ms
          purge the whole client:       \(purgedClient) entries in \(String(format: "%.0f", clientTime * 1000)) ms, then applied in \(String(format: "%.0f", clientDeferred * 1000)) ms
        """)
}

/// Does now what a store defers from its purges (nothing for the memory store).
func applyPurges(_ store: any CacheStore) async throws {
    if let sqlite = store as? SQLiteStore { try await sqlite.applyPurges() }
    if let redis = store as? RedisStore { try await redis.applyPurges() }
}

func writeLoop(path: String) async throws {
    let store = try SQLiteStore(path: path)
    let now = StoreClock.system.now()
    var i = 0
    while true {
        let body = Array("body \(i)".utf8)
        try await store.put(body, metadata: entry("crash.item", id: i, group: i % 10, now: now, size: body.count))
        FileHandle.standardOutput.write(Data("committed \(i)\n".utf8))
        i += 1
    }
}

/// Fills an SQLite store with `count` small entries, in batches inside one process.
func fill(path: String, count: Int) async throws {
    let store = try SQLiteStore(path: path)
    let now = StoreClock.system.now()
    let body = [UInt8](repeating: 0x61, count: 100)
    let groups = max(1, count / 1000)
    for i in 0..<count {
        try await store.put(body, metadata: entry("bench.item", id: i, group: i % groups, now: now, size: body.count))
    }
    print("filled \(count)")
}

/// One operation on a Redis store from a process of its own, for the test that two processes
/// share one Redis.
func redis(_ arguments: [String]) async throws {
    guard arguments.count >= 4, let port = Int(arguments[0]) else { fatalError("redis PORT PREFIX put FIRST COUNT | purge PARAMS") }
    let store = RedisStore(port: port, prefix: arguments[1])
    switch (arguments[2], arguments.count) {
    case ("put", 5):
        guard let first = Int(arguments[3]), let count = Int(arguments[4]) else { fatalError("put FIRST COUNT") }
        let now = StoreClock.system.now()
        for i in first..<first + count {
            let body = Array("body \(i)".utf8)
            try await store.put(body, metadata: entry("shared.item", id: i, group: i % 10, now: now, size: body.count))
        }
        print("put \(count)")
    case ("purge", 4):
        let params = try CanonicalParams(canonicalJSON: Array(arguments[3].utf8))
        print("purged \(try await store.purge(.client("shared.item", params: params), scope: .everything, mode: .hard))")
    default:
        fatalError("redis PORT PREFIX put FIRST COUNT | purge PARAMS")
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "run":
    try await run(kind: arguments.dropFirst().first ?? "memory", entries: Int(arguments.dropFirst(2).first ?? "") ?? 1_000_000)
case "write-loop":
    guard let path = arguments.dropFirst().first else { fatalError("write-loop PATH") }
    try await writeLoop(path: path)
case "fill":
    guard let path = arguments.dropFirst().first, let count = Int(arguments.dropFirst(2).first ?? "") else { fatalError("fill PATH COUNT") }
    try await fill(path: path, count: count)
case "redis":
    try await redis(Array(arguments.dropFirst()))
default:
    FileHandle.standardError.write(Data("usage: mizan-stores-bench run KIND [ENTRIES] | write-loop PATH | fill PATH COUNT | redis PORT PREFIX put FIRST COUNT | redis PORT PREFIX purge PARAMS\n".utf8))
    exit(64)
}
