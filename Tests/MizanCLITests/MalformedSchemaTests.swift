import Foundation
import MizanTestSupport
import Testing

/// The malformed-schema acceptance suite: every broken schema-export gives located diagnostics,
/// exit status 65, and leaves an existing output folder exactly as it was.
///
/// Cases are the hand-written files in `Tests/Fixtures/malformed` (their expected diagnostics in
/// `expectations.json`) plus files too big or too binary to commit, generated here. Each
/// expectation lists every diagnostic the file must produce, warnings included, so a test fails on
/// a missing diagnostic and on an extra one alike.
@Suite("Malformed schema-exports")
struct MalformedSchemaTests {
    @Test("gives located diagnostics, exits 65 and leaves the output folder untouched", arguments: try MalformedCase.all())
    func rejects(_ malformed: MalformedCase) async throws {
        try await withTemporaryDirectory(prefix: "mizan-malformed") { folder in
            let schema = try malformed.materialize(in: folder)

            // (a) schema validate: the diagnostics on stderr and in the JSON file are the expected ones.
            let validateReport = folder.appendingPathComponent("validate-diagnostics.json")
            let validate = try await runMizan(
                ["schema", "validate", schema.path, "--diagnostics-output", validateReport.path] + malformed.extraArguments,
                in: folder)
            #expect(validate.exitCode == 65, "\(validate)")
            #expect(validate.stdout.isEmpty, "nothing on stdout when the schema is rejected\n\(validate)")
            try checkStderr(validate, schema: schema, expected: malformed.expected)
            let validateDiagnostics = try ReportedDiagnostic.read(from: validateReport)
            #expect(validateDiagnostics.map(ExpectedDiagnostic.init) == malformed.expected, "\(validate)")
            #expect(validateDiagnostics.allSatisfy { $0.file == schema.path }, "every diagnostic names the schema file")

            // (b) codegen over a previous good output: refused, and the folder is byte-identical.
            let output = folder.appendingPathComponent("generated")
            let good = try await runMizan(
                ["codegen", "--schema", RepositoryPaths.bookshopSchema.path, "--output", output.path], in: folder)
            try #require(good.exitCode == 0, "the bookshop example must generate\n\(good)")
            let before = try FolderSnapshot(of: output)
            try #require(before.files.count == 5, "the good output has five files: \(before.files)")

            let codegenReport = folder.appendingPathComponent("codegen-diagnostics.json")
            let codegen = try await runMizan(
                ["codegen", "--schema", schema.path, "--output", output.path, "--diagnostics-output", codegenReport.path]
                    + malformed.extraArguments,
                in: folder)
            #expect(codegen.exitCode == 65, "\(codegen)")
            #expect(codegen.stdout.isEmpty, "nothing on stdout when the schema is rejected\n\(codegen)")
            try checkStderr(codegen, schema: schema, expected: malformed.expected)
            let codegenDiagnostics = try ReportedDiagnostic.read(from: codegenReport)
            #expect(codegenDiagnostics.map(ExpectedDiagnostic.init) == malformed.expected, "\(codegen)")

            let after = try FolderSnapshot(of: output)
            #expect(after.differences(since: before) == [], "the previous output must stay byte-identical")
            let leftovers = try stagingLeftovers(nextTo: output)
            #expect(leftovers == [], "no staging folders left next to the output")
        }
    }

    /// Every stderr line is a diagnostic in `file:line:col: severity: message [MZnnn]` form naming
    /// the schema, except a closing count line after several; together they are exactly the
    /// expected diagnostics.
    private func checkStderr(_ result: CommandResult, schema: URL, expected: [ExpectedDiagnostic]) throws {
        var lines = result.stderrLines
        let summary = lines.last.flatMap { DiagnosticLine.isSummary($0) ? $0 : nil }
        if summary != nil { lines.removeLast() }
        var reported: [ExpectedDiagnostic] = []
        for (index, text) in lines.enumerated() {
            let line = try #require(DiagnosticLine(text), "stderr line \(index + 1) is not a located diagnostic: \(text)\n\(result)")
            // The file is shown as given, or relative to the working folder when inside it.
            #expect(schema.path == line.file || schema.path.hasSuffix("/" + line.file), "diagnostic names the schema: \(text)")
            reported.append(ExpectedDiagnostic(code: line.code, line: line.line, column: line.column, severity: line.severity))
        }
        #expect(reported == expected, "\(result)")
        if expected.count > 1 {
            let errors = expected.filter { $0.severity == "error" }.count
            let warnings = expected.filter { $0.severity == "warning" }.count
            let counts = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            #expect(summary == counts, "several diagnostics end with a count line\n\(result)")
        } else {
            #expect(summary == nil, "a single diagnostic needs no count line\n\(result)")
        }
    }

    @Test("expectations.json lists every fixture, and every listed fixture exists")
    func manifestMatchesFixtures() throws {
        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.malformedFixtures.path)
            .filter { $0 != MalformedCase.manifestName && !$0.hasPrefix(".") })
        let listed = Set(try MalformedCase.expectations().keys)
        #expect(onDisk.subtracting(listed).sorted() == [], "fixtures without expectations")
        #expect(listed.subtracting(onDisk).sorted() == [], "expectations without a fixture")
        #expect(listed.allSatisfy { $0.wholeMatch(of: #/\d\d-[a-z0-9-]+\.json/#) != nil }, "fixture names are NN-short-name.json")
        #expect(try MalformedCase.all().count >= 25, "the issue asks for at least 25 malformed schema files")
    }
}

// MARK: - Cases

/// One expected diagnostic: what it is and where. Only the code and position are compared; the
/// message wording may improve without breaking this suite.
struct ExpectedDiagnostic: Codable, Hashable, Sendable, CustomStringConvertible {
    var code: String
    var line: Int
    var column: Int
    /// "error" unless stated; the manifest states it only for warnings.
    var severity: String

    init(code: String, line: Int, column: Int, severity: String = "error") {
        self.code = code
        self.line = line
        self.column = column
        self.severity = severity
    }

    init(_ reported: ReportedDiagnostic) {
        self.init(code: reported.code, line: reported.line ?? 0, column: reported.column ?? 0, severity: reported.severity)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        line = try container.decode(Int.self, forKey: .line)
        column = try container.decode(Int.self, forKey: .column)
        severity = try container.decodeIfPresent(String.self, forKey: .severity) ?? "error"
    }

    var description: String { "\(code)@\(line):\(column)\(severity == "error" ? "" : " (\(severity))")" }
}

/// A malformed schema-export: a committed fixture, or a file generated at test time.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    enum Source: Sendable {
        case fixture(URL)
        case generated(@Sendable (URL) throws -> Void)
    }

    var name: String
    var source: Source
    var expected: [ExpectedDiagnostic]
    /// Passed to both `schema validate` and `codegen`.
    var extraArguments: [String] = []

    var testDescription: String { name }

    static let manifestName = "expectations.json"

    /// The file to hand to mizan: the fixture itself, or a file generated into `folder`.
    func materialize(in folder: URL) throws -> URL {
        switch source {
        case .fixture(let url):
            return url
        case .generated(let write):
            let url = folder.appendingPathComponent(name)
            try write(url)
            return url
        }
    }

    /// File name → expected diagnostics, from `Tests/Fixtures/malformed/expectations.json`.
    static func expectations() throws -> [String: [ExpectedDiagnostic]] {
        let data = try Data(contentsOf: RepositoryPaths.malformedFixtures.appendingPathComponent(manifestName))
        return try JSONDecoder().decode([String: [ExpectedDiagnostic]].self, from: data)
    }

    /// The committed fixtures in name order, then the generated cases.
    static func all() throws -> [MalformedCase] {
        let fixtures = try expectations().sorted { $0.key < $1.key }.map { name, expected in
            MalformedCase(name: name, source: .fixture(RepositoryPaths.malformedFixtures.appendingPathComponent(name)), expected: expected)
        }
        return fixtures + generated
    }

    // MARK: Generated cases

    /// 50 MiB: over the default 32 MiB limit, under the 100 000 000 bytes the truncation case allows.
    static let bigSize = 50 * 1024 * 1024

    static let generated: [MalformedCase] = [
        // Someone passes an image: the PNG signature holds "\r\n" and "\n", so the first NUL byte
        // (offset 8) is on line 3, column 1. Seeded noise follows, so every run is the same.
        MalformedCase(
            name: "generated-binary-garbage.png",
            source: .generated { url in
                var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]
                var generator = SeededGenerator(seed: 0x6D697A616E)
                bytes += (0..<4096).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                try Data(bytes).write(to: url)
            },
            expected: [ExpectedDiagnostic(code: "MZ003", line: 3, column: 1)]),
        // Text saved as Latin-1: no NUL, but "é" is the lone byte 0xE9, which is not UTF-8.
        MalformedCase(
            name: "generated-latin1-text.json",
            source: .generated { url in
                let prefix = "{\n  \"format_version\": 1,\n  \"project\": \"caf"
                try Data(Array(prefix.utf8) + [0xE9] + Array("\",\n  \"clients\": {}\n}\n".utf8)).write(to: url)
            },
            expected: [ExpectedDiagnostic(code: "MZ003", line: 3, column: 18)]),
        // A complete, valid document, refused by size alone before it is read.
        MalformedCase(
            name: "generated-50mb.json",
            source: .generated { url in try BigSchema.write(to: url, minimumSize: bigSize, truncated: false) },
            expected: [ExpectedDiagnostic(code: "MZ004", line: 1, column: 1)]),
        // With the limit raised, the parser reads it all and reports where the text stops.
        truncatedBigCase(),
    ]

    /// A 50 MiB document cut where its closing braces should be: the error is at the end of the
    /// last line, which the generator knows.
    static func truncatedBigCase() -> MalformedCase {
        let shape = BigSchema.shape(minimumSize: bigSize)
        return MalformedCase(
            name: "generated-50mb-truncated.json",
            source: .generated { url in try BigSchema.write(to: url, minimumSize: bigSize, truncated: true) },
            expected: [ExpectedDiagnostic(code: "MZ001", line: shape.lastLine, column: shape.lastLineLength + 1)],
            extraArguments: ["--max-schema-size", "100000000"])
    }
}

/// A schema-export with thousands of types, built to a size:
///
///     {
///       "format_version": 1,
///       "clients": {},
///       "types": {
///         "Type000000": { … },
///         …
///         "Type290275": { … }
///       }
///     }
///
/// Truncated, it ends right after the last type's `}`, with no newline.
enum BigSchema {
    static let header = "{\n  \"format_version\": 1,\n  \"clients\": {},\n  \"types\": {\n"
    static let headerLines = 4
    static let footer = "\n  }\n}\n"

    static func entry(_ index: Int) -> String {
        let name = "Type" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index)
        return "    \"\(name)\": { \"kind\": \"object\", \"doc\": \"Entry number \(index) of a very large export.\", "
            + "\"fields\": { \"id\": { \"type\": \"int\" }, \"name\": { \"type\": \"string\", \"optional\": true } } }"
    }

    /// How many entries reach `minimumSize` bytes, and where the truncated text ends.
    static func shape(minimumSize: Int) -> (entries: Int, lastLine: Int, lastLineLength: Int) {
        var size = header.utf8.count + footer.utf8.count
        var count = 0
        var last = 0
        while size < minimumSize {
            last = entry(count).utf8.count
            size += last + (count == 0 ? 0 : 2)  // ",\n" between entries
            count += 1
        }
        return (count, headerLines + count, last)
    }

    static func write(to url: URL, minimumSize: Int, truncated: Bool) throws {
        let entries = shape(minimumSize: minimumSize).entries
        var data = Data()
        data.reserveCapacity(minimumSize + 4096)
        data.append(contentsOf: header.utf8)
        for i in 0..<entries {
            if i > 0 { data.append(contentsOf: ",\n".utf8) }
            data.append(contentsOf: entry(i).utf8)
        }
        if !truncated { data.append(contentsOf: footer.utf8) }
        try data.write(to: url)
    }
}

/// A small deterministic generator (SplitMix64), so generated garbage is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
