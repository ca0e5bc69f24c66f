import Foundation
import MizanCore
import MizanManifest

/// One deploy, start to finish: hash the bundle, create the deployment (idempotently), upload
/// only the blobs the service lacks, finalize, and wait until it is live or failed.
public struct Deployer: Sendable {
    public var client: RenderClient
    public var project: String
    public var environment: String
    public var message: String?
    public var parallelUploads = 4
    /// How long to poll for `live` after finalize.
    public var pollTimeout: Double = 120

    public init(client: RenderClient, project: String, environment: String, message: String?) {
        self.client = client
        self.project = project
        self.environment = environment
        self.message = message
    }

    /// What happened, for the terminal and for `--json`.
    public struct Result: Sendable {
        public var deployment: RenderClient.Deployment
        public var url: String
        public var uploadedFiles: Int
        public var uploadedBytes: Int
        public var skippedFiles: Int
        public var skippedBytes: Int
        /// The deployment was already live (the same bundle deployed before): nothing was sent.
        public var alreadyLive: Bool

        public var json: JSONOutput {
            .object([
                ("id", .string(deployment.id)), ("status", .string(deployment.status)), ("url", .string(url)),
                ("schema_hash", deployment.schemaHash.map(JSONOutput.string) ?? .null),
                ("uploaded", .object([("files", .int(uploadedFiles)), ("bytes", .int(uploadedBytes))])),
                ("skipped", .object([("files", .int(skippedFiles)), ("bytes", .int(skippedBytes))])),
                ("already_live", .bool(alreadyLive)),
            ])
        }
    }

    /// What `--dry-run` reports: which files would upload and how the manifest would change.
    public struct Plan: Sendable {
        public var upload: [DeployBundle.File]
        public var skip: [DeployBundle.File]
        /// The live deployment, when there is one.
        public var live: RenderClient.Deployment?
        /// Contract changes against the live manifest, in plain words (empty: none, or no live one).
        public var changes: [String]
    }

    /// Reads the manifest to deploy; a manifest that does not validate never leaves the machine.
    public static func validate(_ bundle: DeployBundle) throws(DeployError) -> EdgeManifest {
        guard let file = bundle.manifest, let data = FileManager.default.contents(atPath: file.source) else {
            throw DeployError(.usage, "the bundle has no edge manifest")
        }
        switch Swift.Result(catching: { () throws(DiagnosticsError) in try ManifestReader.read(bytes: [UInt8](data), file: file.source) }) {
        case .success(let manifest): return manifest
        case .failure(let error):
            throw DeployError(.invalid, error.diagnostics.map(\.formatted).joined(separator: "\n"))
        }
    }

    public func plan(_ bundle: DeployBundle, manifest: EdgeManifest) async throws(DeployError) -> Plan {
        let missing = Set(try await client.missing(bundle.files.map(\.hash)))
        let live = try await client.deployments().first { $0.status == "live" }
        var changes: [String] = []
        if let live, let hash = live.manifest {
            let bytes = try await client.blob(hash)
            if let liveManifest = try? ManifestReader.read(bytes: bytes, file: "live manifest.json") {
                changes = ContractDrift.changes(from: liveManifest, to: manifest).map { "\($0)" }
            }
        }
        return Plan(
            upload: bundle.files.filter { missing.contains($0.hash) }, skip: bundle.files.filter { !missing.contains($0.hash) },
            live: live, changes: changes)
    }

    /// Deploys; `progress` hears (bytes uploaded, files finished, files to upload, bytes to upload).
    public func run(_ bundle: DeployBundle, progress: (@Sendable (Int64, Int, Int, Int) -> Void)? = nil) async throws(DeployError) -> Result {
        let key = bundle.idempotencyKey(project: project, environment: environment)
        let (created, missingHashes) = try await client.create(project: project, environment: environment, message: message, key: key, files: bundle.files)
        let url = client.baseURL + "/_mizan/deployments/" + created.id
        if created.status == "live" {
            return Result(deployment: created, url: url, uploadedFiles: 0, uploadedBytes: 0, skippedFiles: bundle.files.count, skippedBytes: bundle.bytes, alreadyLive: true)
        }
        if created.status == "superseded" {
            // This exact bundle was live before: make it live again rather than upload anything.
            let live = try await client.activate(created.id)
            return Result(deployment: live, url: url, uploadedFiles: 0, uploadedBytes: 0, skippedFiles: bundle.files.count, skippedBytes: bundle.bytes, alreadyLive: true)
        }
        if created.status == "failed" {
            throw DeployError(.failed, "deployment \(created.id) of this bundle failed before: \(created.error ?? "no reason given"); change the bundle and deploy again")
        }
        // Each blob once, even when two paths hold the same bytes.
        let missing = Set(missingHashes)
        var seen: Set<String> = []
        let toUpload = bundle.files.filter { missing.contains($0.hash) && seen.insert($0.hash).inserted }
        let uploadBytes = toUpload.reduce(0) { $0 + $1.size }
        try await client.upload(toUpload, parallel: parallelUploads) { bytes, finished in
            progress?(bytes, finished, toUpload.count, uploadBytes)
        }
        var deployment: RenderClient.Deployment
        do {
            deployment = try await client.finalize(created.id)
        } catch where error.code == "missing_blobs" {
            // A blob went missing between upload and finalize (another deploy, a cleanup): once more.
            let stillMissing = Set(try await client.missing(bundle.files.map(\.hash)))
            try await client.upload(bundle.files.filter { stillMissing.contains($0.hash) }, parallel: parallelUploads, progress: nil)
            deployment = try await client.finalize(created.id)
        }
        let deadline = Date().addingTimeInterval(pollTimeout)
        var wait = 0.25
        while deployment.status == "pending" {
            guard Date() < deadline else {
                throw DeployError(.temporary, "deployment \(deployment.id) is still pending after \(Int(pollTimeout)) s; check it with `mizan deploy ls`")
            }
            try? await Task.sleep(for: .seconds(wait))
            wait = min(wait * 2, 2)
            deployment = try await client.deployment(created.id)
        }
        guard deployment.status == "live" else {
            throw DeployError(.failed, "deployment \(deployment.id) is \(deployment.status): \(deployment.error ?? "no reason given")")
        }
        let uploadedHashes = Set(toUpload.map(\.hash))
        let skipped = bundle.files.filter { !uploadedHashes.contains($0.hash) }
        return Result(
            deployment: deployment, url: url, uploadedFiles: toUpload.count, uploadedBytes: uploadBytes,
            skippedFiles: skipped.count, skippedBytes: skipped.reduce(0) { $0 + $1.size }, alreadyLive: false)
    }
}
