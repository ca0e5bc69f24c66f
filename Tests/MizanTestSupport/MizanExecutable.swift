import Foundation

// MARK: - The executable

/// Finds the `mizan` executable that `swift build` / `swift test` put next to the test bundle.
///
/// SwiftPM writes every product of a configuration into one folder (`.build/debug`), so the
/// executable sits beside the test bundle. On Linux the test bundle is itself the running
/// executable (`mizanPackageTests.xctest`); on macOS it is a bundle loaded by a helper process, and
/// `Bundle(for:)` finds it. Set `MIZAN_TEST_EXECUTABLE` to test another build of mizan.
public enum MizanExecutable {
    public struct NotFound: Error, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "cannot find the built 'mizan' executable; run `swift build` first (looked in \(searched.joined(separator: ", ")))"
        }
    }

    /// The executable's location, or the folders searched when it is missing.
    public static let location: Result<URL, NotFound> = locate()

    /// The executable, or an error naming where it was looked for.
    public static func url() throws -> URL { try location.get() }

    private final class BundleMarker {}

    private static func locate() -> Result<URL, NotFound> {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MIZAN_TEST_EXECUTABLE"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit)
                ? .success(URL(fileURLWithPath: explicit))
                : .failure(NotFound(searched: ["MIZAN_TEST_EXECUTABLE=\(explicit)"]))
        }
        let starts = [
            Bundle(for: BundleMarker.self).bundleURL,
            Bundle.main.bundleURL,
            Bundle.main.executableURL,
            CommandLine.arguments.first.map { URL(fileURLWithPath: $0) },
        ].compactMap { $0?.resolvingSymlinksInPath() }
        var searched: [String] = []
        for start in starts {
            // The bundle's own folder, then up to three levels above it (macOS nests the binary
            // in `Contents/MacOS` of the bundle).
            var folder = start.hasDirectoryPath ? start : start.deletingLastPathComponent()
            for _ in 0..<4 {
                if !searched.contains(folder.path) {
                    searched.append(folder.path)
                    let candidate = folder.appendingPathComponent("mizan")
                    var isDirectory: ObjCBool = false
                    if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                       fm.isExecutableFile(atPath: candidate.path) {
                        return .success(candidate)
                    }
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        return .failure(NotFound(searched: searched))
    }
}
