import MizanProtocol
@testable import MizanStores
import Testing

@Suite struct MemoryStoreTests {
    @Test func evictsLeastRecentlyUsedWithinByteBound() async throws {
        let clock = ManualClock()
        let entry = 1000 + MemoryStore.entryOverhead
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

    @Test func bodyLargerThanTheBoundIsNotStored() async throws {
        let clock = ManualClock()
        let store = MemoryStore(capacity: 1000, clock: clock.storeClock)
        let m = metadata("c", now: clock.now, size: 2000)
        try await store.put([UInt8](repeating: 0, count: 2000), metadata: m)
        #expect(try await store.get(m.key) == nil)
        #expect(try await store.stats().entries == 0)
    }
}
