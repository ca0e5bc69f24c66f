import Foundation
import MizanSchema

/// How OpenAPI's free-form names (operationIds, schema keys, parameter names) become the
/// identifiers the IR requires, the same way every time.
enum OpenAPINames {
    /// `listPets`, `persons_partial_update`, `Get-User ById` → `list_pets`, `persons_partial_update`,
    /// `get_user_by_id`: words split at case changes and non-alphanumerics, joined by `_`.
    static func snakeCase(_ text: String) -> String {
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        var previous: UInt8 = 0
        let bytes = Array(text.utf8)
        for (i, byte) in bytes.enumerated() {
            let isUpper = byte >= 0x41 && byte <= 0x5A
            let isLower = byte >= 0x61 && byte <= 0x7A
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isUpper || isLower || isDigit else {
                if !current.isEmpty { words.append(current); current = [] }
                previous = byte
                continue
            }
            let previousLower = (previous >= 0x61 && previous <= 0x7A) || (previous >= 0x30 && previous <= 0x39)
            let previousUpper = previous >= 0x41 && previous <= 0x5A
            let nextLower = i + 1 < bytes.count && bytes[i + 1] >= 0x61 && bytes[i + 1] <= 0x7A
            // "listPets" splits before P; "HTTPServer" splits before S (an acronym then a word).
            if isUpper, !current.isEmpty, previousLower || (previousUpper && nextLower) {
                words.append(current)
                current = []
            }
            current.append(isUpper ? byte + 0x20 : byte)
            previous = byte
        }
        if !current.isEmpty { words.append(current) }
        return words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "_")
    }

    /// A client name segment: snake_case, starting with a letter.
    static func segment(_ text: String, fallback: String) -> String {
        var s = snakeCase(text)
        if s.isEmpty { s = fallback }
        if let first = s.utf8.first, first >= 0x30 && first <= 0x39 { s = "n" + s }
        return s
    }

    /// A parameter or type name: letters, digits and `_`, not starting with a digit.
    static func identifier(_ text: String, fallback: String) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            let ok = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_")
            out.append(ok ? byte : UInt8(ascii: "_"))
        }
        var s = String(decoding: out, as: UTF8.self)
        while s.contains("__") { s = s.replacingOccurrences(of: "__", with: "_") }
        if s.hasSuffix("_") && s.count > 1 { s.removeLast() }
        if s.isEmpty || s == "_" { s = fallback }
        if let first = s.utf8.first, first >= 0x30 && first <= 0x39 { s = "_" + s }
        return s
    }

    /// A parameter name: the OpenAPI name when it is already an identifier, else snake_case.
    static func parameter(_ text: String) -> String {
        if Naming.isSchemaName(text) { return text }
        return identifier(snakeCase(text), fallback: "param")
    }
}
