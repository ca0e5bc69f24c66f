import Foundation
import ArgumentParser

/// Commands whose place in the interface is settled but whose implementation has not landed.
/// They say so and exit 69 (EX_UNAVAILABLE) rather than pretend to work.
protocol UnavailableCommand: ParsableCommand {
    static var plannedIn: String { get }
    var arguments: [String] { get }
}

extension UnavailableCommand {
    func run() throws {
        Terminal().err("mizan: '\(Self.configuration.commandName ?? "")' is not available yet in mizan \(MizanVersionText.current) (\(Self.plannedIn)).")
        throw ExitStatus.unavailable.exitCode
    }
}

enum MizanVersionText {
    static var current: String { MizanCommand.configuration.version.replacingOccurrences(of: "mizan ", with: "") }
}

struct DeployCommand: UnavailableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Upload the edge manifest and worker bundle to Mizan Render. Not available yet.")
    static let plannedIn = "deploys are being built"
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}
