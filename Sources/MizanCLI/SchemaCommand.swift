import ArgumentParser
import Foundation
import MizanConfig
import MizanCore
import MizanSchema

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Check schema-export files.",
        subcommands: [Validate.self, Codes.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a schema-export and report every problem in one run.",
            discussion: """
                Problems are printed as file:line:col: error: message [MZnnn] (JSON pointer).
                Exits 0 when the schema is valid (warnings allowed), 65 when it has errors, 74 when it cannot be read.
                """)

        @Argument(help: ArgumentHelp("The schema-export JSON file (default: codegen.schema from mizan.toml).", valueName: "file"))
        var file: String?

        @OptionGroup var input: SchemaInputOptions
        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let terminal = Terminal()
            var path = file
            if path == nil {
                path = try configOptions.load(ConfigOverrides(), terminal: terminal).codegen.schema
            }
            let schema = try input.loadSchema(at: path!, terminal: terminal)
            terminal.out("\(Terminal.display(path!)): valid schema-export v\(schema.formatVersion) — \(schema.types.count) types, \(schema.clients.count) clients, \(schema.hash)")
        }
    }

    struct Codes: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the diagnostic codes and what each means.")

        func run() throws {
            let terminal = Terminal()
            for entry in SchemaCode.summaries {
                terminal.out("\(entry.code)  \(entry.summary)")
            }
        }
    }
}
