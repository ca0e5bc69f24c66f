import Foundation
import MizanCore

/// Shared state of one import: the document and the diagnostics so far. Checks done after
/// decoding report a JSON pointer; its position is found by walking the document only when a
/// diagnostic is made, so a valid schema pays nothing for positions.
struct DecodingContext {
    let document: JSONDocument
    var diagnostics = Diagnostics()
    /// For IR built from another format (OpenAPI): `/clients/<name>` or `/types/<name>` → the
    /// pointer of what it was made from in `document`, so validation errors point there.
    var anchors: [String: String] = [:]

    init(document: JSONDocument) {
        self.document = document
    }

    /// The position of the value at `pointer`, or of its nearest existing ancestor.
    func location(_ pointer: String) -> SourceLocation? {
        var pointer = pointer
        if !anchors.isEmpty {
            let parts = pointer.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count >= 3, let anchor = anchors["/\(parts[1])/\(parts[2].split(separator: "/").first ?? "")"] {
                pointer = anchor
            }
        }
        var node = document.root
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let segment = JSONPointer.unescape(raw)
            if let members = node.members, let member = members.first(where: { $0.key == segment }) {
                node = member.value
            } else if let elements = node.elements, let index = Int(segment), elements.indices.contains(index) {
                node = elements[index]
            } else {
                break
            }
        }
        return document.location(of: node)
    }

    mutating func error(_ code: String, _ message: String, at pointer: String) {
        diagnostics.append(.error(code, message, at: location(pointer), pointer: pointer))
    }

    mutating func error(_ code: String, _ message: String, atOffset offset: Int, pointer: String) {
        diagnostics.append(.error(code, message, at: document.location(of: offset), pointer: pointer))
    }

    mutating func warning(_ code: String, _ message: String, at pointer: String) {
        diagnostics.append(.warning(code, message, at: location(pointer), pointer: pointer))
    }

    /// Reads a JSON object whose keys are fixed by the format: reports a wrong type, duplicate
    /// keys, unknown keys (with a suggestion) and missing required keys, and returns the known
    /// members. Returns nil only when the node is not an object at all.
    mutating func fields(
        _ node: JSONNode, at pointer: String, what: String, allowed: [String], required: [String] = []
    ) -> KnownFields? {
        guard let members = node.members else {
            error(SchemaCode.wrongType, "expected \(what) to be an object, found \(node.kindName)", at: pointer)
            return nil
        }
        var result = KnownFields()
        for member in members {
            let childPointer = JSONPointer.appending(pointer, member.key)
            if !allowed.contains(member.key) {
                error(
                    SchemaCode.unknownKey,
                    "unknown key '\(member.key)' in \(what)\(Spelling.hint(for: member.key, among: allowed))",
                    atOffset: member.keyOffset, pointer: childPointer)
                continue
            }
            if result[member.key] != nil {
                error(SchemaCode.duplicateName, "key '\(member.key)' appears twice in \(what)",
                      atOffset: member.keyOffset, pointer: childPointer)
                continue
            }
            result.members.append((member.key, member.value))
        }
        for key in required where result[key] == nil {
            error(SchemaCode.missingKey, "\(what) is missing the required key '\(key)'", at: pointer)
        }
        return result
    }

    /// Reads a JSON object used as a map from names to declarations, reporting duplicate names.
    mutating func entries(_ node: JSONNode, at pointer: String, what: String) -> [(key: String, node: JSONNode, pointer: String)] {
        guard let members = node.members else {
            error(SchemaCode.wrongType, "expected \(what) to be an object, found \(node.kindName)", at: pointer)
            return []
        }
        var seen: Set<String> = []
        var result: [(key: String, node: JSONNode, pointer: String)] = []
        result.reserveCapacity(members.count)
        for member in members {
            let childPointer = JSONPointer.appending(pointer, member.key)
            guard seen.insert(member.key).inserted else {
                error(SchemaCode.duplicateName, "'\(member.key)' is declared twice in \(what)",
                      atOffset: member.keyOffset, pointer: childPointer)
                continue
            }
            result.append((member.key, member.value, childPointer))
        }
        return result
    }

    /// The elements of an optional array with their pointers; a value that is not an array is
    /// reported ("expected 'errors' to be an array, found …") and reads as empty.
    mutating func array(_ node: JSONNode?, at pointer: String, what: String, of kind: String = "an array") -> [(node: JSONNode, pointer: String)] {
        guard let node else { return [] }
        guard let elements = node.elements else {
            error(SchemaCode.wrongType, "expected \(what) to be \(kind), found \(node.kindName)", at: pointer)
            return []
        }
        return elements.enumerated().map { ($1, JSONPointer.appending(pointer, $0)) }
    }

    mutating func string(_ node: JSONNode?, at pointer: String, what: String) -> String? {
        guard let node else { return nil }
        guard let s = node.stringValue else {
            error(SchemaCode.wrongType, "expected \(what) to be a string, found \(node.kindName)", at: pointer)
            return nil
        }
        return s
    }

    mutating func bool(_ node: JSONNode?, at pointer: String, what: String) -> Bool? {
        guard let node else { return nil }
        guard let b = node.boolValue else {
            error(SchemaCode.wrongType, "expected \(what) to be true or false, found \(node.kindName)", at: pointer)
            return nil
        }
        return b
    }

    mutating func int(_ node: JSONNode?, at pointer: String, what: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let i = node.intValue else {
            error(SchemaCode.wrongType, "expected \(what) to be an integer, found \(node.kindName)", at: pointer)
            return nil
        }
        guard range.contains(i) else {
            error(SchemaCode.invalidValue,
                  "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(i)", at: pointer)
            return nil
        }
        return i
    }

    /// `"deprecated": true` or `"deprecated": "use X instead"`.
    mutating func deprecation(_ node: JSONNode?, at pointer: String) -> Deprecation? {
        guard let node else { return nil }
        switch node.value {
        case .bool(let b): return b ? Deprecation(message: nil) : nil
        case .string(let s): return Deprecation(message: s)
        default:
            error(SchemaCode.wrongType,
                  "expected 'deprecated' to be true or a message string, found \(node.kindName)", at: pointer)
            return nil
        }
    }

    mutating func literal(_ node: JSONNode, at pointer: String, what: String, allowNull: Bool) -> Literal? {
        switch node.value {
        case .string(let s): return .string(s)
        case .number(let raw): return .number(raw)
        case .bool(let b): return .bool(b)
        case .null where allowNull: return .null
        default:
            error(SchemaCode.wrongType,
                  "expected \(what) to be a string, number or boolean, found \(node.kindName)", at: pointer)
            return nil
        }
    }
}

/// The members of a format object whose keys are known, in document order. Such objects have a
/// handful of keys, so a linear search beats hashing every key of a large schema.
struct KnownFields: Sequence {
    var members: [(key: String, value: JSONNode)] = []

    subscript(key: String) -> JSONNode? {
        members.first { $0.key == key }?.value
    }

    func makeIterator() -> IndexingIterator<[(key: String, value: JSONNode)]> { members.makeIterator() }
}

/// RFC 6901 JSON pointers, built as the decoder descends.
enum JSONPointer {
    static func appending(_ pointer: String, _ key: String) -> String {
        // Byte scan: String.contains(String) goes through Foundation and dominated profiles.
        if !key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) { return pointer + "/" + key }
        return pointer + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "~")) else { return String(segment) }
        return segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    static func appending(_ pointer: String, _ index: Int) -> String { pointer + "/" + String(index) }
}
