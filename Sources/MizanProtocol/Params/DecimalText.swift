/// An exact decimal number read from text: `int` and `decimal` parameters keep every digit, so
/// they are handled as digits rather than as binary floating point.
///
/// The value is `digits × 10^exponent`, with `digits` free of leading and trailing zeros
/// (empty for zero).
struct DecimalText {
    /// The largest exponent written in a number that is expanded into digits; beyond it a
    /// short text ("1e999999999") could demand gigabytes.
    static let maximumWrittenExponent = 1000

    enum Failure: Error {
        /// Not `-?digits[.digits][(e|E)[+|-]digits]`.
        case syntax
        /// The written exponent is beyond ±1000.
        case exponentTooLarge
    }

    var negative: Bool
    var digits: ArraySlice<UInt8>
    var exponent: Int

    var isZero: Bool { digits.isEmpty }
    var isInteger: Bool { exponent >= 0 }

    /// Reads the number grammar shared by `int`, `float` and `decimal` text (JSON's, except that
    /// leading zeros are allowed: "05" is 5, as servers read it). With `integerOnly`, only
    /// `-?digits` is accepted.
    init(_ text: some StringProtocol, integerOnly: Bool = false) throws(Failure) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var i = text.utf8.startIndex
        let end = text.utf8.endIndex
        var negative = false
        if i != end, text.utf8[i] == UInt8(ascii: "-") {
            negative = true
            i = text.utf8.index(after: i)
        }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        var integerDigits = 0
        while i != end, isDigit(text.utf8[i]) {
            bytes.append(text.utf8[i])
            integerDigits += 1
            i = text.utf8.index(after: i)
        }
        guard integerDigits > 0 else { throw .syntax }
        var fractionDigits = 0
        if i != end, text.utf8[i] == UInt8(ascii: "."), !integerOnly {
            i = text.utf8.index(after: i)
            while i != end, isDigit(text.utf8[i]) {
                bytes.append(text.utf8[i])
                fractionDigits += 1
                i = text.utf8.index(after: i)
            }
            guard fractionDigits > 0 else { throw .syntax }
        }
        var written = 0
        var tooLarge = false
        if i != end, text.utf8[i] | 0x20 == UInt8(ascii: "e"), !integerOnly {
            i = text.utf8.index(after: i)
            var exponentNegative = false
            if i != end, text.utf8[i] == UInt8(ascii: "+") || text.utf8[i] == UInt8(ascii: "-") {
                exponentNegative = text.utf8[i] == UInt8(ascii: "-")
                i = text.utf8.index(after: i)
            }
            var exponentDigits = 0
            while i != end, isDigit(text.utf8[i]) {
                if !tooLarge {
                    written = written * 10 + Int(text.utf8[i] - 0x30)
                    tooLarge = written > Self.maximumWrittenExponent
                }
                exponentDigits += 1
                i = text.utf8.index(after: i)
            }
            guard exponentDigits > 0 else { throw .syntax }
            if exponentNegative { written = -written }
        }
        guard i == end else { throw .syntax }
        if tooLarge { throw .exponentTooLarge }
        var start = 0
        while start < bytes.count, bytes[start] == UInt8(ascii: "0") { start += 1 }
        var stop = bytes.count
        var exponent = written - fractionDigits
        while stop > start, bytes[stop - 1] == UInt8(ascii: "0") {
            stop -= 1
            exponent += 1
        }
        self.negative = negative && start < stop
        self.digits = bytes[start..<stop]
        self.exponent = start < stop ? exponent : 0
    }

    /// The digits of an integer value, without sign; "0" for zero. Only when `isInteger`.
    func integerDigits() -> [UInt8] {
        if isZero { return [UInt8(ascii: "0")] }
        return Array(digits) + repeatElement(UInt8(ascii: "0"), count: exponent)
    }

    /// Whether an integer's magnitude is at most 2^53 − 1, the largest integer every JSON reader
    /// (binary64) holds exactly.
    static func isSafeInteger(_ digits: [UInt8]) -> Bool {
        let limit = Array("9007199254740991".utf8)
        if digits.count != limit.count { return digits.count < limit.count }
        return !limit.lexicographicallyPrecedes(digits)
    }

    /// Plain notation without exponent, leading zeros or trailing fractional zeros: "-12.5",
    /// "0.001", "1000"; "0" for zero.
    func writePlain(into out: inout [UInt8]) {
        if isZero {
            out.append(UInt8(ascii: "0"))
            return
        }
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent >= 0 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent))
            return
        }
        let fraction = -exponent
        if fraction < digits.count {
            let split = digits.startIndex + digits.count - fraction
            out.append(contentsOf: digits[..<split])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[split...])
        } else {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: fraction - digits.count))
            out.append(contentsOf: digits)
        }
    }
}
