import Foundation
import MizanCodegen
import MizanCore
import MizanOpenAPI
import MizanSchema
import Testing

/// Paths of the repository, found from this file so tests run from any working folder.
enum OpenAPITestPaths {
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func repo(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    static var inputs: String { repo("Tests/MizanOpenAPITests/Inputs") }
    static var golden: String { repo("Tests/MizanOpenAPITests/Golden") }
    /// The shared corpus (OAI examples, the OpenAI description) lives beside the repository.
    static var corpus: String { repository.deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL.path }
    static var django: String { repo("Tests/Fixtures/openapi/django") }

    /// Set MIZAN_RECORD=1 to rewrite golden files instead of comparing with them.
    static var recording: Bool { ProcessInfo.processInfo.environment["MIZAN_RECORD"] == "1" }

    /// A fresh temporary folder; the caller removes it.
    static func temporaryFolder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Loads an OpenAPI document the way `mizan codegen --schema` does and generates the kernel.
enum OpenAPIGeneration {
    struct Output {
        var diagnostics: [Diagnostic]
        var files: [GeneratedFile]?
    }

    static func generate(path: String) throws -> Output {
        let result = SchemaSource.load(path: path)
        guard let schema = result.schema else { return Output(diagnostics: result.diagnostics, files: nil) }
        return Output(diagnostics: result.diagnostics, files: try KernelGenerator().generate(schema))
    }

    static func write(_ files: [GeneratedFile], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in files {
            try file.contents.write(toFile: folder + "/" + file.path, atomically: true, encoding: .utf8)
        }
    }
}

// MARK: - tsc

/// Debian's TypeScript compiler (tsc 4.8), which `make test` installs (Scripts/install-deps.sh).
enum TypeScriptCompiler {
    static let flags = ["--strict", "--noEmit", "--target", "ES2020", "--module", "ES2020", "--moduleResolution", "node", "--lib", "ES2020,DOM"]

    /// /usr/bin/tsc, else the first `tsc` on PATH; nil when there is none.
    static var path: String? {
        let fm = FileManager.default
        if fm.isExecutableFile(atPath: "/usr/bin/tsc") { return "/usr/bin/tsc" }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return searchPath.split(separator: ":").map { "\($0)/tsc" }.first { fm.isExecutableFile(atPath: $0) }
    }

    static let missingMessage = "tsc was not found (looked for /usr/bin/tsc and on PATH): install Debian's node-typescript, as `make test` does through Scripts/install-deps.sh"

    /// Type-checks every `.ts` file under `folder` in one run; returns tsc's output, "" when clean.
    /// nil (with an issue recorded) when tsc is missing.
    static func check(folder: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> String? {
        guard let tsc = path else {
            Issue.record(Comment(rawValue: missingMessage), sourceLocation: sourceLocation)
            return nil
        }
        let files = try typeScriptFiles(under: folder)
        #expect(!files.isEmpty, "no TypeScript files under \(folder)", sourceLocation: sourceLocation)
        let (status, output) = try await run(tsc, flags + files, in: folder)
        if status != 0 && output.isEmpty { return "tsc exited with status \(status) and printed nothing" }
        return output
    }

    static func typeScriptFiles(under folder: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".ts") { files.append(relative) }
        }
        return files.sorted()
    }

    /// Runs a program with its output in a file (never a full pipe), waiting without blocking a thread.
    private static func run(_ program: String, _ arguments: [String], in folder: String) async throws -> (Int32, String) {
        let outputURL = URL(fileURLWithPath: try OpenAPITestPaths.temporaryFolder("mizan-tsc-output")).appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: outputURL.deletingLastPathComponent()) }
        try Data().write(to: outputURL)
        let handle = try FileHandle(forWritingTo: outputURL)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
    }
}
