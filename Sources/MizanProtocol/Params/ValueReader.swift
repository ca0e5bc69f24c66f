import MizanCore
import MizanSchema

/// One value as it arrived: wire text (a path segment, a query value, a header, percent-decoded)
/// or a JSON value (a body field, a literal, an `X-Mizan-Invalidate` parameter). The two differ
/// only for `json` parameters, whose text is JSON to be parsed.
enum RawValue {
    case text(String)
    case json(JSONNode)
}

/// Why one value does not read; the parameter-level caller adds the parameter's name.
struct ValueFault: Error {
    var kind: ParamError.Kind
    /// "\"abc\" is not an integer": the value and what is wrong with it.
    var problem: String
}

/// Reads one value (never null, never a list) as a wire type and writes its canonical JSON
/// (docs/protocol.md, "Canonical values").
enum ValueReader {
    /// JSON values nested deeper than this are refused, here and in the TypeScript runtime.
    static let maximumDepth = 64

    static func write(_ raw: RawValue, as type: WireType, into out: inout [UInt8]) throws(ValueFault) {
        switch (type, raw) {
        case (.json, .text(let text)): try writeJSONText(text, into: &out)
        case (.json, .json(let node)): try writeJSON(node, depth: 1, into: &out)
        case (_, .text(let text)): try writeText(text, as: type, into: &out)
        case (_, .json(let node)):
            switch node.value {
            case .string(let text): try writeText(text, as: type, into: &out)
            case .number(let number): try writeNumber(number, as: type, into: &out)
            case .bool(let b): try writeBool(b, as: type, into: &out)
            case .array: throw ValueFault(kind: .type, problem: "an array is not a single \(type.rawValue)")
            case .object: throw ValueFault(kind: .type, problem: "an object is not a \(type.rawValue)")
            case .null: out.append(contentsOf: "null".utf8)
            }
        }
    }

    // MARK: Text (and JSON strings)

    private static func writeText(_ text: String, as type: WireType, into out: inout [UInt8]) throws(ValueFault) {
        switch type {
        case .string:
            CanonicalJSONWriter.writeString(nfc(text), into: &out)
        case .int:
            if writeShortInteger(text, into: &out) { return }
            let number: DecimalText
            do { number = try DecimalText(text, integerOnly: true) } catch {
                throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not an integer")
            }
            writeInteger(number, into: &out)
        case .float:
            // The grammar is DecimalText's; a float's exponent has no limit (it overflows to a range error).
            do { _ = try DecimalText(text) } catch {
                if case .syntax = error { throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not a number") }
            }
            try writeFloat(Double(text) ?? .nan, text: text, into: &out)
        case .decimal:
            try writeDecimal(text, into: &out)
        case .bool:
            switch text {
            case "true", "1": out.append(contentsOf: "true".utf8)
            case "false", "0": out.append(contentsOf: "false".utf8)
            default: throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not true, false, 1 or 0")
            }
        case .date:
            out.append(UInt8(ascii: "\""))
            do { try TemporalText.writeDate(text, into: &out) } catch {
                throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not a date (YYYY-MM-DD)")
            }
            out.append(UInt8(ascii: "\""))
        case .datetime:
            out.append(UInt8(ascii: "\""))
            do { try TemporalText.writeDateTime(text, into: &out) } catch {
                switch error {
                case .syntax: throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not an RFC 3339 datetime")
                case .range: throw ValueFault(kind: .range, problem: "\(ParamError.quote(text)) falls outside the years 0001-9999 in UTC")
                }
            }
            out.append(UInt8(ascii: "\""))
        case .uuid:
            out.append(UInt8(ascii: "\""))
            do { try TemporalText.writeUUID(text, into: &out) } catch {
                throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not a UUID")
            }
            out.append(UInt8(ascii: "\""))
        case .json:
            try writeJSONText(text, into: &out)
        }
    }

    /// NFC, with the common case (every scalar below U+0300, where nothing composes) untouched.
    ///
    /// The standard library's normalizer (the one `String` comparison uses) rather than
    /// Foundation's `precomposedStringWithCanonicalMapping`, which on Linux misorders combining
    /// marks. The standard library's has one gap: the four characters whose decomposition starts
    /// with a non-starter (U+0344, U+0F73, U+0F75, U+0F81) are not reordered among the marks
    /// before them. They never recompose (composition exclusions), so they are decomposed here
    /// first; the result then agrees with JavaScript's `normalize("NFC")` (conformance vectors
    /// and a test cover this).
    static func nfc(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0xCC }) { return text }
        var input = text
        if text.unicodeScalars.contains(where: { nonStarterDecompositions[$0] != nil }) {
            var scalars = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                scalars.append(contentsOf: nonStarterDecompositions[scalar] ?? [scalar])
            }
            input = String(scalars)
        }
        return String(decoding: Array(input._nfcCodeUnits), as: UTF8.self)
    }

    /// Unicode's Non_Starter_Decomposition characters and their canonical decompositions.
    private static let nonStarterDecompositions: [Unicode.Scalar: [Unicode.Scalar]] = [
        "\u{0344}": ["\u{0308}", "\u{0301}"],
        "\u{0F73}": ["\u{0F71}", "\u{0F72}"],
        "\u{0F75}": ["\u{0F71}", "\u{0F74}"],
        "\u{0F81}": ["\u{0F71}", "\u{0F80}"],
    ]

    /// `-?[0-9]{1,15}`, the usual id or page number (always below 2^53), written without
    /// allocating; false for anything else, which takes the general path.
    private static func writeShortInteger(_ text: String, into out: inout [UInt8]) -> Bool {
        let utf8 = text.utf8
        let negative = utf8.first == UInt8(ascii: "-")
        guard utf8.count > (negative ? 1 : 0), utf8.count <= (negative ? 16 : 15) else { return false }
        var seenNonZero = false
        let start = out.count
        for c in utf8.dropFirst(negative ? 1 : 0) {
            guard c >= 0x30, c <= 0x39 else {
                out.removeSubrange(start...)
                return false
            }
            if c == 0x30 && !seenNonZero { continue }
            if !seenNonZero && negative { out.append(UInt8(ascii: "-")) }
            seenNonZero = true
            out.append(c)
        }
        if !seenNonZero { out.append(UInt8(ascii: "0")) }
        return true
    }

    /// An integer: a JSON number up to 2^53 − 1 in magnitude, a JSON string of its digits beyond.
    private static func writeInteger(_ number: DecimalText, into out: inout [UInt8]) {
        let digits = number.integerDigits()
        let safe = DecimalText.isSafeInteger(digits)
        if !safe { out.append(UInt8(ascii: "\"")) }
        if number.negative { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits)
        if !safe { out.append(UInt8(ascii: "\"")) }
    }

    private static func writeFloat(_ value: Double, text: String, into out: inout [UInt8]) throws(ValueFault) {
        guard value.isFinite else {
            throw ValueFault(kind: .range, problem: "\(ParamError.quote(text)) is beyond the range of a float")
        }
        CanonicalJSONWriter.writeNumber(value, into: &out)
    }

    private static func writeDecimal(_ text: String, into out: inout [UInt8]) throws(ValueFault) {
        let number: DecimalText
        do { number = try DecimalText(text) } catch {
            switch error {
            case .syntax: throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not a decimal number")
            case .exponentTooLarge: throw ValueFault(kind: .range, problem: "\(ParamError.quote(text)) has an exponent beyond ±1000")
            }
        }
        out.append(UInt8(ascii: "\""))
        number.writePlain(into: &out)
        out.append(UInt8(ascii: "\""))
    }

    // MARK: JSON numbers and booleans

    /// `text` is a JSON number as written (exact: big integers keep their digits).
    private static func writeNumber(_ text: String, as type: WireType, into out: inout [UInt8]) throws(ValueFault) {
        switch type {
        case .int, .bool:
            let number: DecimalText
            do { number = try DecimalText(text) } catch {
                throw ValueFault(kind: .range, problem: "\(text) has an exponent beyond ±1000")
            }
            guard number.isInteger else {
                throw ValueFault(kind: .type, problem: "\(text) is not an integer")
            }
            if type == .int { return writeInteger(number, into: &out) }
            // A boolean may arrive as 0 or 1, as Python and pydantic accept it.
            guard number.isZero || (!number.negative && number.exponent == 0 && number.digits.elementsEqual([UInt8(ascii: "1")])) else {
                throw ValueFault(kind: .type, problem: "\(text) is not true, false, 1 or 0")
            }
            out.append(contentsOf: (number.isZero ? "false" : "true").utf8)
        case .float:
            try writeFloat(Double(text) ?? .nan, text: text, into: &out)
        case .decimal:
            try writeDecimal(text, into: &out)
        case .string:
            // A query string cannot tell 5 from "5"; JSON's 5 is the text JavaScript would send.
            guard let value = Double(text), value.isFinite else {
                throw ValueFault(kind: .range, problem: "\(text) is beyond the range of a float")
            }
            out.append(UInt8(ascii: "\""))
            CanonicalJSONWriter.writeNumber(value, into: &out)
            out.append(UInt8(ascii: "\""))
        case .date, .datetime, .uuid:
            throw ValueFault(kind: .type, problem: "the number \(text) is not a \(type.rawValue)")
        case .json:
            preconditionFailure("json values are written by writeJSON")
        }
    }

    private static func writeBool(_ value: Bool, as type: WireType, into out: inout [UInt8]) throws(ValueFault) {
        switch type {
        case .bool: out.append(contentsOf: (value ? "true" : "false").utf8)
        case .string: out.append(contentsOf: (value ? "\"true\"" : "\"false\"").utf8)
        default: throw ValueFault(kind: .type, problem: "\(value) is not a\(type == .int ? "n" : "") \(type.rawValue)")
        }
    }

    // MARK: json

    private static func writeJSONText(_ text: String, into out: inout [UInt8]) throws(ValueFault) {
        // JSON.parse refuses a byte order mark; so does the protocol, so both runtimes agree.
        if text.utf8.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not JSON (it starts with a byte order mark)")
        }
        let document: JSONDocument
        do { document = try JSONParser.parse(Array(text.utf8), file: "") } catch {
            throw ValueFault(kind: .type, problem: "\(ParamError.quote(text)) is not JSON")
        }
        try writeJSON(document.root, depth: 1, into: &out)
    }

    /// RFC 8785: numbers as binary64 in ECMAScript form, keys sorted by UTF-16 code units, a key
    /// given twice taken from its last occurrence (as `JSON.parse` does), strings as they are.
    static func writeJSON(_ node: JSONNode, depth: Int, into out: inout [UInt8]) throws(ValueFault) {
        switch node.value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .string(let s): CanonicalJSONWriter.writeString(s, into: &out)
        case .number(let text):
            guard let value = Double(text), value.isFinite else {
                throw ValueFault(kind: .range, problem: "\(text) is beyond the range of a JSON number (binary64)")
            }
            CanonicalJSONWriter.writeNumber(value, into: &out)
        case .array(let elements):
            guard depth <= maximumDepth else { throw tooDeep() }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try writeJSON(element, depth: depth + 1, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard depth <= maximumDepth else { throw tooDeep() }
            // Equal keys sort later occurrence first, so the first of each run is the one kept.
            // Keys compare by code units: Swift's == would equate NFC and NFD spellings.
            let order = members.indices.sorted { a, b in
                let ka = members[a].key, kb = members[b].key
                if ka.utf16.elementsEqual(kb.utf16) { return a > b }
                return CanonicalJSONWriter.precedes(ka, kb)
            }
            out.append(UInt8(ascii: "{"))
            var previous: String?
            for index in order {
                let member = members[index]
                if let previous, previous.utf16.elementsEqual(member.key.utf16) { continue }
                if previous != nil { out.append(UInt8(ascii: ",")) }
                previous = member.key
                CanonicalJSONWriter.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                try writeJSON(member.value, depth: depth + 1, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func tooDeep() -> ValueFault {
        ValueFault(kind: .range, problem: "the value is nested deeper than \(maximumDepth) levels")
    }
}
