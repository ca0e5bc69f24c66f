import MizanCore
import MizanOpenAPI
import Testing

/// YAML errors that are awkward to keep as input files: each is located, and the message is short.
@Suite struct YAMLErrorTests {
    @Test func aControlCharacterIsLocated() throws {
        let text = "openapi: 3.0.3\ninfo:\n  title: \"x\u{01}y\"\n"
        let result = SchemaSource.load(bytes: Array(text.utf8), file: "control.yaml")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.schema == nil && result.diagnostics.count == 1)
        #expect(diagnostic.code == "MZ200")
        #expect(diagnostic.location == SourceLocation(file: "control.yaml", line: 3, column: 12))
        #expect(diagnostic.message.contains("control characters"))
    }

    @Test func aRepeatedKeyIsNamedWithoutQuotingTheDocument() throws {
        let padding = String(repeating: "# a long document\n", count: 200)
        let text = "openapi: 3.0.3\ninfo:\n  title: a\n  title: b\n" + padding
        let result = SchemaSource.load(bytes: Array(text.utf8), file: "dup.yaml")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.code == "MZ200")
        #expect(diagnostic.location?.line == 3)
        #expect(diagnostic.message == "invalid YAML: a mapping repeats the key 'title'")
    }
}
