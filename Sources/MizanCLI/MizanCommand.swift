import Foundation
import ArgumentParser
import MizanCore

/// The `mizan` command: argument parsing and terminal output only; the work is done by the
/// library modules, which never print and never exit.
public struct MizanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mizan",
        abstract: "Typed TypeScript kernels, a local caching proxy and edge deploys from your backend's schema-export.",
        discussion: """
            Start with `mizan codegen --schema mizan-schema.json`, or put the settings in mizan.toml.
            Settings come from flags, then MIZAN_* environment variables, then mizan.toml, then defaults.
            """,
        version: "mizan \(MizanVersion.current)",
        subcommands: [
            CodegenCommand.self, SchemaCommand.self, DevCommand.self, CacheCommand.self, DeployCommand.self,
            ConfigCommand.self,
        ]
    )

    public init() {}

    /// The root help ends with the exit status table, where script authors look for it.
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if [[], ["--help"], ["-h"], ["help"]].contains(arguments) {
            print(helpMessage(columns: nil) + "\n" + ExitStatus.helpTable)
            return
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
