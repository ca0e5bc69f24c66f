import MizanCore
import MizanSchema

/// A parameter set in canonical form (docs/protocol.md, "Canonical parameters"): one JSON object,
/// names in UTF-16 order, each value in its type's one spelling. Equal parameter sets have equal
/// bytes whatever order or spelling they arrived in, so keys, metadata and purge matching all
/// compare bytes.
///
/// Also the params of a purge selector, which are a subset of a client's parameters in the same
/// form.
public struct CanonicalParams: Sendable, Hashable, CustomStringConvertible {
    /// The canonical JSON object, UTF-8.
    public let bytes: [UInt8]
    /// Each parameter's name and where its value lies in `bytes`, in canonical order.
    private let members: [Member]

    struct Member: Sendable {
        var name: String
        var value: Range<Int>
    }

    init(bytes: [UInt8], members: [Member]) {
        self.bytes = bytes
        self.members = members
    }

    /// No parameters: `{}`.
    public static let empty = CanonicalParams(bytes: Array("{}".utf8), members: [])

    /// Reads canonical params back from stored JSON (metadata, a management API request),
    /// writing them again so that bytes from anywhere compare equal exactly when the sets do.
    /// Values are taken as already canonical: each is rewritten as RFC 8785 JSON.
    public init(canonicalJSON bytes: [UInt8]) throws(ParamError) {
        let document: JSONDocument
        do { document = try JSONParser.parse(bytes, file: "params") } catch {
            throw ParamError(param: "", kind: .type, message: "canonical params are not JSON: \(error.diagnostics.first?.message ?? "")")
        }
        try self.init(canonicalJSON: document.root)
    }

    public init(canonicalJSON node: JSONNode) throws(ParamError) {
        guard let members = node.members else {
            throw ParamError(param: "", kind: .type, message: "canonical params must be a JSON object, not \(node.kindName)")
        }
        let specs = members.map { ParamSpec(name: $0.key, type: .json) }
        var collector = ParamReader(specs).collector()
        for member in members { try collector.add(json: member.value, named: member.key) }
        self = try collector.canonicalParams()
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    /// Parameter names in canonical order.
    public var names: [String] { members.map(\.name) }

    /// The canonical JSON of one parameter's value, or nil when it is absent.
    public subscript(name: String) -> ArraySlice<UInt8>? {
        for member in members where member.name.utf8.elementsEqual(name.utf8) {
            return bytes[member.value]
        }
        return nil
    }

    /// Every parameter of `subset` is here with the same canonical value: how a selector's params
    /// select an entry.
    public func contains(_ subset: CanonicalParams) -> Bool {
        subset.members.allSatisfy { wanted in
            guard let have = self[wanted.name] else { return false }
            return have.elementsEqual(subset.bytes[wanted.value])
        }
    }

    public static func == (lhs: CanonicalParams, rhs: CanonicalParams) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
