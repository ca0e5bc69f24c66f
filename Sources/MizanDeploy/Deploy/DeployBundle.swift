import Foundation
import MizanCore

/// What one deploy uploads: the edge manifest as `manifest.json`, the render worker bundle under
/// `worker/`, static assets under `assets/`, each file named by its SHA-256. Files are hashed by
/// streaming them, so memory does not grow with the bundle.
public struct DeployBundle: Sendable {
    public struct File: Sendable, Equatable {
        /// The path in the deployment (`worker/index.js`).
        public var path: String
        /// Where it is on disk.
        public var source: String
        public var hash: String
        public var size: Int
    }

    public var files: [File]
    /// Things the user should know, such as a configured folder that does not exist.
    public var notes: [String]

    public var bytes: Int { files.reduce(0) { $0 + $1.size } }
    public var manifest: File? { files.first { $0.path == "manifest.json" } }

    /// Collects and hashes the bundle. `worker` and `assets` may be missing (a project without a
    /// render worker only deploys its manifest); the manifest may not.
    public static func collect(manifest: String, worker: String?, assets: String?) throws(DeployError) -> DeployBundle {
        var files: [File] = []
        var notes: [String] = []
        guard FileManager.default.fileExists(atPath: manifest) else {
            throw DeployError(.usage, "no edge manifest at \(manifest); run `mizan codegen` first")
        }
        files.append(try hashed(path: "manifest.json", source: manifest))
        for (folder, prefix) in [(worker, "worker"), (assets, "assets")] {
            guard let folder else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                notes.append("no \(prefix) folder at \(folder); deploying without it")
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
            var relative: [String] = []
            while let item = enumerator.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let full = (folder as NSString).appendingPathComponent(item)
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                    // Hidden files (.DS_Store, .env) are not part of a bundle.
                    if !item.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { relative.append(item) }
                }
            }
            for item in relative.sorted() {
                files.append(try hashed(path: "\(prefix)/\(item)", source: (folder as NSString).appendingPathComponent(item)))
            }
        }
        return DeployBundle(files: files, notes: notes)
    }

    private static func hashed(path: String, source: String) throws(DeployError) -> File {
        do {
            let (hash, size) = try ContentHash.sha256(file: source)
            return File(path: path, source: source, hash: hash, size: size)
        } catch {
            throw DeployError(.unreadable, "cannot read \(source): \(error.localizedDescription)")
        }
    }

    /// The same for the same project, environment and files: a re-run of an interrupted deploy
    /// finds its deployment again, and a retried create never makes a second one.
    public func idempotencyKey(project: String, environment: String) -> String {
        var text = "mizan-deploy/1\n\(project)\n\(environment)\n"
        for file in files { text += "\(file.path) \(file.hash) \(file.size)\n" }
        return "mizan-" + ContentHash.sha256(Array(text.utf8)).dropFirst("sha256:".count).prefix(32)
    }
}

/// Why a deploy stopped; each kind has its own exit status (docs/deploy.md).
public struct DeployError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Missing settings or files the user must provide (64).
        case usage
        /// The manifest does not validate, here or on the server (65).
        case invalid
        /// The API could not be reached, even after retries (69).
        case unreachable
        /// A bundle file could not be read (74).
        case unreadable
        /// The API kept answering 429 or 5xx, or timing out, until the retries ran out (75).
        case temporary
        /// The answer was not what the API promises: malformed JSON, an unknown shape (76).
        case protocolError
        /// The token was refused or is missing (77).
        case unauthorized
        /// The service refused the deployment, or it failed there (1).
        case failed
    }

    public var kind: Kind
    public var message: String
    /// The API's error code (`missing_blobs`, `invalid_manifest`) when it answered with one.
    public var code: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
