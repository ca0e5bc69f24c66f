import MizanCore

/// Writes the canonical JSON of docs/protocol.md: RFC 8785 (JCS) text, byte for byte what
/// JavaScript's `JSON.stringify` writes for the same value, so the TypeScript runtime can produce
/// it without a library. Writes into a caller's buffer: one growing array per request.
enum CanonicalJSONWriter {
    /// A JSON string: `"` and `\` escaped, U+0008/9/A/C/D as `\b \t \n \f \r`, other control
    /// characters as `\u00xx` (lowercase hex), every other character as itself in UTF-8.
    static func writeString(_ s: some StringProtocol, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(0x5C); out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    /// A finite double as ECMAScript's `Number.prototype.toString` writes it: the shortest
    /// digits that round-trip, plain notation from 1e-6 up to 1e21, exponent notation (`1e+21`,
    /// `1.5e-7`) outside it; -0 as `0`. Swift's `description` already finds the shortest
    /// round-trip digits; only the layout differs, so it is re-laid here.
    static func writeNumber(_ value: Double, into out: inout [UInt8]) {
        precondition(value.isFinite, "canonical numbers are finite")
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        // Integers below 2^53 are the common case and print as their digits.
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            out.append(contentsOf: String(Int64(value)).utf8)
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // `description` is "d.ddd", "d.ddde±x" or "0.000ddd": collect the digits without leading
        // or trailing zeros and `point`, the position of the decimal point relative to them
        // (ECMAScript's n: value = 0.d1d2…dk × 10^n).
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        var exponent = 0
        var leading = true
        let text = abs(value).description.utf8
        var index = text.startIndex
        while index != text.endIndex {
            let c = text[index]
            if c == UInt8(ascii: "e") {
                exponent = Int(Substring(text[text.index(after: index)...]))!
                break
            }
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if leading && c == UInt8(ascii: "0") {
                if seenPoint { point -= 1 }
            } else {
                leading = false
                digits.append(c)
                if !seenPoint { point += 1 }
            }
            index = text.index(after: index)
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        point += exponent
        let k = digits.count
        if k <= point && point <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - k))
        } else if 0 < point && point <= 21 {
            out.append(contentsOf: digits[..<point])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[point...])
        } else if -6 < point && point <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: point - 1 >= 0 ? "+" : "-"))
            out.append(contentsOf: String(abs(point - 1)).utf8)
        }
    }

    /// Object keys in canonical order: by UTF-16 code units, as RFC 8785 and JavaScript's
    /// default `sort()` order them.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }
}
