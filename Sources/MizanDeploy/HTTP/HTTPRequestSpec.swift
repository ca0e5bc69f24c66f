/// One HTTP request as the deploy client sends it: what to send and how long to wait.
public struct HTTPRequestSpec: Sendable {
    /// What the request carries.
    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// A file read from disk while it is sent, a buffer at a time, so memory does not grow
        /// with its size. It is opened when its transfer starts and must not change size while
        /// it is sent.
        case file(path: String)

        var isPresent: Bool {
            if case .none = self { false } else { true }
        }
    }

    /// "GET", "POST", "PUT", "PATCH", "DELETE", …
    public var method: String
    public var url: String
    /// Sent as given, in order. They never appear in an error message or a log, so a token in
    /// `Authorization` stays there.
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// Seconds to wait for the connection (TCP and TLS).
    public var connectTimeout: Double = 10
    /// Seconds for the whole transfer, from connecting to the last byte of the response; 0 for
    /// no limit. Raise it for a large upload on a slow link (`stallTimeout` still catches a
    /// transfer that stopped moving).
    public var timeout: Double = 120
    /// Seconds during which the transfer may move less than one byte per second before it fails
    /// as a timeout, so a stalled upload fails long before `timeout`; 0 turns the check off. It
    /// also bounds how long the server may think before it answers.
    public var stallTimeout: Double = 60
    /// A response body longer than this fails the request instead of filling memory.
    public var maxResponseBytes: Int = 64 << 20

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response: its status, headers and whole body.
public struct HTTPResponseData: Sendable {
    public var status: Int
    /// Names lower-cased, in the order received. Only the final response's headers: not those of
    /// a `100 Continue` or of a proxy's answer to CONNECT.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, whatever its case.
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name == name }?.value
    }

    /// The body as UTF-8 text, for messages.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A request that got no HTTP response: the connection, TLS or the body's file failed. The message
/// names the host (or the file) and what went wrong, never a request header, so a token sent in
/// one cannot leak through it.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The host could not be resolved or refused the connection; nothing was sent.
        case connect
        /// Connecting, the whole transfer or a stall took longer than allowed.
        case timeout
        /// Certificate verification or the TLS handshake failed.
        case tls
        /// The connection dropped mid-transfer (send or receive error, empty or cut reply).
        case interrupted
        /// The body's file could not be opened or read.
        case fileUnreadable
        /// The server answered 429 or 5xx and asked (`Retry-After`) for a longer wait than
        /// allowed: worth trying again, later.
        case retryLater
        case other
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether trying again may succeed: connection failures, timeouts and dropped connections.
    public var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .interrupted: true
        case .tls, .fileUnreadable, .retryLater, .other: false
        }
    }

    /// A few words for "retrying in 2.1s (…)".
    public var shortReason: String {
        switch kind {
        case .connect: "connection failed"
        case .timeout: "timed out"
        case .tls: "TLS failed"
        case .interrupted: "connection dropped"
        case .fileUnreadable: "file unreadable"
        case .retryLater: "asked to wait"
        case .other: "request failed"
        }
    }

    public var description: String { message }
}
