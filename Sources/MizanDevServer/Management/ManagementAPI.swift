import Foundation
import HTTPTypes
import Hummingbird
import MizanCore
import MizanProtocol
import MizanStores
import NIOCore

/// The routes of the management API: the one list that the server matches requests against and
/// that the documentation test checks docs/render-api.md and its OpenAPI document against.
public enum ManagementRoute: String, CaseIterable, Sendable {
    case health, stats, listEntries, getEntry, getEntryBody, purge
    case listDeployments, createDeployment, getDeployment, finalizeDeployment, activateDeployment
    case missingBlobs, putBlob, getBlob

    public var method: HTTPRequest.Method {
        switch self {
        case .purge, .createDeployment, .finalizeDeployment, .activateDeployment, .missingBlobs: .post
        case .putBlob: .put
        default: .get
        }
    }

    /// The path, with `{key}`, `{id}` or `{hash}` for the one variable segment.
    public var pattern: String {
        switch self {
        case .health: "/_mizan/health"
        case .stats: "/_mizan/stats"
        case .listEntries: "/_mizan/entries"
        case .getEntry: "/_mizan/entries/{key}"
        case .getEntryBody: "/_mizan/entries/{key}/body"
        case .purge: "/_mizan/purge"
        case .listDeployments, .createDeployment: "/_mizan/deployments"
        case .getDeployment: "/_mizan/deployments/{id}"
        case .finalizeDeployment: "/_mizan/deployments/{id}/finalize"
        case .activateDeployment: "/_mizan/deployments/{id}/activate"
        case .missingBlobs: "/_mizan/blobs/missing"
        case .putBlob, .getBlob: "/_mizan/blobs/{hash}"
        }
    }

    /// The variable segment of `path` when it fits this route's pattern (`""` for a pattern
    /// without one); nil when it does not fit.
    func fit(_ path: Substring) -> Substring? {
        let want = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let have = path.split(separator: "/", omittingEmptySubsequences: false)
        guard want.count == have.count else { return nil }
        var variable: Substring = ""
        for (w, h) in zip(want, have) {
            if w.hasPrefix("{") {
                guard !h.isEmpty else { return nil }
                variable = h
            } else if w != h {
                return nil
            }
        }
        return variable
    }

    /// The routes whose pattern `path` fits, literal patterns first (`blobs/missing` before
    /// `blobs/{hash}`), with the variable segment.
    static func candidates(_ path: Substring) -> [(route: ManagementRoute, variable: Substring)] {
        let fits = allCases.compactMap { route in route.fit(path).map { (route, $0) } }
        let literal = fits.filter { !$0.0.pattern.contains("{") }
        return literal.isEmpty ? fits : literal
    }
}

/// The management API under `/_mizan/` — the one the hosted edge exposes (docs/render-api.md).
/// Every route but `health` needs `Authorization: Bearer TOKEN`; errors are JSON with a code.
extension DevServer {
    func management(_ incoming: Request, record: inout RequestLogRecord) async -> Response {
        var request = incoming
        record.outcome = "api"
        let path = Substring(request.uri.path)
        let method = request.method
        let candidates = ManagementRoute.candidates(path)
        guard !candidates.isEmpty else {
            return Self.problem(404, "not_found", "no management route \(path)")
        }
        let matched = candidates.first { $0.route.method == method }
        // Open to probes: no token.
        if matched?.route == .health { return healthResponse() }
        guard authorized(request.headers[.authorization]) else {
            var response = Self.problem(401, "unauthorized", "this API needs 'Authorization: Bearer <token>' with the token mizan dev printed at start")
            response.headers[.wwwAuthenticate] = "Bearer realm=\"mizan\""
            return response
        }
        guard let (route, variable) = matched else {
            let allowed = candidates.map(\.route.method.rawValue).joined(separator: ", ")
            var response = Self.problem(405, "method_not_allowed", "\(path) answers \(allowed), not \(method.rawValue)")
            response.headers[.allow] = allowed
            return response
        }
        do {
            guard let query = PercentDecoding.query(Substring(request.uri.query ?? "")) else {
                throw ManagementError(400, "bad_query", "the query string has a broken percent-escape")
            }
            switch route {
            case .health:
                return healthResponse()
            case .stats:
                return try await statsResponse()
            case .listEntries:
                return try await listEntries(query)
            case .getEntry:
                return try await showEntry(variable)
            case .getEntryBody:
                return try await entryBody(variable)
            case .purge:
                return try await purge(Array(buffer: try await Self.smallBody(&request)))
            case .listDeployments, .createDeployment, .getDeployment, .finalizeDeployment, .activateDeployment, .missingBlobs, .putBlob, .getBlob:
                return try await deployments(route, variable: String(variable), request: request)
            }
        } catch let error as ManagementError {
            return Self.problem(error.status, error.code, error.message)
        } catch {
            return Self.problem(503, "store_unavailable", "the store did not answer: \(error)")
        }
    }

    /// Constant-time comparison, so response timing does not leak the token. The scheme name
    /// is case-insensitive (RFC 9110 §11.1).
    private func authorized(_ header: String?) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(header.dropFirst(7).utf8)
        let expected = Array(options.managementToken.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A JSON request body of at most 1 MiB.
    static func smallBody(_ request: inout Request) async throws -> ByteBuffer {
        do { return try await request.collectBody(upTo: 1 << 20) } catch {
            throw ManagementError(413, "request_too_large", "a JSON request body is at most 1 MiB")
        }
    }

    private func healthResponse() -> Response {
        json(200, .object([
            ("status", .string("ok")),
            ("schema_hash", .string(manifest.schemaHash)),
            ("routes", .int(manifest.routes.count)),
        ]))
    }

    private func statsResponse() async throws -> Response {
        let storeStats = try await store.stats()
        let c = stats.snapshot
        return json(200, .object([
            ("entries", .int(storeStats.entries)),
            ("bytes", .int(storeStats.bytes)),
            ("evictions", .int(storeStats.evictions)),
            ("per_client", .object(storeStats.perClient.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("requests", .int(c.requests)),
            ("hits", .int(c.hits)),
            ("stale", .int(c.stale)),
            ("misses", .int(c.misses)),
            ("coalesced", .int(c.coalesced)),
            ("bypassed", .int(c.bypassed)),
            ("stored", .int(c.stored)),
            ("purges", .int(c.purges)),
            ("purged_entries", .int(c.purgedEntries)),
            ("upstream_requests", .int(c.upstreamRequests)),
            ("upstream_errors", .int(c.upstreamErrors)),
            ("hit_ratio", c.hitRatio.map { .raw(String(format: "%.4f", $0)) } ?? .null),
        ]))
    }

    /// `GET /_mizan/entries?client=C&param=k=v&tag=T&context=C&limit=N&after=CURSOR`
    private func listEntries(_ query: [(name: String, value: String)]) async throws -> Response {
        let selector = try selector(from: query)
        var scope = PurgeScope()
        if let context = query.last(where: { $0.name == "context" })?.value {
            guard let parsed = CacheContext(rawValue: context) else {
                throw ManagementError(400, "bad_context", "context must be public, user or session, not '\(context)'")
            }
            scope.context = parsed
        }
        let limitText = query.last { $0.name == "limit" }?.value ?? "100"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw ManagementError(400, "bad_limit", "limit must be an integer from 1 to 1000, not '\(limitText)'")
        }
        let page = try await store.list(EntryFilter(selector, scope: scope), after: query.last { $0.name == "after" }?.value, limit: limit)
        return json(200, .object([
            ("entries", .array(page.entries.map(Self.entryJSON))),
            ("next", page.next.map(JSONOutput.string) ?? .null),
        ]))
    }

    private func showEntry(_ keyText: Substring) async throws -> Response {
        let stored = try await storedEntry(keyText)
        var object = Self.entryJSON(stored.metadata)
        if case .object(var members) = object {
            let now = options.clock.now()
            members.append(("fresh", .bool(stored.metadata.isFresh(at: now))))
            members.append(("age", .int(Int(max(0, now - stored.metadata.created) / 1000))))
            object = .object(members)
        }
        return json(200, object)
    }

    private func entryBody(_ keyText: Substring) async throws -> Response {
        let stored = try await storedEntry(keyText)
        var headers = HTTPFields()
        headers[.contentType] = stored.metadata.contentType ?? "application/octet-stream"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    private func storedEntry(_ keyText: Substring) async throws -> StoredEntry {
        guard let key = CacheKey(hex: keyText) else {
            throw ManagementError(400, "bad_key", "an entry key is 64 hex digits")
        }
        guard let stored = try await store.get(key) else {
            throw ManagementError(404, "no_entry", "no entry under that key (it may have expired or been purged)")
        }
        return stored
    }

    /// `POST /_mizan/purge` with `{"selector": {...}, "context": C, "mode": "soft"|"hard"}`.
    private func purge(_ body: [UInt8]) async throws -> Response {
        let document: JSONDocument
        do { document = try JSONParser.parse(body, file: "body") } catch {
            throw ManagementError(400, "bad_json", "the body is not JSON: \(error.diagnostics.first?.message ?? "")")
        }
        let root = document.root
        guard let selectorNode = root["selector"] else {
            throw ManagementError(400, "bad_selector", "the body needs a 'selector': {\"client\": …, \"params\": {…}}, {\"tag\": …} or {\"all\": true}")
        }
        let selector = try readSelector(selectorNode)
        var scope = PurgeScope()
        if let context = root["context"] {
            guard let parsed = context.stringValue.flatMap(CacheContext.init(rawValue:)) else {
                throw ManagementError(400, "bad_context", "context must be public, user or session")
            }
            scope.context = parsed
        }
        let modeNode = root["mode"]
        guard let mode = modeNode.map({ $0.stringValue.flatMap(PurgeMode.init(rawValue:)) }) ?? .hard else {
            throw ManagementError(400, "bad_mode", "mode must be \"soft\" or \"hard\"")
        }
        purgeEpoch.advance()
        let count = try await store.purge(selector, scope: scope, mode: mode)
        stats.update {
            $0.purges += 1
            $0.purgedEntries += count
        }
        return json(200, .object([("purged", .int(count)), ("mode", .string(mode.rawValue))]))
    }

    private func readSelector(_ node: JSONNode) throws -> PurgeSelector {
        let table = routes.current
        if let client = node["client"]?.stringValue, table.readers[client] == nil, !(node["params"]?.members?.isEmpty ?? true) {
            throw ManagementError(404, "unknown_client", Self.unknownClient(client, known: table.readers.keys.sorted()))
        }
        do {
            return try PurgeSelector.from(json: node) { table.readers[$0] }
        } catch {
            throw ManagementError(400, "bad_selector", error.message)
        }
    }

    /// The list filter from query items: `client` with `param=k=v`…, or `tag`; none: all. Read
    /// through the same selector rules as a purge body.
    private func selector(from query: [(name: String, value: String)]) throws -> PurgeSelector {
        let tag = query.last { $0.name == "tag" }?.value
        let client = query.last { $0.name == "client" }?.value
        let params = query.filter { $0.name == "param" }
        if tag != nil && client != nil { throw ManagementError(400, "bad_selector", "give client or tag, not both") }
        if client == nil && !params.isEmpty { throw ManagementError(400, "bad_param", "param narrows a client; give client too") }
        let selector: JSONOutput
        if let tag {
            selector = .object([("tag", .string(tag))])
        } else if let client {
            var members: [(String, JSONOutput)] = []
            for item in params {
                let parts = item.value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ManagementError(400, "bad_param", "param must be name=value, not '\(item.value)'")
                }
                members.append((parts[0], .string(parts[1])))
            }
            selector = .object([("client", .string(client)), ("params", .object(members))])
        } else {
            return .all
        }
        return try readSelector(try JSONParser.parse(Array(selector.compact().utf8), file: "query").root)
    }

    static func unknownClient(_ client: String, known: [String]) -> String {
        var message = "'\(client)' is not a client of this manifest"
        if let suggestion = Spelling.suggestion(for: client, among: known) { message += "; did you mean '\(suggestion)'?" }
        return message + " (clients: \(known.joined(separator: ", ")))"
    }

    /// The protocol's metadata record (docs/protocol.md, "Metadata record"), so API clients
    /// read entries with the same decoder as the stores.
    static func entryJSON(_ m: EntryMetadata) -> JSONOutput {
        .object([
            ("version", .int(EntryMetadata.currentVersion)),
            ("key", .string(m.key.hex)),
            ("client", .string(m.client)),
            ("params", .raw(m.params.text)),
            ("context", .string(m.context.rawValue)),
            ("caller", m.caller.map { .string($0.hex) } ?? .null),
            ("status", .int(m.status)),
            ("content_type", m.contentType.map(JSONOutput.string) ?? .null),
            ("headers", .array(m.headers.map { .array([.string($0.name), .string($0.value)]) })),
            ("created", .int(Int(m.created))),
            ("expires", .int(Int(m.expires))),
            ("stale_until", .int(Int(m.staleUntil))),
            ("etag", .string(m.etag)),
            ("size", .int(m.size)),
            ("tags", .array(m.tags.map(JSONOutput.string))),
            ("deps", .array(m.deps.map { .object([("client", .string($0.client)), ("params", .raw($0.params.text))]) })),
        ])
    }

    func json(_ status: Int, _ value: JSONOutput) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value.rendered())))
    }
}

struct ManagementError: Error {
    var status: Int
    var code: String
    var message: String

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
