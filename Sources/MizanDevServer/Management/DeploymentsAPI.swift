import Foundation
import HTTPTypes
import Hummingbird
import MizanCore
import MizanManifest
import NIOCore

/// The deployments part of the management API (docs/render-api.md, "Deployments"): create a
/// deployment from file hashes, upload the blobs it lacks, finalize (the manifest goes live at
/// once, swapped into the running proxy), poll, list, and activate an earlier one to roll back.
/// Finalize and activate run one at a time, record and swap together, so the deployment the
/// API calls live is always the one whose manifest the proxy serves.
extension DevServer {
    static let maximumBlobSize = 512 << 20

    func deployments(_ route: ManagementRoute, variable: String, request: Request) async throws -> Response {
        guard let store = deploymentStore else {
            throw ManagementError(404, "deployments_disabled", "this server keeps no deployments (mizan dev runs without a state folder)")
        }
        do {
            switch route {
            case .listDeployments:
                return json(200, .object([("deployments", .array(store.all.reversed().map(Self.deploymentJSON)))]))
            case .getDeployment:
                guard let deployment = store.deployment(variable) else { throw ManagementError(404, "no_deployment", "no deployment '\(variable)'") }
                return json(200, Self.deploymentJSON(deployment))
            case .createDeployment:
                var request = request
                let root = try Self.jsonBody(try await Self.smallBody(&request))
                guard let project = root["project"]?.stringValue, !project.isEmpty else {
                    throw ManagementError(400, "bad_request", "'project' is required")
                }
                let environment = root["environment"]?.stringValue ?? "production"
                guard ["production", "preview"].contains(environment) else {
                    throw ManagementError(400, "bad_request", "'environment' is production or preview")
                }
                guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? root["idempotency_key"]?.stringValue, !key.isEmpty else {
                    throw ManagementError(400, "bad_request", "an Idempotency-Key header is required, so a retried create never makes two deployments")
                }
                guard let fileNodes = root["files"]?.elements else { throw ManagementError(400, "bad_files", "'files' is an array of {path, hash, size}") }
                let files = try fileNodes.map { node -> DeploymentStore.File in
                    guard let path = node["path"]?.stringValue, let hash = node["hash"]?.stringValue, let size = node["size"]?.intValue else {
                        throw ManagementError(400, "bad_files", "each file is {\"path\": …, \"hash\": \"sha256:…\", \"size\": …}")
                    }
                    return DeploymentStore.File(path: path, hash: hash, size: size)
                }
                let (deployment, created, missing) = try store.create(
                    project: project, environment: environment, message: root["message"]?.stringValue, idempotencyKey: key, files: files)
                var object = Self.deploymentJSON(deployment)
                if case .object(var members) = object {
                    members.append(("missing", .array(missing.map(JSONOutput.string))))
                    object = .object(members)
                }
                return json(created ? 201 : 200, object)
            case .missingBlobs:
                var request = request
                let root = try Self.jsonBody(try await Self.smallBody(&request))
                guard let nodes = root["hashes"]?.elements else { throw ManagementError(400, "bad_request", "'hashes' is an array of sha256: hashes") }
                let hashes = try nodes.map { node in
                    guard let hash = node.stringValue else { throw ManagementError(400, "bad_hash", "each hash is a string") }
                    return hash
                }
                return json(200, .object([("missing", .array(try store.missing(hashes).map(JSONOutput.string)))]))
            case .putBlob:
                let created = try await store.putBlob(variable, chunks: request.body.map { Array(buffer: $0) }, maximumSize: Self.maximumBlobSize)
                return json(created ? 201 : 200, .object([("hash", .string(variable)), ("stored", .bool(created))]))
            case .getBlob:
                guard DeploymentStore.isHash(variable), store.hasBlob(variable),
                      let data = FileManager.default.contents(atPath: store.blobPath(variable)) else {
                    throw ManagementError(404, "no_blob", "no blob \(variable)")
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/octet-stream"
                headers[.cacheControl] = "no-store"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            case .finalizeDeployment:
                let deployment = try await store.activating {
                    var manifest: EdgeManifest?
                    let deployment = try store.finalize(variable) { path in
                        let loaded = try ManifestReader.read(bytes: [UInt8](FileManager.default.contents(atPath: path) ?? Data()), file: "manifest.json")
                        manifest = loaded
                        return loaded.schemaHash
                    }
                    if let manifest { try await reload(manifest) }
                    return deployment
                }
                return json(200, Self.deploymentJSON(deployment))
            case .activateDeployment:
                let deployment = try await store.activating {
                    let target = try store.activatable(variable)
                    guard let file = target.manifestFile else { throw ManagementError(404, "no_deployment", "no deployment '\(variable)'") }
                    let manifest = try ManifestReader.read(bytes: [UInt8](FileManager.default.contents(atPath: store.blobPath(file.hash)) ?? Data()), file: "manifest.json")
                    let deployment = try store.activate(variable)
                    try await reload(manifest)
                    return deployment
                }
                return json(200, Self.deploymentJSON(deployment))
            default:
                throw ManagementError(404, "not_found", "no deployments route")
            }
        } catch let problem as DeploymentStore.Problem {
            throw ManagementError(problem.status, problem.code, problem.message)
        }
    }

    static func jsonBody(_ body: ByteBuffer) throws -> JSONNode {
        do { return try JSONParser.parse(Array(buffer: body), file: "body").root } catch {
            throw ManagementError(400, "bad_json", "the body is not JSON: \(error.diagnostics.first?.message ?? "")")
        }
    }

    static func deploymentJSON(_ d: DeploymentStore.Deployment) -> JSONOutput {
        .object([
            ("id", .string(d.id)),
            ("project", .string(d.project)),
            ("environment", .string(d.environment)),
            ("message", d.message.map(JSONOutput.string) ?? .null),
            ("status", .string(d.status.rawValue)),
            ("created", .int(Int(d.created))),
            ("activated", d.activated.map { .int(Int($0)) } ?? .null),
            ("schema_hash", d.schemaHash.map(JSONOutput.string) ?? .null),
            ("files", .int(d.files.count)),
            ("bytes", .int(d.bytes)),
            ("manifest", d.manifestFile.map { .string($0.hash) } ?? .null),
            ("error", d.error.map(JSONOutput.string) ?? .null),
        ])
    }
}
