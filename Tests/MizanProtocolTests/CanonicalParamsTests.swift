import MizanCore
@testable import MizanManifest
@testable import MizanProtocol
import MizanSchema
import Testing

/// What the vectors do not show: the collector's API, canonical values as a fixed point under
/// their own spec, lookups in large clients, selectors from `affects`, and messages.
@Suite struct CanonicalParamsTests {
    static func json(_ text: String) throws -> JSONNode {
        try JSONParser.parse(Array(text.utf8), file: "t").root
    }

    let listBooks = ParamReader([
        ParamSpec(name: "page", type: .int), ParamSpec(name: "genre", type: .string, enumValues: [#""sf""#, #""classic""#]),
        ParamSpec(name: "tags", type: .string, list: true), ParamSpec(name: "since", type: .datetime),
        ParamSpec(name: "price", type: .decimal), ParamSpec(name: "ratio", type: .float), ParamSpec(name: "id", type: .int),
        ParamSpec(name: "filter", type: .json), ParamSpec(name: "ref", type: .uuid), ParamSpec(name: "on", type: .bool),
    ])

    @Test func listOccurrencesAccumulateInOrder() throws {
        var collector = listBooks.collector()
        for tag in ["b", "a", "c"] { try collector.add(text: tag, named: "tags") }
        try collector.add(text: "2", named: "page")
        #expect(try collector.canonicalParams().text == #"{"page":2,"tags":["b","a","c"]}"#)
    }

    /// Every canonical value read again with its own spec is itself: what the dev server relies
    /// on when a mutation's canonical value becomes a selector value.
    @Test func canonicalValuesAreAFixedPointUnderTheirSpec() throws {
        let params = try listBooks.read(text: [
            ("page", "007"), ("genre", "sf"), ("tags", "x"), ("since", "2024-03-10 10:00:00.50+02:00"), ("price", "9.990"),
            ("ratio", "1E21"), ("id", "123456789012345678901"), ("filter", #"{"b":[1.50],"a":null}"#),
            ("ref", "123E4567-E89B-12D3-A456-426614174000"), ("on", "1"),
        ])
        let node = try Self.json(params.text)
        let again = try listBooks.read(json: (node.members ?? []).map { ($0.key, $0.value) })
        #expect(again == params)
        #expect(params.text == #"{"filter":{"a":null,"b":[1.5]},"genre":"sf","id":"123456789012345678901","on":true,"page":7,"price":"9.99","ratio":1e+21,"ref":"123e4567-e89b-12d3-a456-426614174000","since":"2024-03-10T08:00:00.5Z","tags":["x"]}"#)
    }

    @Test func namesAreFoundInLargeClientsAndComparedAsBytes() throws {
        #expect(listBooks.specs.count > 8, "the dictionary path")
        #expect(listBooks.position(of: "tags") != nil)
        #expect(listBooks.position(of: "Tags") == nil)
        let small = ParamReader([ParamSpec(name: "caf\u{E9}", type: .string)])
        #expect(small.position(of: "caf\u{E9}") == 0)
        #expect(small.position(of: "cafe\u{301}") == nil, "a name is its bytes, not its canonical equivalence")
    }

    @Test func membersAreReadBackByName() throws {
        let params = try listBooks.read(text: [("page", "2"), ("genre", "sf")])
        #expect(params.names == ["genre", "page"])
        #expect(params["page"].map { String(decoding: $0, as: UTF8.self) } == "2")
        #expect(params["tags"] == nil)
        #expect(params.contains(try listBooks.collector().selectorParams()))
        #expect(CanonicalParams.empty.text == "{}")
    }

    @Test func messagesNameTheParameterTheTypeAndTheValue() throws {
        #expect(throws: ParamError(param: "page", kind: .type, message: #"parameter 'page' (int): "abc" is not an integer"#)) {
            try listBooks.read(text: [("page", "abc")])
        }
        #expect(throws: ParamError(param: "genre", kind: .enum, message: #"parameter 'genre' (string): "horror" is not one of "sf", "classic""#)) {
            try listBooks.read(text: [("genre", "horror")])
        }
        #expect(throws: ParamError(param: "junk", kind: .unknown, message: "'junk' is not a parameter of this client")) {
            try listBooks.read(text: [("junk", "1")])
        }
        let long = String(repeating: "x", count: 100) + "\n"
        do {
            _ = try listBooks.read(text: [("page", long)])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.count < 100, "a long value is shortened in the message: \(error.message)")
        }
    }

    @Test func aSelectorNeedsNoRequiredParameter() throws {
        let reader = ParamReader([ParamSpec(name: "id", type: .int, required: true), ParamSpec(name: "lang", type: .string)])
        var collector = reader.collector()
        try collector.add(json: try Self.json(#""en""#), named: "lang")
        #expect(try collector.selectorParams().text == #"{"lang":"en"}"#)
        #expect(throws: ParamError.self) { try collector.canonicalParams() }
    }

    @Test func aBodyKeyGivenTwiceKeepsTheLastValue() throws {
        var collector = listBooks.collector()
        try collector.add(json: try Self.json("1"), named: "page")
        try collector.add(json: try Self.json("2"), named: "page")
        #expect(try collector.canonicalParams().text == #"{"page":2}"#)
    }

    @Test func nfcHandlesEveryNonStarterDecomposition() {
        // Each reordered behind a mark of higher combining class; JavaScript's normalize("NFC") agrees.
        #expect(ValueReader.nfc("a\u{345}\u{344}").unicodeScalars.map(\.value) == [0xE4, 0x301, 0x345])
        #expect(ValueReader.nfc("a\u{301}\u{F75}").unicodeScalars.map(\.value) == [0xE1, 0xF71, 0xF74])
        #expect(ValueReader.nfc("a\u{301}\u{F81}").unicodeScalars.map(\.value) == [0xE1, 0xF71, 0xF80])
        #expect(ValueReader.nfc("plain ascii") == "plain ascii")
    }

    // MARK: Selectors from the manifest and from the header

    @Test func affectsBecomeSelectorsWithTheTargetsTypes() throws {
        let mutation = try ParamReader([ParamSpec(name: "id", type: .string), ParamSpec(name: "note", type: .string)])
            .read(text: [("id", "5")], json: [("note", try Self.json("null"))])
        let target = ParamReader([ParamSpec(name: "id", type: .int, required: true), ParamSpec(name: "page", type: .int), ParamSpec(name: "note", type: .string)])
        let affect = EdgeManifest.Invalidation(client: "books.get_book", params: [("id", .from("id")), ("note", .from("note")), ("page", .value("1"))])
        let selector = try PurgeSelector.from(affect, mutationParams: mutation, target: target)
        // id "5" becomes the int 5; a null source leaves `note` unnarrowed.
        #expect(selector == .client("books.get_book", params: try target.collector().readingJSON([("id", "5"), ("page", "1")])))
        #expect(selector.matches(client: "books.get_book", params: try target.read(text: [("id", "5"), ("page", "01"), ("note", "x")]), tags: [], deps: []))
    }

    @Test func headerMembersBecomeSelectors() throws {
        let reader = ParamReader([ParamSpec(name: "id", type: .int, required: true), ParamSpec(name: "price", type: .decimal)])
        let members = try InvalidateHeader.parse(#""books.get_book";id=5;price=9.50, books.list_books"#)
        let selector = try PurgeSelector.from(members[0], reader: reader)
        #expect(selector == .client("books.get_book", params: try reader.collector().readingJSON([("id", "5"), ("price", #""9.5""#)])))
        #expect(try PurgeSelector.from(members[1], reader: nil) == .client("books.list_books", params: .empty))
        #expect(throws: ParamError.self) { try PurgeSelector.from(members[0], reader: nil) }
    }
}

extension ParamCollector {
    /// Selector params from (name, JSON text) pairs.
    func readingJSON(_ pairs: [(String, String)]) throws -> CanonicalParams {
        var copy = self
        for (name, text) in pairs { try copy.add(json: try CanonicalParamsTests.json(text), named: name) }
        return try copy.selectorParams()
    }
}
