import Foundation

/// Paths of the repository, found from this file so tests run from any working folder.
enum TestPaths {
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func repo(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    static var bookshopSchema: String { repo("Examples/bookshop/mizan-schema.json") }
    static var golden: String { repo("Tests/MizanCodegenTests/Golden") }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder(_ name: String = "mizan-test") -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Set MIZAN_RECORD=1 to rewrite golden files instead of comparing with them.
    static var recording: Bool { ProcessInfo.processInfo.environment["MIZAN_RECORD"] == "1" }
}
