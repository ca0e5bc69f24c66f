import Foundation
import MizanCore
import MizanProtocol
import MizanSchema
import Testing

/// Tests/Conformance/protocol-vectors.json, read with the package's own JSON parser so numbers
/// keep their exact spelling (a case marked `exact_json_numbers` depends on it).
enum VectorFile {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/protocol-vectors.json").path

    static let document: JSONNode = {
        let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
        do throws(DiagnosticsError) { return try JSONParser.parse(bytes, file: path).root } catch {
            fatalError("\(path): \(error.diagnostics.map(\.formatted).joined(separator: "\n"))")
        }
    }()

    static func cases(_ kind: String) -> [VectorCase] {
        (document[kind]?.elements ?? []).map(VectorCase.init)
    }

    /// Set MIZAN_RECORD=1 to fill in the expectations of cases that have none (write the inputs,
    /// record, then review every recorded value before committing).
    static var recording: Bool { ProcessInfo.processInfo.environment["MIZAN_RECORD"] == "1" }
}

/// One case; `description` is its name, so a failure says which case.
struct VectorCase: Sendable, CustomTestStringConvertible {
    let node: JSONNode

    init(_ node: JSONNode) { self.node = node }

    var testDescription: String { node["name"]?.stringValue ?? "?" }
    subscript(key: String) -> JSONNode? { node[key] }

    /// The `params` specs in the manifest's shape.
    var specs: [ParamSpec] {
        (node["params"]?.elements ?? []).map { p in
            ParamSpec(
                name: p["name"]?.stringValue ?? "", type: WireType(rawValue: p["type"]?.stringValue ?? "") ?? .json,
                list: p["list"]?.boolValue ?? false, required: p["required"]?.boolValue ?? false,
                enumValues: p["enum"]?.elements?.map(VectorJSON.text))
        }
    }

    /// `text` (a string, or an array of occurrences) and `json` inputs, gathered as a request's.
    func collect(into collector: inout ParamCollector) throws(ParamError) {
        for member in node["text"]?.members ?? [] {
            for occurrence in member.value.elements ?? [member.value] {
                try collector.add(text: occurrence.stringValue ?? "", named: member.key)
            }
        }
        for member in node["json"]?.members ?? [] {
            try collector.add(json: member.value, named: member.key)
        }
    }
}

/// Writes JSON as the vector file is laid out: one line per case, `", "` and `": "` between
/// items, non-ASCII escaped so invisible characters stay visible, numbers as written.
enum VectorJSON {
    static func text(_ node: JSONNode) -> String {
        var out = ""
        write(node, into: &out)
        return out
    }

    static func write(_ node: JSONNode, into out: inout String) {
        switch node.value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let raw): out += raw
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += ", " }
                write(e, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += ", " }
                writeString(m.key, into: &out)
                out += ": "
                write(m.value, into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }

    /// The whole file, with `replacements` (case name → new case) applied in its section.
    static func file(_ document: JSONNode, replacing replacements: [String: [String: JSONNode]]) -> String {
        var lines = ["{"]
        let members = document.members ?? []
        for (i, member) in members.enumerated() {
            let comma = i < members.count - 1 ? "," : ""
            guard let cases = member.value.elements else {
                lines.append("  \(text(JSONNode(.string(member.key), offset: 0))): \(text(member.value))\(comma)")
                continue
            }
            lines.append("  \(text(JSONNode(.string(member.key), offset: 0))): [")
            for (j, c) in cases.enumerated() {
                let name = c["name"]?.stringValue ?? ""
                let written = replacements[member.key]?[name] ?? c
                lines.append("    \(text(written))\(j < cases.count - 1 ? "," : "")")
            }
            lines.append("  ]\(comma)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension JSONNode {
    static func string(_ s: String) -> JSONNode { JSONNode(.string(s), offset: 0) }
    static let null = JSONNode(.null, offset: 0)

    /// A copy with `key` set (replaced in place, or appended).
    func setting(_ key: String, to value: JSONNode) -> JSONNode {
        var members = self.members ?? []
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = value
        } else {
            members.append(.init(key: key, keyOffset: 0, value: value))
        }
        return JSONNode(.object(members), offset: offset)
    }
}
