import MizanCore

/// A parsed TOML value together with where it was written.
///
/// Every value keeps its `SourceLocation` so that a problem found later, when the document is
/// checked against the mizan.toml schema, can point at the exact line and column; this is the
/// reason we parse TOML ourselves instead of using a library that drops positions.
package struct TOMLValue: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    package var kind: Kind
    /// Where the value starts: its first character, or the `[` of a table header.
    package var location: SourceLocation

    package init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The TOML type as a user would name it, with an article, for "found a string" messages.
    package var typeDescription: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }

    package var string: String? {
        if case .string(let value) = kind { value } else { nil }
    }

    package var integer: Int? {
        if case .integer(let value) = kind { value } else { nil }
    }

    package var table: TOMLTable? {
        if case .table(let value) = kind { value } else { nil }
    }

    package var array: [TOMLValue]? {
        if case .array(let value) = kind { value } else { nil }
    }
}

/// One `key = value` (or sub-table) of a table, with the location of the key itself, which is
/// where "unknown key" and "duplicate key" errors point.
package struct TOMLEntry: Sendable, Equatable {
    package var key: String
    package var keyLocation: SourceLocation
    package var value: TOMLValue
}

/// A TOML table: its entries in the order they were first written.
package struct TOMLTable: Sendable, Equatable {
    package var entries: [TOMLEntry]

    package init(entries: [TOMLEntry] = []) {
        self.entries = entries
    }

    package subscript(key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    package var keys: [String] { entries.map(\.key) }
}

/// A whole mizan.toml: the root table and the name of the file it came from.
package struct TOMLDocument: Sendable, Equatable {
    package var file: String
    package var root: TOMLTable

    /// Parses `text`; see `TOMLParser` for the subset of TOML that mizan.toml accepts.
    ///
    /// Always returns a document (possibly partial, when a syntax error stopped the parser) so
    /// that the caller can still report schema problems in the part that was read.
    package static func parse(_ text: String, file: String) -> (document: TOMLDocument, diagnostics: [Diagnostic]) {
        var parser = TOMLParser(text, file: file)
        let root = parser.parseDocument()
        return (TOMLDocument(file: file, root: root), parser.diagnostics)
    }
}

extension TOMLValue: CustomStringConvertible {
    /// The value written back in TOML syntax, for messages and debugging.
    package var description: String {
        switch kind {
        case .string(let text): TOMLKeys.quoted(text)
        case .integer(let value): String(value)
        case .float(let value):
            value.isNaN ? "nan" : value.isInfinite ? (value < 0 ? "-inf" : "inf") : String(value)
        case .boolean(let value): String(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .table(let table):
            "{ " + table.entries.map { "\(TOMLKeys.display($0.key)) = \($0.value)" }.joined(separator: ", ") + " }"
        }
    }
}

/// Spelling of keys in messages: bare when TOML allows it, quoted otherwise.
package enum TOMLKeys {
    package static func isBare(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy(isBareKeyByte)
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    package static func display(_ key: String) -> String {
        isBare(key) ? key : quoted(key)
    }

    /// A dotted path such as `dev.port` or `codegen."my key"`.
    package static func display(path: [String]) -> String {
        path.map { display($0) }.joined(separator: ".")
    }

    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
