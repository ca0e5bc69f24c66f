import Foundation
import MizanCore

/// What the Render API keeps for deployments, on disk under the dev server's state folder:
/// content-addressed blobs (`blobs/<sha256 hex>`) and the list of deployments
/// (`deployments.json`, rewritten atomically on every change). A deployment names its files by
/// path, hash and size; it goes live only when every blob is present and its edge manifest reads.
public final class DeploymentStore: @unchecked Sendable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        /// `sha256:` and 64 hex digits.
        public var hash: String
        public var size: Int
    }

    public enum Status: String, Codable, Sendable {
        /// Created; waiting for blobs and finalize.
        case pending
        /// Serving.
        case live
        /// Finalize found a problem (`error` says which); never served.
        case failed
        /// Was live; another deployment replaced it. Can be rolled back to.
        case superseded
    }

    public struct Deployment: Codable, Sendable, Equatable {
        public var id: String
        public var project: String
        public var environment: String
        public var message: String?
        public var idempotencyKey: String
        public var files: [File]
        public var status: Status
        public var created: Int64
        public var activated: Int64?
        public var error: String?
        public var schemaHash: String?

        enum CodingKeys: String, CodingKey {
            case id, project, environment, message, idempotencyKey = "idempotency_key", files, status, created, activated, error
            case schemaHash = "schema_hash"
        }

        public var bytes: Int { files.reduce(0) { $0 + $1.size } }
        /// The edge manifest among the files: required, at `manifest.json`.
        public var manifestFile: File? { files.first { $0.path == Self.manifestPath } }
        public static let manifestPath = "manifest.json"
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var status: Int
        public var code: String
        public var message: String
        public var description: String { message }
        init(_ status: Int, _ code: String, _ message: String) {
            self.status = status
            self.code = code
            self.message = message
        }
    }

    public let folder: String
    private let lock = NSLock()
    /// Held from "record which deployment is live" to "the proxy serves its manifest".
    private let activations = SerialGate()
    private var deployments: [Deployment]
    private let clock: @Sendable () -> Int64

    public init(folder: String, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) throws {
        self.folder = folder
        self.clock = clock
        try FileManager.default.createDirectory(atPath: folder + "/blobs", withIntermediateDirectories: true)
        if let data = FileManager.default.contents(atPath: folder + "/deployments.json") {
            deployments = try JSONDecoder().decode([Deployment].self, from: data)
        } else {
            deployments = []
        }
    }

    /// Runs `body`, which changes the live deployment and swaps the served manifest to match,
    /// with no other such change in between: two activations at once would otherwise leave the
    /// record naming one deployment and the proxy serving the other's manifest.
    func activating<T>(_ body: () async throws -> T) async throws -> T {
        try await activations.run(body)
    }

    public var all: [Deployment] { lock.withLock { deployments } }
    public func deployment(_ id: String) -> Deployment? { lock.withLock { deployments.first { $0.id == id } } }
    public var live: Deployment? { lock.withLock { deployments.last { $0.status == .live } } }

    static func isHash(_ text: some StringProtocol) -> Bool {
        text.hasPrefix("sha256:") && text.utf8.count == 71 && text.utf8.dropFirst(7).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    public func blobPath(_ hash: String) -> String { folder + "/blobs/" + hash.dropFirst("sha256:".count) }
    public func hasBlob(_ hash: String) -> Bool { FileManager.default.fileExists(atPath: blobPath(hash)) }
    public func missing(_ hashes: [String]) throws(Problem) -> [String] {
        var seen: Set<String> = []
        for hash in hashes where !Self.isHash(hash) {
            throw Problem(400, "bad_hash", "\(hash.debugDescription) is not sha256: and 64 lower-case hex digits")
        }
        return hashes.filter { seen.insert($0).inserted && !hasBlob($0) }
    }

    /// A new pending deployment, or the one made earlier with the same idempotency key (so a
    /// retried create never makes two). Returns it and the hashes still to upload.
    public func create(project: String, environment: String, message: String?, idempotencyKey: String, files: [File]) throws(Problem) -> (Deployment, created: Bool, missing: [String]) {
        guard !files.isEmpty else { throw Problem(400, "bad_files", "a deployment needs files") }
        var paths: Set<String> = []
        for file in files {
            guard Self.isHash(file.hash) else { throw Problem(400, "bad_files", "'\(file.path)': hash must be sha256: and 64 lower-case hex digits") }
            guard file.size >= 0 else { throw Problem(400, "bad_files", "'\(file.path)': size must not be negative") }
            guard !file.path.isEmpty, !file.path.hasPrefix("/"), !file.path.split(separator: "/").contains("..") else {
                throw Problem(400, "bad_files", "'\(file.path)': a path is relative, without '..'")
            }
            guard paths.insert(file.path).inserted else { throw Problem(400, "bad_files", "'\(file.path)' is listed twice") }
        }
        guard paths.contains(Deployment.manifestPath) else {
            throw Problem(400, "bad_files", "a deployment must include the edge manifest as '\(Deployment.manifestPath)'")
        }
        let result: (Deployment, Bool) = try locked { () throws(Problem) -> (Deployment, Bool) in
            if let earlier = deployments.first(where: { $0.idempotencyKey == idempotencyKey }) {
                let sameFiles = earlier.files.sorted { $0.path < $1.path } == files.sorted { $0.path < $1.path }
                guard sameFiles, earlier.project == project, earlier.environment == environment else {
                    throw Problem(409, "idempotency_conflict", "idempotency key '\(idempotencyKey)' was used for a different deployment (\(earlier.id))")
                }
                return (earlier, false)
            }
            var random = SystemRandomNumberGenerator()
            let id = "dep_" + String(clock(), radix: 36) + String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 36)
            let deployment = Deployment(
                id: id, project: project, environment: environment, message: message, idempotencyKey: idempotencyKey, files: files,
                status: .pending, created: clock(), activated: nil, error: nil, schemaHash: nil)
            deployments.append(deployment)
            try saveLocked()
            return (deployment, true)
        }
        return (result.0, result.1, try missing(files.map(\.hash)))
    }

    /// Writes a blob from `chunks`, checking that its SHA-256 is `hash`; a blob already present
    /// is kept. Returns whether it was new.
    public func putBlob<Chunks: AsyncSequence>(_ hash: String, chunks: Chunks, maximumSize: Int) async throws -> Bool where Chunks.Element: DataProtocol {
        guard Self.isHash(hash) else { throw Problem(400, "bad_hash", "a blob's name is sha256: and 64 lower-case hex digits") }
        let target = blobPath(hash)
        let temporary = target + ".upload-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: temporary) else { throw Problem(500, "state_unwritable", "cannot write under \(folder)") }
        var hasher = ContentHash.Hasher()
        do {
            defer { try? handle.close() }
            var iterator = chunks.makeAsyncIterator()
            while true {
                let next: Chunks.Element?
                do { next = try await iterator.next() } catch {
                    throw Problem(400, "upload_interrupted", "the upload ended before its body was complete")
                }
                guard let chunk = next else { break }
                hasher.update(chunk)
                guard hasher.count <= maximumSize else { throw Problem(413, "blob_too_large", "a blob is at most \(maximumSize) bytes") }
                do { try handle.write(contentsOf: chunk) } catch {
                    throw Problem(500, "state_unwritable", "cannot write the blob under \(folder): \(error.localizedDescription)")
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard hasher.finish() == hash else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Problem(400, "hash_mismatch", "the body's SHA-256 is \(hasher.finish()), not \(hash)")
        }
        if hasBlob(hash) {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        guard rename(temporary, target) == 0 else { throw Problem(500, "state_unwritable", "cannot store the blob under \(folder)") }
        return true
    }

    /// Checks a pending deployment is complete and its manifest reads (`validate` returns the
    /// schema hash or throws a message), then records it live; the caller swaps the manifest.
    /// Finalizing a live deployment again is not an error.
    public func finalize(_ id: String, validate: (String) throws -> String) throws(Problem) -> Deployment {
        guard let deployment = deployment(id) else { throw Problem(404, "no_deployment", "no deployment '\(id)'") }
        if deployment.status == .live { return deployment }
        guard deployment.status == .pending else {
            throw Problem(409, "not_pending", "deployment '\(id)' is \(deployment.status.rawValue); only a pending one can be finalized")
        }
        let missing = try missing(deployment.files.map(\.hash))
        guard missing.isEmpty else { throw Problem(409, "missing_blobs", "upload these blobs first: \(missing.joined(separator: ", "))") }
        let schemaHash: String
        do { schemaHash = try validate(blobPath(deployment.manifestFile!.hash)) } catch {
            try update(id) {
                $0.status = .failed
                $0.error = "\(error)"
            }
            throw Problem(422, "invalid_manifest", "manifest.json is not a valid edge manifest: \(error)")
        }
        return try activate(id, schemaHash: schemaHash)
    }

    /// The deployment, when it may go live again (finalized once: live or superseded).
    public func activatable(_ id: String) throws(Problem) -> Deployment {
        guard let deployment = deployment(id) else { throw Problem(404, "no_deployment", "no deployment '\(id)'") }
        switch deployment.status {
        case .live, .superseded: return deployment
        case .failed: throw Problem(409, "failed_deployment", "deployment '\(id)' failed (\(deployment.error ?? "")); it cannot go live")
        case .pending: throw Problem(409, "not_pending", "deployment '\(id)' was never finalized; finalize it first")
        }
    }

    /// Makes a finalized deployment the live one again (a rollback), superseding the current.
    public func activate(_ id: String, schemaHash: String? = nil) throws(Problem) -> Deployment {
        try locked { () throws(Problem) -> Deployment in
            guard let index = deployments.firstIndex(where: { $0.id == id }) else { throw Problem(404, "no_deployment", "no deployment '\(id)'") }
            guard deployments[index].status != .failed else {
                throw Problem(409, "failed_deployment", "deployment '\(id)' failed (\(deployments[index].error ?? "")); it cannot go live")
            }
            if deployments[index].status == .pending && schemaHash == nil {
                throw Problem(409, "not_pending", "deployment '\(id)' was never finalized")
            }
            for i in deployments.indices where deployments[i].status == .live && i != index { deployments[i].status = .superseded }
            deployments[index].status = .live
            deployments[index].activated = clock()
            if let schemaHash { deployments[index].schemaHash = schemaHash }
            try saveLocked()
            return deployments[index]
        }
    }

    private func update(_ id: String, _ change: (inout Deployment) -> Void) throws(Problem) {
        try locked { () throws(Problem) in
            guard let index = deployments.firstIndex(where: { $0.id == id }) else { return }
            change(&deployments[index])
            try saveLocked()
        }
    }

    private func locked<T>(_ body: () throws(Problem) -> T) throws(Problem) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func saveLocked() throws(Problem) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(deployments)
            try data.write(to: URL(fileURLWithPath: folder + "/deployments.json"), options: .atomic)
        } catch {
            throw Problem(500, "state_unwritable", "cannot write \(folder)/deployments.json: \(error.localizedDescription)")
        }
    }
}
