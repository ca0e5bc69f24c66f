/// The text types with a fixed shape: `date`, `datetime` and `uuid`. Each is validated, then
/// written in one spelling, so equal values share a key (docs/protocol.md, "Canonical values").
enum TemporalText {
    enum Failure: Error {
        case syntax
        /// A datetime whose UTC form falls outside the years 0001–9999.
        case range
    }

    /// `YYYY-MM-DD`, a real calendar date in the years 0001–9999; written as given.
    static func writeDate(_ text: some StringProtocol, into out: inout [UInt8]) throws(Failure) {
        var bytes = text.utf8.makeIterator()
        var fields = Fields()
        guard fields.readDate(&bytes), bytes.next() == nil else { throw .syntax }
        fields.writeDate(into: &out)
    }

    /// RFC 3339 date-time: `YYYY-MM-DD(T|t| )hh:mm:ss[.1–9 digits][Z|z|±hh:mm]`. With an offset
    /// it is written in UTC with `Z`; without one (a "naive" datetime, which Django accepts) it
    /// stays local. `T` separates; trailing zeros of the fraction are dropped.
    static func writeDateTime(_ text: some StringProtocol, into out: inout [UInt8]) throws(Failure) {
        var bytes = text.utf8.makeIterator()
        var f = Fields()
        guard f.readDate(&bytes) else { throw .syntax }
        guard let separator = bytes.next(), separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
            || separator == UInt8(ascii: " ") else { throw .syntax }
        guard let hour = Fields.twoDigits(&bytes), hour <= 23, bytes.next() == UInt8(ascii: ":"),
              let minute = Fields.twoDigits(&bytes), minute <= 59, bytes.next() == UInt8(ascii: ":"),
              let second = Fields.twoDigits(&bytes), second <= 59 else { throw .syntax }
        var fraction: [UInt8] = []
        var next = bytes.next()
        if next == UInt8(ascii: ".") {
            next = bytes.next()
            while let c = next, c >= 0x30, c <= 0x39 {
                fraction.append(c)
                next = bytes.next()
            }
            guard (1...9).contains(fraction.count) else { throw .syntax }
            while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        }
        var offsetMinutes: Int?
        switch next {
        case nil: offsetMinutes = nil
        case UInt8(ascii: "Z"), UInt8(ascii: "z"): offsetMinutes = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let h = Fields.twoDigits(&bytes), h <= 23, bytes.next() == UInt8(ascii: ":"),
                  let m = Fields.twoDigits(&bytes), m <= 59 else { throw .syntax }
            offsetMinutes = (h * 60 + m) * (next == UInt8(ascii: "-") ? -1 : 1)
        default: throw .syntax
        }
        if offsetMinutes != nil { next = bytes.next() }
        guard next == nil else { throw .syntax }

        var minuteOfDay = hour * 60 + minute - (offsetMinutes ?? 0)
        if minuteOfDay < 0 || minuteOfDay >= 1440 {
            var days = Fields.daysFromCivil(f.year, f.month, f.day)
            days += minuteOfDay < 0 ? -1 : 1
            minuteOfDay += minuteOfDay < 0 ? 1440 : -1440
            (f.year, f.month, f.day) = Fields.civilFromDays(days)
            guard (1...9999).contains(f.year) else { throw .range }
        }
        f.writeDate(into: &out)
        out.append(UInt8(ascii: "T"))
        Fields.writeTwoDigits(minuteOfDay / 60, into: &out)
        out.append(UInt8(ascii: ":"))
        Fields.writeTwoDigits(minuteOfDay % 60, into: &out)
        out.append(UInt8(ascii: ":"))
        Fields.writeTwoDigits(second, into: &out)
        if !fraction.isEmpty {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: fraction)
        }
        if offsetMinutes != nil { out.append(UInt8(ascii: "Z")) }
    }

    /// `8-4-4-4-12` hex digits in either case; written in lowercase.
    static func writeUUID(_ text: some StringProtocol, into out: inout [UInt8]) throws(Failure) {
        guard text.utf8.count == 36 else { throw .syntax }
        let start = out.count
        for (i, c) in text.utf8.enumerated() {
            switch (i, c) {
            case (8, UInt8(ascii: "-")), (13, UInt8(ascii: "-")), (18, UInt8(ascii: "-")), (23, UInt8(ascii: "-")):
                out.append(c)
            case (8, _), (13, _), (18, _), (23, _):
                out.removeSubrange(start...)
                throw .syntax
            case (_, 0x30...0x39), (_, 0x61...0x66): out.append(c)
            case (_, 0x41...0x46): out.append(c + 0x20)
            default:
                out.removeSubrange(start...)
                throw .syntax
            }
        }
    }

    private struct Fields {
        var year = 0
        var month = 0
        var day = 0

        static func twoDigits(_ bytes: inout some IteratorProtocol<UInt8>) -> Int? {
            guard let a = bytes.next(), a >= 0x30, a <= 0x39, let b = bytes.next(), b >= 0x30, b <= 0x39 else { return nil }
            return Int(a - 0x30) * 10 + Int(b - 0x30)
        }

        mutating func readDate(_ bytes: inout some IteratorProtocol<UInt8>) -> Bool {
            guard let y1 = Self.twoDigits(&bytes), let y2 = Self.twoDigits(&bytes), bytes.next() == UInt8(ascii: "-"),
                  let m = Self.twoDigits(&bytes), bytes.next() == UInt8(ascii: "-"),
                  let d = Self.twoDigits(&bytes) else { return false }
            year = y1 * 100 + y2
            month = m
            day = d
            return year >= 1 && (1...12).contains(month) && day >= 1 && day <= Self.daysIn(month, of: year)
        }

        static func daysIn(_ month: Int, of year: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
        static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
            let y = m <= 2 ? y - 1 : y
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }

        static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
        }

        static func writeTwoDigits(_ value: Int, into out: inout [UInt8]) {
            out.append(0x30 + UInt8(value / 10))
            out.append(0x30 + UInt8(value % 10))
        }

        func writeDate(into out: inout [UInt8]) {
            Self.writeTwoDigits(year / 100, into: &out)
            Self.writeTwoDigits(year % 100, into: &out)
            out.append(UInt8(ascii: "-"))
            Self.writeTwoDigits(month, into: &out)
            out.append(UInt8(ascii: "-"))
            Self.writeTwoDigits(day, into: &out)
        }
    }
}
