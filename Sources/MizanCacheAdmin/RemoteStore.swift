import AsyncHTTPClient
import Foundation
import MizanCore
import MizanProtocol
import MizanStores
import NIOCore
import NIOHTTP1

/// A cache store reached through the management API (docs/render-api.md): a running `mizan dev`,
/// whose memory store is reachable no other way, or the hosted edge. Reads and purges only.
public final class RemoteStore: CacheStore {
    public let baseURL: String
    private let token: String?
    private let timeout: TimeAmount
    private var client: HTTPClient { Self.sharedClient }

    /// One client for the process, never deallocated (so never shut down early, whichever way a
    /// command ends). A server that is down fails at once instead of retrying until the timeout.
    private static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// `baseURL` is `http(s)://HOST[:PORT]`; `token` comes from `MIZAN_TOKEN`, never from argv.
    public init(baseURL: String, token: String?, timeout: TimeAmount = .seconds(60)) {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed
        self.token = token
        self.timeout = timeout
    }

    public func get(_ key: CacheKey) async throws -> StoredEntry? {
        guard let record = try await request(.GET, "/_mizan/entries/\(key.hex)", allowNotFound: true) else { return nil }
        let metadata: EntryMetadata = try Self.decode(record)
        guard let body = try await request(.GET, "/_mizan/entries/\(key.hex)/body", allowNotFound: true) else { return nil }
        return StoredEntry(metadata: metadata, body: body)
    }

    public func put(_ body: [UInt8], metadata: EntryMetadata) async throws {
        throw StoreError(.invalid, "entries are stored by the server at \(baseURL), not through its management API")
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        if scope.caller != nil {
            throw StoreError(.invalid, "the management API purges by context, not by caller")
        }
        var members: [(String, JSONOutput)] = [("selector", Self.selectorJSON(selector)), ("mode", .string(mode.rawValue))]
        if let context = scope.context { members.append(("context", .string(context.rawValue))) }
        let reply = try await request(.POST, "/_mizan/purge", body: JSONOutput.object(members).compact())
        guard let count = try JSONParser.parse(reply ?? [], file: "purge").root["purged"]?.intValue else {
            throw StoreError(.failed, "\(baseURL) answered a purge without a count")
        }
        return count
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        var query: [(String, String)] = [("limit", String(min(max(limit, 1), 1000)))]
        switch filter.selector {
        case .all: break
        case .tag(let tag): query.append(("tag", tag))
        case .client(let client, let params):
            query.append(("client", client))
            for name in params.names {
                guard let value = params[name] else { continue }
                query.append(("param", "\(name)=\(Self.wireText(value))"))
            }
        }
        if let context = filter.scope.context { query.append(("context", context.rawValue)) }
        if let cursor { query.append(("after", cursor)) }
        let path = "/_mizan/entries?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        let page: Page = try Self.decode(try await request(.GET, path) ?? [])
        return EntryPage(entries: page.entries, next: page.next)
    }

    public func stats() async throws -> StoreStats {
        let stats = try await serverStats()
        return StoreStats(entries: stats.entries, bytes: stats.bytes, perClient: stats.perClient, evictions: stats.evictions)
    }

    /// Everything `GET /_mizan/stats` reports: the store's counts and the server's counters.
    public func serverStats() async throws -> ServerStats {
        try Self.decode(try await request(.GET, "/_mizan/stats") ?? [])
    }

    private struct Page: Decodable {
        var entries: [EntryMetadata]
        var next: String?
    }

    // MARK: - HTTP

    private func request(_ method: HTTPMethod, _ path: String, body: String? = nil, allowNotFound: Bool = false) async throws -> [UInt8]? {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw StoreError(.unavailable, "cannot reach \(baseURL): \(Self.describe(error)) (is `mizan dev` running?)")
        }
        let status = Int(response.status.code)
        if (200...299).contains(status) { return Array(buffer: bytes) }
        if status == 404 && allowNotFound { return nil }
        let error = try? JSONParser.parse(Array(buffer: bytes), file: "error").root["error"]
        let message = error?["message"]?.stringValue ?? "HTTP \(status)"
        switch status {
        case 401, 403:
            throw StoreError(.unauthorized, "\(baseURL) refused the token: \(message)\(token == nil ? " (MIZAN_TOKEN is not set)" : "")")
        case 400, 404:
            throw StoreError(.invalid, message)
        default:
            throw StoreError(.failed, "\(baseURL) answered \(status): \(message)")
        }
    }

    static func decode<T: Decodable>(_ bytes: [UInt8], as type: T.Type = T.self) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw StoreError(.failed, "the management API answered something this mizan does not read: \(error)")
        }
    }

    static func selectorJSON(_ selector: PurgeSelector) -> JSONOutput {
        switch selector {
        case .all: .object([("all", .bool(true))])
        case .tag(let tag): .object([("tag", .string(tag))])
        case .client(let client, let params): .object([("client", .string(client)), ("params", .raw(params.text))])
        }
    }

    /// A canonical value as wire text: strings without their quotes, anything else as JSON.
    static func wireText(_ canonical: ArraySlice<UInt8>) -> String {
        let text = String(decoding: canonical, as: UTF8.self)
        if text.hasPrefix("\""), let node = try? JSONParser.parse(Array(canonical), file: "param").root, let string = node.stringValue {
            return string
        }
        return text
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectTimeout") { return "connection refused" }
        return text
    }
}

/// `GET /_mizan/stats` (docs/render-api.md).
public struct ServerStats: Decodable, Sendable, Equatable {
    public var entries: Int
    public var bytes: Int
    public var evictions: Int
    public var perClient: [String: Int]
    public var requests: Int?
    public var hits: Int?
    public var stale: Int?
    public var misses: Int?
    public var coalesced: Int?
    public var bypassed: Int?
    public var stored: Int?
    public var purges: Int?
    public var purgedEntries: Int?
    public var upstreamRequests: Int?
    public var upstreamErrors: Int?
    public var hitRatio: Double?

    enum CodingKeys: String, CodingKey {
        case entries, bytes, evictions, perClient = "per_client", requests, hits, stale, misses, coalesced, bypassed, stored, purges
        case purgedEntries = "purged_entries", upstreamRequests = "upstream_requests", upstreamErrors = "upstream_errors"
        case hitRatio = "hit_ratio"
    }
}
