import Foundation
import MizanCore
import MizanSchema

/// Options that change how an OpenAPI document maps onto the IR.
public struct OpenAPIOptions: Sendable {
    /// Cache every GET operation without `x-mizan-cache` with this public policy (seconds);
    /// nil (the default) caches nothing that the document does not opt in.
    public var defaultCacheTTL: Int?
    public var defaultStaleWhileRevalidate: Int

    public init(defaultCacheTTL: Int? = nil, defaultStaleWhileRevalidate: Int = 0) {
        self.defaultCacheTTL = defaultCacheTTL
        self.defaultStaleWhileRevalidate = defaultStaleWhileRevalidate
    }
}

/// An OpenAPI 3.0/3.1 document → the same IR a schema-export gives: operations become clients,
/// `components.schemas` and inline object schemas become named types, `x-mizan-cache` and
/// `x-mizan-affects` become cache policies and the invalidation graph. What cannot be mapped is
/// skipped with a warning naming the place, never guessed.
final class OpenAPIImporter {
    struct Located {
        var node: JSONNode
        var pointer: String
        var file: String
    }

    let options: OpenAPIOptions
    let mainFile: String
    var documents: [String: JSONDocument] = [:]
    var diagnostics = Diagnostics()
    var version = ""

    // Types
    var types: [String: TypeDecl] = [:]
    var takenTypeNames: Set<String> = []
    var takenTSNames: Set<String> = []
    /// "file#pointer|mode" → the IR name of the named type made from it.
    var convertedSchemas: [String: String] = [:]
    /// "file#pointer" of each component schema → its IR name, reserved before conversion so
    /// references resolve to stable names whatever order they are met in.
    var componentNames: [String: String] = [:]
    var requestVariantCache: [String: Bool] = [:]
    var anchors: [String: String] = [:]

    init(document: JSONDocument, options: OpenAPIOptions) {
        self.options = options
        self.mainFile = document.lines.file
        documents[mainFile] = document
    }

    // MARK: Diagnostics

    func location(_ located: Located) -> SourceLocation? {
        documents[located.file]?.location(of: located.node)
    }

    func error(_ code: String, _ message: String, at place: Located) {
        diagnostics.append(.error(code, message, at: location(place), pointer: place.pointer))
    }

    func warning(_ code: String, _ message: String, at place: Located) {
        diagnostics.append(.warning(code, message, at: location(place), pointer: place.pointer))
    }

    static func child(_ pointer: String, _ key: String) -> String {
        // Byte check first: Foundation's replacing dominated the import profile.
        if !key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) { return pointer + "/" + key }
        return pointer + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    func member(_ place: Located, _ key: String) -> Located? {
        guard let node = place.node[key] else { return nil }
        return Located(node: node, pointer: Self.child(place.pointer, key), file: place.file)
    }

    func members(_ place: Located) -> [(key: String, value: Located)] {
        (place.node.members ?? []).map { ($0.key, Located(node: $0.value, pointer: Self.child(place.pointer, $0.key), file: place.file)) }
    }

    func elements(_ place: Located) -> [Located] {
        (place.node.elements ?? []).enumerated().map { Located(node: $1, pointer: place.pointer + "/\($0)", file: place.file) }
    }

    // MARK: References

    /// Follows `$ref` chains (local and to other files) to the node they name.
    func resolve(_ place: Located) -> Located? {
        var current = place
        var seen: Set<String> = []
        while let ref = current.node["$ref"]?.stringValue {
            guard seen.insert(current.file + "#" + current.pointer).inserted else {
                error(OpenAPICode.unresolvedReference, "$ref '\(ref)' refers to itself", at: current)
                return nil
            }
            guard let target = target(of: ref, from: current) else { return nil }
            current = target
        }
        return current
    }

    /// The node one `$ref` names, loading another file when the reference points there.
    func target(of ref: String, from place: Located) -> Located? {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let filePart = String(parts[0])
        let pointer = parts.count > 1 ? String(parts[1]) : ""
        var file = place.file
        if !filePart.isEmpty {
            if filePart.hasPrefix("http://") || filePart.hasPrefix("https://") {
                error(OpenAPICode.unresolvedReference, "remote $ref '\(ref)' is not fetched; download it and refer to the local file", at: place)
                return nil
            }
            let base = (place.file as NSString).deletingLastPathComponent
            file = ((base.isEmpty ? filePart : (base as NSString).appendingPathComponent(filePart)) as NSString).standardizingPath
            if documents[file] == nil {
                guard let data = FileManager.default.contents(atPath: file) else {
                    error(OpenAPICode.unresolvedReference, "$ref '\(ref)': cannot read '\(file)'", at: place)
                    return nil
                }
                do {
                    documents[file] = try DocumentReader.read([UInt8](data), file: file)
                } catch let failure as DiagnosticsError {
                    diagnostics.append(contentsOf: failure.diagnostics)
                    return nil
                } catch {
                    return nil
                }
            }
        }
        guard let document = documents[file] else { return nil }
        var node = document.root
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = raw.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "%") })
                ? raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~").removingPercentEncoding ?? String(raw)
                : String(raw)
            if let next = node[key] {
                node = next
            } else if let elements = node.elements, let index = Int(key), elements.indices.contains(index) {
                node = elements[index]
            } else {
                error(OpenAPICode.unresolvedReference, "$ref '\(ref)' points nowhere ('\(key)' not found)", at: place)
                return nil
            }
        }
        return Located(node: node, pointer: pointer, file: file)
    }

    // MARK: The document

    func importDocument() -> Schema? {
        guard let document = documents[mainFile] else { return nil }
        let root = Located(node: document.root, pointer: "", file: mainFile)
        guard root.node.members != nil else {
            error(OpenAPICode.invalidDocument, "expected an OpenAPI document (a mapping with 'openapi'), found \(root.node.kindName)", at: root)
            return nil
        }
        if let swagger = root.node["swagger"] {
            error(OpenAPICode.unsupportedVersion,
                  "this is a Swagger \(swagger.stringValue ?? "2.0") document; mizan reads OpenAPI 3.0 and 3.1 (convert it, e.g. with swagger2openapi)",
                  at: member(root, "swagger")!)
            return nil
        }
        guard let versionPlace = member(root, "openapi"), let text = versionPlace.node.stringValue ?? numberText(versionPlace.node) else {
            error(OpenAPICode.invalidDocument, "the document has no 'openapi' version; is this an OpenAPI description?", at: root)
            return nil
        }
        guard text.hasPrefix("3.0") || text.hasPrefix("3.1") else {
            error(OpenAPICode.unsupportedVersion, "OpenAPI \(text) is not supported; mizan reads 3.0.x and 3.1.x", at: versionPlace)
            return nil
        }
        version = text
        for feature in ["webhooks"] where root.node[feature] != nil {
            warning(OpenAPICode.skipped, "'\(feature)' are not mapped: the kernel only calls the server", at: member(root, feature)!)
        }
        registerComponents(root)
        let clients = importOperations(root)
        convertComponents(root)
        let info = member(root, "info")
        let title = info.flatMap { $0.node["title"]?.stringValue }
        let hash = ContentHash.sha256(CanonicalJSON.bytes(of: document.root))
        var schema = Schema(
            formatVersion: 1, project: title.map { OpenAPINames.snakeCase($0) }.flatMap { $0.isEmpty ? nil : $0 },
            doc: info.flatMap { $0.node["description"]?.stringValue },
            types: Array(types.values), clients: clients, hash: hash, source: mainFile)
        schema.origin = .openAPI
        return schema
    }

    private func numberText(_ node: JSONNode) -> String? {
        if case .number(let raw) = node.value { return raw }
        return nil
    }
}

/// Reads a schema file of either format, JSON or YAML, detected by content.
public enum DocumentReader {
    public static func read(_ bytes: [UInt8], file: String) throws(DiagnosticsError) -> JSONDocument {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try JSONParser.parse(bytes, file: file)
        }
        return try YAMLReader.parse(bytes, file: file)
    }
}
