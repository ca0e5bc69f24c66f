import Foundation
import MizanTestSupport
import Testing

// Helpers for tests that run the real `mizan` executable, as users and CI do: locating the built
// binary, running it with captured output, temporary folders, and snapshots of an output folder.
// They only observe the process from outside (arguments in; exit status, stdout, stderr and files
// out), so a test written with them checks what a user would see.

// MARK: - Repository paths

/// Paths inside the repository, found from this file so the tests run from any working folder.
enum RepositoryPaths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MizanCLITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The full example schema-export; valid, and uses every feature of the format.
    static var bookshopSchema: URL { root.appendingPathComponent("Examples/bookshop/mizan-schema.json") }

    /// Hand-written malformed schema-exports and `expectations.json`, their expected diagnostics.
    static var malformedFixtures: URL { root.appendingPathComponent("Tests/Fixtures/malformed") }
}

// MARK: - Folder snapshots

/// Every file and folder under a root, with its bytes and modification time, plus the identity of
/// the root itself; two equal snapshots mean nothing in the folder was written, replaced, added
/// or removed in between.
struct FolderSnapshot: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var isDirectory: Bool
        /// nil for folders.
        var contents: Data?
        var modified: Date?
    }

    /// Relative path → entry.
    var entries: [String: Entry]
    /// The root folder's file number (inode): a folder swapped in by rename has a new one.
    var rootFileNumber: Int?
    var rootModified: Date?

    init(of root: URL) throws {
        let fm = FileManager.default
        let rootAttributes = try fm.attributesOfItem(atPath: root.path)
        rootFileNumber = (rootAttributes[.systemFileNumber] as? NSNumber)?.intValue
        rootModified = rootAttributes[.modificationDate] as? Date
        entries = [:]
        for relative in try fm.subpathsOfDirectory(atPath: root.path) {
            let path = root.appendingPathComponent(relative).path
            let attributes = try fm.attributesOfItem(atPath: path)
            let isDirectory = (attributes[.type] as? FileAttributeType) == .typeDirectory
            entries[relative] = Entry(
                isDirectory: isDirectory,
                contents: isDirectory ? nil : try Data(contentsOf: URL(fileURLWithPath: path)),
                modified: attributes[.modificationDate] as? Date)
        }
    }

    /// The relative paths of regular files, sorted.
    var files: [String] { entries.filter { !$0.value.isDirectory }.keys.sorted() }

    /// What changed from `earlier` to this snapshot, one line per difference; empty when equal.
    func differences(since earlier: FolderSnapshot) -> [String] {
        var lines: [String] = []
        if rootFileNumber != earlier.rootFileNumber { lines.append("the folder itself was replaced (new inode)") }
        if rootModified != earlier.rootModified { lines.append("the folder's modification time changed") }
        for path in Set(entries.keys).union(earlier.entries.keys).sorted() {
            switch (earlier.entries[path], entries[path]) {
            case (nil, _?): lines.append("added: \(path)")
            case (_?, nil): lines.append("removed: \(path)")
            case let (before?, after?):
                if before.contents != after.contents { lines.append("contents changed: \(path)") }
                if before.modified != after.modified { lines.append("modification time changed: \(path)") }
                if before.isDirectory != after.isDirectory { lines.append("file/folder kind changed: \(path)") }
            default: break
            }
        }
        return lines
    }
}

/// Names of the staging folders `mizan codegen` leaves next to `output` if it is interrupted or
/// fails to clean up (`.NAME.mizan-new-…` and `.NAME.mizan-old-…`).
func stagingLeftovers(nextTo output: URL) throws -> [String] {
    let parent = output.deletingLastPathComponent()
    let prefix = ".\(output.lastPathComponent).mizan-"
    return try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasPrefix(prefix) }.sorted()
}

// MARK: - Diagnostics

/// One diagnostic as `--diagnostics-output FILE.json` writes it.
struct ReportedDiagnostic: Decodable, Hashable, Sendable {
    var severity: String
    var code: String
    var message: String
    var file: String?
    var line: Int?
    var column: Int?
    var pointer: String?

    /// Reads the JSON array written by `--diagnostics-output`.
    static func read(from url: URL) throws -> [ReportedDiagnostic] {
        try JSONDecoder().decode([ReportedDiagnostic].self, from: Data(contentsOf: url))
    }
}

/// One stderr line in the form `file:line:col: severity: message [MZnnn]`, optionally followed by
/// ` (at /json/pointer)`.
struct DiagnosticLine: Hashable, Sendable {
    var file: String
    var line: Int
    var column: Int
    var severity: String
    var message: String
    var code: String

    /// nil when `text` is not in that form.
    init?(_ text: String) {
        let form = #/^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|note): (?<message>.+) \[(?<code>MZ\d{3})\](?: \(at .*\))?$/#
        guard let match = text.wholeMatch(of: form), let line = Int(match.line), let column = Int(match.column) else {
            return nil
        }
        file = String(match.file)
        self.line = line
        self.column = column
        severity = String(match.severity)
        message = String(match.message)
        code = String(match.code)
    }

    /// True for the count line printed after several diagnostics ("3 errors, 1 warning").
    static func isSummary(_ text: String) -> Bool {
        text.wholeMatch(of: #/\d+ errors?, \d+ warnings?/#) != nil
    }
}
