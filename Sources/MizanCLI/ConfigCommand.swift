import ArgumentParser
import Foundation
import MizanConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the configuration in effect and where each value comes from.",
        discussion: "Precedence: flags > MIZAN_* environment variables > mizan.toml > defaults.")

    @OptionGroup var configOptions: ConfigOptions

    func run() throws {
        let terminal = Terminal()
        let config = try configOptions.load(ConfigOverrides(), terminal: terminal)
        let rows = config.explain()
        let keyWidth = rows.map(\.key.count).max() ?? 0
        let valueWidth = min(48, rows.map(\.value.count).max() ?? 0)
        for row in rows {
            let value = Terminal.display(row.value)
            terminal.out(row.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
                + value.padding(toLength: max(valueWidth, value.count), withPad: " ", startingAt: 0) + "  " + row.source.description)
        }
    }
}
