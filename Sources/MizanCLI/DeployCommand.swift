import ArgumentParser
import Foundation
import MizanConfig
import MizanCore
import MizanDeploy
import MizanManifest

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Ship the edge manifest, render worker bundle and static assets to Mizan Render.",
        discussion: """
            The bundle is the edge manifest (dev.manifest, written by `mizan codegen`), the render worker folder
            (render.bundle) and the static assets folder (render.assets); the target is render.url, render.project and
            render.env in mizan.toml. The token comes from MIZAN_TOKEN; it never appears in argv, output or logs.
            Files are hashed and only those the service lacks are uploaded; an interrupted deploy re-run uploads
            only what is still missing, and a retried one never makes a second deployment. `mizan dev` serves the
            same API, so `render.url = "http://127.0.0.1:4000"` deploys to it.

            Exit statuses: 0 live; 1 the service refused or failed the deployment; 64 bad flags or settings;
            65 the manifest does not validate; 69 the service cannot be reached; 74 a bundle file cannot be read;
            75 still failing (429, 5xx, timeouts) after retries; 76 the service answered something malformed;
            77 MIZAN_TOKEN missing or refused.
            """,
        subcommands: [DeployRunCommand.self, DeployListCommand.self, DeployRollbackCommand.self],
        defaultSubcommand: DeployRunCommand.self)
}

/// `--project`, `--env`, `--url` and the token: where a deploy goes.
struct RenderTargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Render project (mizan.toml: render.project).", valueName: "name"))
    var project: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("production or preview (mizan.toml: render.env).", valueName: "environment"))
    var environment: String?

    @Option(help: ArgumentHelp("The Render API (mizan.toml: render.url).", valueName: "url"))
    var url: String?

    @OptionGroup var configOptions: ConfigOptions

    struct Target {
        var config: MizanConfig
        var client: RenderClient
        var project: String
        var environment: String
    }

    func open(terminal: Terminal, requireProject: Bool) throws -> Target {
        var overrides = ConfigOverrides()
        overrides.project = project
        overrides.renderURL = url
        if let environment {
            guard let parsed = MizanConfig.RenderEnvironment(rawValue: environment) else {
                terminal.err("mizan: --env takes production or preview, not '\(environment)'")
                throw ExitStatus.usage.exitCode
            }
            overrides.renderEnvironment = parsed
        }
        let config = try configOptions.load(overrides, terminal: terminal)
        guard let token = terminal.environment["MIZAN_TOKEN"], !token.isEmpty else {
            terminal.err("mizan: MIZAN_TOKEN is not set; deploys need the Render API token in the environment (never in a flag)")
            throw ExitStatus.notAllowed.exitCode
        }
        let project = config.render.project ?? ""
        if requireProject && project.isEmpty {
            terminal.err("mizan: no Render project; set render.project in mizan.toml or pass --project")
            throw ExitStatus.usage.exitCode
        }
        var client = RenderClient(baseURL: config.render.url, token: token)
        // Hidden tunables (docs/deploy.md, "Tuning"): a slow link, a strict CI budget, quick tests.
        if let seconds = try Self.number("MIZAN_DEPLOY_TIMEOUT", in: terminal, allowZero: false) { client.timeout = seconds }
        if let milliseconds = try Self.number("MIZAN_DEPLOY_RETRY_BASE_MS", in: terminal, allowZero: true) {
            client.policy.baseDelay = milliseconds / 1000
        }
        if let attempts = try Self.number("MIZAN_DEPLOY_ATTEMPTS", in: terminal, allowZero: false) {
            client.policy.maxAttempts = max(1, Int(attempts))
        }
        let quietRetries = terminal.environment["MIZAN_QUIET_RETRIES"] != nil
        client.onRetry = { what, attempt, reason, delay in
            if !quietRetries { terminal.err("mizan: \(what): \(reason); retrying in \(String(format: "%.1f", delay))s (attempt \(attempt + 1))") }
        }
        return Target(config: config, client: client, project: project, environment: config.render.environment.rawValue)
    }

    /// A number from the environment, or nil when the variable is not set.
    private static func number(_ name: String, in terminal: Terminal, allowZero: Bool) throws -> Double? {
        guard let text = terminal.environment[name] else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, allowZero ? value >= 0 : value > 0 else {
            terminal.err("mizan: \(name) must be a number \(allowZero ? "of 0 or more" : "above 0"), not '\(text)'")
            throw ExitStatus.usage.exitCode
        }
        return value
    }
}

/// Runs a deploy step, turning its error into one line and the documented exit status.
func withDeployErrors<T: Sendable>(_ terminal: Terminal, _ body: @escaping @Sendable () async throws(DeployError) -> T) throws -> T {
    let box = LockedBox<Result<T, DeployError>?>(nil)
    try runBlocking {
        do throws(DeployError) { box.value = .success(try await body()) } catch { box.value = .failure(error) }
    }
    switch box.value {
    case .success(let value)?: return value
    case .failure(let error)?:
        terminal.err("mizan: \(error.message)")
        throw exitStatus(error.kind).exitCode
    case nil: throw ExitStatus.internalError.exitCode
    }
}

func exitStatus(_ kind: DeployError.Kind) -> ExitStatus {
    switch kind {
    case .usage: .usage
    case .invalid: .dataError
    case .unreachable: .unavailable
    case .unreadable: .ioError
    case .temporary: .temporaryFailure
    case .protocolError: .protocolError
    case .unauthorized: .notAllowed
    case .failed: .differences
    }
}

struct DeployRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Deploy (the default): hash, upload what is missing, finalize, wait until live.")

    @Option(help: ArgumentHelp("A note kept with the deployment.", valueName: "text"))
    var message: String?
    @Flag(help: "Show which files would upload and what changes in the manifest; change nothing.")
    var dryRun = false
    @Flag(help: "Print one JSON result object on stdout.")
    var json = false
    @OptionGroup var target: RenderTargetOptions

    func run() throws {
        let terminal = Terminal()
        let target = try target.open(terminal: terminal, requireProject: true)
        let config = target.config
        let bundle: DeployBundle
        do throws(DeployError) {
            bundle = try DeployBundle.collect(manifest: config.dev.manifest, worker: config.render.bundle, assets: config.render.assets)
        } catch {
            terminal.err("mizan: \(error.message)")
            throw (error.kind == .unreadable ? ExitStatus.ioError : ExitStatus.usage).exitCode
        }
        for note in bundle.notes { terminal.err("mizan: \(note)") }
        let manifest: EdgeManifest
        do throws(DeployError) { manifest = try Deployer.validate(bundle) } catch {
            terminal.err(error.message)
            terminal.err("mizan: \(Terminal.display(config.dev.manifest)) is not a valid edge manifest; nothing was uploaded")
            throw ExitStatus.dataError.exitCode
        }
        let deployer = Deployer(client: target.client, project: target.project, environment: target.environment, message: message)
        let shown = "\(target.project) (\(target.environment)) at \(config.render.url)"

        if dryRun {
            let plan = try withDeployErrors(terminal) { () throws(DeployError) in try await deployer.plan(bundle, manifest: manifest) }
            if json {
                terminal.out(JSONOutput.object([
                    ("dry_run", .bool(true)),
                    ("upload", .array(plan.upload.map { .object([("path", .string($0.path)), ("size", .int($0.size))]) })),
                    ("skip", .int(plan.skip.count)),
                    ("live", plan.live.map { .string($0.id) } ?? .null),
                    ("changes", .array(plan.changes.map(JSONOutput.string))),
                ]).compact())
                return
            }
            terminal.out("Dry run for \(shown): \(bundle.files.count) files, \(EntryListing.size(bundle.bytes))")
            for file in plan.upload { terminal.out("  upload  \(file.path)  (\(EntryListing.size(file.size)))") }
            terminal.out("  \(plan.skip.count) \(plan.skip.count == 1 ? "file is" : "files are") already there")
            if let live = plan.live {
                terminal.out(plan.changes.isEmpty ? "Manifest: no contract changes from the live deployment \(live.id)" : "Manifest changes from the live deployment \(live.id):")
                for change in plan.changes { terminal.out("  - \(change)") }
            } else {
                terminal.out("Manifest: nothing is live yet; this would be the first deployment")
            }
            return
        }

        let bar = ProgressBar(enabled: !json && isatty(STDERR_FILENO) == 1 && terminal.environment["CI"] == nil)
        if !json { terminal.err("Deploying \(shown): \(bundle.files.count) files, \(EntryListing.size(bundle.bytes))") }
        let result = try withDeployErrors(terminal) { () throws(DeployError) in
            try await deployer.run(bundle) { bytes, finished, total, totalBytes in bar.update(bytes: bytes, files: finished, of: total, totalBytes: totalBytes) }
        }
        bar.finish()
        if json {
            terminal.out(result.json.compact())
        } else if result.alreadyLive {
            terminal.out("Already live: \(result.deployment.id) is this bundle; nothing uploaded")
        } else {
            terminal.out("Live: \(result.deployment.id)  \(result.url)")
            terminal.out("  uploaded \(result.uploadedFiles) \(result.uploadedFiles == 1 ? "file" : "files") (\(EntryListing.size(result.uploadedBytes))), \(result.skippedFiles) already there (\(EntryListing.size(result.skippedBytes)))")
        }
    }
}

struct DeployListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List deployments, newest first.")
    @Flag(help: "Print the deployments as JSON.")
    var json = false
    @OptionGroup var target: RenderTargetOptions

    func run() throws {
        let terminal = Terminal()
        let target = try target.open(terminal: terminal, requireProject: false)
        let list = try withDeployErrors(terminal) { () throws(DeployError) in try await target.client.deployments() }
        if json {
            terminal.out(JSONOutput.array(list.map { d in
                .object([("id", .string(d.id)), ("status", .string(d.status)), ("created", .int(Int(d.created))),
                         ("schema_hash", d.schemaHash.map(JSONOutput.string) ?? .null), ("files", .int(d.files)), ("bytes", .int(d.bytes)),
                         ("message", d.message.map(JSONOutput.string) ?? .null)])
            }).compact())
            return
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for d in list {
            terminal.out("\(d.id.padded(22))  \(d.status.padded(10))  \(EntryListing.duration(now - d.created).leftPadded(4)) ago  \(String(d.files).leftPadded(5)) files  \(EntryListing.size(d.bytes).leftPadded(9))  \(d.message ?? "")".trimmedRight)
        }
        if list.isEmpty { terminal.err("no deployments yet") }
    }
}

struct DeployRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Make an earlier deployment live again.")
    @Argument(help: ArgumentHelp("The deployment to activate, as `mizan deploy ls` prints it.", valueName: "id"))
    var id: String
    @OptionGroup var target: RenderTargetOptions

    func validate() throws {
        // It goes into the URL: a plain name, as the API hands them out.
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ValidationError("'\(id)' is not a deployment id; `mizan deploy ls` lists them")
        }
    }

    func run() throws {
        let terminal = Terminal()
        let target = try target.open(terminal: terminal, requireProject: false)
        let id = self.id
        let deployment = try withDeployErrors(terminal) { () throws(DeployError) in try await target.client.activate(id) }
        terminal.out("Live: \(deployment.id) (\(deployment.schemaHash ?? "no schema hash"))")
    }
}

/// `[=======>      ] 12/40 files  3.1 MiB/12 MiB  4.2 MiB/s` on stderr, redrawn in place; nothing
/// when not on a terminal (CI gets the plain lines).
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(bytes: Int64, files: Int, of total: Int, totalBytes: Int) {
        guard enabled else { return }
        lock.withLock {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || files == total else { return }
            lastDraw = Date()
            let fraction = totalBytes == 0 ? 1 : min(1, Double(bytes) / Double(totalBytes))
            let width = 24
            let filled = Int(fraction * Double(width))
            let rate = Double(bytes) / max(0.001, Date().timeIntervalSince(started))
            let line = "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1)) + "] "
                + "\(files)/\(total) files  \(EntryListing.size(Int(bytes)))/\(EntryListing.size(totalBytes))  \(EntryListing.size(Int(rate)))/s"
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            drawn = true
        }
    }

    func finish() {
        lock.withLock { if drawn { FileHandle.standardError.write(Data("\n".utf8)) } }
    }
}
