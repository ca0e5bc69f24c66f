import MizanManifest
import MizanProtocol

/// The manifest's routes, compiled once per manifest load so that matching a request is a walk
/// over path segments (docs/edge-manifest.md, "What `mizan dev` and the edge do with it").
public struct RouteTable: Sendable {
    /// One route, with everything a request to it needs prepared.
    public struct Entry: Sendable {
        public let route: EdgeManifest.Route
        let segments: [Segment]
        /// Reads and canonicalizes the client's params.
        public let reader: ParamReader
        public let context: CacheContext?
        /// What a 2xx response to this client purges (empty for reads).
        public let affects: [EdgeManifest.Invalidation]
        /// A read's key follows from its request target alone (public context, no header params),
        /// so the hit path may remember it per target (`HitKeyMemo`).
        let keyFollowsFromTarget: Bool
    }

    /// A path template segment: text, or one placeholder with optional text around it
    /// (`{id}`, `{name}.json`).
    enum Segment: Sendable, Equatable {
        case literal(String)
        case placeholder(name: String, prefix: String, suffix: String)

        var isLiteral: Bool { if case .literal = self { true } else { false } }
    }

    /// Routes by method, then by number of segments.
    private let byMethod: [String: [Int: [Entry]]]
    public let manifest: EdgeManifest
    /// Param readers of every client, for `affects` targets and `X-Mizan-Invalidate` members.
    public let readers: [String: ParamReader]
    /// The cache context of every cached client.
    let contexts: [String: CacheContext]

    public init(manifest: EdgeManifest) {
        self.manifest = manifest
        let affects = Dictionary(manifest.invalidation.map { ($0.client, $0.affects) }, uniquingKeysWith: { first, _ in first })
        var byMethod: [String: [Int: [Entry]]] = [:]
        var readers: [String: ParamReader] = [:]
        var contexts: [String: CacheContext] = [:]
        for route in manifest.routes {
            let reader = ParamReader(route: route)
            readers[route.client] = reader
            let context = route.cache.map { CacheContext(rawValue: $0.context) ?? .public }
            if let context { contexts[route.client] = context }
            let entry = Entry(
                route: route, segments: Self.segments(of: route.path), reader: reader, context: context,
                affects: affects[route.client] ?? [],
                keyFollowsFromTarget: context == .public && route.params.allSatisfy { $0.location == "path" || $0.location == "query" })
            byMethod[route.method, default: [:]][entry.segments.count, default: []].append(entry)
        }
        self.byMethod = byMethod
        self.readers = readers
        self.contexts = contexts
    }

    /// The route a request calls and its path params (percent-decoded), or nil when it calls none.
    /// When two templates match, the one whose first differing segment is literal wins.
    public func match(method: String, path: Substring) -> (entry: Entry, pathParams: [(name: String, value: String)])? {
        let parts = Self.split(path)
        guard let candidates = byMethod[method]?[parts.count] else { return nil }
        var best: (entry: Entry, pathParams: [(name: String, value: String)])?
        for entry in candidates {
            guard let params = Self.bind(entry.segments, to: parts) else { continue }
            if let current = best, !Self.precedes(entry.segments, current.entry.segments) { continue }
            best = (entry, params)
        }
        return best
    }

    static func precedes(_ a: [Segment], _ b: [Segment]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            return x.isLiteral && !y.isLiteral
        }
        return false
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> [(name: String, value: String)]? {
        var params: [(name: String, value: String)] = []
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part.utf8.elementsEqual(text.utf8) else { return nil }
            case .placeholder(let name, let prefix, let suffix):
                guard part.utf8.count > prefix.utf8.count + suffix.utf8.count,
                      part.hasPrefix(prefix), part.hasSuffix(suffix),
                      let value = PercentDecoding.decode(part.dropFirst(prefix.count).dropLast(suffix.count))
                else { return nil }
                params.append((name, value))
            }
        }
        return params
    }

    /// Path segments without the leading slash; `/` alone is no segments. Empty segments count,
    /// so `/books//1` matches nothing that `/books/1` matches.
    static func split(_ path: Substring) -> [Substring] {
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : path
        if trimmed.isEmpty { return [] }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }

    static func segments(of template: String) -> [Segment] {
        split(Substring(template)).map { part in
            guard let open = part.firstIndex(of: "{"), let close = part[open...].firstIndex(of: "}") else {
                return .literal(String(part))
            }
            return .placeholder(
                name: String(part[part.index(after: open)..<close]),
                prefix: String(part[..<open]), suffix: String(part[part.index(after: close)...]))
        }
    }
}

/// Percent-decoding of path segments and query strings (RFC 3986); nil when an escape is broken
/// or the bytes are not UTF-8.
enum PercentDecoding {
    static func decode(_ text: Substring, plusIsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h != utf8.endIndex, let high = hex(utf8[h]) else { return nil }
                let l = utf8.index(after: h)
                guard l != utf8.endIndex, let low = hex(utf8[l]) else { return nil }
                bytes.append(high << 4 | low)
                i = utf8.index(after: l)
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `a=1&b=2&b=3` as name and value pairs in order; nil when an escape is broken.
    static func query(_ query: Substring) -> [(name: String, value: String)]? {
        var items: [(name: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0], plusIsSpace: true),
                  let value = decode(parts.count > 1 ? parts[1] : "", plusIsSpace: true) else { return nil }
            items.append((name, value))
        }
        return items
    }
}
