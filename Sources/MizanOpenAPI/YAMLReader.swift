import MizanCore
import Yams

/// Reads YAML into the same positioned `JSONNode` tree the JSON parser makes, so the importer
/// and its diagnostics work the same on both.
///
/// Scalars are typed by the YAML 1.2 core schema, not Yams's default YAML 1.1 resolver: an
/// unquoted `no` or `on` stays a string (OpenAPI enums are full of them), and typing with a
/// byte check instead of regular expressions keeps a 3 MB description fast.
enum YAMLReader {
    static let invalidYAML = "MZ200"

    static func parse(_ bytes: [UInt8], file: String) throws(DiagnosticsError) -> JSONDocument {
        let lines = bytes.withUnsafeBufferPointer { LineTable(file: file, bytes: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text, Resolver.basic)
        } catch let error as YamlError {
            throw DiagnosticsError([.error(invalidYAML, "invalid YAML: \(describe(error))", at: location(of: error, lines: lines))])
        } catch {
            throw DiagnosticsError([.error(invalidYAML, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let node else {
            throw DiagnosticsError([.error(invalidYAML, "the file holds no YAML document", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        return JSONDocument(root: convert(node, lines: lines), lines: lines)
    }

    private static func offset(_ mark: Mark?, _ lines: LineTable) -> Int {
        guard let mark else { return 0 }
        return lines.offset(line: mark.line, column: mark.column)
    }

    static func convert(_ node: Node, lines: LineTable) -> JSONNode {
        let at = offset(node.mark, lines)
        switch node {
        case .scalar(let scalar):
            return JSONNode(scalarValue(scalar), offset: at)
        case .mapping(let mapping):
            var members: [JSONNode.Member] = []
            members.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let name = key.scalar?.string ?? String(describing: key)
                members.append(JSONNode.Member(key: name, keyOffset: offset(key.mark, lines), value: convert(value, lines: lines)))
            }
            return JSONNode(.object(members), offset: at)
        case .sequence(let sequence):
            return JSONNode(.array(sequence.map { convert($0, lines: lines) }), offset: at)
        case .alias:
            return JSONNode(.null, offset: at)
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar) -> JSONNode.Value {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if isJSONNumber(text) { return .number(text.first == "+" ? String(text.dropFirst()) : text) }
        return .string(text)
    }

    /// The JSON number grammar (with an optional leading '+', as YAML allows).
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            var n = 0
            while let b = bytes.first, b >= 0x30, b <= 0x39 { bytes = bytes.dropFirst(); n += 1 }
            return n
        }
        guard let first = bytes.first, first >= 0x30, first <= 0x39 else { return false }
        if first == 0x30 { bytes = bytes.dropFirst() } else { _ = digits() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // "while scanning a quoted scalar" is found where the file ends; say where it began.
            var opening = context?.text ?? ""
            if let context, !opening.isEmpty, context.mark.line != mark.line {
                opening += " (from line \(context.mark.line), column \(context.mark.column))"
            }
            return [opening, problem].filter { !$0.isEmpty }.joined(separator: ": ")
        case .duplicatedKeysInMapping(let duplicates, _):
            // Yams's own description quotes the whole document.
            return "a mapping repeats the key" + (duplicates.count == 1 ? " " : "s ") + duplicates.map { "'\($0)'" }.joined(separator: ", ")
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "\(error)"
        }
    }

    private static func location(of error: YamlError, lines: LineTable) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: lines.file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: lines.file, line: context.mark.line, column: context.mark.column)
        case .reader(_, let offset?, _, let yaml):
            // A character offset: count lines, and UTF-8 bytes on the last one, as editors do.
            let before = yaml.prefix(offset)
            let line = before.utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let column = (before.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).last?.count ?? 0) + 1
            return SourceLocation(file: lines.file, line: line, column: column)
        default:
            return SourceLocation(file: lines.file, line: 1, column: 1)
        }
    }
}
