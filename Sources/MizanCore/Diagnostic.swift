/// A position in a source file, 1-based, as editors count (column in UTF-8 bytes).
public struct SourceLocation: Hashable, Sendable, Codable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One problem found in an input, reported as a value; only fatal problems stop a pipeline.
///
/// Printed as `file:line:col: error: message [MZ012]`, the form compilers use, so editors and CI
/// annotate the right line.
public struct Diagnostic: Hashable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case note, warning, error

        private var rank: Int {
            switch self {
            case .note: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// A stable identifier such as `MZ012`, so docs and tests can refer to the problem.
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// The JSON pointer (RFC 6901) of the offending value, when the input is JSON.
    public var pointer: String?

    public init(
        _ severity: Severity, code: String, message: String,
        location: SourceLocation? = nil, pointer: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.pointer = pointer
    }

    public static func error(
        _ code: String, _ message: String, at location: SourceLocation? = nil, pointer: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, code: code, message: message, location: location, pointer: pointer)
    }

    public static func warning(
        _ code: String, _ message: String, at location: SourceLocation? = nil, pointer: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, code: code, message: message, location: location, pointer: pointer)
    }

    /// `file:line:col: error: message [MZ012] (at /clients/books.get_book/path)`.
    public var formatted: String {
        var text = ""
        if let location {
            text += "\(location.file):\(location.line):\(location.column): "
        }
        text += "\(severity.rawValue): \(message) [\(code)]"
        if let pointer, !pointer.isEmpty {
            text += " (at \(pointer))"
        }
        return text
    }
}

/// Collects diagnostics from a stage; the caller decides whether errors are fatal.
public struct Diagnostics: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    public mutating func append(_ diagnostic: Diagnostic) { all.append(diagnostic) }
    public mutating func append(contentsOf other: [Diagnostic]) { all.append(contentsOf: other) }

    public var hasErrors: Bool { all.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { all.filter { $0.severity == .error } }

    /// Diagnostics in source order, so a report reads top to bottom like the file.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case let (l?, r?) where l != r: return l < r
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}

/// Thrown by a stage whose input is too broken to go on; carries every diagnostic found so far.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.formatted).joined(separator: "\n") }
}
