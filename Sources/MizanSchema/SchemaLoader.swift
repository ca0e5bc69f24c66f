import Foundation
import MizanCore

/// Reads a schema-export file into a validated `Schema`, reporting every problem in one run.
///
/// The pipeline is parse (JSON with positions) → decode (shape) → validate (cross-references);
/// each stage adds diagnostics, and only a document that cannot be read at all stops early.
public enum SchemaLoader {
    /// Larger exports are almost certainly the wrong file; the limit keeps memory bounded and can
    /// be raised with `--max-schema-size`.
    public static let defaultMaximumSize = 32 * 1024 * 1024

    public struct Result: Sendable {
        /// nil when any error was found.
        public var schema: Schema?
        /// Errors and warnings, in source order.
        public var diagnostics: [Diagnostic]

        public init(schema: Schema?, diagnostics: [Diagnostic]) {
            self.schema = schema
            self.diagnostics = diagnostics
        }
    }

    public static func load(path: String, maximumSize: Int = defaultMaximumSize) -> Result {
        let file = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return Result(schema: nil, diagnostics: [.error(
                SchemaCode.unreadable,
                exists ? "cannot read the schema file '\(path)' (permission denied?)" : "no schema file at '\(path)'",
                at: nil)])
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        if size > maximumSize {
            return Result(schema: nil, diagnostics: [.error(
                SchemaCode.fileTooLarge,
                "the schema file is \(formatBytes(size)), over the \(formatBytes(maximumSize)) limit; is this the right file? (raise the limit with --max-schema-size)",
                at: SourceLocation(file: file, line: 1, column: 1))])
        }
        do {
            try handle.seek(toOffset: 0)
            let data = try handle.readToEnd() ?? Data()
            return load(bytes: [UInt8](data), file: file)
        } catch {
            return Result(schema: nil, diagnostics: [.error(SchemaCode.unreadable, "cannot read '\(path)': \(error.localizedDescription)")])
        }
    }

    public static func load(bytes: [UInt8], file: String) -> Result {
        if let problem = screen(bytes, file: file) { return Result(schema: nil, diagnostics: [problem]) }
        let document: JSONDocument
        do {
            document = try JSONParser.parse(bytes, file: file)
        } catch {
            return Result(schema: nil, diagnostics: error.diagnostics)
        }
        return load(document: document)
    }

    public static func load(document: JSONDocument) -> Result {
        var decoder = SchemaExportDecoder(document: document)
        guard let output = decoder.decode() else {
            return Result(schema: nil, diagnostics: decoder.context.diagnostics.sorted)
        }
        let hash = ContentHash.sha256(CanonicalJSON.bytes(of: document.root))
        let schema = Schema(
            formatVersion: output.formatVersion, project: output.project, doc: output.doc,
            types: output.types.map(\.decl), clients: output.clients.map(\.client),
            hash: hash, source: document.lines.file)
        var validator = SchemaValidator(context: decoder.context, schema: schema, references: decoder.references)
        validator.validate()
        let diagnostics = validator.context.diagnostics
        return Result(schema: diagnostics.hasErrors ? nil : schema, diagnostics: diagnostics.sorted)
    }

    /// Validates IR that another importer (OpenAPI) built from `document`; `anchors` maps
    /// `/clients/<name>` and `/types/<name>` to the pointers they came from, for positions.
    public static func validate(_ schema: Schema, document: JSONDocument, anchors: [String: String]) -> [Diagnostic] {
        var context = DecodingContext(document: document)
        context.anchors = anchors
        var validator = SchemaValidator(context: context, schema: schema, references: [])
        validator.validate()
        return validator.context.diagnostics.sorted
    }

    /// Catches files that are not JSON text at all before the parser reports a confusing
    /// "unexpected byte" deep inside them.
    public static func screen(_ bytes: [UInt8], file: String) -> Diagnostic? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .error(SchemaCode.emptyFile, "the schema file is empty; expected a schema-export JSON object", at: start)
        }
        if let nul = bytes.prefix(8192).firstIndex(of: 0) {
            let lines = bytes.withUnsafeBufferPointer { LineTable(file: file, bytes: $0) }
            return .error(SchemaCode.binaryFile, "the file is binary (a NUL byte), not a JSON schema-export", at: lines.location(of: nul))
        }
        let bad = bytes.withUnsafeBufferPointer { JSONParser.firstInvalidUTF8($0) }
        if let bad {
            let lines = bytes.withUnsafeBufferPointer { LineTable(file: file, bytes: $0) }
            return .error(SchemaCode.binaryFile, "the file is not UTF-8 text (invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
                          at: lines.location(of: bad))
        }
        return nil
    }

    public static func formatBytes(_ count: Int) -> String {
        if count >= 1024 * 1024 { return String(format: "%.1f MiB", Double(count) / 1048576) }
        if count >= 1024 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return "\(count) bytes"
    }
}
