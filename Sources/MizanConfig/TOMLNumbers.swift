/// TOML 1.0 integer and float literals, checked as strictly as the spec is: `_` only between
/// digits, no leading zeros, no sign on `0x`/`0o`/`0b`, a digit on both sides of the `.`.
enum TOMLNumbers {
    enum Parsed: Equatable {
        case integer(Int)
        case float(Double)
        case overflow
        case invalid(String)
    }

    static func parse(_ token: String) -> Parsed {
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.hasPrefix(prefix) {
            let digits = token.dropFirst(2)
            guard hasValidUnderscores(digits, radix: radix) else {
                return .invalid("expected base-\(radix) digits after '\(prefix)', with '_' only between digits")
            }
            guard let value = Int(digits.filter { $0 != "_" }, radix: radix) else { return .overflow }
            return .integer(value)
        }
        var unsigned = Substring(token)
        if unsigned.first == "+" || unsigned.first == "-" { unsigned = unsigned.dropFirst() }

        if let exponentIndex = unsigned.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mantissa = unsigned[..<exponentIndex]
            var exponent = unsigned[unsigned.index(after: exponentIndex)...]
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            if let problem = mantissaProblem(mantissa) { return .invalid(problem) }
            guard hasValidUnderscores(exponent, radix: 10) else {
                return .invalid("the exponent needs digits, with '_' only between digits")
            }
            return float(token)
        }
        if unsigned.contains(".") {
            if let problem = mantissaProblem(unsigned) { return .invalid(problem) }
            return float(token)
        }
        if let problem = integerPartProblem(unsigned) { return .invalid(problem) }
        guard let value = Int(token.filter { $0 != "_" && $0 != "+" }) else { return .overflow }
        return .integer(value)
    }

    private static func float(_ token: String) -> Parsed {
        guard let value = Double(token.filter { $0 != "_" }) else {
            return .invalid("not a valid float")
        }
        return .float(value)
    }

    private static func mantissaProblem(_ mantissa: Substring) -> String? {
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        if let problem = integerPartProblem(parts[0]) { return problem }
        guard parts.count <= 2 else { return "a number has at most one '.'" }
        if parts.count == 2, !hasValidUnderscores(parts[1], radix: 10) {
            return "a '.' must have digits on both sides"
        }
        return nil
    }

    private static func integerPartProblem(_ digits: Substring) -> String? {
        guard hasValidUnderscores(digits, radix: 10) else {
            return digits.contains("_") ? "'_' is allowed only between digits" : "expected digits"
        }
        if digits.count > 1, digits.first == "0" { return "leading zeros are not allowed" }
        return nil
    }

    /// Non-empty, only digits of `radix` and `_`, and every `_` between two digits.
    private static func hasValidUnderscores(_ digits: Substring, radix: Int) -> Bool {
        let characters = Array(digits)
        guard !characters.isEmpty else { return false }
        for (offset, character) in characters.enumerated() {
            if character == "_" {
                guard offset > 0, offset < characters.count - 1,
                    characters[offset - 1] != "_", characters[offset + 1] != "_"
                else { return false }
            } else if !(character.isASCII && character.isHexDigit && Int(String(character), radix: radix) != nil) {
                return false
            }
        }
        return true
    }
}
