import MizanCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(DiagnosticsError) -> JSONDocument {
        try JSONParser.parse(Array(text.utf8), file: "t.json")
    }

    func failure(_ text: String) -> Diagnostic? {
        do throws(DiagnosticsError) {
            _ = try parse(text)
            return nil
        } catch {
            return error.diagnostics.first
        }
    }

    @Test func parsesEveryKindOfValueWithPositions() throws {
        let doc = try parse("{\n  \"a\": [1, -2.5e3, true, false, null],\n  \"b\": \"x\\u00e9\\n\"\n}")
        let a = try #require(doc.root["a"]?.elements)
        #expect(a.count == 5)
        #expect(a[0].intValue == 1)
        if case .number(let raw) = a[1].value { #expect(raw == "-2.5e3") } else { Issue.record("not a number") }
        #expect(a[2].boolValue == true)
        #expect(a[4].isNull)
        #expect(doc.root["b"]?.stringValue == "xé\n")
        let location = doc.location(of: try #require(doc.root["b"]))
        #expect(location.line == 3 && location.column == 8)
    }

    @Test func keepsDuplicateKeysForTheCallerToReport() throws {
        let doc = try parse(#"{"a": 1, "a": 2}"#)
        #expect(doc.root.members?.map(\.key) == ["a", "a"])
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#).root.stringValue == "😀")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "trailing comma", 1, 9),
        ("[1, 2", "not closed", 1, 6),
        ("{\"a\" 1}", "expected ':'", 1, 6),
        ("{\"a\": tru}", "expected 'true'", 1, 7),
        ("{\"a\": 01}", "leading zeros", 1, 7),
        ("\"\\q\"", "invalid escape", 1, 2),
        ("\"\\ud800\"", "lone high surrogate", 1, 2),
        ("{} x", "after the end", 1, 4),
        ("{\"a\":\n  \"b\n\"}", "control character", 2, 5),
        ("", "empty", 1, 1),
        ("{'a': 1}", "expected a quoted key", 1, 2),
        ("[1.]", "after '.'", 1, 4),
    ])
    func reportsSyntaxErrorsWithTheirPosition(text: String, fragment: String, line: Int, column: Int) throws {
        let d = try #require(failure(text))
        #expect(d.code == "MZ001")
        #expect(d.message.contains(fragment), "\(d.message)")
        #expect(d.location?.line == line && d.location?.column == column, "\(d.formatted)")
    }

    @Test func rejectsInvalidUTF8InStrings() throws {
        var bytes = Array("{\"a\": \"".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"}".utf8)
        do throws(DiagnosticsError) {
            _ = try JSONParser.parse(bytes, file: "t.json")
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.diagnostics.first?.message.contains("UTF-8") == true)
            #expect(error.diagnostics.first?.location?.column == 8)
        }
    }

    @Test func limitsNestingDepth() throws {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(failure(deep)?.message.contains("nesting deeper") == true)
    }

    @Test func canonicalFormSortsKeysAndDropsWhitespace() throws {
        let a = try parse("{ \"b\": [1, {\"y\": 2, \"x\": \"\\u0041\"}], \"a\": null }")
        let b = try parse("{\"a\":null,\"b\":[1,{\"x\":\"A\",\"y\":2}]}")
        #expect(CanonicalJSON.bytes(of: a.root) == CanonicalJSON.bytes(of: b.root))
        #expect(String(decoding: CanonicalJSON.bytes(of: a.root), as: UTF8.self) == #"{"a":null,"b":[1,{"x":"A","y":2}]}"#)
        #expect(ContentHash.sha256(Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func outputIsPrettyAndOrdered() {
        let json = JSONOutput.object([("z", .int(1)), ("a", .array([.string("/x"), .bool(true)])), ("e", .object([]))])
        #expect(json.rendered() == "{\n  \"z\": 1,\n  \"a\": [\"/x\", true],\n  \"e\": {}\n}\n")
    }
}

@Suite struct SpellingTests {
    @Test func suggestsCloseNamesOnly() {
        #expect(Spelling.suggestion(for: "typs", among: ["types", "clients"]) == "types")
        #expect(Spelling.suggestion(for: "zzzzzz", among: ["types", "clients"]) == nil)
        #expect(Spelling.hint(for: "Bok", among: ["Book", "Author"]) == "; did you mean 'Book'?")
        #expect(Spelling.distance("kitten", "sitting") == 3)
    }
}
