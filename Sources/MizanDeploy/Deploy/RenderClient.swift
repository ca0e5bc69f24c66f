import Foundation
import MizanCore

/// The Render management API's deployment routes (docs/render-api.md), through libcurl with
/// retries. Every call here is safe to retry: creates carry an idempotency key, blobs are
/// content-addressed, finalize and activate are idempotent.
public struct RenderClient: Sendable {
    public let baseURL: String
    private let token: String
    private let http: CurlClient
    public var policy: RetryPolicy
    /// Seconds a JSON call may take in all, and an upload may go without progress, before it
    /// fails as timed out (and is retried). curl judges progress by the average rate over the
    /// last few seconds, so only a whole-call limit catches a small request whose answer is late.
    public var timeout: Double = 60
    /// Told (what, attempt, reason, delay) before each retry, for "retrying in 2.1s (503)".
    public var onRetry: (@Sendable (String, Int, String, Double) -> Void)?

    public init(baseURL: String, token: String, http: CurlClient = CurlClient(), policy: RetryPolicy = RetryPolicy()) {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed
        self.token = token
        self.http = http
        self.policy = policy
    }

    /// A deployment as the API describes it.
    public struct Deployment: Sendable, Equatable {
        public var id: String
        public var status: String
        public var message: String?
        public var created: Int64
        public var activated: Int64?
        public var schemaHash: String?
        public var files: Int
        public var bytes: Int
        public var manifest: String?
        public var error: String?

        /// Reads the answer to `what` (create, status, …), which names it in errors.
        init(_ node: JSONNode, _ what: String) throws(DeployError) {
            guard let id = node["id"]?.stringValue, let status = node["status"]?.stringValue else {
                throw DeployError(.protocolError, "\(what): the API answered a deployment without an id and a status")
            }
            // The id goes into URLs: a plain name only.
            guard !id.isEmpty, id.utf8.count <= 128, id.utf8.allSatisfy({ Self.idBytes.contains($0) }) else {
                throw DeployError(.protocolError, "\(what): the API answered a deployment id that is not a plain name (letters, digits, '-', '_', '.')")
            }
            self.id = id
            self.status = status
            message = node["message"]?.stringValue
            created = Int64(node["created"]?.intValue ?? 0)
            activated = node["activated"]?.intValue.map(Int64.init)
            schemaHash = node["schema_hash"]?.stringValue
            files = node["files"]?.intValue ?? 0
            bytes = node["bytes"]?.intValue ?? 0
            manifest = node["manifest"]?.stringValue
            error = node["error"]?.stringValue
        }

        private static let idBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".utf8)
    }

    public func create(project: String, environment: String, message: String?, key: String, files: [DeployBundle.File]) async throws(DeployError) -> (Deployment, missing: [String]) {
        let body = JSONOutput.object([
            ("project", .string(project)), ("environment", .string(environment)), ("message", message.map(JSONOutput.string) ?? .null),
            ("files", .array(files.map { .object([("path", .string($0.path)), ("hash", .string($0.hash)), ("size", .int($0.size))]) })),
        ]).compact()
        let root = try await call("POST", "/_mizan/deployments", json: body, extraHeaders: [("Idempotency-Key", key)], what: "create")
        return (try Deployment(root, "create"), (root["missing"]?.elements ?? []).compactMap(\.stringValue))
    }

    public func deployment(_ id: String) async throws(DeployError) -> Deployment {
        try Deployment(try await call("GET", "/_mizan/deployments/\(id)", what: "status"), "status")
    }

    public func deployments() async throws(DeployError) -> [Deployment] {
        let root = try await call("GET", "/_mizan/deployments", what: "list")
        var list: [Deployment] = []
        for node in root["deployments"]?.elements ?? [] { list.append(try Deployment(node, "list")) }
        return list
    }

    public func finalize(_ id: String) async throws(DeployError) -> Deployment {
        try Deployment(try await call("POST", "/_mizan/deployments/\(id)/finalize", json: "{}", what: "finalize"), "finalize")
    }

    public func activate(_ id: String) async throws(DeployError) -> Deployment {
        try Deployment(try await call("POST", "/_mizan/deployments/\(id)/activate", json: "{}", what: "rollback"), "rollback")
    }

    public func missing(_ hashes: [String]) async throws(DeployError) -> [String] {
        let body = JSONOutput.object([("hashes", .array(hashes.map(JSONOutput.string)))]).compact()
        return (try await call("POST", "/_mizan/blobs/missing", json: body, what: "missing")["missing"]?.elements ?? []).compactMap(\.stringValue)
    }

    public func blob(_ hash: String) async throws(DeployError) -> [UInt8] {
        try await raw("GET", "/_mizan/blobs/\(hash)", what: "download").body
    }

    /// Uploads `files`, at most `parallel` at once, each streamed from disk and retried on its own.
    public func upload(_ files: [DeployBundle.File], parallel: Int, progress: (@Sendable (Int64, Int) -> Void)?) async throws(DeployError) {
        let requests = files.map { file in
            var request = HTTPRequestSpec(method: "PUT", url: baseURL + "/_mizan/blobs/\(file.hash)", headers: authHeaders + [("Content-Type", "application/octet-stream")], body: .file(path: file.source))
            // At least 1 MB/s on average over the whole upload; a stalled one fails sooner.
            request.timeout = max(120, timeout, Double(file.size) / 1_000_000)
            request.stallTimeout = timeout
            return request
        }
        let onRetry = self.onRetry
        let results = await http.sendAll(requests, maxParallel: parallel, policy: policy, onRetry: { index, attempt, reason, delay in
            onRetry?("upload \(files[index].path)", attempt, reason, delay)
        }, progress: progress)
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let response) where (200...299).contains(response.status): continue
            case .success(let response): throw failure(response, what: "upload of \(file.path)")
            case .failure(let error): throw Self.failure(error, what: "upload of \(file.path)")
            }
        }
    }

    // MARK: - HTTP

    private var authHeaders: [(name: String, value: String)] { [("Authorization", "Bearer \(token)")] }

    private func call(
        _ method: String, _ path: String, json: String? = nil, extraHeaders: [(name: String, value: String)] = [], what: String
    ) async throws(DeployError) -> JSONNode {
        let response = try await raw(method, path, json: json, extraHeaders: extraHeaders, what: what)
        do { return try JSONParser.parse(redacted(response.body), file: "response").root } catch {
            throw DeployError(.protocolError, "\(what): the API answered \(response.status) with a body that is not JSON (\(excerpt(response)))")
        }
    }

    private func raw(
        _ method: String, _ path: String, json: String? = nil, extraHeaders: [(name: String, value: String)] = [], what: String
    ) async throws(DeployError) -> HTTPResponseData {
        var headers = authHeaders + extraHeaders
        if json != nil { headers.append(("Content-Type", "application/json")) }
        var request = HTTPRequestSpec(method: method, url: baseURL + path, headers: headers, body: json.map { .bytes(Array($0.utf8)) } ?? .none)
        request.timeout = timeout
        request.stallTimeout = timeout
        let onRetry = self.onRetry
        let response: HTTPResponseData
        do {
            response = try await http.send(request, policy: policy) { attempt, reason, delay in onRetry?(what, attempt, reason, delay) }
        } catch {
            throw Self.failure(error, what: what)
        }
        guard (200...299).contains(response.status) else { throw failure(response, what: what) }
        return response
    }

    static func failure(_ error: HTTPTransportError, what: String) -> DeployError {
        switch error.kind {
        case .connect: DeployError(.unreachable, "\(what): \(error.message)")
        case .timeout, .interrupted, .retryLater: DeployError(.temporary, "\(what): \(error.message)")
        case .fileUnreadable: DeployError(.unreadable, "\(what): \(error.message)")
        default: DeployError(.unreachable, "\(what): \(error.message)")
        }
    }

    /// The error an answer other than 2xx stands for; the API's message and code, when it sent
    /// `{"error": {"code", "message"}}`, are part of it.
    func failure(_ response: HTTPResponseData, what: String) -> DeployError {
        let error = try? JSONParser.parse(redacted(response.body), file: "error").root["error"]
        let code = error?["code"]?.stringValue
        let message = error?["message"]?.stringValue ?? "HTTP \(response.status)"
        let detail = "\(what): \(message)\(code.map { " [\($0)]" } ?? "")"
        switch response.status {
        case 401, 403: return DeployError(.unauthorized, "\(what): the API refused the token (MIZAN_TOKEN): \(message)", code: code)
        case 422: return DeployError(.invalid, detail, code: code)
        case 429, 500...599: return DeployError(.temporary, "\(detail) (still failing after retries)", code: code)
        default:
            if error == nil {
                return DeployError(.protocolError, "\(what): the API answered \(response.status) without an error object (\(excerpt(response)))")
            }
            return DeployError(.failed, detail, code: code)
        }
    }

    /// The body with the token cut out: a service that echoes the request (or the token in an
    /// error message) must not make it reach the terminal or a CI log.
    private func redacted(_ body: [UInt8]) -> [UInt8] {
        let token = Array(self.token.utf8)
        guard !token.isEmpty, body.count >= token.count else { return body }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            if body[index] == token[0], index + token.count <= body.count, body[index..<(index + token.count)].elementsEqual(token) {
                out += Array("[MIZAN_TOKEN]".utf8)
                index += token.count
            } else {
                out.append(body[index])
                index += 1
            }
        }
        return out
    }

    /// What a malformed answer started with, for the message: its content type and up to 60
    /// characters, the token cut out and anything unprintable shown as ".".
    private func excerpt(_ response: HTTPResponseData) -> String {
        let type = response.header("content-type").map { "\($0), " } ?? ""
        let body = redacted(response.body)
        if body.isEmpty { return "\(type)empty" }
        let text = String(decoding: body.prefix(60), as: UTF8.self).map { $0.isASCII && ($0.asciiValue ?? 0) >= 32 && $0 != "\u{7F}" ? $0 : "." }
        return "\(type)starting \(String(text).debugDescription)\(body.count > 60 ? "…" : "")"
    }
}
