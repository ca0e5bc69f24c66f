import MizanCore

/// A data read that a stored response depends on (a rendered page's `X-Mizan-Deps`): purging
/// that data purges the response too.
public struct Dependency: Sendable, Hashable, Codable {
    public var client: String
    public var params: CanonicalParams

    public init(client: String, params: CanonicalParams) {
        self.client = client
        self.params = params
    }
}

/// The record stored with every entry (docs/protocol.md, "Metadata record"), version 1. Stores
/// keep it as JSON next to the body and answer listings, purges and stats from it alone.
/// Times are milliseconds since the Unix epoch.
public struct EntryMetadata: Sendable, Hashable, Codable {
    public static let currentVersion = 1

    public var key: CacheKey
    public var client: String
    public var params: CanonicalParams
    public var context: CacheContext
    /// The caller's id for `user` and `session` entries; nil for `public`.
    public var caller: CallerID?
    public var status: Int
    public var contentType: String?
    /// The response headers replayed with the body (`StoredHeaders.select`), in upstream order.
    public var headers: [StoredHeader]
    public var created: Int64
    /// Fresh until then; stale afterwards.
    public var expires: Int64
    /// Servable while stale (revalidating) until then; gone afterwards.
    public var staleUntil: Int64
    public var etag: String
    /// Body length in bytes.
    public var size: Int
    /// Sorted, without repeats.
    public var tags: [String]
    public var deps: [Dependency]

    public init(
        key: CacheKey, client: String, params: CanonicalParams, context: CacheContext, caller: CallerID?,
        status: Int, contentType: String?, headers: [StoredHeader], created: Int64, expires: Int64, staleUntil: Int64,
        etag: String, size: Int, tags: [String] = [], deps: [Dependency] = []
    ) {
        self.key = key
        self.client = client
        self.params = params
        self.context = context
        self.caller = context.isPerCaller ? caller : nil
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.created = created
        self.expires = expires
        self.staleUntil = staleUntil
        self.etag = etag
        self.size = size
        self.tags = Array(Set(tags)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.deps = deps
    }

    /// A tag is 1–128 visible ASCII characters (U+0021–U+007E); stores refuse others.
    public static func isValidTag(_ tag: String) -> Bool {
        (1...128).contains(tag.utf8.count) && tag.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    public func isFresh(at now: Int64) -> Bool { now < expires }
    /// Stale but still servable while one refresh runs.
    public func isServableStale(at now: Int64) -> Bool { now >= expires && now < staleUntil }
    public func isGone(at now: Int64) -> Bool { now >= staleUntil }

    /// After a soft purge at `now`: stale from now on, its stale window unchanged.
    public func softPurged(at now: Int64) -> EntryMetadata {
        var copy = self
        copy.expires = min(expires, now)
        return copy
    }

    /// The ETag of a body when the upstream sent none: a strong tag of the body's SHA-256,
    /// first 32 hex digits.
    public static func etag(forBody body: [UInt8]) -> String {
        "\"" + ContentHash.sha256(body).dropFirst("sha256:".count).prefix(32) + "\""
    }

    enum CodingKeys: String, CodingKey {
        case version, key, client, params, context, caller, status
        case contentType = "content_type", headers, created, expires
        case staleUntil = "stale_until", etag, size, tags, deps
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.currentVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c, debugDescription: "unsupported metadata version \(version); this mizan reads \(Self.currentVersion)")
        }
        self.init(
            key: try c.decode(CacheKey.self, forKey: .key),
            client: try c.decode(String.self, forKey: .client),
            params: try c.decode(CanonicalParams.self, forKey: .params),
            context: try c.decode(CacheContext.self, forKey: .context),
            caller: try c.decodeIfPresent(CallerID.self, forKey: .caller),
            status: try c.decode(Int.self, forKey: .status),
            contentType: try c.decodeIfPresent(String.self, forKey: .contentType),
            headers: try c.decode([StoredHeader].self, forKey: .headers),
            created: try c.decode(Int64.self, forKey: .created),
            expires: try c.decode(Int64.self, forKey: .expires),
            staleUntil: try c.decode(Int64.self, forKey: .staleUntil),
            etag: try c.decode(String.self, forKey: .etag),
            size: try c.decode(Int.self, forKey: .size),
            tags: try c.decode([String].self, forKey: .tags),
            deps: try c.decode([Dependency].self, forKey: .deps))
        if context.isPerCaller && caller == nil {
            throw DecodingError.dataCorruptedError(forKey: .caller, in: c, debugDescription: "a \(context.rawValue) entry needs a caller")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.currentVersion, forKey: .version)
        try c.encode(key, forKey: .key)
        try c.encode(client, forKey: .client)
        try c.encode(params, forKey: .params)
        try c.encode(context, forKey: .context)
        try c.encode(caller, forKey: .caller)
        try c.encode(status, forKey: .status)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(headers, forKey: .headers)
        try c.encode(created, forKey: .created)
        try c.encode(expires, forKey: .expires)
        try c.encode(staleUntil, forKey: .staleUntil)
        try c.encode(etag, forKey: .etag)
        try c.encode(size, forKey: .size)
        try c.encode(tags, forKey: .tags)
        try c.encode(deps, forKey: .deps)
    }
}

/// One stored response header: `[name, value]` in JSON, the name in lower case.
public struct StoredHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = value
    }

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(name: try c.decode(String.self), value: try c.decode(String.self))
        guard c.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a stored header is [name, value]")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(name)
        try c.encode(value)
    }
}

extension CacheKey: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let key = CacheKey(hex: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a key is 64 hex digits")
        }
        self = key
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

extension CallerID: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let caller = CallerID(hex: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a caller id is 64 hex digits")
        }
        self = caller
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

/// Canonical params travel as the JSON object they are. Any decoder works (numbers come back as
/// binary64, which every canonical number fits); the value is written canonically again.
extension CanonicalParams: Codable {
    public init(from decoder: Decoder) throws {
        let node = try AnyJSON(from: decoder).node
        do { self = try CanonicalParams(canonicalJSON: node) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        let node = try JSONParser.parse(bytes, file: "params").root
        try AnyJSON(node: node).encode(to: encoder)
    }
}

/// Any JSON value through Codable, as a `JSONNode`.
private struct AnyJSON: Codable {
    var node: JSONNode

    init(node: JSONNode) { self.node = node }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            node = JSONNode(.object(try object.allKeys.map { key in
                JSONNode.Member(key: key.stringValue, keyOffset: 0, value: try object.decode(AnyJSON.self, forKey: key).node)
            }), offset: 0)
        } else if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONNode] = []
            while !array.isAtEnd { elements.append(try array.decode(AnyJSON.self).node) }
            node = JSONNode(.array(elements), offset: 0)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                node = JSONNode(.null, offset: 0)
            } else if let b = try? c.decode(Bool.self) {
                node = JSONNode(.bool(b), offset: 0)
            } else if let i = try? c.decode(Int64.self) {
                node = JSONNode(.number(String(i)), offset: 0)
            } else if let d = try? c.decode(Double.self) {
                guard d.isFinite else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "a JSON number is finite") }
                var text: [UInt8] = []
                CanonicalJSONWriter.writeNumber(d, into: &text)
                node = JSONNode(.number(String(decoding: text, as: UTF8.self)), offset: 0)
            } else {
                node = JSONNode(.string(try c.decode(String.self)), offset: 0)
            }
        }
    }

    func encode(to encoder: Encoder) throws {
        switch node.value {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let text):
            var c = encoder.singleValueContainer()
            if let i = Int64(text) { try c.encode(i) } else { try c.encode(Double(text) ?? 0) }
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let elements):
            var c = encoder.unkeyedContainer()
            for element in elements { try c.encode(AnyJSON(node: element)) }
        case .object(let members):
            var c = encoder.container(keyedBy: Key.self)
            for member in members { try c.encode(AnyJSON(node: member.value), forKey: Key(stringValue: member.key)) }
        }
    }
}
