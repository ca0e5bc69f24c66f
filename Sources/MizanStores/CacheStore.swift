import MizanProtocol

/// The cache ABI that every store implements (docs/protocol.md, "Selectors and purges"): what
/// `mizan dev` serves from and what `mizan cache` lists, inspects and purges.
///
/// The methods are `async` because the dev server runs on NIO and Swift concurrency: the memory
/// store answers without suspending, and the SQLite and Redis stores run their blocking C calls on
/// their own serial queue, so a slow disk or network never blocks a cooperative-pool thread.
///
/// Times are milliseconds since the Unix epoch and come from the store's `StoreClock`, so tests
/// drive expiry with a fake clock in every store.
public protocol CacheStore: Sendable {
    /// The entry under `key`, fresh or stale; nil when there is none or it is past its stale
    /// window. The caller tells fresh from stale with `metadata.isFresh(at:)`.
    func get(_ key: CacheKey) async throws -> StoredEntry?

    /// Stores `body` under `metadata.key`, replacing any entry there.
    func put(_ body: [UInt8], metadata: EntryMetadata) async throws

    /// Removes (hard) or marks stale (soft) every entry in `scope` that `selector` selects, and
    /// returns how many it touched. Answered from indexes, never a scan of every entry.
    @discardableResult
    func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int

    /// A page of the entries that `filter` selects, in key order, starting after `cursor` (nil:
    /// from the start). Entries past their stale window are left out.
    func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage

    /// Counts and sizes, for `mizan cache stats` and the management API.
    func stats() async throws -> StoreStats
}

extension CacheStore {
    @discardableResult
    public func purge(_ selector: PurgeSelector, mode: PurgeMode = .hard) async throws -> Int {
        try await purge(selector, scope: .everything, mode: mode)
    }
}

/// One stored response.
public struct StoredEntry: Sendable, Equatable {
    public var metadata: EntryMetadata
    public var body: [UInt8]

    public init(metadata: EntryMetadata, body: [UInt8]) {
        self.metadata = metadata
        self.body = body
    }
}

/// Which entries a listing shows: the same selectors and scopes a purge takes.
public struct EntryFilter: Sendable, Hashable {
    public var selector: PurgeSelector
    public var scope: PurgeScope

    public init(_ selector: PurgeSelector = .all, scope: PurgeScope = .everything) {
        self.selector = selector
        self.scope = scope
    }

    public static let all = EntryFilter()
}

/// One page of a listing. `next` is the cursor for the following page; nil on the last.
public struct EntryPage: Sendable, Equatable {
    public var entries: [EntryMetadata]
    public var next: String?

    public init(entries: [EntryMetadata], next: String?) {
        self.entries = entries
        self.next = next
    }
}

public struct StoreStats: Sendable, Equatable {
    /// Entries held, including stale ones not yet removed.
    public var entries: Int
    /// Body bytes held.
    public var bytes: Int
    /// Entries per client (by the entry's own client, not its dependencies).
    public var perClient: [String: Int]
    /// Entries dropped to stay within the store's size bound (memory only; 0 elsewhere).
    public var evictions: Int

    public init(entries: Int, bytes: Int, perClient: [String: Int], evictions: Int) {
        self.entries = entries
        self.bytes = bytes
        self.perClient = perClient
        self.evictions = evictions
    }
}

/// The time a store reads: milliseconds since the Unix epoch. Tests pass a fake one.
public struct StoreClock: Sendable {
    public let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    public static let system = StoreClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A store's failure, with what to check.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The store could not be reached (Redis down, a file that cannot be opened).
        case unavailable
        /// The store answered with an error, or the data in it does not read.
        case failed
        /// A request the store refuses (an invalid tag, a bad cursor).
        case invalid
        /// The store needs credentials and refused the ones given (a management API's token).
        case unauthorized
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
