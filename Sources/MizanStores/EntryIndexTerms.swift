import MizanProtocol

/// What an entry is indexed under, so a purge or listing finds it without a scan: every client it
/// belongs to or depends on, and every (client, parameter, canonical value) of those, plus its
/// tags, context and caller. A client selector's candidates are the intersection of its terms'
/// entries; `PurgeSelector.matches` then confirms each one (two params could match two different
/// dependencies).
struct EntryIndexTerms: Sendable {
    struct Param: Hashable, Sendable {
        var client: String
        var name: String
        var value: [UInt8]
    }

    var clients: Set<String> = []
    var params: Set<Param> = []

    init(_ metadata: EntryMetadata) {
        add(client: metadata.client, params: metadata.params)
        for dep in metadata.deps { add(client: dep.client, params: dep.params) }
    }

    private mutating func add(client: String, params: CanonicalParams) {
        clients.insert(client)
        for name in params.names {
            if let value = params[name] { self.params.insert(Param(client: client, name: name, value: Array(value))) }
        }
    }

    /// The terms a client selector needs every candidate to carry.
    static func terms(client: String, params: CanonicalParams) -> [Param] {
        params.names.compactMap { name in params[name].map { Param(client: client, name: name, value: Array($0)) } }
    }
}

/// Whether a selector's candidates from the indexes need `matches` to confirm them: only a client
/// selector with two or more params can pick an entry whose terms come from different sources.
extension PurgeSelector {
    var needsConfirmation: Bool {
        if case .client(_, let params) = self { return params.count > 1 }
        return false
    }
}
