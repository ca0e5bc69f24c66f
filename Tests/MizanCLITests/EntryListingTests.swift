import Foundation
@testable import MizanCLI
import MizanProtocol
import MizanStores
import Testing

/// `mizan cache` output as golden text: the listing is a pure function of the entries and `now`.
@Suite struct EntryListingTests {
    static let now: Int64 = 1_780_000_000_000
    static let derivation = try! CacheKeyDerivation(secret: "a listing test secret, not for production")

    static func entry(_ client: String, _ params: String, age: Int64, ttl: Int64, swr: Int64, size: Int, tags: [String] = [], context: CacheContext = .public) -> EntryMetadata {
        let canonical = try! CanonicalParams(canonicalJSON: Array(params.utf8))
        let caller = context.isPerCaller ? try! derivation.callerID(credential: "Token alice") : nil
        let created = now - age * 1000
        return EntryMetadata(
            key: try! derivation.key(client: client, params: canonical, context: context, caller: caller), client: client, params: canonical,
            context: context, caller: caller, status: 200, contentType: "application/json",
            headers: [StoredHeader(name: "content-language", value: "en")], created: created, expires: created + ttl * 1000,
            staleUntil: created + (ttl + swr) * 1000, etag: "\"e\"", size: size, tags: tags)
    }

    static let entries = [
        entry("books.get_book", #"{"id":5}"#, age: 12, ttl: 60, swr: 30, size: 412, tags: ["catalog"]),
        entry("books.list_books", #"{"genre":"science-fiction","page":2}"#, age: 75, ttl: 60, swr: 30, size: 18_944, tags: ["catalog"]),
        entry("cart.get_cart", "{}", age: 7200, ttl: 86_400, swr: 0, size: 3 << 20, context: .user),
    ]

    func render(_ format: EntryListing.Format) -> String {
        let listing = EntryListing(format: format, now: Self.now)
        return listing.header() + Self.entries.enumerated().map { listing.row($1, first: $0 == 0) }.joined() + listing.footer()
    }

    @Test func theTableOnATerminal() {
        let key = Self.entries.map { String($0.key.hex.prefix(12)) }
        #expect(render(.table) == """
            KEY           CLIENT                    PARAMS                        CONTEXT  STATUS      SIZE     AGE  FRESH
            \(key[0])  books.get_book            {"id":5}                      public      200     412 B     12s  fresh 48s  [catalog]
            \(key[1])  books.list_books          {"genre":"science-fiction",…  public      200    19 KiB      1m  stale 15s  [catalog]
            \(key[2])  cart.get_cart             {}                            user        200   3.0 MiB      2h  fresh 22h

            """)
    }

    @Test func tabSeparatedInAPipe() {
        let lines = render(.plain).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "key\tclient\tparams\tcontext\tcaller\tstatus\tsize\tcreated\texpires\tstale_until\ttags")
        let first = Self.entries[0]
        #expect(lines[1] == [
            first.key.hex, "books.get_book", #"{"id":5}"#, "public", "-", "200", "412",
            "2026-05-28T20:26:28.000Z", "2026-05-28T20:27:28.000Z", "2026-05-28T20:27:58.000Z", "catalog",
        ].joined(separator: "\t"))
        #expect(lines[3].split(separator: "\t")[4] == Substring(Self.entries[2].caller!.hex))
    }

    @Test func aJSONArrayOfMetadataRecords() throws {
        let json = render(.json)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(array.count == 3)
        #expect(array[0]["client"] as? String == "books.get_book")
        #expect(array[0]["version"] as? Int == 1)
        #expect((array[1]["params"] as? [String: Any])?["page"] as? Int == 2)
        // Each record reads back as the protocol's metadata record.
        let decoded = try JSONDecoder().decode([EntryMetadata].self, from: Data(json.utf8))
        #expect(decoded == Self.entries)
    }

    @Test func humanSizesAndDurations() {
        #expect(EntryListing.size(0) == "0 B")
        #expect(EntryListing.size(1023) == "1023 B")
        #expect(EntryListing.size(1536) == "1.5 KiB")
        #expect(EntryListing.size(10 << 20) == "10 MiB")
        #expect(EntryListing.duration(59_999) == "59s")
        #expect(EntryListing.duration(3_600_000) == "1h")
        #expect(EntryListing.duration(-5) == "0s")
        #expect(EntryListing.duration(90_000_000) == "1d")
    }

    @Test func showPrintsTheBodyStartAsTextOrSaysItIsBinary() {
        let entry = StoredEntry(metadata: Self.entries[0], body: Array(#"{"id":5,"title":"Dune"}"#.utf8))
        let detail = EntryListing(format: .table, now: Self.now).detail(entry)
        #expect(detail.hasSuffix("body\n  {\"id\":5,\"title\":\"Dune\"}"))
        #expect(detail.contains("expires      2026-05-28T20:27:28.000Z (fresh 48s)"))
        #expect(EntryListing.preview([0, 1, 2, 255], contentType: "image/png") == "  (4 bytes of image/png; --body prints it)")
    }
}
