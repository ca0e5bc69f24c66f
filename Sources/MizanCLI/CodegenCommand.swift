import ArgumentParser
import Foundation
import MizanCodegen
import MizanConfig
import MizanCore
import MizanManifest
import MizanSchema

struct CodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Generate the typed TypeScript kernel and the edge manifest from a schema-export.",
        discussion: """
            Writes clients.ts, index.ts, runtime.ts, types.ts and manifest.json into the output folder, and with
            --adapter also react.ts, vue.ts or svelte.ts (docs/adapters.md), atomically: a failed run leaves the
            previous output byte-identical. Output is deterministic and every file names the
            schema hash. With --check nothing is written; stale files and contract changes are listed and the exit
            status is 1 when anything differs.
            """)

    @Option(name: .long, help: ArgumentHelp("The schema-export JSON file (mizan.toml: codegen.schema).", valueName: "file"))
    var schema: String?

    @Option(name: [.short, .long], help: ArgumentHelp("The output folder (mizan.toml: codegen.output).", valueName: "dir"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("A folder of templates overriding the built-in ones by name, e.g. kernel/types.ts.mustache.", valueName: "dir"))
    var templates: String?

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Framework adapters to generate over the kernel: react, vue, svelte; repeat or separate with commas (mizan.toml: codegen.adapters).", valueName: "name"))
    var adapter: [String] = []

    @Flag(help: "Write nothing; list stale files and contract changes, and exit 1 when the output is out of date.")
    var check = false

    @Flag(help: "Print the template contexts as JSON instead of generating (for template authors).")
    var printContext = false

    @OptionGroup var input: SchemaInputOptions
    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        _ = try Self.adapters(adapter)
    }

    /// `--adapter react,vue --adapter svelte` → the adapters, each once; an unknown name is a usage error (64).
    static func adapters(_ values: [String]) throws -> [MizanConfig.Adapter] {
        var adapters: [MizanConfig.Adapter] = []
        for name in values.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let adapter = MizanConfig.Adapter(rawValue: name) else {
                let known = MizanConfig.Adapter.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown adapter '\(name)' for --adapter; choose from \(known)")
            }
            if !adapters.contains(adapter) { adapters.append(adapter) }
        }
        return adapters
    }

    func run() throws {
        let terminal = Terminal()
        var overrides = ConfigOverrides()
        overrides.schema = schema
        overrides.output = output
        overrides.templates = templates
        if !adapter.isEmpty { overrides.adapters = try Self.adapters(adapter) }
        let config = try configOptions.load(overrides, terminal: terminal)

        let schema = try input.loadSchema(at: config.codegen.schema, terminal: terminal)
        let generator: KernelGenerator
        switch Self.generator(config) {
        case .success(let g): generator = g
        case .failure(let error):
            try input.write(error.diagnostics, terminal: terminal)
            throw ExitStatus.dataError.exitCode
        }
        if printContext {
            switch Result(catching: { () throws(DiagnosticsError) in try generator.contextJSON(schema) }) {
            case .success(let json): terminal.out(json)
            case .failure(let error):
                try input.write(error.diagnostics, terminal: terminal)
                throw ExitStatus.dataError.exitCode
            }
            return
        }
        let files: [GeneratedFile]
        let adapters = config.codegen.adapters.compactMap { Adapter(rawValue: $0.rawValue) }
        switch Result(catching: { () throws(DiagnosticsError) in try generator.generate(schema, adapters: adapters) }) {
        case .success(let f): files = f
        case .failure(let error):
            try input.write(error.diagnostics, terminal: terminal)
            throw ExitStatus.dataError.exitCode
        }

        let folder = OutputFolder(path: config.codegen.output)
        let shownOutput = Terminal.display(config.codegen.output)
        if check {
            try runCheck(folder, files, shownOutput: shownOutput, terminal: terminal)
            return
        }
        switch Result(catching: { () throws(DiagnosticsError) in try folder.write(files) }) {
        case .failure(let error):
            terminal.report(error.diagnostics)
            throw ExitStatus.ioError.exitCode
        case .success(let comparison):
            let touched = Set(comparison.added + comparison.changed)
            for file in files {
                let state = comparison.added.contains(file.path) ? "created" : touched.contains(file.path) ? "updated" : "unchanged"
                terminal.out("\(state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(shownOutput)/\(file.path)  (\(SchemaLoader.formatBytes(file.contents.utf8.count)))")
            }
            for removed in comparison.removed { terminal.out("removed   \(shownOutput)/\(removed)") }
            terminal.out("\(comparison.isUpToDate ? "Up to date" : "Generated") \(shownOutput)/ from \(Terminal.display(config.codegen.schema)): \(schema.clients.count) clients, \(schema.types.count) types, \(schema.hash)")
        }
    }

    /// The generator with the built-in templates, or the configured folder's overrides.
    static func generator(_ config: MizanConfig) -> Result<KernelGenerator, DiagnosticsError> {
        Result(catching: { () throws(DiagnosticsError) in
            var templateSet = TemplateSet.builtIn
            if let path = config.codegen.templates { templateSet = try TemplateSet(overridingWith: path) }
            return KernelGenerator(templates: templateSet)
        })
    }

    private func runCheck(_ folder: OutputFolder, _ files: [GeneratedFile], shownOutput: String, terminal: Terminal) throws {
        let comparison = folder.compare(with: files)
        for path in comparison.added { terminal.out("missing   \(shownOutput)/\(path)") }
        for path in comparison.changed { terminal.out("stale     \(shownOutput)/\(path)") }
        for path in comparison.removed { terminal.out("obsolete  \(shownOutput)/\(path)") }
        // Contract drift: what the previous manifest promised that the new one changes.
        let manifestPath = (folder.path as NSString).appendingPathComponent("manifest.json")
        if let data = FileManager.default.contents(atPath: manifestPath),
           let fresh = files.first(where: { $0.path == "manifest.json" }) {
            let drift = Result { () throws(DiagnosticsError) in
                ContractDrift.changes(
                    from: try ManifestReader.read(bytes: [UInt8](data), file: manifestPath),
                    to: try ManifestReader.read(bytes: Array(fresh.contents.utf8), file: "manifest.json"))
            }
            switch drift {
            case .success(let changes) where !changes.isEmpty:
                terminal.out("Contract changes since the generated manifest:")
                for change in changes { terminal.out("  - \(change)") }
            case .success: break
            case .failure(let error): terminal.report(error.diagnostics, displayPath: Terminal.display)
            }
        }
        if comparison.isUpToDate {
            terminal.out("\(shownOutput)/ is up to date")
            return
        }
        terminal.err("mizan: \(shownOutput)/ is out of date; run `mizan codegen` to update it")
        throw ExitStatus.differences.exitCode
    }
}
