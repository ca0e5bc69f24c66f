/// A JSON value that remembers where it came from, so every later stage can point at the exact
/// line and column of a problem. Foundation's `JSONSerialization` forgets positions and silently
/// drops duplicate keys; both matter for a schema's diagnostics.
public struct JSONNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number exactly as written, so a canonical form and big integers lose nothing.
        case number(String)
        case string(String)
        case array([JSONNode])
        /// Members in document order; duplicates are kept so a caller can report them.
        case object([Member])
    }

    public struct Member: Sendable {
        public var key: String
        public var keyOffset: Int
        public var value: JSONNode

        public init(key: String, keyOffset: Int, value: JSONNode) {
            self.key = key
            self.keyOffset = keyOffset
            self.value = value
        }
    }

    public var value: Value
    /// Byte offset of the value's first character in the source.
    public var offset: Int

    public init(_ value: Value, offset: Int) {
        self.value = value
        self.offset = offset
    }

    /// A short name for the value's JSON type, for messages ("expected an object, found a string").
    public var kindName: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    public var members: [Member]? {
        if case .object(let m) = value { return m }
        return nil
    }

    public var elements: [JSONNode]? {
        if case .array(let e) = value { return e }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    /// The value as an integer when it is written as one (no fraction, no exponent) and fits.
    public var intValue: Int? {
        if case .number(let raw) = value { return Int(raw) }
        return nil
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The first member with this key.
    public subscript(key: String) -> JSONNode? {
        members?.first { $0.key == key }?.value
    }
}

/// A parsed JSON document together with what is needed to turn offsets into locations.
public struct JSONDocument: Sendable {
    public var root: JSONNode
    public var lines: LineTable

    public init(root: JSONNode, lines: LineTable) {
        self.root = root
        self.lines = lines
    }

    public func location(of offset: Int) -> SourceLocation { lines.location(of: offset) }
    public func location(of node: JSONNode) -> SourceLocation { lines.location(of: node.offset) }
}

/// Maps byte offsets to 1-based line and column numbers with a binary search over line starts.
public struct LineTable: Sendable {
    public var file: String
    private var lineStarts: [Int]

    public init(file: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.file = file
        var starts = [0]
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(i + 1)
        }
        self.lineStarts = starts
    }

    /// The byte offset of a 1-based line and column (columns counted as bytes).
    public func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return 0 }
        return lineStarts[line - 1] + max(0, column - 1)
    }

    public func location(of offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(file: file, line: low + 1, column: offset - lineStarts[low] + 1)
    }
}

/// Why a JSON text could not be parsed, and where.
public struct JSONSyntaxError: Error, Sendable {
    public var message: String
    public var offset: Int
}

/// A strict RFC 8259 parser over UTF-8 bytes that records offsets; it rejects what JSON rejects
/// (trailing commas, comments, NaN, lone surrogates, invalid UTF-8) with a precise position.
public struct JSONParser: ~Copyable {
    /// Deep nesting is never meaningful in a schema and would overflow the stack.
    public static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses a whole document; `file` only names the source in locations.
    public static func parse(_ data: [UInt8], file: String) throws(DiagnosticsError) -> JSONDocument {
        try data.withUnsafeBufferPointer { buffer throws(DiagnosticsError) -> JSONDocument in
            let lines = LineTable(file: file, bytes: buffer)
            var parser = JSONParser(bytes: buffer)
            do throws(JSONSyntaxError) {
                let root = try parser.parseDocument()
                return JSONDocument(root: root, lines: lines)
            } catch {
                let diagnostic = Diagnostic.error(
                    "MZ001", "invalid JSON: \(error.message)", at: lines.location(of: error.offset))
                throw DiagnosticsError([diagnostic])
            }
        }
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        // A UTF-8 byte order mark is tolerated, as editors on Windows write one.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        if position >= bytes.count {
            throw JSONSyntaxError(message: "the file is empty; expected a JSON object", offset: position)
        }
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count {
            throw JSONSyntaxError(
                message: "unexpected \(describe(position)) after the end of the document", offset: position)
        }
        return value
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func describe(_ offset: Int) -> String {
        guard offset < bytes.count else { return "end of file" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        guard position < bytes.count else {
            throw JSONSyntaxError(message: "unexpected end of file; expected a value", offset: position)
        }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return JSONNode(.string(try parseString()), offset: start)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(.bool(true), offset: start)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(.bool(false), offset: start)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(.null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw JSONSyntaxError(message: "unexpected \(describe(position)); expected a value", offset: position)
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let start = position
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else {
            throw JSONSyntaxError(message: "unexpected end of file in '\(word)'", offset: start)
        }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] {
            throw JSONSyntaxError(message: "invalid literal; expected '\(word)'", offset: start)
        }
        position += count
    }

    private mutating func enter(_ offset: Int) throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw JSONSyntaxError(message: "nesting deeper than \(Self.maximumDepth) levels", offset: offset)
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONNode {
        let start = position
        try enter(start)
        defer { depth -= 1 }
        position += 1
        var members: [JSONNode.Member] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return JSONNode(.object(members), offset: start)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw unclosed("object", start)
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw JSONSyntaxError(
                    message: "unexpected \(describe(position)); expected a quoted key", offset: position)
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count else { throw unclosed("object", start) }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw JSONSyntaxError(
                    message: "unexpected \(describe(position)); expected ':' after key \"\(key)\"", offset: position)
            }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONNode.Member(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            guard position < bytes.count else { throw unclosed("object", start) }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    throw JSONSyntaxError(message: "trailing comma before '}'", offset: position)
                }
            case UInt8(ascii: "}"):
                position += 1
                return JSONNode(.object(members), offset: start)
            default:
                throw JSONSyntaxError(
                    message: "unexpected \(describe(position)); expected ',' or '}'", offset: position)
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONNode {
        let start = position
        try enter(start)
        defer { depth -= 1 }
        position += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return JSONNode(.array(elements), offset: start)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw unclosed("array", start) }
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw unclosed("array", start) }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    throw JSONSyntaxError(message: "trailing comma before ']'", offset: position)
                }
            case UInt8(ascii: "]"):
                position += 1
                return JSONNode(.array(elements), offset: start)
            default:
                throw JSONSyntaxError(
                    message: "unexpected \(describe(position)); expected ',' or ']'", offset: position)
            }
        }
    }

    private func unclosed(_ what: String, _ start: Int) -> JSONSyntaxError {
        let opener = LineTable(file: "", bytes: UnsafeBufferPointer(rebasing: bytes[0..<start])).location(of: start)
        return JSONSyntaxError(
            message: "unexpected end of file; the \(what) opened at line \(opener.line), column \(opener.column) is not closed",
            offset: position)
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNode {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits(_ p: inout Int) -> Int {
            let s = p
            while p < bytes.count, bytes[p] >= 0x30, bytes[p] <= 0x39 { p += 1 }
            return p - s
        }
        guard position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 else {
            throw JSONSyntaxError(message: "invalid number: expected a digit", offset: position)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                throw JSONSyntaxError(message: "invalid number: leading zeros are not allowed", offset: start)
            }
        } else {
            _ = digits(&position)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            if digits(&position) == 0 {
                throw JSONSyntaxError(message: "invalid number: expected a digit after '.'", offset: position)
            }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            if digits(&position) == 0 {
                throw JSONSyntaxError(message: "invalid number: expected a digit in the exponent", offset: position)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return JSONNode(.number(text), offset: start)
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1
        let contentStart = position
        // Fast path: no escapes and only ASCII or valid UTF-8, which is nearly every schema string.
        var sawEscape = false
        var sawNonASCII = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                sawEscape = true
                position += 2
                continue
            }
            if byte < 0x20 {
                throw JSONSyntaxError(
                    message: "control character 0x\(String(byte, radix: 16)) in a string; escape it", offset: position)
            }
            if byte >= 0x80 { sawNonASCII = true }
            position += 1
        }
        guard position < bytes.count else {
            throw JSONSyntaxError(message: "unexpected end of file in a string that starts here", offset: start)
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[contentStart..<position])
        position += 1
        if sawNonASCII, let bad = Self.firstInvalidUTF8(raw) {
            throw JSONSyntaxError(message: "invalid UTF-8 in a string", offset: contentStart + bad)
        }
        if !sawEscape { return String(decoding: raw, as: UTF8.self) }
        return try unescape(raw, base: contentStart)
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>, base: Int) throws(JSONSyntaxError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) throws(JSONSyntaxError) -> UInt32 {
            guard at + 4 <= raw.count else {
                throw JSONSyntaxError(message: "incomplete \\u escape", offset: base + at)
            }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = raw[at + k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw JSONSyntaxError(message: "invalid hex digit in \\u escape", offset: base + at + k)
                }
                v = v * 16 + d
            }
            return v
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < raw.count else {
                throw JSONSyntaxError(message: "incomplete escape", offset: base + i)
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") else {
                        throw JSONSyntaxError(message: "lone high surrogate in \\u escape", offset: base + i - 6)
                    }
                    let low = try hex4(i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONSyntaxError(message: "invalid low surrogate in \\u escape", offset: base + i)
                    }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONSyntaxError(message: "lone low surrogate in \\u escape", offset: base + i - 6)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw JSONSyntaxError(message: "invalid escape '\\\(Character(Unicode.Scalar(e)))'", offset: base + i - 2)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The offset of the first byte that breaks UTF-8, or nil when the bytes are valid.
    public static func firstInvalidUTF8(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < raw.count {
            let b = raw[i]
            let length: Int
            switch b {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return i
            }
            guard i + length <= raw.count else { return i }
            for k in 1..<length where raw[i + k] & 0xC0 != 0x80 { return i }
            let b1 = raw[i + 1]
            if b == 0xE0 && b1 < 0xA0 { return i }  // overlong
            if b == 0xED && b1 > 0x9F { return i }  // surrogate
            if b == 0xF0 && b1 < 0x90 { return i }  // overlong
            if b == 0xF4 && b1 > 0x8F { return i }  // above U+10FFFF
            i += length
        }
        return nil
    }
}
