import MizanProtocol

/// Where a caller's credential is read from for `user` and `session` entries. The credential is
/// only ever passed to the key derivation (an HMAC); it is never stored or logged.
public enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    case header(String)
    case cookie(String)

    /// `header:NAME` or `cookie:NAME`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        switch parts[0].lowercased() {
        case "header": self = .header(parts[1].lowercased())
        case "cookie": self = .cookie(parts[1])
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .header(let name): "header:\(name)"
        case .cookie(let name): "cookie:\(name)"
        }
    }

    func read(header: (String) -> [String]) -> String? {
        switch self {
        case .header(let name):
            return header(name).first { !$0.isEmpty }
        case .cookie(let wanted):
            for line in header("cookie") {
                for pair in line.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: " \t") == wanted else { continue }
                    let value = parts[1].trimmingCharacters(in: " \t")
                    if !value.isEmpty { return value }
                }
            }
            return nil
        }
    }
}

/// The credential sources per context; the first one present in a request wins.
public struct CredentialSources: Sendable, Equatable {
    /// Django's defaults: a token in `Authorization`, else the session cookie.
    public var user: [CredentialSource] = [.header("authorization"), .cookie("sessionid")]
    public var session: [CredentialSource] = [.cookie("sessionid")]

    public init() {}

    func credential(for context: CacheContext, header: (String) -> [String]) -> String? {
        let sources: [CredentialSource] = switch context {
        case .public: []
        case .user: user
        case .session: session
        }
        for source in sources {
            if let value = source.read(header: header) { return value }
        }
        return nil
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        return String(self.drop(while: drop).reversed().drop(while: drop).reversed())
    }
}
