import ArgumentParser
import Foundation
@testable import MizanCLI
import Testing

/// The committed shell completions are generated from the argument parser; this fails when a
/// flag or subcommand changes and `make completions` was not run.
@Suite struct CompletionScriptTests {
    static let completions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("completions")

    @Test(arguments: [(CompletionShell.bash, "mizan.bash"), (.zsh, "_mizan"), (.fish, "mizan.fish")])
    func committedCompletionsAreCurrent(shell: CompletionShell, file: String) throws {
        let committed = try String(contentsOf: Self.completions.appendingPathComponent(file), encoding: .utf8)
        let generated = MizanCommand.completionScript(for: shell)
        #expect(committed.trimmingCharacters(in: .newlines) == generated.trimmingCharacters(in: .newlines),
                "completions/\(file) is stale: run `make completions`")
    }
}
