import MizanCore

/// What one request did, for the one log line `mizan dev` prints per request. Never holds a
/// key, a credential or a query string (which may carry tokens).
public struct RequestLogRecord: Sendable, Equatable {
    public var method: String
    public var path: String
    public var client: String?
    /// `hit`, `stale`, `miss`, `collapsed`, `bypass`, `method`, `uri-miss`, `api`, `error`.
    public var outcome = "pass"
    public var stored = false
    public var status = 0
    public var milliseconds = 0.0
    /// Why it was not stored or not served from the cache, or what a mutation purged.
    public var detail: String?

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    /// `GET /api/books/5  books.get_book  hit  200  0.4 ms`, with ANSI colour when asked.
    public func text(colour: Bool) -> String {
        // Appended piece by piece into one reserved string: this runs for every request.
        var line = ""
        line.reserveCapacity(method.utf8.count + path.utf8.count + (client?.utf8.count ?? 1) + (detail?.utf8.count ?? 0) + 48)
        line += method
        line += " "
        line += path
        line += "  "
        line += client ?? "-"
        line += "  "
        line += paint(stored ? outcome + "+stored" : outcome, colour: colour)
        line += "  "
        line += paintStatus(colour: colour)
        line += "  "
        line += milliseconds < 10 ? String(format1: milliseconds) : String(Int(milliseconds.rounded()))
        line += " ms"
        if let detail {
            line += "  ("
            line += detail
            line += ")"
        }
        return line
    }

    public var json: String {
        JSONOutput.object([
            ("method", .string(method)), ("path", .string(path)), ("client", client.map(JSONOutput.string) ?? .null),
            ("outcome", .string(outcome)), ("stored", .bool(stored)), ("status", .int(status)),
            ("ms", .raw(String(format1: milliseconds))), ("detail", detail.map(JSONOutput.string) ?? .null),
        ]).compact()
    }

    private func paint(_ text: String, colour: Bool) -> String {
        guard colour else { return text }
        let code = switch outcome {
        case "hit": "32"
        case "stale", "collapsed": "36"
        case "miss": "33"
        case "error": "31"
        default: "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func paintStatus(colour: Bool) -> String {
        guard colour else { return String(status) }
        let code = status >= 500 ? "31" : status >= 400 ? "33" : "0"
        return "\u{1B}[\(code)m\(status)\u{1B}[0m"
    }
}

extension String {
    /// One decimal place without Foundation's formatter.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = String(tenths / 10)
        self += "."
        self += String(tenths % 10)
    }
}
