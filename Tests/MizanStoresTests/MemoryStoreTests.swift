import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct MemoryStoreTests {
    @Test func evictsLeastRecentlyUsedWithinByteBound() async throws {
        let clock = ManualClock()
        // The four entries differ only in a param value of the same length: the same cost.
        let entry = MemoryStore.cost(bodyCount: 1000, metadata: metadata("c", #"{"i":0}"#, now: clock.now, size: 1000))
        let store = MemoryStore(capacity: 3 * entry, clock: clock.storeClock)
        var entries: [EntryMetadata] = []
        for i in 0..<3 {
            let m = metadata("c", #"{"i":\#(i)}"#, now: clock.now, size: 1000)
            try await store.put([UInt8](repeating: 1, count: 1000), metadata: m)
            entries.append(m)
        }
        // Reading entry 0 makes entry 1 the least recently used.
        _ = try await store.get(entries[0].key)
        let fourth = metadata("c", #"{"i":3}"#, now: clock.now, size: 1000)
        try await store.put([UInt8](repeating: 1, count: 1000), metadata: fourth)
        #expect(try await store.get(entries[0].key) != nil)
        #expect(try await store.get(entries[1].key) == nil)
        #expect(try await store.get(entries[2].key) != nil)
        #expect(try await store.get(fourth.key) != nil)
        let stats = try await store.stats()
        #expect(stats.evictions == 1)
        #expect(stats.entries == 3)
        #expect(stats.bytes == 3000)
        // An evicted entry has left every index.
        #expect(try await store.purge(.client("c", params: params(#"{"i":1}"#))) == 0)
    }

    @Test func metadataCountsAgainstTheBound() async throws {
        let clock = ManualClock()
        let plain = metadata("c", #"{"i":0}"#, now: clock.now, size: 10)
        var rich = plain
        rich.headers = (0..<10).map { StoredHeader(name: "X-Header-Number-\($0)", value: String(repeating: "v", count: 100)) }
        rich.tags = ["catalog", "books-by-a-long-author-name"]
        let plainCost = MemoryStore.cost(bodyCount: 10, metadata: plain)
        let richCost = MemoryStore.cost(bodyCount: 10, metadata: rich)
        // Bodies alone undercounted small entries about fourfold (BENCHMARKS.md, proxy).
        #expect(plainCost >= 1024)
        #expect(richCost - plainCost >= 10 * (100 + 48))

        // A bound one byte short of a plain and a rich entry: two plain ones fit, and the rich
        // one pushes both out.
        let store = MemoryStore(capacity: plainCost + richCost - 1, clock: clock.storeClock)
        try await store.put(Array(repeating: 0, count: 10), metadata: metadata("c", #"{"i":1}"#, now: clock.now, size: 10))
        try await store.put(Array(repeating: 0, count: 10), metadata: metadata("c", #"{"i":2}"#, now: clock.now, size: 10))
        #expect(try await store.stats().entries == 2)
        try await store.put(Array(repeating: 0, count: 10), metadata: rich)
        #expect(try await store.stats().entries == 1)
        #expect(try await store.stats().evictions == 2)
        #expect(try await store.get(rich.key) != nil)
    }

    @Test func bodyLargerThanTheBoundIsNotStored() async throws {
        let clock = ManualClock()
        let store = MemoryStore(capacity: 1000, clock: clock.storeClock)
        let m = metadata("c", now: clock.now, size: 2000)
        try await store.put([UInt8](repeating: 0, count: 2000), metadata: m)
        #expect(try await store.get(m.key) == nil)
        #expect(try await store.stats().entries == 0)
    }
}
