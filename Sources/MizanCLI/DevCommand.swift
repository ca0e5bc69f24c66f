import ArgumentParser
import Foundation
import MizanCodegen
import MizanConfig
import MizanCore
import MizanDevServer
import MizanManifest
import MizanProtocol
import MizanSchema
import MizanStores

struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the local caching proxy in front of your backend (Mizan Render on one machine).",
        discussion: """
            Routes, cache policies and invalidations come from the edge manifest. With a schema (--schema, or
            codegen.schema in mizan.toml when that file exists) the kernel is regenerated and the manifest reloaded
            whenever the schema changes; a broken schema keeps the last good manifest serving. With --manifest the
            manifest file itself is watched.

            Keys are derived from MIZAN_SECRET, else from a secret generated once into .mizan/secret (mode 0600).
            The management API under /_mizan/ needs the bearer token printed at start (or MIZAN_TOKEN when set).
            One line per request goes to stdout: method, path, client, cache outcome, status, time.
            SIGINT or SIGTERM stops accepting connections and lets open requests finish.
            """)

    @Option(help: ArgumentHelp("The backend to forward to (mizan.toml: dev.upstream).", valueName: "url"))
    var upstream: String?

    @Option(help: ArgumentHelp("The port to listen on (mizan.toml: dev.port; default 4000).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The address to bind (mizan.toml: dev.host; default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("memory, sqlite:PATH or redis://HOST:PORT/DB (mizan.toml: dev.store).", valueName: "store"))
    var store: String?

    @Option(help: ArgumentHelp("Serve from this schema-export (or OpenAPI document), regenerating on change.", valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("Serve from this edge manifest, reloading on change (mizan.toml: dev.manifest).", valueName: "file"))
    var manifest: String?

    @Option(help: ArgumentHelp("Request log format: text (colour on a terminal) or json (one object per line).", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp(
        "Where a user-context credential is read, first found wins (default: header:authorization, cookie:sessionid).",
        valueName: "header:NAME|cookie:NAME"))
    var userCredential: [String] = []

    @Option(help: ArgumentHelp("The session cookie keying session-context entries (default: sessionid).", valueName: "name"))
    var sessionCookie: String?

    @Option(help: ArgumentHelp("Memory store size in megabytes.", valueName: "MB"))
    var memoryMegabytes: Int = 256

    @Option(help: ArgumentHelp(
        "Event-loop threads serving connections and running the proxy (default: half the cores, at least 1).",
        discussion: "mizan dev shares the machine with the backend it forwards to, the browser and the bundler; "
            + "one thread serves about 80,000 cache hits a second (BENCHMARKS.md, proxy), and a thread per core only "
            + "competes with them.",
        valueName: "n"))
    var threads: Int?

    @OptionGroup var input: SchemaInputOptions
    @OptionGroup var configOptions: ConfigOptions

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        for source in userCredential where CredentialSource(source) == nil {
            throw ValidationError("--user-credential takes header:NAME or cookie:NAME, not '\(source)'")
        }
        guard memoryMegabytes > 0 else { throw ValidationError("--memory-megabytes must be positive") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads takes 1 to 256, not \(threads)") }
        if schema != nil && manifest != nil { throw ValidationError("give --schema or --manifest, not both") }
    }

    func run() throws {
        DevServer.runTasksOnEventLoops(threads: threads ?? DevServer.defaultThreadCount)
        let terminal = Terminal()
        var overrides = ConfigOverrides()
        overrides.upstream = upstream
        overrides.port = port
        overrides.host = host
        overrides.store = store
        overrides.manifest = manifest
        overrides.schema = schema
        let (config, projectRoot) = try configOptions.loadWithRoot(overrides, terminal: terminal)

        guard let upstreamAddress = UpstreamAddress(config.dev.upstream) else {
            terminal.err("mizan: the upstream '\(config.dev.upstream)' is not an http:// or https:// URL with a host")
            throw ExitStatus.usage.exitCode
        }
        let source = try ManifestSource(command: self, config: config)
        let initial = try source.load(terminal: terminal, input: input, config: config)

        let secretPath = (projectRoot as NSString).appendingPathComponent(".mizan/secret")
        let secret: (secret: String, source: ProjectSecret.Source)
        do { secret = try ProjectSecret.load(environment: terminal.environment, file: secretPath) } catch {
            terminal.err("mizan: \(error.description)")
            throw ExitStatus.notAllowed.exitCode
        }
        let derivation: CacheKeyDerivation
        do { derivation = try CacheKeyDerivation(secret: secret.secret) } catch {
            terminal.err("mizan: \(error)")
            throw ExitStatus.dataError.exitCode
        }
        let tokenFromEnvironment = terminal.environment["MIZAN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let token = tokenFromEnvironment ?? ProjectSecret.randomToken()

        let (cacheStore, storeDescription) = try Self.openStore(config.dev.store, megabytes: memoryMegabytes, terminal: terminal)

        var options = DevServerOptions(upstream: upstreamAddress, managementToken: token)
        options.host = config.dev.host
        options.port = config.dev.port
        if !userCredential.isEmpty { options.credentials.user = userCredential.compactMap(CredentialSource.init) }
        if let sessionCookie { options.credentials.session = [.cookie(sessionCookie)] }

        let colour = logFormat == .text && terminal.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
        let json = logFormat == .json
        let stateFolder = (projectRoot as NSString).appendingPathComponent(".mizan/render")
        let deployments: DeploymentStore
        do { deployments = try DeploymentStore(folder: stateFolder) } catch {
            terminal.err("mizan: cannot use \(Terminal.display(stateFolder)) for deployments: \(error)")
            throw ExitStatus.ioError.exitCode
        }
        let requestLog = LineWriter(fd: STDOUT_FILENO)
        defer { requestLog.flush() }
        let server = DevServer(options: options, store: cacheStore, derivation: derivation, manifest: initial.manifest, deployments: deployments) { record in
            if json {
                requestLog.line(record.json)
            } else {
                requestLog.line { record.appendText(colour: colour, to: &$0) }
            }
        }
        let bannerLines = [
            "  upstream  \(upstreamAddress)",
            "  \(source.kind.padding(toLength: 8, withPad: " ", startingAt: 0))  \(Terminal.display(source.path)) (\(initial.manifest.routes.count) routes, \(initial.manifest.schemaHash))",
            "  store     \(storeDescription)",
            "  secret    \(Self.describe(secret.source))",
            tokenFromEnvironment == nil
                ? "  token     \(token)  (management API: Authorization: Bearer <token>; set MIZAN_TOKEN to choose one)"
                : "  token     from MIZAN_TOKEN",
        ]
        let host = config.dev.host
        try runBlocking {
            let watcher = Task {
                await source.watch(initial: initial.fingerprint) { terminal.err($0) } reload: {
                    guard let next = try? source.load(terminal: terminal, input: input, config: config) else {
                        terminal.err("mizan dev: keeping the last good manifest (\(server.manifest.routes.count) routes) until the problems above are fixed")
                        return
                    }
                    do {
                        let summary = try await server.reload(next.manifest)
                        let purged = summary.purgedClients.isEmpty ? "" : "; purged \(summary.purgedEntries) \(summary.purgedEntries == 1 ? "entry" : "entries") of \(summary.purgedClients.joined(separator: ", "))"
                        terminal.err("mizan dev: reloaded \(Terminal.display(source.path)) (\(next.manifest.routes.count) routes, \(next.manifest.schemaHash))\(purged)")
                    } catch {
                        terminal.err("mizan dev: reload failed: \(error)")
                    }
                }
            }
            defer { watcher.cancel() }
            try await server.run { port in
                terminal.err("mizan dev \(MizanVersion.current) listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
                for line in bannerLines { terminal.err(line) }
            }
        }
    }

    static func describe(_ source: ProjectSecret.Source) -> String {
        switch source {
        case .environment: "from MIZAN_SECRET"
        case .file(let path, let created): "\(Terminal.display(path))\(created ? " (created)" : "")"
        }
    }

    static func openStore(_ store: MizanConfig.Store, megabytes: Int, terminal: Terminal) throws -> (any CacheStore, String) {
        switch store {
        case .memory:
            return (MemoryStore(capacity: megabytes << 20), "memory (\(megabytes) MB, LRU)")
        case .sqlite(let path):
            do {
                return (try SQLiteStore(path: path), "sqlite \(Terminal.display(path))")
            } catch {
                terminal.err("mizan: cannot open the SQLite store \(Terminal.display(path)): \(error)")
                throw ExitStatus.ioError.exitCode
            }
        case .redis(let host, let port, let database):
            return (RedisStore(host: host, port: port, database: database), "redis://\(host):\(port)/\(database)")
        }
    }
}

/// Where the manifest comes from, and how to notice that it changed.
struct ManifestSource: Sendable {
    enum Mode: Sendable { case schema, manifest }
    var mode: Mode
    var path: String
    var kind: String { mode == .schema ? "schema" : "manifest" }

    init(command: DevCommand, config: MizanConfig) throws {
        if command.manifest != nil {
            mode = .manifest
            path = config.dev.manifest
        } else if command.schema != nil || FileManager.default.fileExists(atPath: config.codegen.schema) {
            mode = .schema
            path = config.codegen.schema
        } else {
            mode = .manifest
            path = config.dev.manifest
        }
    }

    struct Loaded: Sendable {
        var manifest: EdgeManifest
        var fingerprint: Fingerprint
    }

    /// Reads the manifest; from a schema, also regenerates the kernel into the output folder.
    /// Problems are printed as diagnostics and thrown as an exit status.
    func load(terminal: Terminal, input: SchemaInputOptions, config: MizanConfig) throws -> Loaded {
        let fingerprint = Fingerprint(path: path)
        switch mode {
        case .manifest:
            guard let data = FileManager.default.contents(atPath: path) else {
                terminal.err("mizan: cannot read the manifest \(Terminal.display(path)); run `mizan codegen` first, or pass --schema or --manifest")
                throw ExitStatus.ioError.exitCode
            }
            switch Result(catching: { () throws(DiagnosticsError) in try ManifestReader.read(bytes: [UInt8](data), file: path) }) {
            case .success(let manifest): return Loaded(manifest: manifest, fingerprint: fingerprint)
            case .failure(let error):
                terminal.report(error.diagnostics, displayPath: Terminal.display)
                throw ExitStatus.dataError.exitCode
            }
        case .schema:
            let schema = try input.loadSchema(at: path, terminal: terminal)
            let written = Result(catching: { () throws(DiagnosticsError) in
                let files = try CodegenCommand.generator(config).get().generate(schema)
                _ = try OutputFolder(path: config.codegen.output).write(files)
            })
            if case .failure(let error) = written {
                terminal.report(error.diagnostics, displayPath: Terminal.display)
                throw ExitStatus.dataError.exitCode
            }
            return Loaded(manifest: EdgeManifest(schema: schema), fingerprint: fingerprint)
        }
    }

    /// Polls the file twice a second (portable, and a schema export is rewritten rarely); calls
    /// `reload` after a change has settled.
    func watch(initial: Fingerprint, log: @escaping @Sendable (String) -> Void, reload: @escaping @Sendable () async -> Void) async {
        var last = initial
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let now = Fingerprint(path: path)
            guard now != last else { continue }
            // Wait for a writer that is still writing.
            try? await Task.sleep(for: .milliseconds(100))
            let settled = Fingerprint(path: path)
            guard settled == now else { continue }
            last = settled
            if settled.exists {
                log("mizan dev: \(Terminal.display(path)) changed")
                await reload()
            }
        }
    }
}

/// What tells a changed file: modification time and size.
struct Fingerprint: Sendable, Equatable {
    var exists: Bool
    var modified: Date?
    var size: Int?

    init(path: String) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        exists = attributes != nil
        modified = attributes?[.modificationDate] as? Date
        size = (attributes?[.size] as? NSNumber)?.intValue
    }
}

/// Runs async work from the synchronous command tree and waits for it.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let outcome = LockedBox<Result<Void, any Error>>(.success(()))
    Task {
        do { try await body() } catch { outcome.value = .failure(error) }
        done.signal()
    }
    done.wait()
    try outcome.value.get()
}

final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
