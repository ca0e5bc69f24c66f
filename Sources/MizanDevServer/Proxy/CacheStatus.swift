/// One `Cache-Status` member (RFC 9211) for the `mizan` cache. The key is never in it: `detail`
/// says why, in words from docs/protocol.md and docs/dev-server.md.
struct CacheStatus: Sendable, Equatable {
    enum Forward: String, Sendable {
        /// The route is not cacheable here, or this request could not use the cache.
        case bypass
        /// The method is never served from the cache.
        case method
        /// The route is not in the manifest.
        case uriMiss = "uri-miss"
        /// No entry for the key.
        case miss
    }

    var hit = false
    var forward: Forward?
    var forwardStatus: Int?
    var stored = false
    var collapsed = false
    /// Seconds of freshness left; negative when serving stale.
    var ttl: Int64?
    var detail: String?

    static let name = "Cache-Status"

    var headerValue: String {
        var value = "mizan"
        if hit { value += "; hit" }
        if let forward { value += "; fwd=\(forward.rawValue)" }
        if let forwardStatus { value += "; fwd-status=\(forwardStatus)" }
        if stored { value += "; stored" }
        if collapsed { value += "; collapsed" }
        if let ttl { value += "; ttl=\(ttl)" }
        if let detail { value += "; detail=\(Self.quoted(detail))" }
        return value
    }

    /// The outcome in one word, for the log line and the stats.
    var outcome: String {
        if hit { return (ttl ?? 0) < 0 ? "stale" : "hit" }
        if collapsed { return "collapsed" }
        return forward?.rawValue ?? "pass"
    }

    /// An sf-string: printable ASCII, `"` and `\` escaped, anything else replaced.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(200) {
            switch scalar {
            case "\"", "\\": out += "\\" + String(scalar)
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out += "?"
            }
        }
        return out + "\""
    }
}
