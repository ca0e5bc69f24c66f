import Foundation
import MizanCore

/// Everything the CLI prints goes through here: results to stdout, diagnostics and progress to
/// stderr (so `mizan … --json | jq` always works), colour only on a terminal without NO_COLOR.
struct Terminal {
    var environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    var colorsStderr: Bool {
        environment["NO_COLOR"] == nil && environment["TERM"] != "dumb" && isatty(STDERR_FILENO) == 1
    }

    func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `file:line:col: error: message [MZ012]`, with the severity coloured on a terminal.
    func report(_ diagnostics: [Diagnostic], displayPath: (String) -> String = { $0 }) {
        for d in diagnostics {
            var d = d
            if let location = d.location { d.location?.file = displayPath(location.file) }
            var line = d.formatted
            if colorsStderr {
                let color = d.severity == .error ? "\u{1B}[1;31m" : d.severity == .warning ? "\u{1B}[1;35m" : "\u{1B}[1;36m"
                line = line.replacingOccurrences(of: "\(d.severity.rawValue): ", with: "\(color)\(d.severity.rawValue):\u{1B}[0m ")
            }
            err(line)
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        if errors + warnings > 1 {
            err("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
    }

    /// Writes diagnostics as JSON for editors and CI (`--diagnostics-output FILE.json`).
    static func writeDiagnostics(_ diagnostics: [Diagnostic], to path: String) throws {
        let json = JSONOutput.array(diagnostics.map { d in
            .object([
                ("severity", .string(d.severity.rawValue)),
                ("code", .string(d.code)),
                ("message", .string(d.message)),
                ("file", d.location.map { .string($0.file) } ?? .null),
                ("line", d.location.map { .int($0.line) } ?? .null),
                ("column", d.location.map { .int($0.column) } ?? .null),
                ("pointer", d.pointer.map(JSONOutput.string) ?? .null),
            ])
        })
        try Data(json.rendered().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// A path shown relative to the working folder when it lies inside it.
    static func display(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
