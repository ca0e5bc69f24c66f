import Foundation
import MizanTestSupport
import MizanCLI
import Testing

/// What the `mizan` executable promises at its edges: version and help, exit statuses, which stream
/// gets what, and codegen's up-to-date and `--check` behaviour, checked on the real binary.
@Suite("mizan command line")
struct CLIBehaviourTests {
    static let generatedFiles = ["clients.ts", "index.ts", "manifest.json", "runtime.ts", "types.ts"]

    @Test("--version prints the version")
    func version() async throws {
        try await withTemporaryDirectory { folder in
            let result = try await runMizan(["--version"], in: folder)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout == "mizan 0.1.0\n", "\(result)")
        }
    }

    @Test("--help ends with the exit status table")
    func helpEndsWithExitStatuses() async throws {
        try await withTemporaryDirectory { folder in
            let result = try await runMizan(["--help"], in: folder)
            #expect(result.exitCode == 0, "\(result)")
            let lines = result.stdoutLines
            let header = try #require(lines.lastIndex(of: "EXIT STATUS:"), "no EXIT STATUS section\n\(result)")
            let table = Array(lines[(header + 1)...])
            #expect(table.count == ExitStatus.allCases.count, "one line per exit status, and nothing after them\n\(result)")
            for (line, status) in zip(table, ExitStatus.allCases) {
                let columns = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                #expect(columns.first.map(String.init) == String(status.rawValue), "\(line)")
                #expect(columns.last.map { $0.trimmingCharacters(in: .whitespaces) } == status.meaning, "\(line)")
            }
        }
    }

    @Test("dev without a manifest or schema exits 74 and says how to get one")
    func devWithoutAManifest() async throws {
        try await withTemporaryDirectory { folder in
            let result = try await runMizan(["dev"], in: folder)
            #expect(result.exitCode == 74, "\(result)")
            #expect(result.stderr == "mizan: cannot read the manifest generated/manifest.json; run `mizan codegen` first, or pass --schema or --manifest\n", "\(result)")
        }
    }

    @Test("dev rejects a bad upstream and a bad credential source as usage errors")
    func devBadFlags() async throws {
        try await withTemporaryDirectory { folder in
            let upstream = try await runMizan(["dev", "--upstream", "ftp://x"], in: folder)
            #expect(upstream.exitCode == 64, "\(upstream)")
            #expect(upstream.stderr.contains("dev.upstream"), "\(upstream)")
            let credential = try await runMizan(["dev", "--user-credential", "query:token"], in: folder)
            #expect(credential.exitCode == 64, "\(credential)")
            #expect(credential.stderr.contains("--user-credential takes header:NAME or cookie:NAME"), "\(credential)")
        }
    }

    @Test("codegen writes five files, and a second run is up to date")
    func codegenThenUpToDate() async throws {
        try await withTemporaryDirectory { folder in
            let output = folder.appendingPathComponent("out")
            let arguments = ["codegen", "--schema", RepositoryPaths.bookshopSchema.path, "--output", output.path]
            let first = try await runMizan(arguments, in: folder)
            #expect(first.exitCode == 0, "\(first)")
            #expect(try FolderSnapshot(of: output).files == Self.generatedFiles)
            #expect(first.stdoutLines.filter { $0.hasPrefix("created ") }.count == 5, "\(first)")
            #expect(first.stdoutLines.last?.hasPrefix("Generated out/") == true, "\(first)")

            let before = try FolderSnapshot(of: output)
            let second = try await runMizan(arguments, in: folder)
            #expect(second.exitCode == 0, "\(second)")
            #expect(second.stdoutLines.last?.hasPrefix("Up to date out/") == true, "\(second)")
            #expect(try FolderSnapshot(of: output).differences(since: before) == [], "an up-to-date run writes nothing")
        }
    }

    @Test("--check exits 0 when fresh and 1 naming the file after an edit")
    func checkFindsEditedFile() async throws {
        try await withTemporaryDirectory { folder in
            let output = folder.appendingPathComponent("out")
            let arguments = ["codegen", "--schema", RepositoryPaths.bookshopSchema.path, "--output", output.path]
            try #require(try await runMizan(arguments, in: folder).exitCode == 0)

            let fresh = try await runMizan(arguments + ["--check"], in: folder)
            #expect(fresh.exitCode == 0, "\(fresh)")
            #expect(fresh.stdoutLines.last == "out/ is up to date", "\(fresh)")

            let types = output.appendingPathComponent("types.ts")
            let handle = try FileHandle(forWritingTo: types)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("// a hand edit\n".utf8))
            try handle.close()
            let before = try FolderSnapshot(of: output)

            let stale = try await runMizan(arguments + ["--check"], in: folder)
            #expect(stale.exitCode == 1, "\(stale)")
            #expect(stale.stdoutLines.contains { $0.hasPrefix("stale") && $0.hasSuffix("out/types.ts") }, "\(stale)")
            #expect(stale.stdoutLines.filter { $0.hasPrefix("stale") }.count == 1, "only the edited file is stale\n\(stale)")
            #expect(try FolderSnapshot(of: output).differences(since: before) == [], "--check writes nothing")
        }
    }

    @Test("--check describes a dropped invalidation in plain words")
    func checkReportsContractDrift() async throws {
        try await withTemporaryDirectory { folder in
            let output = folder.appendingPathComponent("out")
            try #require(try await runMizan(
                ["codegen", "--schema", RepositoryPaths.bookshopSchema.path, "--output", output.path], in: folder).exitCode == 0)

            // The same schema, except that books.update_book no longer affects books.get_book.
            let original = try String(contentsOf: RepositoryPaths.bookshopSchema, encoding: .utf8)
            let update = try #require(original.range(of: "\"books.update_book\": {"))
            let affect = try #require(original.range(
                of: "        { \"client\": \"books.get_book\", \"params\": { \"id\": { \"from\": \"id\" } } },\n",
                range: update.upperBound..<original.endIndex))
            let nextClient = try #require(original.range(of: "\n    \"", range: update.upperBound..<original.endIndex))
            try #require(affect.upperBound <= nextClient.lowerBound, "the affects entry removed must be books.update_book's own")
            var changed = original
            changed.removeSubrange(affect)
            let schema = folder.appendingPathComponent("mizan-schema.json")
            try changed.write(to: schema, atomically: true, encoding: .utf8)

            let check = try await runMizan(["codegen", "--schema", schema.path, "--output", output.path, "--check"], in: folder)
            #expect(check.exitCode == 1, "\(check)")
            #expect(check.stdoutLines.contains("  - books.update_book no longer invalidates books.get_book"), "\(check)")
        }
    }

    @Test("an unknown flag is a usage error (64)", arguments: [["--frobnicate"], ["codegen", "--frobnicate"], ["schema", "validate", "--frobnicate"]])
    func unknownFlag(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { folder in
            let result = try await runMizan(arguments, in: folder)
            #expect(result.exitCode == 64, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("--frobnicate"), "the message names the flag\n\(result)")
        }
    }

    @Test("a missing schema file is an I/O error (74)", arguments: [
        ["schema", "validate", "no-such-schema.json"],
        ["codegen", "--schema", "no-such-schema.json", "--output", "out"],
    ])
    func missingSchema(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { folder in
            let result = try await runMizan(arguments, in: folder)
            #expect(result.exitCode == 74, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("no-such-schema.json"), "the message names the file\n\(result)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing is generated")
        }
    }
}
