import Foundation
import MizanSchema

/// Renders IR types and docs as TypeScript source fragments. Kept apart from the templates
/// because type expressions are recursive, which Mustache expresses poorly.
struct TypeScriptNames {
    let schema: Schema
    /// Prefix for named types: "" inside types.ts, "T." where types are imported as a namespace.
    let typePrefix: String

    func type(_ ref: TypeRef) -> String {
        switch ref {
        case .primitive(let p):
            switch p {
            case .string, .date, .datetime, .uuid, .decimal: return "string"
            case .int, .float: return "number"
            case .bool: return "boolean"
            case .any: return "unknown"
            case .binary: return "Blob"
            }
        case .named(let name):
            return typePrefix + (schema.type(named: name)?.tsName ?? Naming.pascalCase(name))
        case .list(let inner):
            let element = type(inner)
            return needsParentheses(inner) ? "(\(element))[]" : "\(element)[]"
        case .map(let inner):
            // An index signature, not Record<>, so recursive maps are valid in every TS version.
            return "{ [key: string]: \(type(inner)) }"
        case .nullable(let inner):
            if case .nullable = inner { return type(inner) }
            return "\(type(inner)) | null"
        case .literal(let literal):
            return literal.jsonText
        case .union(let variants):
            return variants.map(type).joined(separator: " | ")
        case .tuple(let items):
            return "[" + items.map(type).joined(separator: ", ") + "]"
        }
    }

    private func needsParentheses(_ ref: TypeRef) -> Bool {
        switch ref {
        case .nullable, .union: true
        default: false
        }
    }

    /// A TSDoc block for `doc` and `deprecation`, indented, ending in a newline; "" when neither.
    static func docComment(_ doc: String?, deprecation: Deprecation? = nil, extra: [String] = [], indent: String = "") -> String {
        var lines: [String] = []
        if let doc, !doc.isEmpty {
            lines += doc.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        }
        lines += extra
        if let deprecation {
            lines.append("@deprecated" + (deprecation.message.map { " " + $0 } ?? ""))
        }
        // Trailing blank lines read as noise in editors' hover cards.
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        if lines.isEmpty { return "" }
        // A "*/" inside a doc would end the comment early.
        let safe = lines.map { endsComment($0) ? $0.replacingOccurrences(of: "*/", with: "*\\/") : $0 }
        if safe.count == 1 { return "\(indent)/** \(safe[0]) */\n" }
        return "\(indent)/**\n" + safe.map { $0.isEmpty ? "\(indent) *\n" : "\(indent) * \($0)\n" }.joined() + "\(indent) */\n"
    }

    private static func endsComment(_ line: String) -> Bool {
        var previous: UInt8 = 0
        for byte in line.utf8 {
            if previous == UInt8(ascii: "*") && byte == UInt8(ascii: "/") { return true }
            previous = byte
        }
        return false
    }
}
