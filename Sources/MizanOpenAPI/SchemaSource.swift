import Foundation
import MizanCore
import MizanSchema

/// Reads whatever `--schema` names — a schema-export or an OpenAPI 3.0/3.1 description, JSON or
/// YAML — into the IR, detected by content, with every diagnostic.
public enum SchemaSource {
    public static func load(path: String, maximumSize: Int = SchemaLoader.defaultMaximumSize, options: OpenAPIOptions = OpenAPIOptions()) -> SchemaLoader.Result {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return SchemaLoader.load(path: path, maximumSize: maximumSize)  // reports the missing file
        }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        try? handle.close()
        if size > maximumSize { return SchemaLoader.load(path: path, maximumSize: maximumSize) }
        guard let data = FileManager.default.contents(atPath: path) else { return SchemaLoader.load(path: path, maximumSize: maximumSize) }
        return load(bytes: [UInt8](data), file: path, options: options)
    }

    public static func load(bytes: [UInt8], file: String, options: OpenAPIOptions = OpenAPIOptions()) -> SchemaLoader.Result {
        if let problem = SchemaLoader.screen(bytes, file: file) { return SchemaLoader.Result(schema: nil, diagnostics: [problem]) }
        let document: JSONDocument
        do {
            document = try DocumentReader.read(bytes, file: file)
        } catch {
            return SchemaLoader.Result(schema: nil, diagnostics: error.diagnostics)
        }
        let root = document.root
        guard root["openapi"] != nil || root["swagger"] != nil else {
            return SchemaLoader.load(document: document)
        }
        let importer = OpenAPIImporter(document: document, options: options)
        let schema = importer.importDocument()
        var diagnostics = importer.diagnostics
        if let schema {
            diagnostics.append(contentsOf: SchemaLoader.validate(schema, document: document, anchors: importer.anchors))
        }
        return SchemaLoader.Result(schema: diagnostics.hasErrors ? nil : schema, diagnostics: diagnostics.sorted)
    }
}
