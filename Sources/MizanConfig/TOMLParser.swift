import MizanCore

/// A TOML parser for the subset of TOML 1.0 that mizan.toml needs, keeping the line and column
/// of every key and value (TOML libraries drop them, and our errors must point at a line).
///
/// Supported, with TOML 1.0 semantics: comments; bare, quoted and dotted keys; `[table]`
/// headers; basic strings with escapes (`\" \\ \b \t \n \f \r \uXXXX \UXXXXXXXX`) and literal
/// strings; integers (sign, `_` separators, `0x`/`0o`/`0b`); floats (including `inf`, `nan`);
/// booleans; arrays (multi-line, trailing comma, nested, mixed); inline tables (one line).
///
/// Rejected with MZ101 and a line:col, then skipped so that parsing goes on: arrays of tables
/// (`[[x]]`), multi-line strings, dates and times. Duplicate keys and tables are MZ102, also
/// non-fatal. A syntax error is MZ100 and stops the parser; what was read so far is kept.
/// Columns count UTF-8 bytes, as `SourceLocation` specifies.
struct TOMLParser {
    // Internal rather than private only so that TOMLParser+Characters.swift can reach them.
    let bytes: [UInt8]
    let file: String
    var index = 0
    var line = 1
    var lineStart = 0
    private(set) var diagnostics: [Diagnostic] = []

    /// Thrown after a syntax error has been recorded, to unwind to `parseDocument`.
    struct Stop: Error {}

    private struct KeySegment {
        var name: String
        var location: SourceLocation
    }

    init(_ text: String, file: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
        self.file = file
    }

    // MARK: Document and tables

    mutating func parseDocument() -> TOMLTable {
        let root = TOMLTableBuilder(origin: .root, path: [], location: SourceLocation(file: file, line: 1, column: 1))
        var current = root
        do {
            while true {
                skipSpaces()
                skipComment()
                if atEnd { break }
                if consumeNewline() { continue }
                if peek() == UInt8(ascii: "[") {
                    current = try parseHeader(root: root)
                } else {
                    try parseKeyValue(into: current)
                }
                try expectLineEnd()
            }
        } catch {
            // A syntax error was recorded; keep what was read.
        }
        return root.freeze()
    }

    /// Parses `[a.b]` and returns the table that the following keys go into. Problems give a
    /// detached table, so the keys under a bad header don't cause a second, confusing error.
    private mutating func parseHeader(root: TOMLTableBuilder) throws -> TOMLTableBuilder {
        let start = location
        advance()
        if peek() == UInt8(ascii: "[") {
            diagnostics.append(
                ConfigDiagnostics.unsupported(
                    "arrays of tables ([[...]]) are", hint: "use a [table] or an array of inline tables", at: start))
            while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
            return TOMLTableBuilder(origin: .header, path: [], location: start)
        }
        skipSpaces()
        let key = try parseKey()
        skipSpaces()
        guard peek() == UInt8(ascii: "]") else {
            throw syntax("expected ']' to close the table header, found \(found())")
        }
        advance()
        let detached = TOMLTableBuilder(origin: .header, path: key.map(\.name), location: start)
        var node = root
        for (position, segment) in key.enumerated() {
            let path = key[...position].map(\.name)
            let isLast = position == key.count - 1
            guard let slot = node.slot(segment.name) else {
                let table = TOMLTableBuilder(
                    origin: isLast ? .header : .implicit, path: path, location: isLast ? start : segment.location)
                node.add(segment.name, at: segment.location, .table(table))
                node = table
                continue
            }
            switch slot.content {
            case .value(let value):
                diagnostics.append(conflict(with: value, definedAt: slot.keyLocation, path: path, at: segment.location))
                return detached
            case .table(let table):
                if isLast {
                    guard table.origin == .implicit else {
                        diagnostics.append(
                            ConfigDiagnostics.duplicate(table: path, firstLine: table.location.line, at: start))
                        return detached
                    }
                    table.origin = .header
                    table.location = start
                }
                node = table
            }
        }
        return node
    }

    private mutating func parseKeyValue(into table: TOMLTableBuilder) throws {
        let key = try parseKey()
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else {
            throw syntax("expected '=' after the key '\(TOMLKeys.display(path: key.map(\.name)))', found \(found())")
        }
        advance()
        skipSpaces()
        guard let value = try parseValue(path: table.path + key.map(\.name)) else { return }
        insert(value, at: key, into: table)
    }

    /// Stores `a.b.c = value`, creating the tables `a` and `a.b` on the way; TOML lets dotted
    /// keys add only to tables that dotted keys created.
    private mutating func insert(_ value: TOMLValue, at key: [KeySegment], into table: TOMLTableBuilder) {
        var node = table
        for (position, segment) in key.dropLast().enumerated() {
            let path = table.path + key[...position].map(\.name)
            guard let slot = node.slot(segment.name) else {
                let child = TOMLTableBuilder(origin: .dotted, path: path, location: segment.location)
                node.add(segment.name, at: segment.location, .table(child))
                node = child
                continue
            }
            switch slot.content {
            case .table(let child) where child.origin == .dotted:
                node = child
            case .table(let child):
                diagnostics.append(
                    ConfigDiagnostics.cannotExtend(
                        path, firstLine: child.location.line, why: "it is a [table]; put the key under its header",
                        at: segment.location))
                return
            case .value(let existing):
                diagnostics.append(
                    conflict(with: existing, definedAt: slot.keyLocation, path: path, at: segment.location))
                return
            }
        }
        let last = key[key.count - 1]
        if let existing = node.slot(last.name) {
            diagnostics.append(
                ConfigDiagnostics.duplicate(
                    key: table.path + key.map(\.name), firstLine: existing.keyLocation.line, at: last.location))
            return
        }
        node.add(last.name, at: last.location, .value(value))
    }

    /// A header or dotted key that goes through `path`, which already holds a value.
    private func conflict(
        with existing: TOMLValue, definedAt first: SourceLocation, path: [String], at location: SourceLocation
    ) -> Diagnostic {
        existing.table != nil
            ? ConfigDiagnostics.cannotExtend(
                path, firstLine: first.line, why: "it is an inline table, which is closed at its '}'", at: location)
            : ConfigDiagnostics.duplicate(key: path, firstLine: first.line, at: location)
    }

    // MARK: Keys

    private mutating func parseKey() throws -> [KeySegment] {
        var segments: [KeySegment] = []
        while true {
            skipSpaces()
            segments.append(try parseSimpleKey())
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return segments }
            advance()
        }
    }

    private mutating func parseSimpleKey() throws -> KeySegment {
        let start = location
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if peek(1) == peek(), peek(2) == peek() {
                throw syntax("a key can't be a multi-line string")
            }
            let name = peek() == UInt8(ascii: "\"") ? try parseBasicString() : try parseLiteralString()
            return KeySegment(name: name, location: start)
        default:
            let from = index
            while let byte = peek(), TOMLKeys.isBareKeyByte(byte) { advance() }
            guard index > from else {
                throw syntax("expected a key, found \(found())")
            }
            return KeySegment(name: String(decoding: bytes[from..<index], as: UTF8.self), location: start)
        }
    }

    // MARK: Values

    /// Parses one value; `nil` means an unsupported construct that was reported and skipped.
    private mutating func parseValue(path: [String]) throws -> TOMLValue? {
        let start = location
        guard let byte = peek() else {
            throw syntax("expected a value, found the end of the file")
        }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if peek(1) == byte, peek(2) == byte {
                try skipMultilineString(quote: byte)
                return nil
            }
            let text = byte == UInt8(ascii: "\"") ? try parseBasicString() : try parseLiteralString()
            return TOMLValue(.string(text), at: start)
        case UInt8(ascii: "["):
            return try parseArray(path: path)
        case UInt8(ascii: "{"):
            return try parseInlineTable(path: path)
        default:
            return try parseBareValue(path: path)
        }
    }

    private mutating func parseArray(path: [String]) throws -> TOMLValue {
        let start = location
        advance()
        var values: [TOMLValue] = []
        while true {
            skipBlankLines()
            if peek() == UInt8(ascii: "]") { break }
            if let value = try parseValue(path: path) { values.append(value) }
            skipBlankLines()
            if peek() == UInt8(ascii: ",") {
                advance()
                continue
            }
            if peek() == UInt8(ascii: "]") { break }
            if atEnd {
                throw syntax("unterminated array that starts on line \(start.line); add ']'", at: start)
            }
            throw syntax("expected ',' or ']' in the array, found \(found())")
        }
        advance()
        return TOMLValue(.array(values), at: start)
    }

    private mutating func parseInlineTable(path: [String]) throws -> TOMLValue {
        let start = location
        advance()
        let node = TOMLTableBuilder(origin: .inline, path: path, location: start)
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            advance()
            return TOMLValue(.table(node.freeze()), at: start)
        }
        while true {
            skipSpaces()
            if atEnd || isNewline {
                throw syntax("an inline table must be on one line; use a [table] section for longer ones")
            }
            try parseKeyValue(into: node)
            skipSpaces()
            if peek() == UInt8(ascii: ",") {
                advance()
                skipSpaces()
                if peek() == UInt8(ascii: "}") {
                    throw syntax("a trailing comma is not allowed in an inline table")
                }
                continue
            }
            if peek() == UInt8(ascii: "}") { break }
            if atEnd || isNewline {
                throw syntax("an inline table must be on one line; use a [table] section for longer ones")
            }
            throw syntax("expected ',' or '}' in the inline table, found \(found())")
        }
        advance()
        return TOMLValue(.table(node.freeze()), at: start)
    }

    /// Booleans, numbers, and (rejected) dates; anything else is a syntax error that suggests
    /// quotes, since an unquoted word is almost always a string the author meant.
    private mutating func parseBareValue(path: [String]) throws -> TOMLValue? {
        let start = location
        if looksLikeDateOrTime() {
            diagnostics.append(
                ConfigDiagnostics.unsupported(
                    "dates and times are", hint: "quote the value to make it a string", at: start))
            skipDateOrTime()
            return nil
        }
        let from = index
        while let byte = peek(), TOMLKeys.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
        {
            advance()
        }
        let token = String(decoding: bytes[from..<index], as: UTF8.self)
        switch token {
        case "": throw syntax("expected a value, found \(found())")
        case "true": return TOMLValue(.boolean(true), at: start)
        case "false": return TOMLValue(.boolean(false), at: start)
        case "inf", "+inf": return TOMLValue(.float(.infinity), at: start)
        case "-inf": return TOMLValue(.float(-.infinity), at: start)
        case "nan", "+nan", "-nan": return TOMLValue(.float(.nan), at: start)
        default: break
        }
        let unsigned = token.drop { $0 == "+" || $0 == "-" }
        guard let first = unsigned.first, first.isASCII, first.isNumber else {
            var end = index
            while end < bytes.count, !" \t\r\n#,]}".utf8.contains(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[from..<end], as: UTF8.self)
            throw syntax(
                "expected a value, found '\(word)'; text must be quoted, as in \(TOMLKeys.quoted(word))", at: start)
        }
        switch TOMLNumbers.parse(token) {
        case .integer(let value): return TOMLValue(.integer(value), at: start)
        case .float(let value): return TOMLValue(.float(value), at: start)
        case .overflow:
            diagnostics.append(
                ConfigDiagnostics.invalid(
                    TOMLKeys.display(path: path), "\(token) does not fit in a 64-bit integer", at: start))
            return nil
        case .invalid(let why):
            throw syntax("invalid number '\(token)': \(why)", at: start)
        }
    }

    private func looksLikeDateOrTime() -> Bool {
        func digits(_ count: Int) -> Bool {
            (0..<count).allSatisfy { peek($0).map(isDigit) ?? false }
        }
        return (digits(4) && peek(4) == UInt8(ascii: "-")) || (digits(2) && peek(2) == UInt8(ascii: ":"))
    }

    /// Skips `1979-05-27`, `07:32:00`, `1979-05-27T07:32:00.5-07:00` and the space-separated
    /// `1979-05-27 07:32:00Z`.
    private mutating func skipDateOrTime() {
        func skipToken() {
            while let byte = peek(), TOMLKeys.isBareKeyByte(byte) || ":.+".utf8.contains(byte) { advance() }
        }
        skipToken()
        if peek() == UInt8(ascii: " "), peek(1).map(isDigit) == true, peek(2).map(isDigit) == true,
            peek(3) == UInt8(ascii: ":")
        {
            advance()
            skipToken()
        }
    }

    private mutating func skipMultilineString(quote: UInt8) throws {
        let start = location
        diagnostics.append(
            ConfigDiagnostics.unsupported(
                "multi-line strings are", hint: "write the value on one line, with \\n for line breaks", at: start))
        for _ in 0..<3 { advance() }
        while let byte = peek() {
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                advance()
                advance()
                continue
            }
            if byte == quote, peek(1) == quote, peek(2) == quote {
                for _ in 0..<3 { advance() }
                // Up to two more quotes belong to the content, as TOML allows.
                for _ in 0..<2 where peek() == quote { advance() }
                return
            }
            advance()
        }
        throw syntax("unterminated multi-line string that starts on line \(start.line)", at: start)
    }

    // MARK: Strings

    private mutating func parseBasicString() throws -> String {
        let start = location
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), !isNewline else {
                throw syntax("unterminated string; add the closing '\"' on the same line", at: start)
            }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x00..<0x20 where byte != UInt8(ascii: "\t"), 0x7F:
                throw syntax("control character in a string; write it as an escape such as \\t or \\u0000")
            default:
                out.append(byte)
                advance()
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws {
        let start = location
        advance()
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C,
        ]
        guard let byte = peek() else { throw syntax("unterminated string", at: start) }
        if let replacement = simple[byte] {
            out.append(replacement)
            advance()
            return
        }
        let length = byte == UInt8(ascii: "u") ? 4 : byte == UInt8(ascii: "U") ? 8 : 0
        guard length > 0 else {
            throw syntax(
                "invalid escape '\\\(found().dropFirst().dropLast())' in a string; write '\\\\' for a backslash",
                at: start)
        }
        advance()
        var value: UInt32 = 0
        for _ in 0..<length {
            guard let digit = peek().flatMap(hexValue) else {
                throw syntax(
                    "a \\\(Character(Unicode.Scalar(byte))) escape needs \(length) hexadecimal digits", at: start)
            }
            value = value * 16 + UInt32(digit)
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw syntax(
                "the escape is not a Unicode scalar value (surrogates and values above 10FFFF are not)", at: start)
        }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func parseLiteralString() throws -> String {
        let start = location
        advance()
        let from = index
        while true {
            guard let byte = peek(), !isNewline else {
                throw syntax("unterminated string; add the closing \"'\" on the same line", at: start)
            }
            if byte == UInt8(ascii: "'") { break }
            if (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F {
                throw syntax("control character in a literal string")
            }
            advance()
        }
        let text = String(decoding: bytes[from..<index], as: UTF8.self)
        advance()
        return text
    }

    /// Records MZ100 and returns the error that unwinds the parser; used as `throw syntax(...)`.
    mutating func syntax(_ message: String, at location: SourceLocation? = nil) -> Stop {
        diagnostics.append(ConfigDiagnostics.syntax(message, at: location ?? self.location))
        return Stop()
    }
}
