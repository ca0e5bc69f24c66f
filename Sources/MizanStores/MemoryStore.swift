import Foundation
import MizanProtocol

/// The default store: entries in this process, bounded by bytes, the least recently used dropped
/// first. Indexes by client, (client, param, value), tag, context and caller make a purge touch
/// only the entries it selects.
public final class MemoryStore: CacheStore, @unchecked Sendable {
    /// Bytes counted per entry whatever its shape: the LRU node, the key's slot, the entry's
    /// records in the client and context indexes, allocator overhead. Calibrated against resident
    /// memory: counting a flat 256 bytes beside the body let a store bounded to 256 MB reach
    /// 400 MiB resident with 203,519 small entries (BENCHMARKS.md, proxy).
    static let fixedEntryCost = 1024

    /// What an entry is counted as against `capacity`: its body plus an estimate of what its
    /// metadata and index records take in memory. An estimate (Swift does not report the size of
    /// a value's allocations); checked against resident memory in BENCHMARKS.md.
    public static func cost(bodyCount: Int, metadata: EntryMetadata) -> Int {
        // A string of more than 15 UTF-8 bytes lives on the heap with a 32-byte header.
        func heap(_ text: String) -> Int { text.utf8.count > 15 ? text.utf8.count + 32 : 0 }
        // Canonical bytes, decoded members, and per value an index key and a one-entry set.
        func params(_ params: CanonicalParams) -> Int { 48 + 2 * params.bytes.count + 160 * params.names.count }
        var total = bodyCount + 32 + fixedEntryCost
        total += heap(metadata.client) + heap(metadata.etag) + (metadata.contentType.map(heap) ?? 0)
        total += params(metadata.params)
        total += 48 + metadata.headers.reduce(0) { $0 + 48 + heap($1.name) + heap($1.value) }
        total += metadata.tags.reduce(0) { $0 + 64 + 2 * $1.utf8.count }
        total += metadata.deps.reduce(0) { $0 + 96 + heap($1.client) + params($1.params) }
        if metadata.caller != nil { total += 96 }
        return total
    }

    public let capacity: Int
    private let clock: StoreClock
    private let lock = NSLock()
    private var state: State

    /// `capacity` is the most bytes the store holds, each entry counted as `cost(bodyCount:metadata:)`.
    public init(capacity: Int = 256 << 20, clock: StoreClock = .system) {
        self.capacity = capacity
        self.clock = clock
        self.state = State()
    }

    public func get(_ key: CacheKey) async throws -> StoredEntry? { getNow(key) }

    /// `get` without an `await`, for callers on a hot path.
    public func getNow(_ key: CacheKey) -> StoredEntry? {
        let now = clock.now()
        return lock.withLock { state.get(key, now: now) }
    }

    public func put(_ body: [UInt8], metadata: EntryMetadata) async throws {
        try metadata.checkStorable()
        let cost = Self.cost(bodyCount: body.count, metadata: metadata)
        lock.withLock {
            if let old = state.slots[metadata.key] { state.remove(slot: old) }
            guard cost <= capacity else { return }
            state.insert(StoredEntry(metadata: metadata, body: body), cost: cost)
            while state.cost > capacity, state.tail >= 0 {
                state.remove(slot: state.tail)
                state.evictions += 1
            }
        }
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        let now = clock.now()
        return lock.withLock {
            var count = 0
            for slot in state.candidates(selector, scope: scope) {
                let metadata = state.nodes[slot].entry.metadata
                guard scope.contains(metadata), !selector.needsConfirmation || selector.matches(metadata) else { continue }
                count += 1
                switch mode {
                case .hard: state.remove(slot: slot)
                case .soft: state.nodes[slot].entry.metadata = metadata.softPurged(at: now)
                }
            }
            return count
        }
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        let now = clock.now()
        return lock.withLock {
            var found: [EntryMetadata] = []
            for slot in state.candidates(filter.selector, scope: filter.scope) {
                let metadata = state.nodes[slot].entry.metadata
                guard !metadata.isGone(at: now), filter.scope.contains(metadata) else { continue }
                guard !filter.selector.needsConfirmation || filter.selector.matches(metadata) else { continue }
                if let cursor, metadata.key.hex <= cursor { continue }
                found.append(metadata)
            }
            return EntryPage.make(found, limit: limit)
        }
    }

    public func stats() async throws -> StoreStats {
        lock.withLock {
            StoreStats(entries: state.slots.count, bytes: state.bodyBytes, perClient: state.perClient, evictions: state.evictions)
        }
    }
}

extension EntryPage {
    /// The first `limit` of `entries` in key order, with the cursor of the next page.
    static func make(_ entries: [EntryMetadata], limit: Int) -> EntryPage {
        let sorted = entries.sorted { $0.key.hex < $1.key.hex }
        guard limit > 0, sorted.count > limit else { return EntryPage(entries: sorted, next: nil) }
        let page = Array(sorted.prefix(limit))
        return EntryPage(entries: page, next: page.last?.key.hex)
    }
}

extension MemoryStore {
    /// Entries in slots of an array, chained most to least recently used, with the indexes.
    struct State {
        struct Node {
            var entry: StoredEntry
            var cost: Int
            var terms: EntryIndexTerms
            var prev: Int
            var next: Int
        }

        var nodes: [Node] = []
        var free: [Int] = []
        var slots: [CacheKey: Int] = [:]
        var head = -1
        var tail = -1
        var cost = 0
        var bodyBytes = 0
        var evictions = 0
        var perClient: [String: Int] = [:]

        var byClient: [String: Set<Int>] = [:]
        var byParam: [EntryIndexTerms.Param: Set<Int>] = [:]
        var byTag: [String: Set<Int>] = [:]
        var byContext: [CacheContext: Set<Int>] = [:]
        var byCaller: [CallerID: Set<Int>] = [:]

        mutating func insert(_ entry: StoredEntry, cost: Int) {
            let metadata = entry.metadata
            let node = Node(entry: entry, cost: cost, terms: EntryIndexTerms(metadata), prev: -1, next: head)
            let slot: Int
            if let reused = free.popLast() { slot = reused; nodes[slot] = node } else { slot = nodes.count; nodes.append(node) }
            if head >= 0 { nodes[head].prev = slot }
            head = slot
            if tail < 0 { tail = slot }
            slots[metadata.key] = slot
            self.cost += cost
            bodyBytes += entry.body.count
            perClient[metadata.client, default: 0] += 1
            for client in node.terms.clients { byClient[client, default: []].insert(slot) }
            for param in node.terms.params { byParam[param, default: []].insert(slot) }
            for tag in metadata.tags { byTag[tag, default: []].insert(slot) }
            byContext[metadata.context, default: []].insert(slot)
            if let caller = metadata.caller { byCaller[caller, default: []].insert(slot) }
        }

        mutating func remove(slot: Int) {
            let node = nodes[slot]
            let metadata = node.entry.metadata
            unlink(slot)
            slots[metadata.key] = nil
            cost -= node.cost
            bodyBytes -= node.entry.body.count
            perClient[metadata.client, default: 0] -= 1
            if perClient[metadata.client] == 0 { perClient[metadata.client] = nil }
            for client in node.terms.clients { Self.drop(slot, from: &byClient, at: client) }
            for param in node.terms.params { Self.drop(slot, from: &byParam, at: param) }
            for tag in metadata.tags { Self.drop(slot, from: &byTag, at: tag) }
            Self.drop(slot, from: &byContext, at: metadata.context)
            if let caller = metadata.caller { Self.drop(slot, from: &byCaller, at: caller) }
            nodes[slot].entry = StoredEntry(metadata: metadata, body: [])
            free.append(slot)
        }

        /// One access to the state for the whole lookup, and no copy of the node: only the entry
        /// handed back is copied.
        mutating func get(_ key: CacheKey, now: Int64) -> StoredEntry? {
            guard let slot = slots[key] else { return nil }
            if nodes[slot].entry.metadata.isGone(at: now) {
                remove(slot: slot)
                return nil
            }
            touch(slot: slot)
            return nodes[slot].entry
        }

        mutating func touch(slot: Int) {
            guard head != slot else { return }
            unlink(slot)
            nodes[slot].prev = -1
            nodes[slot].next = head
            if head >= 0 { nodes[head].prev = slot }
            head = slot
            if tail < 0 { tail = slot }
        }

        private mutating func unlink(_ slot: Int) {
            let (prev, next) = (nodes[slot].prev, nodes[slot].next)
            if prev >= 0 { nodes[prev].next = next } else { head = next }
            if next >= 0 { nodes[next].prev = prev } else { tail = prev }
        }

        private static func drop<K: Hashable>(_ slot: Int, from index: inout [K: Set<Int>], at key: K) {
            index[key]?.remove(slot)
            if index[key]?.isEmpty == true { index[key] = nil }
        }

        /// The slots the indexes give for a selector within a scope: the smallest sets
        /// intersected. The caller still checks the scope and, where needed, `matches`.
        func candidates(_ selector: PurgeSelector, scope: PurgeScope) -> [Int] {
            var sets: [Set<Int>] = []
            switch selector {
            case .all: break
            case .tag(let tag): sets.append(byTag[tag] ?? [])
            case .client(let client, let params):
                if params.isEmpty {
                    sets.append(byClient[client] ?? [])
                } else {
                    for term in EntryIndexTerms.terms(client: client, params: params) { sets.append(byParam[term] ?? []) }
                }
            }
            if let caller = scope.caller { sets.append(byCaller[caller] ?? []) }
            if let context = scope.context { sets.append(byContext[context] ?? []) }
            guard !sets.isEmpty else { return Array(slots.values) }
            sets.sort { $0.count < $1.count }
            var result = sets[0]
            for other in sets.dropFirst() where !result.isEmpty { result.formIntersection(other) }
            return Array(result)
        }
    }
}
