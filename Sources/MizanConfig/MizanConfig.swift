import MizanCore

/// The configuration of a mizan project, after merging flags, MIZAN_* variables, mizan.toml and
/// defaults (in that order of precedence) and checking every value.
///
/// Paths are absolute once `ConfigLoader` has resolved them: paths from mizan.toml (and the
/// defaults) are relative to the folder holding mizan.toml, the project root, so a command
/// behaves the same from any subfolder; paths from flags and variables are relative to the
/// folder the command runs in, as a shell user expects.
public struct MizanConfig: Sendable, Equatable {
    /// `[codegen]`: what `mizan codegen` reads and writes.
    public struct Codegen: Sendable, Equatable {
        /// The schema-export (or OpenAPI document) to generate from.
        public var schema = "mizan-schema.json"
        /// The folder that receives the kernel, the adapters and the edge manifest.
        public var output = "generated"
        /// The stage-2 framework adapters to generate; the kernel is always generated.
        public var adapters: [Adapter] = []
        /// A folder whose templates replace the built-in ones of the same name, if any.
        public var templates: String?

        public init() {}
    }

    /// `[dev]`: the local caching proxy.
    public struct Dev: Sendable, Equatable {
        /// The backend the proxy forwards to; an absolute http or https URL.
        public var upstream = "http://127.0.0.1:8000"
        /// The port the proxy listens on, 1...65535.
        public var port = 4000
        /// The address the proxy binds; loopback by default so a laptop's cache is not shared.
        public var host = "127.0.0.1"
        /// Where cache entries live.
        public var store: Store = .memory
        /// The edge manifest to serve routes from; defaults to `manifest.json` in the codegen
        /// output folder, since that is where `mizan codegen` writes it.
        public var manifest = "generated/manifest.json"

        public init() {}
    }

    /// `[render]`: the hosted edge that `mizan deploy` talks to.
    public struct Render: Sendable, Equatable {
        /// The Render project to deploy to; no default, as deploying to a guessed project would
        /// be worse than failing.
        public var project: String?
        /// The Render API; changed only to deploy to a self-hosted or local (`mizan dev`) API.
        public var url = "https://render.mizan.dev"
        public var environment: RenderEnvironment = .production
        /// The render worker bundle to upload.
        public var bundle = "dist/worker"
        /// Static files uploaded with the deployment.
        public var assets = "public"

        public init() {}
    }

    /// A stage-2 framework adapter.
    public enum Adapter: String, Sendable, Equatable, CaseIterable {
        case react, vue, svelte
    }

    /// A Render environment; `preview` deployments never receive production traffic.
    public enum RenderEnvironment: String, Sendable, Equatable, CaseIterable {
        case production, preview
    }

    /// Where the dev server keeps cache entries, written `memory`, `sqlite:PATH` or
    /// `redis://HOST:PORT/DB` in mizan.toml, MIZAN_DEV_STORE and `--store`.
    public enum Store: Sendable, Equatable, CustomStringConvertible {
        /// In the process, lost on restart; the default.
        case memory
        /// One SQLite file that survives restarts and crashes.
        case sqlite(path: String)
        /// A Redis database shared by several processes, so a purge in one reaches all.
        case redis(host: String, port: Int, database: Int)

        static let defaultRedisPort = 6379
        static let forms = "\"memory\", \"sqlite:PATH\" or \"redis://HOST:PORT/DB\""

        /// Parses the written form; the error is a sentence fragment for a diagnostic.
        static func parse(_ text: String) -> Result<Store, StoreSyntaxError> {
            if text == "memory" { return .success(.memory) }
            if text.hasPrefix("sqlite:") {
                let path = String(text.dropFirst("sqlite:".count))
                guard !path.isEmpty else {
                    return .failure(StoreSyntaxError("sqlite: needs a file path, as in \"sqlite:.mizan/cache.sqlite\""))
                }
                return .success(.sqlite(path: path))
            }
            guard text.hasPrefix("redis://") else {
                return .failure(StoreSyntaxError("must be \(forms), found \"\(text)\""))
            }
            let rest = text.dropFirst("redis://".count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            let databaseText = slash < rest.endIndex ? rest[rest.index(after: slash)...] : ""
            let hostAndPort = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard !authority.contains("@"), let host = hostAndPort.first, !host.isEmpty else {
                return .failure(
                    StoreSyntaxError("a Redis store is written \"redis://HOST:PORT/DB\", found \"\(text)\""))
            }
            var port = defaultRedisPort
            if hostAndPort.count == 2 {
                guard let value = Int(hostAndPort[1]), (1...65535).contains(value) else {
                    return .failure(StoreSyntaxError("the Redis port in \"\(text)\" must be a number from 1 to 65535"))
                }
                port = value
            }
            var database = 0
            if !databaseText.isEmpty {
                guard let value = Int(databaseText), value >= 0 else {
                    return .failure(StoreSyntaxError("the Redis database in \"\(text)\" must be a number from 0 up"))
                }
                database = value
            }
            return .success(.redis(host: String(host), port: port, database: database))
        }

        public var description: String {
            switch self {
            case .memory: "memory"
            case .sqlite(let path): "sqlite:\(path)"
            case .redis(let host, let port, let database): "redis://\(host):\(port)/\(database)"
            }
        }
    }

    struct StoreSyntaxError: Error {
        var problem: String
        init(_ problem: String) { self.problem = problem }
    }

    public var codegen = Codegen()
    public var dev = Dev()
    public var render = Render()
    /// Where each value came from, by dotted key (`dev.port`); a key that is absent kept its
    /// default. Kept so that `mizan config` can answer "why is the port 5000?".
    public var sources: [String: ConfigSource] = [:]

    /// The defaults, with paths still relative to the project root.
    public init() {}

    /// Every key with its value and where the value came from, in mizan.toml order, for
    /// `mizan config`.
    public func explain() -> [(key: String, value: String, source: ConfigSource)] {
        ConfigKey.all.map { key in
            (key.dotted, key.get(self).map(\.description) ?? "(not set)", sources[key.dotted] ?? .default)
        }
    }
}

/// Where a configuration value came from.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag, which beats everything else.
    case flag
    /// A MIZAN_* environment variable, named.
    case environment(variable: String)
    /// mizan.toml, at the line of the key.
    case file(SourceLocation)
    /// Nothing set it.
    case `default`

    /// `flag`, `env MIZAN_DEV_PORT`, `mizan.toml:7` or `default`.
    public var description: String {
        switch self {
        case .flag: "flag"
        case .environment(let variable): "env \(variable)"
        case .file(let location): "\(location.file):\(location.line)"
        case .default: "default"
        }
    }
}

/// The values the CLI took from flags, which beat every other source; `nil` means the flag was
/// not given. Values are checked like those from mizan.toml (errors are MZ110), and relative
/// paths are resolved against the folder the command runs in.
public struct ConfigOverrides: Sendable, Equatable {
    public var schema: String?
    public var output: String?
    public var adapters: [MizanConfig.Adapter]?
    public var templates: String?
    public var upstream: String?
    public var port: Int?
    public var host: String?
    /// Written as in mizan.toml (`memory`, `sqlite:PATH`, `redis://HOST:PORT/DB`), so that
    /// the flag, the variable and the file accept and reject the same spellings.
    public var store: String?
    public var manifest: String?
    public var project: String?
    public var renderURL: String?
    public var renderEnvironment: MizanConfig.RenderEnvironment?
    public var bundle: String?
    public var assets: String?

    public init() {}
}
