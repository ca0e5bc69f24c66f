/// What changed in the backend contract between two manifests, in plain words, so a reviewer of
/// a pull request sees "books.update_book no longer invalidates books.get_book" rather than a
/// JSON diff.
public enum ContractDrift {
    public static func changes(from old: EdgeManifest, to new: EdgeManifest) -> [String] {
        var changes: [String] = []
        let oldRoutes = Dictionary(old.routes.map { ($0.client, $0) }, uniquingKeysWith: { a, _ in a })
        let newRoutes = Dictionary(new.routes.map { ($0.client, $0) }, uniquingKeysWith: { a, _ in a })
        for name in Set(oldRoutes.keys).union(newRoutes.keys).sorted() {
            switch (oldRoutes[name], newRoutes[name]) {
            case (nil, let added?): changes.append("\(name) was added (\(added.method) \(added.path))")
            case (_?, nil): changes.append("\(name) was removed")
            case (let before?, let after?): changes += routeChanges(before, after)
            default: break
            }
        }
        let oldGraph = Dictionary(old.invalidation.map { ($0.client, $0.affects) }, uniquingKeysWith: { a, _ in a })
        let newGraph = Dictionary(new.invalidation.map { ($0.client, $0.affects) }, uniquingKeysWith: { a, _ in a })
        for mutation in Set(oldGraph.keys).union(newGraph.keys).sorted() {
            let before = oldGraph[mutation] ?? [], after = newGraph[mutation] ?? []
            let beforeTargets = Set(before.map(\.client)), afterTargets = Set(after.map(\.client))
            for target in beforeTargets.subtracting(afterTargets).sorted() {
                changes.append("\(mutation) no longer invalidates \(target)")
            }
            for target in afterTargets.subtracting(beforeTargets).sorted() {
                changes.append("\(mutation) now invalidates \(target)")
            }
            for target in beforeTargets.intersection(afterTargets).sorted() {
                let b = before.filter { $0.client == target }.map(describe), a = after.filter { $0.client == target }.map(describe)
                if b != a {
                    changes.append("\(mutation) invalidates \(target) \(a.joined(separator: " and ")) (was \(b.joined(separator: " and ")))")
                }
            }
        }
        return changes
    }

    static func describe(_ i: EdgeManifest.Invalidation) -> String {
        if i.params.isEmpty { return "for all parameters" }
        return "where " + i.params.map { p in
            switch p.source {
            case .from(let name): "\(p.name) = this call's \(name)"
            case .value(let text): "\(p.name) = \(text)"
            }
        }.joined(separator: ", ")
    }

    static func routeChanges(_ a: EdgeManifest.Route, _ b: EdgeManifest.Route) -> [String] {
        var changes: [String] = []
        let name = a.client
        if a.method != b.method || a.path != b.path {
            changes.append("\(name) moved from \(a.method) \(a.path) to \(b.method) \(b.path)")
        }
        let ap = Dictionary(a.params.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        let bp = Dictionary(b.params.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for p in Set(ap.keys).union(bp.keys).sorted() {
            switch (ap[p], bp[p]) {
            case (nil, let added?): changes.append("\(name) has a new \(added.required ? "required" : "optional") \(added.location) parameter '\(p)'")
            case (_?, nil): changes.append("\(name) no longer has parameter '\(p)'")
            case (let x?, let y?):
                if x.type != y.type || x.list != y.list {
                    changes.append("\(name) parameter '\(p)' changed type from \(x.list ? "list of " : "")\(x.type.rawValue) to \(y.list ? "list of " : "")\(y.type.rawValue)")
                }
                if x.required != y.required { changes.append("\(name) parameter '\(p)' is now \(y.required ? "required" : "optional")") }
                if x.location != y.location { changes.append("\(name) parameter '\(p)' moved from \(x.location) to \(y.location)") }
                if x.enumValues != y.enumValues { changes.append("\(name) parameter '\(p)' allows different values") }
            default: break
            }
        }
        switch (a.cache, b.cache) {
        case (nil, let c?): changes.append("\(name) is now cached (\(c.context), ttl \(c.ttl)s)")
        case (_?, nil): changes.append("\(name) is no longer cached")
        case (let x?, let y?):
            if x.ttl != y.ttl { changes.append("\(name) cache ttl changed from \(x.ttl) to \(y.ttl)") }
            if x.staleWhileRevalidate != y.staleWhileRevalidate {
                changes.append("\(name) stale-while-revalidate changed from \(x.staleWhileRevalidate) to \(y.staleWhileRevalidate)")
            }
            if x.context != y.context { changes.append("\(name) cache context changed from \(x.context) to \(y.context)") }
            if x.tags != y.tags { changes.append("\(name) cache tags changed from [\(x.tags.joined(separator: ", "))] to [\(y.tags.joined(separator: ", "))]") }
        default: break
        }
        return changes
    }
}
