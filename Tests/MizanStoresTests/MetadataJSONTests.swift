import Foundation
import MizanProtocol
@testable import MizanStores
import Testing

/// The stores' own reader of the metadata record against `JSONDecoder`, on what `JSONEncoder`
/// writes: the same value, and what it does not expect left to `JSONDecoder`.
@Suite struct MetadataJSONTests {
    static func samples() -> [EntryMetadata] {
        let now: Int64 = 1_700_000_000_000
        let odd = #"{"big":123456789012345678901,"neg":-1.5e-7,"obj":{"z":[1,true,null,"x"]},"q":"a/b \"c\" \\ é 😀 \u0001\t"}"#
        var withEverything = metadata("books/search \"q\"", odd, context: .user, caller: caller("alice"), now: now,
                                      tags: ["z", "a:1/2", "a:1/2", "~"],
                                      deps: [Dependency(client: "books.get_book", params: params(#"{"id":5}"#)),
                                             Dependency(client: "authors.list", params: .empty)])
        withEverything.headers = [StoredHeader(name: "Content-Language", value: "en"), StoredHeader(name: "Link", value: "</a/b>; rel=\"x\" é\u{1}")]
        withEverything.contentType = nil
        withEverything.etag = "W/\"é\""
        var session = metadata("me.cart", #"{"page":-0,"size":1e2}"#, context: .session, caller: caller("bob"), now: -5)
        session.status = 304
        session.size = Int.max
        return [metadata("books.get_book", #"{"id":5}"#, now: now), withEverything, session,
                metadata("c", "{}", now: 0, ttl: 0, swr: 0)]
    }

    @Test func readsWhatJSONEncoderWritesAsJSONDecoderDoes() throws {
        for m in Self.samples() {
            let bytes = Array(try JSONEncoder().encode(m))
            let fast = try #require(MetadataJSON.fastDecode(bytes), "the fast reader declined \(String(decoding: bytes, as: UTF8.self))")
            #expect(fast == m)
            #expect(fast == (try JSONDecoder().decode(EntryMetadata.self, from: Data(bytes))))
            #expect(try MetadataJSON.decode(bytes) == m)
        }
    }

    /// A record edited to `change(object)`: JSON as JSONSerialization writes it.
    private func edited(_ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.samples()[1])) as? [String: Any])
        change(&object)
        return Array(try JSONSerialization.data(withJSONObject: object))
    }

    @Test func skipsUnknownFieldsAsReadersMust() throws {
        // docs/protocol.md: readers ignore members they do not know.
        let extra = try edited { $0["added_later"] = ["x": 1] }
        #expect(MetadataJSON.fastDecode(extra) == Self.samples()[1])
        #expect(try JSONDecoder().decode(EntryMetadata.self, from: Data(extra)) == Self.samples()[1])
    }

    @Test func leavesWhatItDoesNotExpectToJSONDecoder() throws {
        #expect(MetadataJSON.fastDecode(try edited { $0["size"] = 2.5 }) == nil)
        #expect(MetadataJSON.fastDecode(Array(#"{"version":1,"version":1}"#.utf8)) == nil)
    }

    @Test func refusesWhatJSONDecoderRefuses() throws {
        let bad: [(String, [UInt8])] = [
            ("unsupported metadata version 2", try edited { $0["version"] = 2 }),
            ("needs a caller", try edited { $0["caller"] = NSNull() }),
            ("64 hex digits", try edited { $0["key"] = "abc" }),
            ("tags", try edited { $0["tags"] = "catalog" }),
            ("headers[0]", try edited { $0["headers"] = [["only a name"]] }),
            ("deps", try edited { $0.removeValue(forKey: "deps") }),
            ("not valid JSON", Array("not json".utf8)),
        ]
        for (message, bytes) in bad {
            #expect(MetadataJSON.fastDecode(bytes) == nil)
            #expect {
                try MetadataJSON.decode(bytes)
            } throws: { error in
                (error as? StoreError)?.kind == .failed && "\(error)".contains(message)
            }
        }
    }
}
