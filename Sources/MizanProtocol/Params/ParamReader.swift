import MizanCore
import MizanManifest
import MizanSchema

/// A client's parameters, prepared once (per route, at manifest load) so that reading a request's
/// parameters is a lookup and a write into one buffer.
///
/// ```swift
/// var collector = reader.collector()
/// for (name, value) in queryItems { try collector.add(text: value, named: name) }
/// let params = try collector.canonicalParams()
/// ```
public struct ParamReader: Sendable {
    /// In canonical order (names by UTF-16 code units).
    public let specs: [ParamSpec]
    /// Per spec, the canonical JSON of each allowed value; nil when any value is allowed.
    let allowed: [[[UInt8]]?]
    /// Name lookup for clients with many parameters; small ones are scanned.
    private let index: [String: Int]

    public init(_ specs: [ParamSpec]) {
        let sorted = specs.sorted { CanonicalJSONWriter.precedes($0.name, $1.name) }
        self.specs = sorted
        self.allowed = sorted.map { spec in
            spec.enumValues.map { literals in
                literals.compactMap { literal -> [UInt8]? in
                    // A literal that does not read as the parameter's type can match nothing.
                    guard let node = try? JSONParser.parse(Array(literal.utf8), file: "enum").root else { return nil }
                    var out: [UInt8] = []
                    return (try? ValueReader.write(.json(node), as: spec.type, into: &out)).map { out }
                }
            }
        }
        var index: [String: Int] = [:]
        if sorted.count > 8 {
            for (i, spec) in sorted.enumerated() { index[spec.name] = i }
        }
        self.index = index
    }

    public init(route: EdgeManifest.Route) {
        self.init(route.params.map(ParamSpec.init))
    }

    /// The position in `specs` of the parameter called `name`, compared as bytes.
    public func position(of name: String) -> Int? {
        if index.isEmpty {
            return specs.firstIndex { $0.name.utf8.elementsEqual(name.utf8) }
        }
        guard let i = index[name], specs[i].name.utf8.elementsEqual(name.utf8) else { return nil }
        return i
    }

    public func collector() -> ParamCollector { ParamCollector(reader: self) }

    /// Canonical params from named wire text and JSON values, in one call.
    public func read(
        text: [(name: String, value: String)] = [], json: [(name: String, value: JSONNode)] = []
    ) throws(ParamError) -> CanonicalParams {
        var collector = collector()
        for (name, value) in text { try collector.add(text: value, named: name) }
        for (name, value) in json { try collector.add(json: value, named: name) }
        return try collector.canonicalParams()
    }
}

/// Gathers one request's parameter values, then writes their canonical form.
public struct ParamCollector: Sendable {
    enum Slot: Sendable {
        case absent
        case text(String)
        case texts([String])
        case json(JSONNode)
    }

    let reader: ParamReader
    private var slots: [Slot]

    init(reader: ParamReader) {
        self.reader = reader
        self.slots = Array(repeating: .absent, count: reader.specs.count)
    }

    /// A value from a path segment, the query string or a header (percent-decoded). A list
    /// parameter takes one element per call; any other parameter may be given once.
    public mutating func add(text value: String, named name: String) throws(ParamError) {
        let i = try position(of: name)
        switch slots[i] {
        case .absent: slots[i] = .text(value)
        case .text(let first) where reader.specs[i].list: slots[i] = .texts([first, value])
        case .texts(var values) where reader.specs[i].list:
            slots[i] = .absent
            values.append(value)
            slots[i] = .texts(values)
        default: throw repeated(i)
        }
    }

    /// A JSON value (a body field, a literal, a header parameter). A list parameter takes an
    /// array, or a single value as a one-element list. Given twice, the last value counts, as
    /// `JSON.parse` treats a key repeated in a body.
    public mutating func add(json value: JSONNode, named name: String) throws(ParamError) {
        let i = try position(of: name)
        switch slots[i] {
        case .absent, .json: slots[i] = .json(value)
        default: throw repeated(i)
        }
    }

    private func position(of name: String) throws(ParamError) -> Int {
        guard let i = reader.position(of: name) else {
            throw ParamError(param: name, kind: .unknown, message: "'\(name)' is not a parameter of this client")
        }
        return i
    }

    private func repeated(_ i: Int) -> ParamError {
        let name = reader.specs[i].name
        return ParamError(param: name, kind: .repeated, message: "parameter '\(name)' is given more than once but is not a list")
    }

    /// The canonical params of a request: every required parameter must be present.
    public func canonicalParams() throws(ParamError) -> CanonicalParams {
        try write(requireAll: true)
    }

    /// The params of a purge selector: any subset of the client's parameters.
    public func selectorParams() throws(ParamError) -> CanonicalParams {
        try write(requireAll: false)
    }

    private func write(requireAll: Bool) throws(ParamError) -> CanonicalParams {
        var out: [UInt8] = []
        out.reserveCapacity(16 * slots.count + 2)
        var members: [CanonicalParams.Member] = []
        members.reserveCapacity(slots.count)
        out.append(UInt8(ascii: "{"))
        for (i, spec) in reader.specs.enumerated() {
            if case .absent = slots[i] {
                if requireAll && spec.required {
                    throw ParamError(param: spec.name, kind: .missing, message: "required parameter '\(spec.name)' is missing")
                }
                continue
            }
            if !members.isEmpty { out.append(UInt8(ascii: ",")) }
            CanonicalJSONWriter.writeString(spec.name, into: &out)
            out.append(UInt8(ascii: ":"))
            let start = out.count
            do throws(ValueFault) {
                try writeValue(slots[i], spec: spec, allowed: reader.allowed[i], into: &out)
            } catch {
                let what = spec.list ? "list of \(spec.type.rawValue)" : spec.type.rawValue
                throw ParamError(param: spec.name, kind: error.kind, message: "parameter '\(spec.name)' (\(what)): \(error.problem)")
            }
            members.append(.init(name: spec.name, value: start..<out.count))
        }
        out.append(UInt8(ascii: "}"))
        return CanonicalParams(bytes: out, members: members)
    }

    private func writeValue(_ slot: Slot, spec: ParamSpec, allowed: [[UInt8]]?, into out: inout [UInt8]) throws(ValueFault) {
        switch slot {
        case .absent:
            preconditionFailure("absent parameters are skipped")
        case .text(let text):
            if spec.list { out.append(UInt8(ascii: "[")) }
            try writeElement(.text(text), spec: spec, allowed: allowed, into: &out)
            if spec.list { out.append(UInt8(ascii: "]")) }
        case .texts(let texts):
            out.append(UInt8(ascii: "["))
            for (i, text) in texts.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try writeElement(.text(text), spec: spec, allowed: allowed, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .json(let node):
            if node.isNull {
                out.append(contentsOf: "null".utf8)
            } else if spec.list, let elements = node.elements {
                out.append(UInt8(ascii: "["))
                for (i, element) in elements.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    try writeElement(.json(element), spec: spec, allowed: allowed, into: &out)
                }
                out.append(UInt8(ascii: "]"))
            } else if spec.list {
                // A lone value for a list goes on the wire as a one-element list.
                out.append(UInt8(ascii: "["))
                try writeElement(.json(node), spec: spec, allowed: allowed, into: &out)
                out.append(UInt8(ascii: "]"))
            } else {
                try writeElement(.json(node), spec: spec, allowed: allowed, into: &out)
            }
        }
    }

    private func writeElement(_ raw: RawValue, spec: ParamSpec, allowed: [[UInt8]]?, into out: inout [UInt8]) throws(ValueFault) {
        let start = out.count
        try ValueReader.write(raw, as: spec.type, into: &out)
        guard let allowed else { return }
        let written = out[start...]
        if written.elementsEqual("null".utf8) { return }  // null is always allowed: the manifest does not say nullable
        if !allowed.contains(where: { $0.elementsEqual(written) }) {
            let values = spec.enumValues?.joined(separator: ", ") ?? ""
            throw ValueFault(kind: .enum, problem: "\(String(decoding: written, as: UTF8.self)) is not one of \(values)")
        }
    }
}
