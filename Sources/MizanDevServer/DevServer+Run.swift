import Foundation
import Logging
import MizanManifest
import MizanProtocol
import MizanStores
import NIOCore
import NIOPosix
import ServiceLifecycle

extension DevServer {
    /// Makes NIO's event loops — `threads` of them — run Swift concurrency's tasks too, so a
    /// request is not handed between an event-loop thread and a pool thread at every await (about
    /// a third of a cache hit's CPU in a profile). Call once, from the main thread, before any
    /// task starts or anything uses NIO; false when it could not be installed (the server then
    /// runs as before).
    @discardableResult
    public static func runTasksOnEventLoops(threads: Int = defaultThreadCount) -> Bool {
        NIOSingletons.groupLoopCountSuggestion = max(1, threads)
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Half the cores, at least one. `mizan dev` runs beside the backend it forwards to (which
    /// does the work of every miss), the browser and the bundler; one event loop serves tens of
    /// thousands of hits a second, and one per core only takes cores from them. Measured on 2
    /// cores with the load generator on the same machine: 1 loop served 87-89k hits/s with p99
    /// 1.4 ms, 2 loops 73-78k with p99 3.5-4.4 ms (BENCHMARKS.md, proxy).
    public static var defaultThreadCount: Int {
        max(1, System.coreCount / 2)
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting, lets open requests finish, and
    /// closes the upstream connections.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "mizan-dev")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(
            services: [application(onListening: onListening)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    /// What a reload changed.
    public struct ReloadSummary: Sendable, Equatable {
        /// Clients gone, or whose method, path, params or cache policy changed: their entries
        /// were purged.
        public var purgedClients: [String]
        public var purgedEntries: Int
    }

    /// Serves `manifest` from now on. Entries of clients that disappeared or whose route changed
    /// are purged (docs/edge-manifest.md, "Reload"); the others stay.
    @discardableResult
    public func reload(_ manifest: EdgeManifest) async throws -> ReloadSummary {
        let old = routes.current.manifest
        let next = Dictionary(manifest.routes.map { ($0.client, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = old.routes.filter { next[$0.client] != $0 }.map(\.client)
        routes.replace(RouteTable(manifest: manifest))
        purgeEpoch.advance()
        var purged = 0
        for client in changed {
            purged += try await store.purge(.client(client, params: .empty), scope: .everything, mode: .hard)
        }
        return ReloadSummary(purgedClients: changed, purgedEntries: purged)
    }
}

/// The per-project secret that keys are derived from: `MIZAN_SECRET` when set, else a file made
/// once with 32 random bytes and mode 0600, so keys stay stable across restarts (and a shared
/// Redis store keeps working) without anyone choosing a secret.
public enum ProjectSecret {
    public enum Source: Sendable, Equatable {
        case environment
        case file(path: String, created: Bool)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(environment: [String: String], file path: String) throws(Failure) -> (secret: String, source: Source) {
        if let secret = environment["MIZAN_SECRET"] {
            guard secret.utf8.count >= CacheKeyDerivation.minimumSecretLength else {
                throw Failure(description: "MIZAN_SECRET must be at least \(CacheKeyDerivation.minimumSecretLength) bytes long")
            }
            return (secret, .environment)
        }
        let manager = FileManager.default
        if let data = manager.contents(atPath: path) {
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret.utf8.count >= CacheKeyDerivation.minimumSecretLength else {
                throw Failure(description: "\(path) holds a secret shorter than \(CacheKeyDerivation.minimumSecretLength) bytes; delete it to make a new one")
            }
            if let mode = (try? manager.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw Failure(description: "\(path) is readable by others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`")
            }
            return (secret, .file(path: path, created: false))
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let secret = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        do {
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // Created with 0600 from the start: never world-readable, not even for a moment.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let text = Array((secret + "\n").utf8)
            guard text.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == text.count else {
                throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot create \(path): \(error.localizedDescription)")
        }
        return (secret, .file(path: path, created: true))
    }

    /// A random token for the management API, printed once at start.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
