import MizanCore
import MizanSchema

/// Reads a manifest written by any mizan of the same manifest version, reporting the first
/// problem with its position (a manifest is machine-written, so one error is enough).
public enum ManifestReader {
    public static let invalidManifest = "MZ080"

    public static func read(bytes: [UInt8], file: String) throws(DiagnosticsError) -> EdgeManifest {
        let document = try JSONParser.parse(bytes, file: file)
        let reader = Reader(document: document)
        do throws(ReadError) {
            return try reader.manifest(document.root)
        } catch {
            throw DiagnosticsError([.error(invalidManifest, "invalid edge manifest: \(error.message)",
                                           at: document.location(of: error.offset))])
        }
    }

    struct ReadError: Error {
        var message: String
        var offset: Int
    }

    struct Reader {
        let document: JSONDocument

        func member(_ node: JSONNode, _ key: String) throws(ReadError) -> JSONNode {
            guard node.members != nil else { throw ReadError(message: "expected an object, found \(node.kindName)", offset: node.offset) }
            guard let value = node[key] else { throw ReadError(message: "missing key '\(key)'", offset: node.offset) }
            return value
        }

        func string(_ node: JSONNode, _ key: String) throws(ReadError) -> String {
            let v = try member(node, key)
            guard let s = v.stringValue else { throw ReadError(message: "'\(key)' must be a string", offset: v.offset) }
            return s
        }

        func int(_ node: JSONNode, _ key: String) throws(ReadError) -> Int {
            let v = try member(node, key)
            guard let i = v.intValue else { throw ReadError(message: "'\(key)' must be an integer", offset: v.offset) }
            return i
        }

        func bool(_ node: JSONNode, _ key: String) throws(ReadError) -> Bool {
            let v = try member(node, key)
            guard let b = v.boolValue else { throw ReadError(message: "'\(key)' must be a boolean", offset: v.offset) }
            return b
        }

        func array(_ node: JSONNode, _ key: String) throws(ReadError) -> [JSONNode] {
            let v = try member(node, key)
            guard let e = v.elements else { throw ReadError(message: "'\(key)' must be an array", offset: v.offset) }
            return e
        }

        func manifest(_ root: JSONNode) throws(ReadError) -> EdgeManifest {
            let version = try int(root, "manifest_version")
            guard version == EdgeManifest.version else {
                throw ReadError(message: "manifest_version \(version) is not supported; this mizan reads version \(EdgeManifest.version)", offset: root.offset)
            }
            let projectNode = try member(root, "project")
            var routes: [EdgeManifest.Route] = []
            for r in try array(root, "routes") {
                var params: [EdgeManifest.Param] = []
                for p in try array(r, "params") {
                    let typeName = try string(p, "type")
                    guard let wire = WireType(rawValue: typeName) else {
                        throw ReadError(message: "unknown parameter type '\(typeName)'", offset: p.offset)
                    }
                    let enumNode = try member(p, "enum")
                    params.append(EdgeManifest.Param(
                        name: try string(p, "name"), wire: p["wire"]?.stringValue, location: try string(p, "in"), type: wire, list: try bool(p, "list"),
                        required: try bool(p, "required"),
                        enumValues: enumNode.isNull ? nil : (enumNode.elements ?? []).map { String(decoding: CanonicalJSON.bytes(of: $0), as: UTF8.self) }))
                }
                let cacheNode = try member(r, "cache")
                var cache: EdgeManifest.Cache?
                if cacheNode.boolValue != false {
                    cache = EdgeManifest.Cache(
                        ttl: try int(cacheNode, "ttl"), staleWhileRevalidate: try int(cacheNode, "stale_while_revalidate"),
                        context: try string(cacheNode, "context"),
                        tags: try array(cacheNode, "tags").compactMap(\.stringValue))
                }
                routes.append(EdgeManifest.Route(
                    client: try string(r, "client"), method: try string(r, "method"), path: try string(r, "path"),
                    params: params, cache: cache))
            }
            let invalidationNode = try member(root, "invalidation")
            guard let mutations = invalidationNode.members else {
                throw ReadError(message: "'invalidation' must be an object", offset: invalidationNode.offset)
            }
            var invalidation: [(client: String, affects: [EdgeManifest.Invalidation])] = []
            for m in mutations {
                guard let entries = m.value.elements else {
                    throw ReadError(message: "invalidation of '\(m.key)' must be an array", offset: m.value.offset)
                }
                var affects: [EdgeManifest.Invalidation] = []
                for e in entries {
                    let paramsNode = try member(e, "params")
                    var params: [(name: String, source: EdgeManifest.Invalidation.Source)] = []
                    for p in paramsNode.members ?? [] {
                        if let from = p.value["from"]?.stringValue {
                            params.append((p.key, .from(from)))
                        } else if let value = p.value["value"] {
                            params.append((p.key, .value(String(decoding: CanonicalJSON.bytes(of: value), as: UTF8.self))))
                        } else {
                            throw ReadError(message: "param '\(p.key)' needs 'from' or 'value'", offset: p.value.offset)
                        }
                    }
                    affects.append(EdgeManifest.Invalidation(client: try string(e, "client"), params: params))
                }
                invalidation.append((m.key, affects))
            }
            return EdgeManifest(
                generator: try string(root, "generator"), project: projectNode.stringValue,
                schemaHash: try string(root, "schema_hash"), routes: routes, invalidation: invalidation)
        }
    }
}
