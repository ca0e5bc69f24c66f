import MizanManifest

/// What is never stored (docs/protocol.md, "What is never stored"), decided from the route's
/// cache policy and the upstream response alone.
public enum StoragePolicy {
    public enum Decision: Sendable, Equatable {
        case store
        case skip(Reason)
    }

    /// Why a response was not stored; `detail` is what `Cache-Status` says.
    public enum Reason: String, Sendable, Equatable {
        /// The client is `cache: false`.
        case notCacheable = "not-cacheable"
        /// Not a 2xx status, or 206 (a part of a body is not the body).
        case status
        /// The response sets a cookie: it belongs to one caller and changes their state.
        case setCookie = "set-cookie"
        /// `Cache-Control: no-store` from upstream.
        case noStore = "no-store"
        /// `Cache-Control: private` from upstream for a `public` client.
        case privateResponse = "private"

        public var detail: String { rawValue }
    }

    /// `cache` is the route's policy; nil when the client is `cache: false`.
    public static func decide(cache: EdgeManifest.Cache?, status: Int, headers: [(name: String, value: String)]) -> Decision {
        decide(context: cache.map { CacheContext(rawValue: $0.context) ?? .public }, status: status, headers: headers)
    }

    /// `context` is the route's cache context; nil when the client is `cache: false`.
    public static func decide(context: CacheContext?, status: Int, headers: [(name: String, value: String)]) -> Decision {
        guard let context else { return .skip(.notCacheable) }
        guard (200...299).contains(status), status != 206 else { return .skip(.status) }
        var noStore = false
        var isPrivate = false
        for (name, value) in headers {
            if name.caseInsensitiveEquals("set-cookie") { return .skip(.setCookie) }
            guard name.caseInsensitiveEquals("cache-control") else { continue }
            for directive in value.split(separator: ",") {
                let directiveName = directive.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let trimmed = directiveName.trimmingSpaces()
                if trimmed.caseInsensitiveEquals("no-store") { noStore = true }
                // `private="field"` still marks the response as meant for one user.
                if trimmed.caseInsensitiveEquals("private") { isPrivate = true }
            }
        }
        if noStore { return .skip(.noStore) }
        if isPrivate && !context.isPerCaller { return .skip(.privateResponse) }
        return .store
    }
}

/// The response headers kept with a stored entry: all end-to-end headers except those that
/// belong to one connection or one response, or that the cache writes itself.
public enum StoredHeaders {
    /// Lower-case names never stored.
    public static let excluded: Set<String> = [
        // hop-by-hop (RFC 9110 §7.6.1)
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
        // per response, or written by the cache when it serves
        "age", "date", "cache-status", "content-length", "etag", "content-type", "set-cookie",
        // protocol headers, acted on rather than replayed
        "x-mizan-invalidate", "x-mizan-deps",
    ]

    public static func select(_ headers: [(name: String, value: String)]) -> [StoredHeader] {
        headers.compactMap { header in
            let name = header.name.lowercased()
            return excluded.contains(name) ? nil : StoredHeader(name: name, value: header.value)
        }
    }
}

extension StringProtocol {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
    }

    func trimmingSpaces() -> Substring {
        let s = Substring(self)
        let start = s.firstIndex { $0 != " " && $0 != "\t" } ?? s.endIndex
        let end = s.lastIndex { $0 != " " && $0 != "\t" }.map { s.index(after: $0) } ?? start
        return s[start..<end]
    }
}
