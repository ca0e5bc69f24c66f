import Foundation

/// Counters since the server started, for `GET /_mizan/stats` (stores keep entries and bytes).
public struct DevCounters: Sendable, Equatable {
    public var requests = 0
    public var hits = 0
    /// Served stale (stale-while-revalidate or stale-if-error); also counted in `hits`.
    public var stale = 0
    public var misses = 0
    /// Misses that waited on another request's upstream fetch instead of making their own.
    public var coalesced = 0
    public var bypassed = 0
    public var stored = 0
    /// Purge operations (a mutation's `affects`, a header member, a management call) and the
    /// entries they touched.
    public var purges = 0
    public var purgedEntries = 0
    public var upstreamRequests = 0
    public var upstreamErrors = 0

    /// Hits over cacheable lookups (hits and misses); nil before the first.
    public var hitRatio: Double? {
        let lookups = hits + misses
        return lookups == 0 ? nil : Double(hits) / Double(lookups)
    }
}

final class DevStats: @unchecked Sendable {
    private let lock = NSLock()
    private var counters = DevCounters()

    func update(_ change: (inout DevCounters) -> Void) { lock.withLock { change(&counters) } }
    var snapshot: DevCounters { lock.withLock { counters } }
}
