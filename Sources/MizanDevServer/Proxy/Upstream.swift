import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where `mizan dev` forwards to: `http://HOST:PORT` with an optional base path. HTTPS works too
/// (AsyncHTTPClient verifies certificates), though a dev upstream is usually loopback HTTP.
public struct UpstreamAddress: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Prepended to every forwarded path; "" or "/prefix" without a trailing slash.
    public var basePath: String

    /// Parses `http://127.0.0.1:8000` or `https://api.example.com/v1`; nil for anything else.
    public init?(_ text: String) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
    }

    public var description: String { "\(scheme)://\(hostHeader)\(basePath)" }
    /// The `Host` header the upstream expects.
    var hostHeader: String {
        let defaultPort = scheme == "https" ? 443 : 80
        let h = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? h : "\(h):\(port)"
    }

    func url(for pathAndQuery: String) -> String { "\(scheme)://\(hostHeader)\(basePath)\(pathAndQuery)" }
}

/// Why an upstream exchange failed; each becomes a 502 or 504 with a JSON body.
public enum UpstreamFailure: Error, Sendable, Equatable {
    /// Nothing listens, or the connection was refused or reset before a response.
    case unreachable(String)
    /// No complete response within the timeout.
    case timeout
    /// The upstream sent something that is not HTTP/1.1.
    case malformed(String)
    /// The response body was cut off.
    case truncated(String)

    var status: Int { self == .timeout ? 504 : 502 }
    var code: String {
        switch self {
        case .unreachable: "upstream_unreachable"
        case .timeout: "upstream_timeout"
        case .malformed: "upstream_malformed"
        case .truncated: "upstream_truncated"
        }
    }
    var message: String {
        switch self {
        case .unreachable(let why): "the upstream could not be reached: \(why)"
        case .timeout: "the upstream did not answer in time"
        case .malformed(let why): "the upstream sent a malformed response: \(why)"
        case .truncated(let why): "the upstream response was cut off: \(why)"
        }
    }
}

/// A response read from the upstream. `body` holds the whole body unless `rest` is set: then the
/// body was larger than the caller wanted to buffer, and `rest` streams what follows `body`.
struct UpstreamResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: ByteBuffer
    var rest: RemainingBody?

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

/// The upstream leg: AsyncHTTPClient with pooled keep-alive connections, no redirects followed (the
/// browser sees them), no decompression (bodies pass through as sent), and timeouts.
final class UpstreamClient: Sendable {
    let address: UpstreamAddress
    let timeout: TimeAmount
    private let client: HTTPClient

    init(address: UpstreamAddress, connectTimeout: TimeAmount, timeout: TimeAmount) {
        self.address = address
        self.timeout = timeout
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: timeout),
            decompression: .disabled)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // A backend that is down (Django restarting) answers 502 at once, not after the connect
        // timeout of retries.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one request and reads the response, buffering up to `bufferLimit` bytes of body.
    func send(
        method: String, pathAndQuery: String, headers: [(name: String, value: String)], body: ByteBuffer?, bufferLimit: Int
    ) async throws(UpstreamFailure) -> UpstreamResponse {
        var request = HTTPClientRequest(url: address.url(for: pathAndQuery))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Host", value: address.hostHeader)
        if let body, body.readableBytes > 0 || method != "GET" && method != "HEAD" {
            request.body = .bytes(body)
        }
        let deadline = NIODeadline.now() + timeout
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw Self.failure(error)
        }
        var buffer = ByteBuffer()
        var iterator = response.body.makeAsyncIterator()
        do {
            while let part = try await iterator.next() {
                buffer.writeImmutableBuffer(part)
                if buffer.readableBytes > bufferLimit {
                    return UpstreamResponse(
                        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: buffer,
                        rest: RemainingBody(iterator))
                }
            }
        } catch {
            throw .truncated(Self.describe(error))
        }
        return UpstreamResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: buffer, rest: nil)
    }

    private static func failure(_ error: any Error) -> UpstreamFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return .timeout
            case .remoteConnectionClosed: return .malformed("the connection closed before a complete response")
            default: break
            }
        }
        if error is HTTPParserError { return .malformed(describe(error)) }
        return .unreachable(describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPParserError { return "HTTP parse error (\(error))" }
        return String(describing: error)
    }
}

/// The unread rest of an upstream body. The iterator is used by one task at a time: the one that
/// writes the response to the client.
final class RemainingBody: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
