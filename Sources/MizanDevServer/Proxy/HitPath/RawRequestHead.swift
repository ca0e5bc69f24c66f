import NIOCore

/// The head of an HTTP/1.1 request read straight from the socket's bytes, for the hit path
/// (`CacheHitFront`), which answers before NIO's HTTP decoder sees them.
///
/// The parser is deliberately narrower than the decoder behind it: it accepts only heads whose
/// framing is beyond doubt — CRLF line ends, token methods and names, no obs-fold, at most one
/// `Content-Length` field, no `Transfer-Encoding` — so wherever it says "this request ends here", the
/// decoder would say the same. Anything else is `.unframeable`, and the connection's bytes go to
/// the decoder from then on (no two parsers may disagree on where a request ends: that is how
/// requests are smuggled).
struct RawRequestHead {
    enum Method { case get, head, other }

    /// Longer heads go to the decoder, whose limits are larger.
    static let maxLength = 16 * 1024

    var method: Method
    /// The request target as sent (`/api/books/1?x=2`).
    var target: String
    var isHTTP11: Bool
    /// Bytes up to and including the blank line.
    var length: Int
    var contentLength: Int
    /// `Connection: close`/`upgrade`, `Expect`, or HTTP/1.0: the responder deals with those.
    var wantsResponder: Bool
    /// The client expects the connection closed after the response: HTTP/1.0 without
    /// `Connection: keep-alive` (HTTP types, and so the responder, do not know the version).
    var closesAfterResponse: Bool
    /// The target has bytes a strict parser might refuse (`"`, `<`, `\`, `{`…), or is not
    /// origin-form: the decoder and the responder decide about it.
    var unusualTarget: Bool
    /// The head's bytes and each field's name and value offsets within them.
    private var bytes: ByteBuffer
    private var fields: [(name: Range<Int>, value: Range<Int>)]

    enum Parse {
        /// More bytes are needed.
        case incomplete
        /// Not a head this parser frames; hand the connection to the decoder.
        case unframeable
        case head(RawRequestHead)
    }

    /// Values of the fields named `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        var found: [String] = []
        for field in fields where field.name.count == name.utf8.count {
            let matches = bytes.withUnsafeReadableBytes { raw in
                zip(raw[field.name], name.utf8).allSatisfy { lowercased($0) == lowercased($1) }
            }
            if matches, let value = bytes.getString(at: bytes.readerIndex + field.value.lowerBound, length: field.value.count) {
                found.append(value)
            }
        }
        return found
    }

    /// Reads one request head from the start of `buffer` (which is not consumed).
    static func parse(_ buffer: ByteBuffer) -> Parse {
        buffer.withUnsafeReadableBytes { raw in parse(raw, buffer: buffer) }
    }

    private static func parse(_ p: UnsafeRawBufferPointer, buffer: ByteBuffer) -> Parse {
        let n = min(p.count, maxLength)
        // Out of bytes: wait for more, unless the head is already longer than we frame.
        var short: Parse { p.count >= maxLength ? .unframeable : .incomplete }
        var i = 0

        // Request line: method SP target SP HTTP-version CRLF.
        while i < n, isTokenByte(p[i]) { i += 1 }
        guard i < n else { return short }
        guard i > 0, p[i] == UInt8(ascii: " ") else { return .unframeable }
        let method: Method =
            if i == 3, p[0] == UInt8(ascii: "G"), p[1] == UInt8(ascii: "E"), p[2] == UInt8(ascii: "T") { .get }
            else if i == 4, p[0] == UInt8(ascii: "H"), p[1] == UInt8(ascii: "E"), p[2] == UInt8(ascii: "A"), p[3] == UInt8(ascii: "D") { .head }
            else { .other }
        i += 1
        let targetStart = i
        var unusualTarget = p[i...].first != UInt8(ascii: "/")
        while i < n, p[i] > 0x20, p[i] < 0x7F {
            if !isPlainTargetByte(p[i]) { unusualTarget = true }
            i += 1
        }
        guard i < n else { return short }
        guard i > targetStart, p[i] == UInt8(ascii: " ") else { return .unframeable }
        let targetEnd = i
        i += 1
        guard n - i >= 10 else { return short }
        let version = UnsafeRawBufferPointer(rebasing: p[i..<(i + 10)])
        let isHTTP11: Bool
        if version.elementsEqual("HTTP/1.1\r\n".utf8) {
            isHTTP11 = true
        } else if version.elementsEqual("HTTP/1.0\r\n".utf8) {
            isHTTP11 = false
        } else {
            return .unframeable
        }
        i += 10

        // Fields: name ":" OWS value OWS CRLF, until an empty line.
        var fields: [(name: Range<Int>, value: Range<Int>)] = []
        var contentLength: Int?
        var wantsResponder = !isHTTP11
        var keepAlive = isHTTP11
        while true {
            guard i + 1 < n else { return short }
            if p[i] == UInt8(ascii: "\r") {
                guard p[i + 1] == UInt8(ascii: "\n") else { return .unframeable }
                i += 2
                break
            }
            let nameStart = i
            while i < n, isTokenByte(p[i]) { i += 1 }
            guard i < n else { return short }
            // An empty name, a space before the colon, or obs-fold (a line starting with space).
            guard i > nameStart, p[i] == UInt8(ascii: ":") else { return .unframeable }
            let name = nameStart..<i
            i += 1
            while i < n, p[i] == UInt8(ascii: " ") || p[i] == UInt8(ascii: "\t") { i += 1 }
            let valueStart = i
            while i < n, p[i] != UInt8(ascii: "\r") {
                guard p[i] == UInt8(ascii: "\t") || (p[i] >= 0x20 && p[i] != 0x7F) else { return .unframeable }
                i += 1
            }
            guard i + 1 < n else { return short }
            guard p[i + 1] == UInt8(ascii: "\n") else { return .unframeable }
            var valueEnd = i
            while valueEnd > valueStart, p[valueEnd - 1] == UInt8(ascii: " ") || p[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
            i += 2
            let value = UnsafeRawBufferPointer(rebasing: p[valueStart..<valueEnd])
            switch classify(UnsafeRawBufferPointer(rebasing: p[name])) {
            case .contentLength:
                guard let length = decimal(value), contentLength == nil else { return .unframeable }
                contentLength = length
            case .transferEncoding, .upgrade:
                return .unframeable
            case .connection:
                if containsToken(value, "close") || containsToken(value, "upgrade") { wantsResponder = true }
                if containsToken(value, "keep-alive") { keepAlive = true }
                if containsToken(value, "close") { keepAlive = false }
            case .expect:
                wantsResponder = true
            case .other:
                break
            }
            fields.append((name, valueStart..<valueEnd))
        }
        return .head(RawRequestHead(
            method: method,
            target: String(decoding: UnsafeRawBufferPointer(rebasing: p[targetStart..<targetEnd]), as: UTF8.self),
            isHTTP11: isHTTP11, length: i, contentLength: contentLength ?? 0, wantsResponder: wantsResponder,
            closesAfterResponse: !keepAlive,
            unusualTarget: unusualTarget, bytes: buffer.getSlice(at: buffer.readerIndex, length: i)!, fields: fields))
    }

    private enum FieldKind { case contentLength, transferEncoding, connection, upgrade, expect, other }

    private static func classify(_ name: UnsafeRawBufferPointer) -> FieldKind {
        func named(_ text: StaticString) -> Bool {
            name.count == text.utf8CodeUnitCount
                && zip(name, UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)).allSatisfy { lowercased($0) == $1 }
        }
        switch name.count {
        case 14 where named("content-length"): return .contentLength
        case 17 where named("transfer-encoding"): return .transferEncoding
        case 10 where named("connection"): return .connection
        case 7 where named("upgrade"): return .upgrade
        case 6 where named("expect"): return .expect
        default: return .other
        }
    }

    /// A non-negative decimal of at most 18 digits (so it cannot overflow); nil otherwise.
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether the comma-separated list `value` has `token` (lowercase) as one of its members.
    private static func containsToken(_ value: UnsafeRawBufferPointer, _ token: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        for member in value.split(separator: UInt8(ascii: ",")) {
            var trimmed = member[...]
            while let first = trimmed.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { trimmed = trimmed.dropFirst() }
            while let last = trimmed.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { trimmed = trimmed.dropLast() }
            if trimmed.count == wanted.count, zip(trimmed, wanted).allSatisfy({ lowercased($0) == $1 }) { return true }
        }
        return false
    }

    /// RFC 9110 §5.6.2 tchar. (A switch the compiler turns into a range check and a bit test:
    /// a table in a static array paid a lazy-initialization check on every byte.)
    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Bytes RFC 3986 allows in a path and query, plus `%`.
    @inline(__always) private static func isPlainTargetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"),
             UInt8(ascii: "?"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }
}

@inline(__always) private func lowercased(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}
