import ArgumentParser
import Foundation
import MizanConfig
import MizanCore
import MizanOpenAPI
import MizanSchema

/// `--config`, shared by every command that reads mizan.toml.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The mizan.toml to use (default: the nearest one in this folder or above).", valueName: "file"))
    var config: String?

    /// Loads the configuration with `overrides` from flags; prints problems and exits 65 (64 for
    /// a bad flag value) when there are errors.
    func load(_ overrides: ConfigOverrides, terminal: Terminal) throws -> MizanConfig {
        try loadWithRoot(overrides, terminal: terminal).config
    }

    /// Also the project root: the folder of the mizan.toml used, else the current folder.
    func loadWithRoot(_ overrides: ConfigOverrides, terminal: Terminal) throws -> (config: MizanConfig, root: String) {
        let cwd = FileManager.default.currentDirectoryPath
        let result = ConfigLoader.load(explicitPath: config, searchFrom: cwd, environment: terminal.environment, overrides: overrides)
        terminal.report(result.diagnostics, displayPath: Terminal.display)
        guard let loaded = result.config else {
            let onlyFlags = result.diagnostics.filter { $0.severity == .error }.allSatisfy { $0.code == "MZ110" }
            throw (onlyFlags ? ExitStatus.usage : ExitStatus.dataError).exitCode
        }
        return (loaded, result.source.map { ($0 as NSString).deletingLastPathComponent } ?? cwd)
    }
}

/// `--diagnostics-output` and `--max-schema-size`, shared by the commands that read a schema.
struct SchemaInputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write every diagnostic to this JSON file, for editors and CI.", valueName: "file.json"))
    var diagnosticsOutput: String?

    @Option(help: ArgumentHelp("Refuse schema files larger than this many bytes.", valueName: "bytes"))
    var maxSchemaSize: Int = SchemaLoader.defaultMaximumSize

    @Option(help: ArgumentHelp(
        "OpenAPI input: cache GET operations that have no x-mizan-cache, publicly, for this many seconds (optionally TTL:STALE).",
        valueName: "ttl[:stale]"))
    var defaultCache: String?

    func validate() throws {
        guard maxSchemaSize > 0 else { throw ValidationError("--max-schema-size must be a positive number of bytes") }
        if defaultCache != nil && openAPIOptions.defaultCacheTTL == nil {
            throw ValidationError("--default-cache takes seconds, or seconds:stale-seconds (for example 60 or 60:30)")
        }
    }

    var openAPIOptions: OpenAPIOptions {
        guard let defaultCache else { return OpenAPIOptions() }
        let parts = defaultCache.split(separator: ":").map { Int($0) }
        guard let ttl = parts.first ?? nil, ttl >= 0, parts.count <= 2 else { return OpenAPIOptions() }
        let stale = parts.count == 2 ? parts[1] : 0
        guard let stale, stale >= 0 else { return OpenAPIOptions() }
        return OpenAPIOptions(defaultCacheTTL: ttl, defaultStaleWhileRevalidate: stale)
    }

    /// Reads and validates the schema, reporting every diagnostic; exits 65 on errors (74 when
    /// the file cannot be read at all).
    func loadSchema(at path: String, terminal: Terminal) throws -> Schema {
        let result = SchemaSource.load(path: path, maximumSize: maxSchemaSize, options: openAPIOptions)
        try write(result.diagnostics, terminal: terminal)
        guard let schema = result.schema else {
            let unreadable = result.diagnostics.contains { $0.code == SchemaCode.unreadable }
            throw (unreadable ? ExitStatus.ioError : ExitStatus.dataError).exitCode
        }
        return schema
    }

    func write(_ diagnostics: [Diagnostic], terminal: Terminal) throws {
        terminal.report(diagnostics, displayPath: Terminal.display)
        if let diagnosticsOutput {
            do {
                try Terminal.writeDiagnostics(diagnostics, to: diagnosticsOutput)
            } catch {
                terminal.err("mizan: cannot write diagnostics to '\(diagnosticsOutput)': \(error.localizedDescription)")
                throw ExitStatus.ioError.exitCode
            }
        }
    }
}
