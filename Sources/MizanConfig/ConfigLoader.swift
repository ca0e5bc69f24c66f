import Foundation
import MizanCore

/// Finds, reads and checks the configuration, and merges it: flags > MIZAN_* variables >
/// mizan.toml > defaults.
///
/// Every problem is reported in one pass (only a TOML syntax error stops the reading of the
/// file), so a user fixes mizan.toml once rather than once per error. Nothing here reads the
/// process environment or prints; the CLI passes the environment in and prints the diagnostics.
public enum ConfigLoader {
    public static let fileName = "mizan.toml"

    /// MIZAN_* variables read elsewhere, not config keys (secrets, `mizan deploy`'s tunables in
    /// docs/deploy.md); never warned about.
    public static let reservedEnvironmentVariables: Set<String> = [
        "MIZAN_TOKEN", "MIZAN_SECRET",
        "MIZAN_DEPLOY_TIMEOUT", "MIZAN_DEPLOY_RETRY_BASE_MS", "MIZAN_DEPLOY_ATTEMPTS", "MIZAN_QUIET_RETRIES",
    ]

    /// Finds mizan.toml by walking up from `directory` (stopping at the filesystem root), or uses
    /// `explicitPath`, then merges it with `environment` and `overrides`.
    ///
    /// No mizan.toml is not an error: the defaults apply, relative to `directory`. An
    /// `explicitPath` that can't be read is (MZ109), since the user asked for that file.
    /// - Returns: the configuration, `nil` when any diagnostic is an error; the path of the
    ///   mizan.toml used, if any; every diagnostic, in source order.
    public static func load(
        explicitPath: String?, searchFrom directory: String, environment: [String: String], overrides: ConfigOverrides
    ) -> (config: MizanConfig?, source: String?, diagnostics: [Diagnostic]) {
        var diagnostics = Diagnostics()
        let directory = absolute(directory)
        var projectRoot = directory
        var assignments: [Assignment] = []

        // Diagnostics name the file as the user would type it: as given, or relative to here.
        let located: (path: String, displayName: String)?
        if let explicitPath {
            located = (ConfigPaths.resolve(explicitPath, against: directory), explicitPath)
        } else {
            located = find(from: directory).map { ($0, ConfigPaths.display($0, from: directory)) }
        }

        if let located {
            projectRoot = ConfigPaths.parent(located.path)
            switch read(located.path) {
            case .success(let text):
                let (document, parseDiagnostics) = TOMLDocument.parse(text, file: located.displayName)
                diagnostics.append(contentsOf: parseDiagnostics)
                assignments += fileAssignments(document, root: projectRoot, diagnostics: &diagnostics)
            case .failure(let error):
                diagnostics.append(ConfigDiagnostics.unreadable(located.displayName, error.problem))
            }
        }
        assignments += environmentAssignments(environment, base: directory, diagnostics: &diagnostics)
        assignments += flagAssignments(overrides, base: directory, diagnostics: &diagnostics)

        let config = merge(assignments, projectRoot: projectRoot)
        return (diagnostics.hasErrors ? nil : config, located?.path, diagnostics.sorted)
    }

    /// The mizan.toml in `directory` or the nearest ancestor, so commands work from subfolders.
    static func find(from directory: String) -> String? {
        var folder = ConfigPaths.normalize(directory)
        while true {
            let candidate = ConfigPaths.resolve(fileName, against: folder)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            let parent = ConfigPaths.parent(folder)
            if parent == folder { return nil }
            folder = parent
        }
    }

    // MARK: Sources

    /// A value for a key from one source, already checked and with paths resolved.
    struct Assignment {
        var key: ConfigKey
        var value: ConfigValue
        var source: ConfigSource
    }

    private struct ReadError: Error {
        var problem: String
    }

    private static func read(_ path: String) -> Result<String, ReadError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadError(problem: "no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(ReadError(problem: "it is a folder")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ReadError(problem: "permission denied or I/O error"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ReadError(problem: "it is not UTF-8 text"))
        }
        return .success(text)
    }

    /// Checks the parsed mizan.toml against the known tables and keys.
    static func fileAssignments(_ document: TOMLDocument, root: String, diagnostics: inout Diagnostics) -> [Assignment]
    {
        var assignments: [Assignment] = []
        for entry in document.root.entries {
            let keys = ConfigKey.keys(inTable: entry.key)
            guard !keys.isEmpty else {
                if entry.value.table != nil {
                    diagnostics.append(
                        ConfigDiagnostics.unknown(table: [entry.key], known: ConfigKey.tables, at: entry.value.location)
                    )
                } else {
                    let home = ConfigKey.all.first { $0.name == entry.key }?.table
                    diagnostics.append(
                        ConfigDiagnostics.unknownTopLevel(key: entry.key, belongsIn: home, at: entry.keyLocation))
                }
                continue
            }
            guard let table = entry.value.table else {
                diagnostics.append(
                    ConfigDiagnostics.wrongType(expected: "a table", for: "[\(entry.key)]", found: entry.value))
                continue
            }
            for item in table.entries {
                guard let key = keys.first(where: { $0.name == item.key }) else {
                    diagnostics.append(
                        ConfigDiagnostics.unknown(
                            key: item.key, inTable: entry.key, known: keys.map(\.name), at: item.keyLocation))
                    continue
                }
                switch key.decodeTOML(item.value) {
                case .wrongType(let expected, let found):
                    diagnostics.append(
                        ConfigDiagnostics.wrongType(expected: expected, for: key.dotted, found: found ?? item.value))
                case .invalid(let problem, let location):
                    diagnostics.append(
                        ConfigDiagnostics.invalid(key.dotted, problem, at: location ?? item.value.location))
                case .value(let value):
                    if let problem = key.validate(value) {
                        diagnostics.append(ConfigDiagnostics.invalid(key.dotted, problem, at: item.value.location))
                    } else {
                        assignments.append(
                            Assignment(key: key, value: key.resolve(value, root), source: .file(item.keyLocation)))
                    }
                }
            }
        }
        return assignments
    }

    /// MIZAN_<TABLE>_<KEY> variables. Unknown MIZAN_* names are warnings, since a typo there
    /// would otherwise be silently ignored.
    static func environmentAssignments(
        _ environment: [String: String], base: String, diagnostics: inout Diagnostics
    ) -> [Assignment] {
        let byVariable = Dictionary(uniqueKeysWithValues: ConfigKey.all.map { ($0.environmentVariable, $0) })
        let known = ConfigKey.all.map(\.environmentVariable) + reservedEnvironmentVariables.sorted()
        var assignments: [Assignment] = []
        for (variable, text) in environment.sorted(by: { $0.key < $1.key }) {
            guard variable.hasPrefix("MIZAN_"), !reservedEnvironmentVariables.contains(variable) else { continue }
            guard let key = byVariable[variable] else {
                diagnostics.append(ConfigDiagnostics.unknownEnvironment(variable, known: known))
                continue
            }
            switch key.decodeText(text) {
            case .wrongType(let expected, _):
                diagnostics.append(ConfigDiagnostics.badEnvironment(variable, value: text, "is not \(expected)"))
            case .invalid(let problem, _):
                diagnostics.append(
                    ConfigDiagnostics.badEnvironment(
                        variable, value: text, "is not valid for \(key.dotted): \(problem)"))
            case .value(let value):
                if let problem = key.validate(value) {
                    diagnostics.append(
                        ConfigDiagnostics.badEnvironment(
                            variable, value: text, "is not valid for \(key.dotted): \(problem)"))
                } else {
                    assignments.append(
                        Assignment(key: key, value: key.resolve(value, base), source: .environment(variable: variable)))
                }
            }
        }
        return assignments
    }

    static func flagAssignments(
        _ overrides: ConfigOverrides, base: String, diagnostics: inout Diagnostics
    ) -> [Assignment] {
        let given: [(ConfigKey, Decoded?)] = [
            (.codegenSchema, overrides.schema.map { .value(.string($0)) }),
            (.codegenOutput, overrides.output.map { .value(.string($0)) }),
            (.codegenAdapters, overrides.adapters.map { .value(.adapters($0)) }),
            (.codegenTemplates, overrides.templates.map { .value(.string($0)) }),
            (.devUpstream, overrides.upstream.map { .value(.string($0)) }),
            (.devPort, overrides.port.map { .value(.integer($0)) }),
            (.devHost, overrides.host.map { .value(.string($0)) }),
            (.devStore, overrides.store.map { ConfigKey.devStore.decodeText($0) }),
            (.devManifest, overrides.manifest.map { .value(.string($0)) }),
            (.renderProject, overrides.project.map { .value(.string($0)) }),
            (.renderURL, overrides.renderURL.map { .value(.string($0)) }),
            (.renderEnvironment, overrides.renderEnvironment.map { .value(.environment($0)) }),
            (.renderBundle, overrides.bundle.map { .value(.string($0)) }),
            (.renderAssets, overrides.assets.map { .value(.string($0)) }),
        ]
        var assignments: [Assignment] = []
        for case (let key, let decoded?) in given {
            switch decoded {
            case .wrongType(let expected, _):
                diagnostics.append(ConfigDiagnostics.flag(key.dotted, "expected \(expected)"))
            case .invalid(let problem, _):
                diagnostics.append(ConfigDiagnostics.flag(key.dotted, problem))
            case .value(let value):
                if let problem = key.validate(value) {
                    diagnostics.append(ConfigDiagnostics.flag(key.dotted, problem))
                } else {
                    assignments.append(Assignment(key: key, value: key.resolve(value, base), source: .flag))
                }
            }
        }
        return assignments
    }

    // MARK: Merging

    /// Applies `assignments` (lowest precedence first) over the defaults, whose paths are
    /// relative to the project root.
    static func merge(_ assignments: [Assignment], projectRoot: String) -> MizanConfig {
        var config = MizanConfig()
        for key in ConfigKey.all {
            if let value = key.get(config) { key.set(&config, key.resolve(value, projectRoot)) }
        }
        for assignment in assignments {
            assignment.key.set(&config, assignment.value)
            config.sources[assignment.key.dotted] = assignment.source
        }
        // The manifest follows the output folder unless set, since codegen writes it there.
        if config.sources[ConfigKey.devManifest.dotted] == nil {
            config.dev.manifest = ConfigPaths.resolve("manifest.json", against: config.codegen.output)
        }
        return config
    }

    private static func absolute(_ directory: String) -> String {
        directory.hasPrefix("/")
            ? ConfigPaths.normalize(directory)
            : ConfigPaths.resolve(directory, against: FileManager.default.currentDirectoryPath)
    }
}
