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

/// A readable line diff for golden-file failures: the first differing lines with context.
func lineDiff(expected: String, actual: String, context: Int = 3, limit: Int = 40) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = zip(e, a).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? (e.count != a.count ? min(e.count, a.count) : nil) else {
        return "(no difference)"
    }
    var out: [String] = ["first difference at line \(first + 1):"]
    let start = max(0, first - context)
    for i in start..<min(max(e.count, a.count), first + limit) {
        let el = i < e.count ? String(e[i]) : nil
        let al = i < a.count ? String(a[i]) : nil
        if el == al { out.append("  \(i + 1)  \(el ?? "")") } else {
            if let el { out.append("- \(i + 1)  \(el)") }
            if let al { out.append("+ \(i + 1)  \(al)") }
        }
    }
    return out.joined(separator: "\n")
}
