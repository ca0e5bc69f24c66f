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
        var bytes: [UInt8] = []
        appendText(colour: colour, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same line appended as UTF-8 to `bytes`: the request log writes it straight into its
    /// buffer, with no string in between (this runs for every request).
    public func appendText(colour: Bool, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: method.utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: path.utf8)
        bytes.append(contentsOf: "  ".utf8)
        bytes.append(contentsOf: (client ?? "-").utf8)
        bytes.append(contentsOf: "  ".utf8)
        bytes.append(contentsOf: paint(stored ? outcome + "+stored" : outcome, colour: colour).utf8)
        bytes.append(contentsOf: "  ".utf8)
        bytes.append(contentsOf: paintStatus(colour: colour).utf8)
        bytes.append(contentsOf: "  ".utf8)
        if milliseconds < 10 {
            let tenths = Int((milliseconds * 10).rounded())
            appendDecimal(tenths / 10, to: &bytes)
            bytes.append(UInt8(ascii: "."))
            appendDecimal(tenths % 10, to: &bytes)
        } else {
            appendDecimal(Int(milliseconds.rounded()), to: &bytes)
        }
        bytes.append(contentsOf: " ms".utf8)
        if let detail {
            bytes.append(contentsOf: "  (".utf8)
            bytes.append(contentsOf: detail.utf8)
            bytes.append(UInt8(ascii: ")"))
        }
    }

    private func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value >= 10 || value < 0 else { return bytes.append(UInt8(ascii: "0") + UInt8(value)) }
        bytes.append(contentsOf: String(value).utf8)
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
