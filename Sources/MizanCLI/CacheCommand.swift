import ArgumentParser
import Foundation
import MizanCacheAdmin
import MizanConfig
import MizanCore
import MizanManifest
import MizanOpenAPI
import MizanProtocol
import MizanSchema
import MizanStores

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List, inspect and purge cache entries in any store.",
        discussion: """
            Stores: sqlite:PATH and redis://HOST:PORT/DB are opened directly; http(s)://HOST is a running `mizan dev`
            or the hosted edge, through its management API (token from MIZAN_TOKEN, never from a flag). The default is
            mizan.toml's dev.store; the memory store is reached through the dev server at dev.host:dev.port.
            Parameters are typed by the edge manifest (dev.manifest, else codegen.schema), so --param id=5 matches an
            integer id.

            Exit statuses: 0 done; 64 a bad flag, an unknown store scheme, client or parameter; 65 a manifest or schema
            that does not read; 69 the store cannot be reached (Redis or the dev server down); 74 a store file that
            cannot be opened; 77 the management API refused the token.
            """,
        subcommands: [CacheListCommand.self, CacheShowCommand.self, CachePurgeCommand.self, CacheStatsCommand.self])
}

/// `--store` and what it opens, shared by every `mizan cache` subcommand.
struct CacheStoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST (default: mizan.toml's dev.store).", valueName: "store"))
    var store: String?

    @OptionGroup var configOptions: ConfigOptions

    /// An open store, what to call it, and the manifest that types params (nil when none is found).
    struct Opened: Sendable {
        var store: any CacheStore
        var name: String
        var manifest: EdgeManifest?
        var remote: RemoteStore?
    }

    func open(terminal: Terminal) throws -> Opened {
        let token = terminal.environment["MIZAN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        var overrides = ConfigOverrides()
        let isURL = store.map { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? false
        if !isURL { overrides.store = store }
        let config: MizanConfig
        do { config = try configOptions.load(overrides, terminal: terminal) } catch {
            if let store, !isURL, !store.hasPrefix("sqlite:"), !store.hasPrefix("redis://"), store != "memory" {
                terminal.err("mizan: --store takes sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST")
            }
            throw error
        }
        let manifest = Self.manifest(config)
        if let store, isURL {
            let remote = RemoteStore(baseURL: store, token: token)
            return Opened(store: remote, name: store, manifest: manifest, remote: remote)
        }
        switch config.dev.store {
        case .memory:
            let url = "http://\(config.dev.host.contains(":") ? "[\(config.dev.host)]" : config.dev.host):\(config.dev.port)"
            let remote = RemoteStore(baseURL: url, token: token)
            return Opened(store: remote, name: "memory store of mizan dev at \(url)", manifest: manifest, remote: remote)
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                terminal.err("mizan: no SQLite store at \(Terminal.display(path))")
                throw ExitStatus.ioError.exitCode
            }
            do {
                // A one-off reader: a small page cache keeps a full listing's memory low.
                return Opened(store: try SQLiteStore(path: path, pageCacheKiB: 4096), name: "sqlite:\(Terminal.display(path))", manifest: manifest)
            } catch {
                terminal.err("mizan: cannot open the SQLite store \(Terminal.display(path)): \(error)")
                throw ExitStatus.ioError.exitCode
            }
        case .redis(let host, let port, let database):
            return Opened(store: RedisStore(host: host, port: port, database: database), name: config.dev.store.description, manifest: manifest)
        }
    }

    /// The manifest from dev.manifest, else built from codegen.schema; nil when neither reads.
    static func manifest(_ config: MizanConfig) -> EdgeManifest? {
        if let data = FileManager.default.contents(atPath: config.dev.manifest),
           let manifest = try? ManifestReader.read(bytes: [UInt8](data), file: config.dev.manifest) {
            return manifest
        }
        if FileManager.default.fileExists(atPath: config.codegen.schema),
           let schema = SchemaSource.load(path: config.codegen.schema, maximumSize: SchemaLoader.defaultMaximumSize, options: .init()).schema {
            return EdgeManifest(schema: schema)
        }
        return nil
    }
}

/// `--client`, `--param`, `--tag`, `--all`, `--context`: what to list or purge.
struct CacheSelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only entries of this client.", valueName: "name"))
    var client: String?

    @Option(help: ArgumentHelp("Narrow --client by a parameter value (repeatable), typed by the manifest.", valueName: "name=value"))
    var param: [String] = []

    @Option(help: ArgumentHelp("Only entries with this tag.", valueName: "tag"))
    var tag: String?

    @Option(help: ArgumentHelp("Only entries of this context: public, user or session.", valueName: "context"))
    var context: MizanProtocol.CacheContext?

    func selector(_ opened: CacheStoreOptions.Opened, all: Bool, requireOne: Bool, terminal: Terminal) throws -> PurgeSelector {
        let arguments = SelectorArguments(client: client, params: param, tag: tag, all: all)
        if opened.manifest == nil, !param.isEmpty, opened.remote == nil {
            terminal.err("mizan: no manifest found (dev.manifest or codegen.schema); --param values are matched as strings")
        }
        do {
            return try arguments.selector(manifest: opened.manifest, requireOne: requireOne)
        } catch {
            terminal.err("mizan: \(error.description)")
            throw ExitStatus.usage.exitCode
        }
    }

    var scope: PurgeScope { PurgeScope(context: context) }
}

extension MizanProtocol.CacheContext: ExpressibleByArgument {}

/// Runs a store operation, turning store errors into one line and an exit status.
func withStoreErrors<T: Sendable>(_ terminal: Terminal, _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = LockedBox<Result<T, any Error>?>(nil)
    try runBlocking {
        do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
    }
    switch box.value {
    case .success(let value)?:
        return value
    case .failure(let error as StoreError)?:
        terminal.err("mizan: \(error.message)")
        switch error.kind {
        case .unavailable: throw ExitStatus.unavailable.exitCode
        case .unauthorized: throw ExitStatus.notAllowed.exitCode
        case .invalid: throw ExitStatus.usage.exitCode
        case .failed: throw ExitStatus.internalError.exitCode
        }
    case .failure(let error)?:
        throw error
    case nil:
        throw ExitStatus.internalError.exitCode
    }
}

struct CacheListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List entries: client, params, context, status, size, age and freshness.",
        discussion: """
            On a terminal: an aligned table (short keys, human sizes, relative times). In a pipe: tab-separated
            columns with a header row, full keys, sizes in bytes and times in ISO 8601. With --json: a JSON array of
            metadata records (docs/protocol.md, "Metadata record"). Entries stream page by page, so a store of
            millions lists in bounded memory.
            """)

    @OptionGroup var selection: CacheSelectionOptions
    @Option(help: ArgumentHelp("At most this many entries (default: all).", valueName: "n"))
    var limit: Int?
    @Flag(help: "Print a JSON array of metadata records.")
    var json = false
    @Flag(help: "Print the aligned table even when not on a terminal.")
    var table = false
    @OptionGroup var storeOptions: CacheStoreOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let terminal = Terminal()
        let opened = try storeOptions.open(terminal: terminal)
        let selector = try selection.selector(opened, all: false, requireOne: false, terminal: terminal)
        let format: EntryListing.Format = json ? .json : (table || isatty(STDOUT_FILENO) == 1) ? .table : .plain
        let listing = EntryListing(format: format, now: StoreClock.system.now())
        let filter = EntryFilter(selector, scope: selection.scope)
        let limit = self.limit
        let count = try withStoreErrors(terminal) {
            var out = BufferedOutput()
            out.write(listing.header())
            var cursor: String?
            var count = 0
            repeat {
                let pageSize = min(500, (limit ?? Int.max) - count)
                let page = try await opened.store.list(filter, after: cursor, limit: pageSize)
                for entry in page.entries {
                    out.write(listing.row(entry, first: count == 0))
                    count += 1
                }
                out.flush()
                cursor = page.next
            } while cursor != nil && count < (limit ?? Int.max)
            out.write(listing.footer())
            out.flush()
            return count
        }
        if format == .table { terminal.err("\(count) \(count == 1 ? "entry" : "entries") in \(opened.name)") }
    }
}

struct CacheShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one entry: metadata, headers and the start of its body.")

    @Argument(help: ArgumentHelp("The entry's key: 64 hex digits, as `mizan cache ls` prints in a pipe or with --json.", valueName: "key"))
    var key: String
    @Flag(help: "Print the whole body, as stored, and nothing else.")
    var body = false
    @Flag(help: "Print the metadata record as JSON.")
    var json = false
    @OptionGroup var storeOptions: CacheStoreOptions

    func validate() throws {
        guard CacheKey(hex: key) != nil else { throw ValidationError("a key is 64 hex digits; `mizan cache ls` prints them") }
    }

    func run() throws {
        let terminal = Terminal()
        let opened = try storeOptions.open(terminal: terminal)
        let key = CacheKey(hex: self.key)!
        let entry = try withStoreErrors(terminal) {
            try await opened.store.get(key)
        }
        guard let entry else {
            terminal.err("mizan: no entry \(key.hex.prefix(12))… in \(opened.name) (expired, purged, or never stored)")
            throw ExitStatus.dataError.exitCode
        }
        if body {
            FileHandle.standardOutput.write(Data(entry.body))
            return
        }
        let listing = EntryListing(format: json ? .json : .table, now: StoreClock.system.now())
        terminal.out(json ? listing.record(entry.metadata) : listing.detail(entry))
    }
}

struct CachePurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Purge entries by client and params, by tag, or all; prints how many went.",
        discussion: """
            Hard by default: entries are gone at once. --soft marks them stale instead, so they are served while one
            refresh runs. --dry-run counts what would go and changes nothing. --all asks for confirmation on a
            terminal unless --yes, and refuses without --yes when not on a terminal.
            """)

    @OptionGroup var selection: CacheSelectionOptions
    @Flag(help: "Every entry.")
    var all = false
    @Flag(help: "Mark stale instead of removing.")
    var soft = false
    @Flag(help: "Count what would be purged; purge nothing.")
    var dryRun = false
    @Flag(help: "Do not ask before --all.")
    var yes = false
    @Flag(help: "Print {\"purged\": N, \"mode\": …, \"dry_run\": …} as JSON.")
    var json = false
    @OptionGroup var storeOptions: CacheStoreOptions

    func run() throws {
        let terminal = Terminal()
        let opened = try storeOptions.open(terminal: terminal)
        let selector = try selection.selector(opened, all: all, requireOne: true, terminal: terminal)
        if all && !yes && !dryRun {
            guard isatty(STDIN_FILENO) == 1 else {
                terminal.err("mizan: --all purges every entry in \(opened.name); add --yes to confirm when not on a terminal")
                throw ExitStatus.usage.exitCode
            }
            FileHandle.standardError.write(Data("Purge every entry in \(opened.name)? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                terminal.err("mizan: nothing purged")
                throw ExitStatus.differences.exitCode
            }
        }
        let mode: PurgeMode = soft ? .soft : .hard
        let scope = selection.scope
        let dryRun = self.dryRun
        let count = try withStoreErrors(terminal) {
            if dryRun { return try await Self.count(opened.store, EntryFilter(selector, scope: scope)) }
            let purged = try await opened.store.purge(selector, scope: scope, mode: mode)
            // The stores finish a purge's deletes in the background; a one-shot command finishes
            // them before it exits rather than leaving them to the next process.
            if let sqlite = opened.store as? SQLiteStore { try await sqlite.applyPurges() }
            if let redis = opened.store as? RedisStore { try await redis.applyPurges() }
            return purged
        }
        if json {
            terminal.out(JSONOutput.object([("purged", .int(count)), ("mode", .string(mode.rawValue)), ("dry_run", .bool(dryRun))]).compact())
        } else {
            let noun = count == 1 ? "entry" : "entries"
            terminal.out(dryRun ? "would purge \(count) \(noun) (\(mode.rawValue))" : "purged \(count) \(noun) (\(mode.rawValue))")
        }
    }

    static func count(_ store: any CacheStore, _ filter: EntryFilter) async throws -> Int {
        var cursor: String?
        var count = 0
        repeat {
            let page = try await store.list(filter, after: cursor, limit: 1000)
            count += page.entries.count
            cursor = page.next
        } while cursor != nil
        return count
    }
}

struct CacheStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Entries, bytes and per-client counts; hits and misses when the store is a running server.")

    @Flag(help: "Print the numbers as JSON.")
    var json = false
    @OptionGroup var storeOptions: CacheStoreOptions

    func run() throws {
        let terminal = Terminal()
        let opened = try storeOptions.open(terminal: terminal)
        let (stats, server) = try withStoreErrors(terminal) { () -> (StoreStats, ServerStats?) in
            if let remote = opened.remote {
                let server = try await remote.serverStats()
                return (StoreStats(entries: server.entries, bytes: server.bytes, perClient: server.perClient, evictions: server.evictions), server)
            }
            return (try await opened.store.stats(), nil)
        }
        terminal.out(json ? EntryListing.statsJSON(stats, server) : EntryListing.statsText(stats, server, store: opened.name))
    }
}

/// stdout through one buffer, flushed per page: a million rows are not a million writes.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
