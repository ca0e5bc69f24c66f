import Foundation
import MizanCore

@testable import MizanConfig

/// A fresh folder under the system temporary folder, removed when `body` returns.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("mizan-config-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(ConfigPaths.normalize(folder))
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: ConfigPaths.parent(path), withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

struct LoadResult {
    var config: MizanConfig?
    var source: String?
    var diagnostics: [Diagnostic]
    /// The project folder the test created, holding mizan.toml (when given).
    var folder: String

    var codes: [String] { diagnostics.map(\.code) }
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Writes `toml` (if any) as mizan.toml in a temporary project and loads it from that folder.
func load(
    _ toml: String?, environment: [String: String] = [:], overrides: ConfigOverrides = ConfigOverrides()
) throws -> LoadResult {
    try withTemporaryFolder { folder in
        if let toml { try write(toml, to: folder + "/mizan.toml") }
        let result = ConfigLoader.load(
            explicitPath: nil, searchFrom: folder, environment: environment, overrides: overrides)
        return LoadResult(config: result.config, source: result.source, diagnostics: result.diagnostics, folder: folder)
    }
}

func location(_ line: Int, _ column: Int, file: String = "mizan.toml") -> MizanCore.SourceLocation {
    MizanCore.SourceLocation(file: file, line: line, column: column)
}
