import Foundation
import MizanCore
@testable import MizanProtocol
import Testing

@Suite struct EntryMetadataTests {
    static let derivation = try! CacheKeyDerivation(secret: "mizan-conformance-secret-0001")

    static func entry(context: CacheContext = .public) throws -> EntryMetadata {
        let params = try ParamReader([ParamSpec(name: "id", type: .int), ParamSpec(name: "price", type: .decimal), ParamSpec(name: "x", type: .float)])
            .read(text: [("id", "123456789012345678901"), ("price", "9.50"), ("x", "0.1")])
        let caller = context.isPerCaller ? try derivation.callerID(credential: "sessionid=alice") : nil
        return EntryMetadata(
            key: try derivation.key(client: "books.get_book", params: params, context: context, caller: caller),
            client: "books.get_book", params: params, context: context, caller: caller, status: 200,
            contentType: "application/json", headers: [StoredHeader(name: "Content-Language", value: "en")],
            created: 1_700_000_000_000, expires: 1_700_000_300_000, staleUntil: 1_700_000_360_000,
            etag: EntryMetadata.etag(forBody: Array("{}".utf8)), size: 2, tags: ["menu", "catalog", "menu"],
            deps: [Dependency(client: "books.list_books", params: .empty)])
    }

    @Test func roundTripsThroughJSON() throws {
        for context in CacheContext.allCases {
            let entry = try Self.entry(context: context)
            let data = try JSONEncoder().encode(entry)
            #expect(try JSONDecoder().decode(EntryMetadata.self, from: data) == entry)
        }
    }

    @Test func theJSONShapeIsTheDocumentedOne() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(Self.entry())) as? [String: Any])
        #expect(Set(object.keys) == [
            "version", "key", "client", "params", "context", "caller", "status", "content_type", "headers", "created",
            "expires", "stale_until", "etag", "size", "tags", "deps",
        ])
        #expect(object["version"] as? Int == 1)
        #expect(object["caller"] is NSNull)
        #expect(object["tags"] as? [String] == ["catalog", "menu"], "sorted, without repeats")
        #expect((object["headers"] as? [[String]]) == [["content-language", "en"]])
        let params = try #require(object["params"] as? [String: Any])
        #expect(params["id"] as? String == "123456789012345678901")
    }

    @Test func anotherVersionIsRefused() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.entry())) as? [String: Any])
        object["version"] = 2
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect {
            try JSONDecoder().decode(EntryMetadata.self, from: data)
        } throws: { error in
            "\(error)".contains("unsupported metadata version 2")
        }
    }

    @Test func freshnessAndSoftPurge() throws {
        let entry = try Self.entry()
        #expect(entry.isFresh(at: entry.created))
        #expect(entry.isServableStale(at: entry.expires))
        #expect(entry.isGone(at: entry.staleUntil))
        let purged = entry.softPurged(at: entry.created + 10)
        #expect(!purged.isFresh(at: entry.created + 10))
        #expect(purged.isServableStale(at: entry.created + 10))
        #expect(purged.staleUntil == entry.staleUntil)
        #expect(entry.softPurged(at: entry.staleUntil + 1).expires == entry.expires, "never extends freshness")
    }

    @Test func aPublicEntryHasNoCaller() throws {
        let caller = try Self.derivation.callerID(credential: "x")
        let entry = try Self.entry()
        let copy = EntryMetadata(
            key: entry.key, client: entry.client, params: entry.params, context: .public, caller: caller, status: 200,
            contentType: nil, headers: [], created: 0, expires: 0, staleUntil: 0, etag: "\"x\"", size: 0)
        #expect(copy.caller == nil)
    }

    @Test func selectorsAndScopesReadMetadata() throws {
        let entry = try Self.entry(context: .user)
        #expect(PurgeSelector.tag("menu").matches(entry))
        #expect(PurgeSelector.client("books.list_books", params: .empty).matches(entry), "through its dependency")
        #expect(PurgeScope(context: .user, caller: entry.caller).contains(entry))
        #expect(!PurgeScope(context: .public).contains(entry))
        #expect(PurgeScope.everything.contains(entry))
    }

    @Test func tagsAreVisibleASCII() {
        #expect(EntryMetadata.isValidTag("catalog:books/5"))
        #expect(!EntryMetadata.isValidTag(""))
        #expect(!EntryMetadata.isValidTag("two words"))
        #expect(!EntryMetadata.isValidTag("caf\u{E9}"))
        #expect(!EntryMetadata.isValidTag(String(repeating: "x", count: 129)))
    }

    @Test func etagsAreStrongAndStable() {
        let tag = EntryMetadata.etag(forBody: Array("hello".utf8))
        #expect(tag == "\"2cf24dba5fb0a30e26e83b2ac5b9e29e\"")
    }
}
