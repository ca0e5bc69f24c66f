import Foundation

// MARK: - The executable

/// Finds the `mizan` executable that `swift build` / `swift test` put next to the test bundle.
///
/// SwiftPM writes every product of a configuration into one folder (`.build/debug`), so the
/// executable sits beside the test bundle. On Linux the test bundle is itself the running
/// executable (`mizanPackageTests.xctest`); on macOS it is a bundle loaded by a helper process, and
/// `Bundle(for:)` finds it. Set `MIZAN_TEST_EXECUTABLE` to test another build of mizan.
public enum MizanExecutable {
    public struct NotFound: Error, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "cannot find the built 'mizan' executable; run `swift build` first (looked in \(searched.joined(separator: ", ")))"
        }
    }

    /// The executable's location, or the folders searched when it is missing.
    public static let location: Result<URL, NotFound> = locate()

    /// The executable, or an error naming where it was looked for.
    public static func url() throws -> URL { try location.get() }

    private final class BundleMarker {}

    private static func locate() -> Result<URL, NotFound> {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MIZAN_TEST_EXECUTABLE"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit)
                ? .success(URL(fileURLWithPath: explicit))
                : .failure(NotFound(searched: ["MIZAN_TEST_EXECUTABLE=\(explicit)"]))
        }
        let starts = [
            Bundle(for: BundleMarker.self).bundleURL,
            Bundle.main.bundleURL,
            Bundle.main.executableURL,
            CommandLine.arguments.first.map { URL(fileURLWithPath: $0) },
        ].compactMap { $0?.resolvingSymlinksInPath() }
        var searched: [String] = []
        for start in starts {
            // The bundle's own folder, then up to three levels above it (macOS nests the binary
            // in `Contents/MacOS` of the bundle).
            var folder = start.hasDirectoryPath ? start : start.deletingLastPathComponent()
            for _ in 0..<4 {
                if !searched.contains(folder.path) {
                    searched.append(folder.path)
                    let candidate = folder.appendingPathComponent("mizan")
                    var isDirectory: ObjCBool = false
                    if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                       fm.isExecutableFile(atPath: candidate.path) {
                        return .success(candidate)
                    }
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        return .failure(NotFound(searched: searched))
    }
}

// MARK: - Running it

/// What one run of `mizan` did: its exit status and everything it printed.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var arguments: [String]
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// True when the run took longer than its time limit and was killed.
    public var timedOut: Bool

    /// Lines of stdout, without the final newline's empty line.
    public var stdoutLines: [String] { Self.lines(stdout) }
    /// Lines of stderr, without the final newline's empty line.
    public var stderrLines: [String] { Self.lines(stderr) }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A transcript for failure messages, so a failing expectation shows what mizan said.
    public var description: String {
        """
        $ mizan \(arguments.joined(separator: " "))
        exit status \(exitCode)\(timedOut ? " (killed after the time limit)" : "")
        --- stdout ---
        \(stdout)--- stderr ---
        \(stderr)--------------
        """
    }
}

/// Runs the built `mizan` with `arguments` in `directory` and waits for it to finish.
///
/// stdout and stderr go to files rather than pipes, so a chatty run can never block on a full pipe
/// buffer. The child gets this process's environment without `MIZAN_*` variables (a developer's
/// own settings must not change a test's outcome) and with `NO_COLOR=1`; `environment` adds to
/// or overrides that. A run still going after `timeLimit` seconds is killed and reported as
/// timed out.
public func runMizan(
    _ arguments: [String],
    in directory: URL,
    environment: [String: String] = [:],
    timeLimit: TimeInterval = 300
) async throws -> CommandResult {
    let executable = try MizanExecutable.url()
    let captureFolder = try makeTemporaryDirectory(prefix: "mizan-run")
    defer { try? FileManager.default.removeItem(at: captureFolder) }
    let stdoutURL = captureFolder.appendingPathComponent("stdout")
    let stderrURL = captureFolder.appendingPathComponent("stderr")
    try Data().write(to: stdoutURL)
    try Data().write(to: stderrURL)
    let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
    let stderrHandle = try FileHandle(forWritingTo: stderrURL)
    defer {
        try? stdoutHandle.close()
        try? stderrHandle.close()
    }

    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var childEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MIZAN_") }
    childEnvironment["NO_COLOR"] = "1"
    childEnvironment.merge(environment) { _, new in new }
    process.environment = childEnvironment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdoutHandle
    process.standardError = stderrHandle

    let timedOut = TimeoutFlag()
    let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit) { [weak process] in
            guard let process, process.isRunning else { return }
            timedOut.set()
            process.terminate()
        }
    }
    return CommandResult(
        arguments: arguments,
        exitCode: exitCode,
        stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
        timedOut: timedOut.value)
}

/// Set from the timer's queue, read after the process has ended.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}

// MARK: - Temporary folders

/// Creates a new empty folder under the system temporary folder; the caller removes it.
///
/// The path has symbolic links resolved (macOS's `/var` is `/private/var`), so it compares equal to
/// the working folder a child process reports.
public func makeTemporaryDirectory(prefix: String = "mizan-cli-tests") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.resolvingSymlinksInPath()
}

/// Runs `body` with a new empty temporary folder, and removes the folder afterwards.
public func withTemporaryDirectory<T>(
    prefix: String = "mizan-cli-tests", _ body: (URL) async throws -> T
) async throws -> T {
    let folder = try makeTemporaryDirectory(prefix: prefix)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}
