import Foundation
import ArgumentParser

/// Exit statuses, following sysexits(3) as Unix tools do, so scripts and CI can tell a stale
/// check from bad input from a down service. Listed in `mizan --help` and docs/cli.md.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    /// A check found differences (`codegen --check`).
    case differences = 1
    case usage = 64
    /// Bad input data: a schema, a manifest, a config file, a template.
    case dataError = 65
    /// A service is down, or a feature is not built yet.
    case unavailable = 69
    /// A bug in mizan.
    case internalError = 70
    case ioError = 74
    /// Worth retrying: a network failure, 429/5xx after retries.
    case temporaryFailure = 75
    /// A remote API answered something it does not promise (malformed JSON).
    case protocolError = 76
    /// A token is missing or rejected.
    case notAllowed = 77

    public var exitCode: ExitCode { ExitCode(rawValue) }

    public var meaning: String {
        switch self {
        case .success: "success"
        case .differences: "a check found differences (--check)"
        case .usage: "usage error (a flag or argument is wrong)"
        case .dataError: "bad input data (schema, manifest, mizan.toml, template)"
        case .unavailable: "a service is unavailable, or the command is not built yet"
        case .internalError: "internal error: a bug in mizan; please report it with the command you ran"
        case .ioError: "I/O error (a file could not be read or written)"
        case .temporaryFailure: "temporary failure worth retrying"
        case .protocolError: "a remote API answered something malformed"
        case .notAllowed: "not allowed (missing or rejected MIZAN_TOKEN)"
        }
    }

    /// The table shown at the end of `mizan --help`.
    static var helpTable: String {
        "EXIT STATUS:\n" + allCases.map { "  \(String($0.rawValue).padding(toLength: 4, withPad: " ", startingAt: 0)) \($0.meaning)" }.joined(separator: "\n")
    }
}
