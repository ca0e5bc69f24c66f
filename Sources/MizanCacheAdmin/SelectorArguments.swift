import MizanCore
import MizanManifest
import MizanProtocol

/// What `mizan cache ls` and `purge` select, as the user wrote it: a client with `name=value`
/// params, a tag, or everything. Turned into a `PurgeSelector` with the manifest's param types,
/// so `--param id=5` selects the entries an integer id 5 keyed.
public struct SelectorArguments: Sendable, Equatable {
    public var client: String?
    public var params: [String]
    public var tag: String?
    public var all: Bool

    public init(client: String? = nil, params: [String] = [], tag: String? = nil, all: Bool = false) {
        self.client = client
        self.params = params
        self.tag = tag
        self.all = all
    }

    /// A problem with the arguments, in words that say what to type instead.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable { case usage, unknownClient, unknownParam, badValue }
        public var kind: Kind
        public var description: String
    }

    /// The selector; `manifest` nil means the params cannot be typed here (a remote store types
    /// them itself), so values go as text.
    public func selector(manifest: EdgeManifest?, requireOne: Bool) throws(Problem) -> PurgeSelector {
        let chosen = [client != nil, tag != nil, all].filter { $0 }.count
        if chosen > 1 { throw Problem(kind: .usage, description: "choose one of --client, --tag and --all") }
        if !params.isEmpty && client == nil { throw Problem(kind: .usage, description: "--param narrows a --client; give the client too") }
        if chosen == 0 {
            if requireOne { throw Problem(kind: .usage, description: "say what to purge: --client NAME [--param k=v]…, --tag TAG or --all") }
            return .all
        }
        if all { return .all }
        if let tag {
            guard EntryMetadata.isValidTag(tag) else { throw Problem(kind: .badValue, description: "a tag is 1-128 visible ASCII characters, not \(tag.debugDescription)") }
            return .tag(tag)
        }
        let client = client ?? ""
        var pairs: [(name: String, value: String)] = []
        for param in params {
            let parts = param.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw Problem(kind: .usage, description: "--param takes name=value, as in --param id=5; found \(param.debugDescription)")
            }
            pairs.append((String(parts[0]), String(parts[1])))
        }
        guard let manifest else {
            // Untyped: strings stay strings; the server reads them with the client's types.
            let members = pairs.map { ($0.name, JSONOutput.string($0.value)) }
            let text = JSONOutput.object(members).compact()
            guard let params = try? CanonicalParams(canonicalJSON: Array(text.utf8)) else {
                throw Problem(kind: .badValue, description: "the params do not read")
            }
            return .client(client, params: params)
        }
        guard let route = manifest.route(for: client) else {
            let known = manifest.routes.map(\.client)
            throw Problem(kind: .unknownClient, description: "'\(client)' is not a client of this manifest\(Spelling.hint(for: client, among: known)) (clients: \(known.joined(separator: ", ")))")
        }
        let reader = ParamReader(route: route)
        var collector = reader.collector()
        for (name, value) in pairs {
            guard reader.position(of: name) != nil else {
                let known = route.params.map(\.name)
                throw Problem(kind: .unknownParam, description: "'\(client)' has no parameter '\(name)'\(Spelling.hint(for: name, among: known))\(known.isEmpty ? "; it takes none" : " (parameters: \(known.joined(separator: ", ")))")")
            }
            do { try collector.add(text: value, named: name) } catch {
                throw Problem(kind: .badValue, description: "--param \(name)=\(value): \(error.message)")
            }
        }
        do { return .client(client, params: try collector.selectorParams()) } catch {
            throw Problem(kind: .badValue, description: error.message)
        }
    }
}
