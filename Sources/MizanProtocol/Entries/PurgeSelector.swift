import MizanCore
import MizanManifest

/// What a purge removes (docs/protocol.md, "Selectors and purges"). Matching reads only an
/// entry's metadata — client, canonical params, tags, dependencies — so a store can answer it
/// from indexes, never from a scan of every key.
public enum PurgeSelector: Sendable, Hashable {
    /// Every entry.
    case all
    /// Entries carrying this tag (compared byte for byte).
    case tag(String)
    /// Entries of `client` whose params include every one of `params` with the same canonical
    /// value (empty: every entry of the client); also entries that *depend* on such data (a
    /// rendered page that read it).
    case client(String, params: CanonicalParams)

    /// Whether the selector selects an entry with this metadata.
    public func matches(client: String, params: CanonicalParams, tags: [String], deps: [Dependency]) -> Bool {
        switch self {
        case .all:
            return true
        case .tag(let tag):
            return tags.contains { $0.utf8.elementsEqual(tag.utf8) }
        case .client(let wanted, let subset):
            if wanted.utf8.elementsEqual(client.utf8) && params.contains(subset) { return true }
            return deps.contains { wanted.utf8.elementsEqual($0.client.utf8) && $0.params.contains(subset) }
        }
    }

    public func matches(_ entry: EntryMetadata) -> Bool {
        matches(client: entry.client, params: entry.params, tags: entry.tags, deps: entry.deps)
    }

    /// The selector a header member names, its values read with the target client's parameter
    /// specs. Throws when the client (`reader` nil) or a parameter is unknown, or a value does
    /// not read: such a member selects nothing, and the caller reports it.
    public static func from(_ member: InvalidateHeader.Member, reader: ParamReader?) throws(ParamError) -> PurgeSelector {
        guard let reader else {
            if let first = member.params.first {
                throw ParamError(param: first.name, kind: .unknown, message: "'\(member.client)' is not a client of this manifest")
            }
            return .client(member.client, params: .empty)
        }
        var collector = reader.collector()
        for (name, value) in member.params { try collector.add(json: value.json, named: name) }
        return .client(member.client, params: try collector.selectorParams())
    }

    /// A selector as the management API writes it (docs/protocol.md, "Selectors"):
    /// `{"client": C, "params": {...}}`, `{"tag": T}` or `{"all": true}`, params as raw JSON values
    /// read with `reader(C)`, the client's specs (nil: not a client of the manifest).
    public static func from(json node: JSONNode, reader: (String) -> ParamReader?) throws(ParamError) -> PurgeSelector {
        guard node.members != nil else {
            throw ParamError(param: "", kind: .type, message: "a selector must be a JSON object, not \(node.kindName)")
        }
        if node["all"]?.boolValue == true { return .all }
        if let tag = node["tag"] {
            guard let text = tag.stringValue, EntryMetadata.isValidTag(text) else {
                throw ParamError(param: "", kind: .type, message: "'tag' must be 1-128 visible ASCII characters")
            }
            return .tag(text)
        }
        guard let client = node["client"]?.stringValue, !client.isEmpty else {
            throw ParamError(param: "", kind: .missing, message: "a selector needs 'client', 'tag' or \"all\": true")
        }
        let params = node["params"]?.members ?? []
        guard let reader = reader(client) else {
            if let first = params.first {
                throw ParamError(param: first.key, kind: .unknown, message: "'\(client)' is not a client of this manifest")
            }
            return .client(client, params: .empty)
        }
        var collector = reader.collector()
        for member in params { try collector.add(json: member.value, named: member.key) }
        return .client(client, params: try collector.selectorParams())
    }

    /// The selector one `affects` entry of a mutation names: a `from` param takes the mutation's
    /// canonical value (absent or null leaves the target param unnarrowed), a literal its value;
    /// each is read with the target's spec, so `"5"` and `5` select the same `int` entries.
    public static func from(
        _ affect: EdgeManifest.Invalidation, mutationParams: CanonicalParams, target: ParamReader
    ) throws(ParamError) -> PurgeSelector {
        var collector = target.collector()
        for (name, source) in affect.params {
            let text: String
            switch source {
            case .from(let param):
                guard let value = mutationParams[param], !value.elementsEqual("null".utf8) else { continue }
                text = String(decoding: value, as: UTF8.self)
            case .value(let literal):
                text = literal
            }
            guard let node = try? JSONParser.parse(Array(text.utf8), file: "affects").root else {
                throw ParamError(param: name, kind: .type, message: "parameter '\(name)': \(ParamError.quote(text)) is not JSON")
            }
            try collector.add(json: node, named: name)
        }
        return .client(affect.client, params: try collector.selectorParams())
    }
}

/// Which entries a purge may touch: all (`context` and `caller` nil, the management API), one
/// context, or one caller's entries. A purge caused by a request touches `public` entries or the
/// requesting caller's own, never another caller's.
public struct PurgeScope: Sendable, Hashable {
    public var context: CacheContext?
    public var caller: CallerID?

    public init(context: CacheContext? = nil, caller: CallerID? = nil) {
        self.context = context
        self.caller = caller
    }

    public static let everything = PurgeScope()

    public func contains(context: CacheContext, caller: CallerID?) -> Bool {
        (self.context == nil || self.context == context) && (self.caller == nil || self.caller == caller)
    }

    public func contains(_ entry: EntryMetadata) -> Bool { contains(context: entry.context, caller: entry.caller) }
}

/// Soft: the entry becomes stale now and may still be served within its stale-while-revalidate
/// window while one refresh runs. Hard: the entry is gone.
public enum PurgeMode: String, Sendable, Codable {
    case soft, hard
}
