import MizanCore
import Testing

@testable import MizanConfig

private func parse(_ text: String) -> (root: TOMLTable, diagnostics: [Diagnostic]) {
    let (document, diagnostics) = TOMLDocument.parse(text, file: "mizan.toml")
    return (document.root, diagnostics)
}

/// Follows a dotted path through nested tables.
private func value(_ root: TOMLTable, _ path: String) -> TOMLValue? {
    var table = root
    let parts = path.split(separator: ".").map(String.init)
    for part in parts.dropLast() {
        guard let next = table[part]?.table else { return nil }
        table = next
    }
    return table[parts.last!]
}

private func at(_ line: Int, _ column: Int) -> MizanCore.SourceLocation {
    MizanCore.SourceLocation(file: "mizan.toml", line: line, column: column)
}

@Suite struct TOMLParserTests {
    // MARK: Supported constructs

    @Test func commentsBlankLinesAndKeyValues() {
        let (root, diagnostics) = parse(
            """
            # leading comment

            a = 1 # trailing comment
            \tb\t=\t"two"   
            # last
            """)
        #expect(diagnostics.isEmpty)
        #expect(root.keys == ["a", "b"])
        #expect(root["a"]?.integer == 1)
        #expect(root["b"]?.string == "two")
    }

    @Test func bareQuotedLiteralAndDottedKeys() {
        let (root, diagnostics) = parse(
            """
            bare-key_1 = 1
            "quoted key" = 2
            'literal "key"' = 3
            site . "google.com" . 'x' = true
            "" = 4
            """)
        #expect(diagnostics.isEmpty)
        #expect(root["bare-key_1"]?.integer == 1)
        #expect(root["quoted key"]?.integer == 2)
        #expect(root["literal \"key\""]?.integer == 3)
        #expect(root["site"]?.table?["google.com"]?.table?["x"] == TOMLValue(.boolean(true), at: at(4, 29)))
        #expect(root[""]?.integer == 4)
    }

    @Test func tableHeadersAndImplicitParents() {
        let (root, diagnostics) = parse(
            """
            top = 0
            [dev]
            port = 4000
            [ a . "b" . c ]
            x = 1
            [a]
            y = 2
            """)
        #expect(diagnostics.isEmpty)
        #expect(root.keys == ["top", "dev", "a"])
        #expect(value(root, "dev.port")?.integer == 4000)
        #expect(value(root, "a.b.c.x")?.integer == 1)
        #expect(value(root, "a.y")?.integer == 2)
        // A table's location is its header once it has one.
        #expect(root["dev"]?.location == at(2, 1))
        #expect(root["a"]?.location == at(6, 1))
    }

    @Test func basicStringEscapes() {
        let (root, diagnostics) = parse(#"s = "q\" b\\ n\n t\t b\b f\f r\r \u00E9 \U0001F600 ü""#)
        #expect(diagnostics.isEmpty)
        #expect(root["s"]?.string == "q\" b\\ n\n t\t b\u{8} f\u{C} r\r é 😀 ü")
    }

    @Test func literalStringsKeepBackslashes() {
        let (root, diagnostics) = parse(#"path = 'C:\Users\n' "#)
        #expect(diagnostics.isEmpty)
        #expect(root["path"]?.string == #"C:\Users\n"#)
    }

    @Test(arguments: [
        ("0", 0), ("+17", 17), ("-17", -17), ("1_000_000", 1_000_000), ("0xDEAD_beef", 0xDEAD_BEEF),
        ("0o755", 0o755), ("0b1101", 0b1101), ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func integers(text: String, expected: Int) {
        let (root, diagnostics) = parse("n = \(text)")
        #expect(diagnostics.isEmpty)
        #expect(root["n"]?.kind == .integer(expected))
    }

    @Test(arguments: [
        ("3.14", 3.14), ("-0.5", -0.5), ("+1.0", 1.0), ("1e6", 1e6), ("6.626e-34", 6.626e-34),
        ("1_000.5", 1000.5), ("5E+2_2", 5e22), ("inf", .infinity), ("-inf", -.infinity),
    ])
    func floats(text: String, expected: Double) {
        let (root, diagnostics) = parse("f = \(text)")
        #expect(diagnostics.isEmpty)
        #expect(root["f"]?.kind == .float(expected))
    }

    @Test func nanAndBooleans() {
        let (root, diagnostics) = parse("n = nan\nt = true\nf = false")
        #expect(diagnostics.isEmpty)
        guard case .float(let nan) = root["n"]?.kind else {
            Issue.record("nan is not a float")
            return
        }
        #expect(nan.isNaN)
        #expect(root["t"]?.kind == .boolean(true))
        #expect(root["f"]?.kind == .boolean(false))
    }

    @Test func multiLineNestedArraysWithTrailingComma() throws {
        let (root, diagnostics) = parse(
            """
            adapters = [
              "react",  # the main one
              'vue',
              # a comment line
              [1, [2.5, true], []],
            ]
            empty = []
            """)
        #expect(diagnostics.isEmpty)
        let adapters = try #require(root["adapters"]?.array)
        #expect(adapters.count == 3)
        #expect(adapters[0] == TOMLValue(.string("react"), at: at(2, 3)))
        #expect(adapters[1].string == "vue")
        #expect(adapters[2].description == "[1, [2.5, true], []]")
        #expect(root["empty"]?.array == [])
    }

    @Test func inlineTables() throws {
        let (root, diagnostics) = parse(
            #"point = { x = 1, y.z = "two", nested = { ok = true }, list = [{}, { a = 1 }] }"#)
        #expect(diagnostics.isEmpty)
        let point = try #require(root["point"]?.table)
        #expect(point.keys == ["x", "y", "nested", "list"])
        #expect(point["y"]?.table?["z"]?.string == "two")
        #expect(point["nested"]?.table?["ok"]?.kind == .boolean(true))
        #expect(point["list"]?.description == "[{  }, { a = 1 }]")
        #expect(root["point"]?.location == at(1, 9))
    }

    @Test func locationsCountUTF8BytesAndKeysAndValuesSeparately() throws {
        let (root, diagnostics) = parse("[dev]\n\"é\" = 1\n  host =   \"x\"")
        #expect(diagnostics.isEmpty)
        let dev = try #require(root["dev"]?.table)
        #expect(dev.entries[0].keyLocation == at(2, 1))
        #expect(dev.entries[0].value.location == at(2, 8))  // "é" is two bytes in UTF-8
        #expect(dev.entries[1].keyLocation == at(3, 3))
        #expect(dev.entries[1].value.location == at(3, 12))
    }

    @Test func windowsLineEndingsAndByteOrderMark() {
        let (root, diagnostics) = parse("\u{FEFF}a = 1\r\n# c\r\n[dev]\r\nport = 2\r\n")
        #expect(diagnostics.isEmpty)
        #expect(value(root, "dev.port") == TOMLValue(.integer(2), at: at(4, 8)))
    }

    // MARK: Unsupported constructs (MZ101)

    @Test func arrayOfTablesIsUnsupportedAndItsKeysAreSkipped() {
        let (root, diagnostics) = parse("a = 1\n  [[codegen]]\nschema = \"x\"\n[dev]\nport = 1")
        #expect(diagnostics.map(\.code) == [ConfigCode.unsupportedFeature])
        #expect(diagnostics.first?.location == at(2, 3))
        #expect(
            diagnostics.first?.message.contains("arrays of tables ([[...]]) are not supported in mizan.toml") == true)
        #expect(root.keys == ["a", "dev"])
        #expect(value(root, "dev.port")?.integer == 1)
    }

    @Test(arguments: [
        ("d = 1979-05-27T07:32:00Z", 5), ("d = 1979-05-27T00:32:00.999999-07:00", 5), ("d = 1979-05-27", 5),
        ("d = 07:32:00", 5), ("d = 1979-05-27 07:32:00", 5), ("d = [1, 1979-05-27]", 9),
    ])
    func datesAndTimesAreUnsupported(text: String, column: Int) {
        let (root, diagnostics) = parse(text + "\nafter = 1")
        #expect(diagnostics.map(\.code) == [ConfigCode.unsupportedFeature])
        #expect(diagnostics.first?.location == at(1, column))
        #expect(diagnostics.first?.message.contains("dates and times are not supported in mizan.toml") == true)
        #expect(root["after"]?.integer == 1)
    }

    @Test(arguments: ["\"\"\"", "'''"])
    func multiLineStringsAreUnsupported(quote: String) {
        let (root, diagnostics) = parse("a = 1\nb =  \(quote)first\nsecond \\\(quote.first!) \(quote)\nc = 3")
        #expect(diagnostics.map(\.code) == [ConfigCode.unsupportedFeature])
        #expect(diagnostics.first?.location == at(2, 6))
        #expect(diagnostics.first?.message.contains("multi-line strings are not supported in mizan.toml") == true)
        #expect(root.keys == ["a", "c"])
    }

    // MARK: Syntax errors (MZ100)

    @Test(arguments: [
        ("a =\n", 1, 4, "expected a value, found the end of the line"),
        ("a = \"abc\nb = 1", 1, 5, "unterminated string"),
        ("a = 'abc", 1, 5, "unterminated string"),
        ("a = 1 2", 1, 7, "expected the end of the line, found '2'"),
        ("[dev\nport = 1", 1, 5, "expected ']' to close the table header"),
        ("a = [1 2]", 1, 8, "expected ',' or ']' in the array, found '2'"),
        ("a = [1,\n2,\n", 3, 1, "expected a value, found the end of the file"),
        ("a = [1,\n2\n", 1, 5, "unterminated array that starts on line 1"),
        ("a = { b = 1, }", 1, 14, "a trailing comma is not allowed in an inline table"),
        ("a = { b = 1\n}", 1, 12, "an inline table must be on one line"),
        ("[dev]\nhost = localhost", 2, 8, "found 'localhost'; text must be quoted, as in \"localhost\""),
        ("url = http://x:1", 1, 7, "found 'http://x:1'; text must be quoted"),
        ("a = 0123", 1, 5, "leading zeros are not allowed"),
        ("a = 1__0", 1, 5, "invalid number '1__0'"),
        ("a = 1.", 1, 5, "a '.' must have digits on both sides"),
        ("a = +0x1", 1, 5, "invalid number '+0x1'"),
        ("a = \"x\\qy\"", 1, 7, "invalid escape '\\q'"),
        ("a = \"\\uD800\"", 1, 6, "not a Unicode scalar value"),
        ("a = \"\\u12\"", 1, 6, "needs 4 hexadecimal digits"),
        ("= 1", 1, 1, "expected a key, found '='"),
        ("a b = 1", 1, 3, "expected '=' after the key 'a', found 'b'"),
        ("a = truth", 1, 5, "text must be quoted"),
        ("\"\"\"k\"\"\" = 1", 1, 1, "a key can't be a multi-line string"),
    ])
    func syntaxErrors(text: String, line: Int, column: Int, message: String) {
        let (_, diagnostics) = parse(text)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.code == ConfigCode.syntaxError)
        #expect(diagnostics.first?.location == at(line, column))
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics.first?.message ?? "none")")
    }

    @Test func syntaxErrorStopsButKeepsWhatWasRead() {
        let (root, diagnostics) = parse("a = 1\n[dev]\nport = 4000\nhost = 127.0.0.1\nupstream = \"x\"")
        #expect(diagnostics.map(\.code) == [ConfigCode.syntaxError])
        #expect(diagnostics.first?.location == at(4, 8))
        #expect(value(root, "a")?.integer == 1)
        #expect(value(root, "dev.port")?.integer == 4000)
        #expect(value(root, "dev.upstream") == nil)
    }

    @Test func integerOutOfRangeIsAnInvalidValue() {
        let (root, diagnostics) = parse("[dev]\nport = 99999999999999999999\nhost = \"h\"")
        #expect(diagnostics.map(\.code) == [ConfigCode.invalidValue])
        #expect(diagnostics.first?.location == at(2, 8))
        #expect(diagnostics.first?.message.contains("dev.port") == true)
        #expect(value(root, "dev.host")?.string == "h")
    }

    // MARK: Duplicates (MZ102)

    @Test func duplicateKeysAndTablesAreAllReported() {
        let (root, diagnostics) = parse(
            """
            [dev]
            port = 1
            port = 2
            [render]
            [dev]
            "port" = 3
            """)
        #expect(diagnostics.map(\.code) == [ConfigCode.duplicateKey, ConfigCode.duplicateKey])
        #expect(diagnostics[0].location == at(3, 1))
        #expect(diagnostics[0].message == "duplicate key 'dev.port'; it is already defined on line 2")
        #expect(diagnostics[1].location == at(5, 1))
        #expect(diagnostics[1].message == "table [dev] is defined twice; it is already defined on line 1")
        #expect(value(root, "dev.port")?.integer == 1)
    }

    @Test(arguments: [
        ("a.b = 1\n[a]", 2, 1, "table [a] is defined twice"),
        ("[a.b.c]\n[a]\nb.c.d = 1", 3, 1, "cannot add to 'a.b'"),
        ("a = { b = 1 }\na.c = 2", 2, 1, "it is an inline table"),
        ("a = { b = 1 }\n[a.c]", 2, 2, "it is an inline table"),
        ("a = 1\n[a.b]", 2, 2, "duplicate key 'a'"),
        ("a = 1\na.b = 2", 2, 1, "duplicate key 'a'"),
        ("t = { x = 1, x = 2 }", 1, 14, "duplicate key 't.x'"),
    ])
    func tablesCannotBeRedefined(text: String, line: Int, column: Int, message: String) {
        let (_, diagnostics) = parse(text)
        #expect(diagnostics.map(\.code) == [ConfigCode.duplicateKey])
        #expect(diagnostics.first?.location == at(line, column))
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics.first?.message ?? "none")")
    }

    @Test func headersMayAddSubTablesToDottedTables() {
        let (root, diagnostics) = parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true")
        #expect(diagnostics.isEmpty)
        #expect(value(root, "fruit.apple.color")?.string == "red")
        #expect(value(root, "fruit.apple.texture.smooth")?.kind == .boolean(true))
    }
}
