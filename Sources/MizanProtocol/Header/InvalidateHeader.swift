import MizanCore

/// `X-Mizan-Invalidate`: a response header from the backend naming what to purge, as an RFC 8941
/// List — `"books.get_book";id=5, "books.list_books"` (docs/protocol.md, "X-Mizan-Invalidate").
///
/// A focused parser rather than a dependency: only Lists of Strings and Tokens with bare-item
/// parameters mean anything here, and every error must say where it is (`offset`, 0-based, in
/// bytes; the header is ASCII up to the first error, so this is also the TypeScript runtime's
/// offset in UTF-16 code units).
public enum InvalidateHeader {
    public static let name = "X-Mizan-Invalidate"

    /// One list member: a client and the parameter values that narrow it.
    public struct Member: Sendable, Equatable {
        public var client: String
        /// In order of first appearance; a repeated key keeps its first position and last value.
        public var params: [(name: String, value: Value)]

        public init(client: String, params: [(name: String, value: Value)] = []) {
            self.client = client
            self.params = params
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.client == rhs.client && lhs.params.elementsEqual(rhs.params) { $0.name == $1.name && $0.value == $1.value }
        }
    }

    /// An RFC 8941 bare item, of the kinds the header allows as parameter values.
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        /// As written, with leading zeros of the integer part removed: "3.25", "-0.5".
        case decimal(String)
        case string(String)
        case token(String)
        case boolean(Bool)

        /// The JSON value it stands for when read as a parameter (docs/protocol.md): numbers as
        /// numbers, strings and tokens as strings, booleans as booleans.
        public var json: JSONNode {
            switch self {
            case .integer(let i): JSONNode(.number(String(i)), offset: 0)
            case .decimal(let text): JSONNode(.number(text), offset: 0)
            case .string(let s), .token(let s): JSONNode(.string(s), offset: 0)
            case .boolean(let b): JSONNode(.bool(b), offset: 0)
            }
        }
    }

    /// The header is honoured only on a response to an unsafe method (not GET, HEAD, OPTIONS,
    /// TRACE) with a 2xx or 3xx status: a read must never purge, nor a failed write.
    public static func applies(method: String, status: Int) -> Bool {
        let safe = ["GET", "HEAD", "OPTIONS", "TRACE"].contains(method.uppercased())
        return !safe && (200...399).contains(status)
    }

    /// Parses the whole field value (several header lines joined with ", ", as HTTP does). An
    /// empty or all-space value is an empty list.
    public static func parse(_ value: String) throws(InvalidateHeaderError) -> [Member] {
        var parser = Parser(bytes: Array(value.utf8))
        return try parser.list()
    }
}

/// Why `X-Mizan-Invalidate` was rejected, and where. A rejected header purges nothing; the dev
/// server logs the message and passes the response on.
public struct InvalidateHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `kind` strings are the ones the conformance vectors use.
    public enum Kind: String, Sendable {
        case unexpectedEnd = "unexpected-end"
        case unexpectedCharacter = "unexpected-character"
        case expectedClient = "expected-client"
        case emptyClient = "empty-client"
        case innerList = "inner-list"
        case byteSequence = "byte-sequence"
        case expectedComma = "expected-comma"
        case trailingComma = "trailing-comma"
        case expectedKey = "expected-key"
        case unterminatedString = "unterminated-string"
        case invalidEscape = "invalid-escape"
        case invalidStringCharacter = "invalid-string-character"
        case expectedDigit = "expected-digit"
        case integerTooLong = "integer-too-long"
        case decimalTooLong = "decimal-too-long"
        case decimalTrailingDot = "decimal-trailing-dot"
        case invalidBoolean = "invalid-boolean"
    }

    public var kind: Kind
    /// 0-based byte offset of the fault.
    public var offset: Int
    public var problem: String

    public var description: String { "invalid X-Mizan-Invalidate header at offset \(offset): \(problem)" }
}

private struct Parser {
    let bytes: [UInt8]
    var pos = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The byte at `pos`, or nil at the end.
    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    func fail(_ kind: InvalidateHeaderError.Kind, _ problem: String, at offset: Int? = nil) -> InvalidateHeaderError {
        InvalidateHeaderError(kind: kind, offset: offset ?? pos, problem: problem)
    }

    mutating func skip(tabs: Bool) {
        while let c = peek, c == 0x20 || (tabs && c == 0x09) { pos += 1 }
    }

    static func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    static func isTokenStart(_ c: UInt8?) -> Bool { c.map { isAlpha($0) || $0 == UInt8(ascii: "*") } ?? false }
    /// tchar, ":" and "/" (RFC 8941 §3.3.4).
    static func isTokenChar(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        if isAlpha(c) || isDigit(c) { return true }
        return Array("!#$%&'*+-.^_`|~:/".utf8).contains(c)
    }
    static func isKeyStart(_ c: UInt8?) -> Bool { c.map { ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "*") } ?? false }
    static func isKeyChar(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return (c >= 0x61 && c <= 0x7A) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "*")
    }

    mutating func span(_ allowed: (UInt8?) -> Bool) -> String {
        let start = pos
        while allowed(peek) { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    mutating func list() throws(InvalidateHeaderError) -> [InvalidateHeader.Member] {
        var members: [InvalidateHeader.Member] = []
        skip(tabs: false)
        while pos < bytes.count {
            members.append(try member())
            skip(tabs: true)
            if pos >= bytes.count { break }
            guard peek == UInt8(ascii: ",") else { throw fail(.expectedComma, "expected \",\" between list members") }
            pos += 1
            skip(tabs: true)
            if pos >= bytes.count { throw fail(.trailingComma, "trailing comma") }
        }
        return members
    }

    mutating func member() throws(InvalidateHeaderError) -> InvalidateHeader.Member {
        let start = pos
        if peek == UInt8(ascii: "(") { throw fail(.innerList, "inner lists are not supported") }
        guard peek == UInt8(ascii: "\"") || Self.isTokenStart(peek) else {
            throw fail(.expectedClient, "expected a client name (string or token)")
        }
        let client: String
        switch try bareItem() {
        case .string(let s), .token(let s): client = s
        default: preconditionFailure("a string or token was checked for")
        }
        if client.isEmpty { throw fail(.emptyClient, "empty client name", at: start) }
        var member = InvalidateHeader.Member(client: client)
        while peek == UInt8(ascii: ";") {
            pos += 1
            skip(tabs: false)
            guard Self.isKeyStart(peek) else { throw fail(.expectedKey, "expected a parameter name (lowercase letter or *)") }
            let key = span(Self.isKeyChar)
            var value = InvalidateHeader.Value.boolean(true)  // a bare key means true
            if peek == UInt8(ascii: "=") {
                pos += 1
                value = try bareItem()
            }
            if let i = member.params.firstIndex(where: { $0.name == key }) {
                member.params[i].value = value  // RFC 8941: a repeated key overwrites
            } else {
                member.params.append((key, value))
            }
        }
        return member
    }

    mutating func bareItem() throws(InvalidateHeaderError) -> InvalidateHeader.Value {
        let c = peek
        if c == UInt8(ascii: "-") || Self.isDigit(c) { return try number() }
        if c == UInt8(ascii: "\"") { return .string(try string()) }
        if Self.isTokenStart(c) {
            pos += 1
            let rest = span(Self.isTokenChar)
            return .token(String(decoding: [c!], as: UTF8.self) + rest)
        }
        if c == UInt8(ascii: "?") {
            let digit = pos + 1 < bytes.count ? bytes[pos + 1] : nil
            guard digit == UInt8(ascii: "0") || digit == UInt8(ascii: "1") else {
                throw fail(.invalidBoolean, "a boolean is ?0 or ?1", at: pos + 1)
            }
            pos += 2
            return .boolean(digit == UInt8(ascii: "1"))
        }
        if c == UInt8(ascii: ":") { throw fail(.byteSequence, "byte sequences are not supported") }
        guard let c else { throw fail(.unexpectedEnd, "unexpected end of header") }
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16, uppercase: true))"
        throw fail(.unexpectedCharacter, "unexpected character \(shown)")
    }

    mutating func number() throws(InvalidateHeaderError) -> InvalidateHeader.Value {
        let start = pos
        let negative = peek == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard Self.isDigit(peek) else { throw fail(.expectedDigit, "expected a digit") }
        let whole = span(Self.isDigit)
        if peek == UInt8(ascii: ".") {
            if whole.utf8.count > 12 { throw fail(.decimalTooLong, "more than 12 integer digits in a decimal", at: start) }
            pos += 1
            let fraction = span(Self.isDigit)
            if fraction.isEmpty { throw fail(.decimalTrailingDot, "decimal ends with a dot", at: pos - 1) }
            if fraction.utf8.count > 3 { throw fail(.decimalTooLong, "more than 3 fractional digits", at: start) }
            return .decimal((negative ? "-" : "") + String(Int64(whole)!) + "." + fraction)
        }
        if whole.utf8.count > 15 { throw fail(.integerTooLong, "integer longer than 15 digits", at: start) }
        return .integer((negative ? -1 : 1) * Int64(whole)!)
    }

    mutating func string() throws(InvalidateHeaderError) -> String {
        var out: [UInt8] = []
        pos += 1  // opening quote
        while true {
            guard let c = peek else { throw fail(.unterminatedString, "unterminated string") }
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                pos += 1
                guard let escaped = peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw fail(.invalidEscape, "only \\\" and \\\\ may be escaped", at: pos - 1)
                }
                out.append(escaped)
            } else if c < 0x20 || c > 0x7E {
                throw fail(.invalidStringCharacter, "strings may hold only printable ASCII")
            } else {
                out.append(c)
            }
            pos += 1
        }
        pos += 1  // closing quote
        return String(decoding: out, as: UTF8.self)
    }
}
