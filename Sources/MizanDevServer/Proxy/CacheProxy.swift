import Foundation
import HTTPTypes
import Hummingbird
import MizanCore
import MizanManifest
import MizanProtocol
import MizanStores
import NIOCore

/// The result of one upstream fetch for a cacheable read, shared by every request that waited on
/// it.
enum Fetched: Sendable {
    case response(UpstreamResponse, status: CacheStatus, shareable: Bool)
    case failed(UpstreamFailure)
}

/// The request as the proxy forwards it: method, path and query, headers without hop-by-hop ones.
struct ForwardedRequest: Sendable {
    var method: String
    var pathAndQuery: String
    var headers: [(name: String, value: String)]
    var body: ByteBuffer?

    func header(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

extension DevServer {
    // MARK: - Entry point

    func proxy(_ incoming: Request, record: inout RequestLogRecord) async -> Response {
        var request = incoming
        let method = request.method.rawValue
        let path = Substring(request.uri.path)
        let query: Substring? = request.uri.query.map { Substring($0) }
        var body: ByteBuffer?
        if method != "GET" && method != "HEAD" {
            do {
                body = try await request.collectBody(upTo: options.maxRequestBody)
            } catch {
                record.outcome = "error"
                return Self.problem(413, "request_too_large", "the request body is larger than \(options.maxRequestBody) bytes")
            }
        }
        let forwarded = ForwardedRequest(
            method: method, pathAndQuery: request.uri.path + (query.map { "?\($0)" } ?? ""),
            headers: Self.forwardHeaders(request.headers), body: body)
        stats.update { $0.requests += 1 }

        let table = routes.current
        let routeMethod = method == "HEAD" ? "GET" : method
        guard let (entry, pathParams) = table.match(method: routeMethod, path: path) else {
            record.outcome = CacheStatus.Forward.uriMiss.rawValue
            return await pass(forwarded, status: CacheStatus(forward: .uriMiss), record: &record)
        }
        record.client = entry.route.client

        if routeMethod == "GET" {
            return await read(entry, pathParams: pathParams, query: query, request: forwarded, record: &record)
        }
        return await mutate(entry, table: table, pathParams: pathParams, query: query, request: forwarded, record: &record)
    }

    // MARK: - Reads

    private func read(
        _ entry: RouteTable.Entry, pathParams: [(name: String, value: String)], query: Substring?, request: ForwardedRequest,
        record: inout RequestLogRecord
    ) async -> Response {
        let keyed: Keyed
        switch resolveKey(entry, pathParams: pathParams, query: query, header: request.header) {
        case .notCacheable:
            record.outcome = "bypass"
            record.detail = "not-cacheable"
            var response = await pass(request, status: CacheStatus(forward: .bypass, detail: "not-cacheable"), record: &record)
            response.headers[.cacheControl] = "no-store"
            return response
        case .bypass(let detail):
            return await bypass(request, detail: detail, record: &record)
        case .keyed(let found):
            keyed = found
        }
        let key = keyed.key
        let lookup = Lookup(
            entry: entry, policy: keyed.policy, params: keyed.params, context: keyed.context, caller: keyed.caller, key: key,
            request: request.forCacheFill())

        let now = options.clock.now()
        var storeError: String?
        do {
            if let stored = try await store.get(key) {
                if stored.metadata.isFresh(at: now) {
                    return serve(stored, request: request, status: CacheStatus(hit: true, ttl: (stored.metadata.expires - now) / 1000), now: now, record: &record)
                }
                // Stale within its window: serve it and refresh once in the background.
                let failing = refreshFailures.contains(key)
                refresh(lookup)
                let status = CacheStatus(
                    hit: true, ttl: -max(1, (now - stored.metadata.expires + 999) / 1000),
                    detail: failing ? "stale-if-error" : "stale-while-revalidate")
                return serve(stored, request: request, status: status, now: now, record: &record)
            }
        } catch {
            // A store that cannot answer must not take the site down: fetch from upstream.
            storeError = "store unavailable: \(error)"
        }

        let (task, leader) = inFlight.join(key) { [self] in await fetch(lookup) }
        var fetched = await task.value
        if !leader {
            if case .response(let response, var status, let shareable) = fetched, shareable {
                stats.update { $0.coalesced += 1 }
                status.collapsed = true
                status.stored = false
                fetched = .response(response, status: status, shareable: true)
            } else {
                // The shared response belongs to one caller (Set-Cookie) or was too big to share.
                fetched = await fetch(lookup)
            }
        }
        stats.update { $0.misses += 1 }
        switch fetched {
        case .failed(let failure):
            record.outcome = "error"
            record.detail = failure.message
            return Self.problem(failure.status, failure.code, failure.message)
        case .response(let response, var status, _):
            if let storeError, status.detail == nil { status.detail = storeError }
            record.outcome = status.outcome
            record.stored = status.stored
            record.detail = status.detail
            if status.stored, let etag = response.header("etag") ?? Self.etagIfStored(response, status),
               Self.matches(ifNoneMatch: request.header("if-none-match"), etag: etag) {
                return notModified(etag: etag, status: status, extra: response.headers)
            }
            return respond(response, status: status, headOnly: request.method == "HEAD")
        }
    }

    /// A cacheable read's key and what it was derived from.
    struct Keyed: Sendable {
        var policy: EdgeManifest.Cache
        var params: CanonicalParams
        var context: CacheContext
        var caller: CallerID?
        var key: CacheKey
    }

    enum KeyResolution: Sendable {
        /// The client is not cached (`cache: false`).
        case notCacheable
        /// Cacheable, but this request must not touch the cache; the detail says why.
        case bypass(String)
        case keyed(Keyed)
    }

    /// The key of a read per the protocol, or why it has none. Synchronous and shared by the
    /// async proxy and the event-loop hit path, so both key a request the same way.
    func resolveKey(
        _ entry: RouteTable.Entry, pathParams: [(name: String, value: String)], query: Substring?, header: (String) -> [String]
    ) -> KeyResolution {
        guard let policy = entry.route.cache, let context = entry.context else { return .notCacheable }
        let params: CanonicalParams
        do {
            params = try RequestParams.read(entry, pathParams: pathParams, query: query, header: { header($0).first }, jsonBody: nil)
        } catch {
            return .bypass("params: \(error.message)")
        }
        var caller: CallerID?
        if context.isPerCaller {
            guard let credential = options.credentials.credential(for: context, header: header) else {
                return .bypass("no \(context.rawValue) credential")
            }
            caller = try? derivation.callerID(credential: credential)
        }
        guard let key = try? derivation.key(client: entry.route.client, params: params, context: context, caller: caller) else {
            return .bypass("key derivation failed")
        }
        return .keyed(Keyed(policy: policy, params: params, context: context, caller: caller, key: key))
    }

    /// What a cacheable read needs to fetch and store one entry.
    struct Lookup: Sendable {
        var entry: RouteTable.Entry
        var policy: EdgeManifest.Cache
        var params: CanonicalParams
        var context: CacheContext
        var caller: CallerID?
        var key: CacheKey
        var request: ForwardedRequest
    }

    /// Fetches from upstream and stores what may be stored. Runs detached from any one request.
    func fetch(_ lookup: Lookup) async -> Fetched {
        let epoch = purgeEpoch.current
        stats.update { $0.upstreamRequests += 1 }
        let response: UpstreamResponse
        do {
            response = try await upstream.send(
                method: "GET", pathAndQuery: lookup.request.pathAndQuery, headers: lookup.request.headers, body: nil,
                bufferLimit: options.maxEntryBytes)
        } catch {
            stats.update { $0.upstreamErrors += 1 }
            refreshFailures.record(lookup.key, failed: true)
            return .failed(error)
        }
        refreshFailures.record(lookup.key, failed: response.status >= 500)
        var status = CacheStatus(forward: .miss, forwardStatus: response.status)
        let shareable = response.rest == nil && response.header("set-cookie") == nil
        if response.rest != nil {
            status.detail = "too-large"
            return .response(response, status: status, shareable: false)
        }
        let varying = Self.unkeyedVary(response.headerValues("vary"), context: lookup.context)
        switch StoragePolicy.decide(context: lookup.context, status: response.status, headers: response.headers) {
        case .skip(let reason):
            status.detail = reason.detail
        case .store where varying != nil:
            status.detail = "vary: \(varying ?? "")"
        case .store:
            let now = options.clock.now()
            var deps: [Dependency] = []
            if let header = response.header("x-mizan-deps") {
                deps = dependencies(header)
            }
            let body = Array(buffer: response.body)
            let metadata = EntryMetadata(
                key: lookup.key, client: lookup.entry.route.client, params: lookup.params, context: lookup.context,
                caller: lookup.caller, status: response.status, contentType: response.header("content-type"),
                headers: StoredHeaders.select(response.headers), created: now,
                expires: now + Int64(lookup.policy.ttl) * 1000,
                staleUntil: now + Int64(lookup.policy.ttl + lookup.policy.staleWhileRevalidate) * 1000,
                etag: response.header("etag") ?? EntryMetadata.etag(forBody: body), size: body.count,
                tags: lookup.policy.tags, deps: deps)
            if purgeEpoch.current != epoch {
                status.detail = "purged-while-fetching"
            } else {
                do {
                    try await store.put(body, metadata: metadata)
                    status.stored = true
                    status.ttl = Int64(lookup.policy.ttl)
                    stats.update { $0.stored += 1 }
                } catch {
                    status.detail = "store unavailable: \(error)"
                }
            }
        }
        return .response(response, status: status, shareable: shareable)
    }

    /// Starts one background refresh for a stale entry, unless one is running.
    private func refresh(_ lookup: Lookup) {
        _ = inFlight.join(lookup.key) { [self] in await fetch(lookup) }
    }

    /// `X-Mizan-Deps`: the data a rendered page read, in `X-Mizan-Invalidate`'s grammar. Members
    /// that do not read are left out (the page is then not purged through them).
    private func dependencies(_ header: String) -> [Dependency] {
        guard let members = try? InvalidateHeader.parse(header) else { return [] }
        let readers = routes.current.readers
        return members.compactMap { member in
            guard case .client(let client, let params)? = try? PurgeSelector.from(member, reader: readers[member.client]) else { return nil }
            return Dependency(client: client, params: params)
        }
    }

    // MARK: - Mutations

    private func mutate(
        _ entry: RouteTable.Entry, table: RouteTable, pathParams: [(name: String, value: String)], query: Substring?,
        request: ForwardedRequest, record: inout RequestLogRecord
    ) async -> Response {
        stats.update { $0.upstreamRequests += 1 }
        let response: UpstreamResponse
        do {
            response = try await upstream.send(
                method: request.method, pathAndQuery: request.pathAndQuery, headers: request.headers, body: request.body,
                bufferLimit: options.maxEntryBytes)
        } catch {
            stats.update { $0.upstreamErrors += 1 }
            record.outcome = "error"
            record.detail = error.message
            return Self.problem(error.status, error.code, error.message)
        }
        record.outcome = CacheStatus.Forward.method.rawValue
        var status = CacheStatus(forward: .method, forwardStatus: response.status)
        if InvalidateHeader.applies(method: request.method, status: response.status) {
            let summary = await invalidate(after: entry, table: table, pathParams: pathParams, query: query, request: request, response: response)
            if !summary.isEmpty {
                record.detail = summary
                status.detail = summary
            }
        }
        return respond(response, status: status, headOnly: false)
    }

    /// Applies the mutation's `affects`, then the response's `X-Mizan-Invalidate`; returns what
    /// it did in words for the log and `Cache-Status`.
    private func invalidate(
        after entry: RouteTable.Entry, table: RouteTable, pathParams: [(name: String, value: String)], query: Substring?,
        request: ForwardedRequest, response: UpstreamResponse
    ) async -> String {
        var selectors: [(PurgeSelector, CacheContext?)] = []
        var problems: [String] = []
        // `affects` after a 2xx (docs/edge-manifest.md); the header also after a 3xx (protocol.md).
        if !entry.affects.isEmpty, (200...299).contains(response.status) {
            let json = request.body.flatMap { body -> JSONNode? in
                guard request.header("content-type").first?.lowercased().contains("json") ?? false else { return nil }
                return try? JSONParser.parse(Array(buffer: body), file: "body").root
            }
            let mutationParams = try? RequestParams.read(
                entry, pathParams: pathParams, query: query, header: { request.header($0).first }, jsonBody: json)
            for affect in entry.affects {
                let targetContext = table.context(of: affect.client)
                guard let target = table.readers[affect.client], let mutationParams,
                      let selector = try? PurgeSelector.from(affect, mutationParams: mutationParams, target: target) else {
                    // Params that do not read: purge every entry of the target rather than risk stale data.
                    selectors.append((.client(affect.client, params: .empty), targetContext))
                    continue
                }
                selectors.append((selector, targetContext))
            }
        }
        for value in response.headerValues(InvalidateHeader.name) {
            do {
                for member in try InvalidateHeader.parse(value) {
                    do {
                        selectors.append((try PurgeSelector.from(member, reader: table.readers[member.client]), table.context(of: member.client)))
                    } catch {
                        problems.append("\(InvalidateHeader.name) member '\(member.client)': \(error.message)")
                    }
                }
            } catch {
                problems.append(error.description)
            }
        }
        var purged = 0
        for (selector, context) in selectors {
            guard let scope = scope(for: context, request: request) else { continue }
            purgeEpoch.advance()
            do {
                purged += try await store.purge(selector, scope: scope, mode: .hard)
            } catch {
                problems.append("purge failed: \(error)")
            }
        }
        let count = selectors.count
        stats.update {
            $0.purges += count
            $0.purgedEntries += purged
        }
        var summary = selectors.isEmpty ? "" : "purged \(purged) \(purged == 1 ? "entry" : "entries") by \(count) \(count == 1 ? "selector" : "selectors")"
        if !problems.isEmpty { summary += (summary.isEmpty ? "" : "; ") + problems.joined(separator: "; ") }
        return summary
    }

    /// A request purges shared entries, or its own caller's in a per-caller context (nil when it
    /// has no credential for that context: there is nothing of its own to purge).
    private func scope(for context: CacheContext?, request: ForwardedRequest) -> PurgeScope? {
        guard let context, context.isPerCaller else { return PurgeScope(context: .public) }
        guard let credential = options.credentials.credential(for: context, header: request.header),
              let caller = try? derivation.callerID(credential: credential) else { return nil }
        return PurgeScope(context: context, caller: caller)
    }

    // MARK: - Responses

    private func bypass(_ request: ForwardedRequest, detail: String, record: inout RequestLogRecord) async -> Response {
        stats.update { $0.bypassed += 1 }
        record.outcome = "bypass"
        record.detail = detail
        return await pass(request, status: CacheStatus(forward: .bypass, detail: detail), record: &record)
    }

    /// Forwards a request untouched and streams the response back.
    private func pass(_ request: ForwardedRequest, status: CacheStatus, record: inout RequestLogRecord) async -> Response {
        stats.update { $0.upstreamRequests += 1 }
        do {
            let response = try await upstream.send(
                method: request.method, pathAndQuery: request.pathAndQuery, headers: request.headers, body: request.body,
                bufferLimit: 256 << 10)
            var status = status
            status.forwardStatus = response.status
            return respond(response, status: status, headOnly: request.method == "HEAD")
        } catch {
            stats.update { $0.upstreamErrors += 1 }
            record.outcome = "error"
            record.detail = error.message
            return Self.problem(error.status, error.code, error.message)
        }
    }

    private func serve(_ stored: StoredEntry, request: ForwardedRequest, status: CacheStatus, now: Int64, record: inout RequestLogRecord) -> Response {
        countHit(status)
        record.outcome = status.outcome
        record.detail = status.detail
        let answer = Self.hitAnswer(stored, ifNoneMatch: request.header("if-none-match"), status: status, now: now)
        guard answer.withBody, request.method != "HEAD" else { return Response(status: answer.status, headers: answer.httpFields) }
        return Response(status: answer.status, headers: answer.httpFields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    func countHit(_ status: CacheStatus) {
        stats.update {
            $0.hits += 1
            if status.ttl ?? 0 < 0 { $0.stale += 1 }
        }
    }

    /// An answer from a stored entry: its status, its header fields in order (the stored ones
    /// lower-case, the cache's own spelled as the async path always wrote them), and whether the
    /// body follows.
    struct HitAnswer {
        var status: HTTPResponse.Status
        var fields: [(name: String, value: String)]
        var withBody: Bool

        var httpFields: HTTPFields {
            var headers = HTTPFields()
            headers.reserveCapacity(fields.count)
            for (name, value) in fields { DevServer.append(&headers, name, value) }
            return headers
        }
    }

    /// The answer from a stored entry: a 304 when `If-None-Match` matches its ETag, else the
    /// stored status with the body to follow. Both the async responder and the event-loop hit
    /// path answer with this.
    static func hitAnswer(_ stored: StoredEntry, ifNoneMatch: [String], status: CacheStatus, now: Int64) -> HitAnswer {
        let metadata = stored.metadata
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(metadata.headers.count + 6)
        for header in metadata.headers { fields.append((header.name, header.value)) }
        let age = String(max(0, now - metadata.created) / 1000)
        if matches(ifNoneMatch: ifNoneMatch, etag: metadata.etag) {
            fields.append(("ETag", metadata.etag))
            fields.append(("Age", age))
            fields.append((CacheStatus.name, status.headerValue))
            return HitAnswer(status: .notModified, fields: fields, withBody: false)
        }
        if let contentType = metadata.contentType { fields.append(("Content-Type", contentType)) }
        fields.append(("ETag", metadata.etag))
        fields.append(("Age", age))
        fields.append((CacheStatus.name, status.headerValue))
        return HitAnswer(status: .init(code: metadata.status), fields: fields, withBody: true)
    }

    private func notModified(etag: String, status: CacheStatus, extra: [(name: String, value: String)]) -> Response {
        var headers = HTTPFields()
        for (name, value) in extra where ["cache-control", "vary", "expires", "content-location"].contains(name.lowercased()) {
            Self.append(&headers, name, value)
        }
        Self.append(&headers, "etag", etag)
        Self.append(&headers, CacheStatus.name, status.headerValue)
        return Response(status: .notModified, headers: headers)
    }

    private func respond(_ response: UpstreamResponse, status: CacheStatus, headOnly: Bool) -> Response {
        var headers = HTTPFields()
        var contentLength: Int?
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if lower == "content-length" { contentLength = Int(value); continue }
            if Self.hopByHop.contains(lower) || lower == CacheStatus.name.lowercased() { continue }
            Self.append(&headers, name, value)
        }
        if status.stored, response.header("etag") == nil, let etag = Self.etagIfStored(response, status) {
            Self.append(&headers, "etag", etag)
        }
        Self.append(&headers, CacheStatus.name, status.headerValue)
        let httpStatus = HTTPResponse.Status(code: response.status)
        if headOnly || response.status == 204 || response.status == 304 {
            if let contentLength, headOnly { headers[.contentLength] = String(contentLength) }
            return Response(status: httpStatus, headers: headers)
        }
        guard let rest = response.rest else {
            return Response(status: httpStatus, headers: headers, body: ResponseBody(byteBuffer: response.body))
        }
        let first = response.body
        let body = ResponseBody(contentLength: contentLength) { writer in
            try await writer.write(first)
            while let part = try await rest.next() { try await writer.write(part) }
            try await writer.finish(nil)
        }
        return Response(status: httpStatus, headers: headers, body: body)
    }

    /// The request headers a response varies on that its key does not hold, or nil when there
    /// are none: such a response must not be shared under the key. The credential headers are
    /// in the key of per-caller entries; `Accept-Encoding` is fixed to identity for cache fills.
    static func unkeyedVary(_ values: [String], context: CacheContext) -> String? {
        var keyed: Set<String> = ["accept-encoding"]
        if context.isPerCaller { keyed.formUnion(["cookie", "authorization"]) }
        let names = values.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: " \t").lowercased() }
            .filter { !$0.isEmpty && !keyed.contains($0) }
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }

    /// The ETag the store computed for a response without one.
    private static func etagIfStored(_ response: UpstreamResponse, _ status: CacheStatus) -> String? {
        status.stored ? EntryMetadata.etag(forBody: Array(buffer: response.body)) : nil
    }

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]

    static func forwardHeaders(_ fields: HTTPFields) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var forwardedHost: String?
        for field in fields {
            let name = field.name.canonicalName
            if name == "host" { forwardedHost = field.value }
            if hopByHop.contains(name) { continue }
            headers.append((field.name.rawName, field.value))
        }
        if let forwardedHost { headers.append(("X-Forwarded-Host", forwardedHost)) }
        headers.append(("X-Forwarded-Proto", "http"))
        return headers
    }

    /// RFC 9110 §13.1.2: weak comparison against a list, or `*`.
    static func matches(ifNoneMatch values: [String], etag: String) -> Bool {
        // Most hits carry no If-None-Match: answer before any string work (this was 9% of a hit).
        if values.isEmpty { return false }
        func opaque(_ tag: Substring) -> Substring {
            let trimmed = tag.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            let text = Substring(String(trimmed))
            return text.hasPrefix("W/") ? text.dropFirst(2) : text
        }
        let wanted = opaque(Substring(etag))
        for value in values {
            for candidate in value.split(separator: ",") {
                let tag = opaque(candidate)
                if tag == "*" || tag == wanted { return true }
            }
        }
        return false
    }

    static func append(_ fields: inout HTTPFields, _ name: String, _ value: String) {
        guard let fieldName = HTTPField.Name(name) else { return }
        fields.append(HTTPField(name: fieldName, value: value))
    }

    /// A JSON error body with a code, for the proxy's own failures (502, 504, 413) and the
    /// management API.
    static func problem(_ status: Int, _ code: String, _ message: String) -> Response {
        let body = JSONOutput.object([("error", .object([("code", .string(code)), ("message", .string(message))]))]).compact() + "\n"
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        append(&headers, CacheStatus.name, CacheStatus(detail: code).headerValue)
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

extension ForwardedRequest {
    /// A cache fill fetches the whole, unencoded response: a browser's conditional and range
    /// headers are answered by the proxy from the stored entry, and an entry stored gzip-encoded
    /// would be wrong for the next client that does not accept gzip.
    func forCacheFill() -> ForwardedRequest {
        var copy = self
        copy.headers.removeAll {
            ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range", "accept-encoding"]
                .contains($0.name.lowercased())
        }
        return copy
    }
}

extension RouteTable {
    /// The cache context of a client's route; nil when it is not cached or not in the manifest.
    func context(of client: String) -> CacheContext? { contexts[client] }
}
