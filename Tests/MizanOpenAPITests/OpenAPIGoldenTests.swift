import Foundation
import MizanCodegen
import MizanCore
import MizanSchema
import MizanTestSupport
import Testing

/// Small OpenAPI documents, one per construct (Inputs/), each with the diagnostics it must give
/// (Inputs/expectations.txt) and, when it is valid, the kernel it must generate, byte for byte
/// (Golden/<input>/). Re-record with `MIZAN_RECORD=1 swift test --filter OpenAPIGoldenTests`
/// and review the diff. `runtime.ts` is left out of the golden folders: it is the runtime
/// template under a header, the same for every input, and the bookshop golden covers it.
@Suite struct OpenAPIGoldenTests {
    /// One expected diagnostic, as a line of expectations.txt gives it.
    struct Expected: CustomStringConvertible {
        var severity: String
        var code: String
        /// The file the diagnostic points into when it is not the input (a file it refers to).
        var file: String?
        var line: Int
        var column: Int?
        var words: String?

        var description: String {
            "\(severity) \(code) \(file.map { $0 + ":" } ?? "")\(line)\(column.map { ":\($0)" } ?? "")\(words.map { " \"\($0)\"" } ?? "")"
        }

        func matches(_ d: Diagnostic, input: String) -> Bool {
            guard let location = d.location else { return false }
            return d.severity.rawValue == severity && d.code == code && location.line == line
                && (location.file as NSString).lastPathComponent == (file ?? input)
                && (column == nil || location.column == column) && (words.map { d.message.contains($0) } ?? true)
        }
    }

    struct Input: CustomTestStringConvertible, Sendable {
        var file: String
        var helper: Bool
        var expected: [Expected]

        var name: String { (file as NSString).deletingPathExtension }
        var path: String { OpenAPITestPaths.inputs + "/" + file }
        var isValid: Bool { !expected.contains { $0.severity == "error" } }
        var usagePath: String? {
            let path = OpenAPITestPaths.inputs + "/" + name + ".usage.ts"
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        var testDescription: String { file }
    }

    /// Inputs/expectations.txt, in file order.
    static let inputs: [Input] = {
        guard let text = try? String(contentsOfFile: OpenAPITestPaths.inputs + "/expectations.txt", encoding: .utf8) else { return [] }
        var inputs: [Input] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var words: String?
            var head = line
            if let quote = line.firstIndex(of: "\""), line.hasSuffix("\""), line.index(before: line.endIndex) > quote {
                words = String(line[line.index(after: quote)..<line.index(before: line.endIndex)])
                head = String(line[..<quote])
            }
            let fields = head.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let file = fields.first else { continue }
            let index = inputs.firstIndex { $0.file == file } ?? {
                inputs.append(Input(file: file, helper: false, expected: []))
                return inputs.count - 1
            }()
            switch fields.count {
            case 2 where fields[1] == "none": break
            case 2 where fields[1] == "helper": inputs[index].helper = true
            case 4:
                // [file:]line[:column]
                var position = fields[3].split(separator: ":").map(String.init)
                let other = position.first.flatMap { Int($0) == nil ? $0 : nil }
                if other != nil { position.removeFirst() }
                let numbers = position.compactMap { Int($0) }
                inputs[index].expected.append(Expected(
                    severity: fields[1], code: fields[2], file: other, line: numbers.first ?? -1,
                    column: numbers.count > 1 ? numbers[1] : nil, words: words))
            default:
                // A malformed line is reported by `expectationsCoverEveryInput`.
                inputs[index].expected.append(Expected(severity: "malformed", code: line, line: -1))
            }
        }
        return inputs
    }()

    static var documents: [Input] { inputs.filter { !$0.helper } }
    static var validDocuments: [Input] { documents.filter(\.isValid) }

    @Test func expectationsCoverEveryInput() throws {
        let listed = Set(Self.inputs.map(\.file))
        let present = try FileManager.default.contentsOfDirectory(atPath: OpenAPITestPaths.inputs)
            .filter { !$0.hasSuffix(".usage.ts") && $0 != "expectations.txt" && $0 != "README.md" }
        #expect(Self.inputs.count > 20, "expectations.txt is missing or nearly empty")
        #expect(Set(present).subtracting(listed).sorted() == [], "inputs missing from expectations.txt")
        #expect(listed.subtracting(present).sorted() == [], "expectations.txt names files that do not exist")
        for input in Self.inputs {
            #expect(!input.expected.contains { $0.severity == "malformed" }, "malformed line in expectations.txt for \(input.file)")
        }
        let usages = try FileManager.default.contentsOfDirectory(atPath: OpenAPITestPaths.inputs).filter { $0.hasSuffix(".usage.ts") }
        for usage in usages {
            let name = String(usage.dropLast(".usage.ts".count))
            #expect(Self.validDocuments.contains { $0.name == name }, "\(usage) belongs to no valid input")
        }
    }

    @Test(arguments: documents)
    func diagnosticsAreTheExpectedOnes(_ input: Input) throws {
        let output = try OpenAPIGeneration.generate(path: input.path)
        var unmatched = output.diagnostics
        var missing: [Expected] = []
        for expected in input.expected {
            if let index = unmatched.firstIndex(where: { expected.matches($0, input: input.file) }) {
                unmatched.remove(at: index)
            } else {
                missing.append(expected)
            }
        }
        #expect(missing.isEmpty && unmatched.isEmpty, """
            \(input.file): diagnostics differ from expectations.txt
            expected but not given:
            \(missing.map { "  \($0)" }.joined(separator: "\n"))
            given but not expected:
            \(unmatched.map { "  \($0.formatted)" }.joined(separator: "\n"))
            """)
        #expect((output.files == nil) == !input.isValid, "\(input.file): a kernel is generated exactly when there is no error")
        // A diagnostic names its place, in the input or a file it refers to.
        for diagnostic in output.diagnostics {
            #expect(diagnostic.location != nil, "\(input.file): \(diagnostic.formatted) has no location")
        }
    }

    @Test(arguments: validDocuments)
    func generatedKernelMatchesGoldenFiles(_ input: Input) throws {
        let output = try OpenAPIGeneration.generate(path: input.path)
        let files = try #require(output.files, "\(input.file) has errors:\n\(output.diagnostics.map(\.formatted).joined(separator: "\n"))")
        let runtime = try #require(files.first { $0.path == "runtime.ts" })
        #expect(runtime.contents.hasPrefix("// Generated by mizan \(MizanVersion.current) from \(input.file)"))
        let golden = files.filter { $0.path != "runtime.ts" }
        let folder = OpenAPITestPaths.golden + "/" + input.name
        if OpenAPITestPaths.recording {
            try? FileManager.default.removeItem(atPath: folder)
            try OpenAPIGeneration.write(golden, to: folder)
            return
        }
        let goldenNames = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.sorted() ?? []
        #expect(goldenNames == golden.map(\.path).sorted(), "\(input.name): the generated file set differs from Golden/\(input.name) (MIZAN_RECORD=1 to record)")
        for file in golden {
            guard let expected = try? String(contentsOfFile: folder + "/" + file.path, encoding: .utf8) else { continue }
            let same = expected == file.contents  // a Bool, so a failure shows the diff, not both files
            #expect(same, """
                Golden/\(input.name)/\(file.path) differs from what mizan generates (MIZAN_RECORD=1 to re-record):
                \(lineDiff(expected: expected, actual: file.contents))
                """)
        }
    }

    @Test(arguments: validDocuments)
    func generationIsDeterministic(_ input: Input) throws {
        let first = try OpenAPIGeneration.generate(path: input.path).files
        let second = try OpenAPIGeneration.generate(path: input.path).files
        #expect(first != nil && first == second)
    }

    /// Every valid input's kernel, each in its own folder with its usage.ts beside it, in one tsc
    /// run (one run for all is several times faster than one per input).
    @Test func generatedKernelsAndUsagePassTSCStrict() async throws {
        let root = try OpenAPITestPaths.temporaryFolder("mizan-openapi-golden-tsc")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for input in Self.validDocuments {
            let output = try OpenAPIGeneration.generate(path: input.path)
            let files = try #require(output.files, "\(input.file) has errors")
            try OpenAPIGeneration.write(files, to: root + "/" + input.name)
            if let usage = input.usagePath {
                try FileManager.default.copyItem(atPath: usage, toPath: root + "/" + input.name + "/usage.ts")
            }
        }
        #expect(Self.validDocuments.filter { $0.usagePath != nil }.count >= 5)
        guard let output = try await TypeScriptCompiler.check(folder: root) else { return }
        let clean = output.isEmpty
        #expect(clean, "tsc \(TypeScriptCompiler.flags.joined(separator: " ")) failed (paths are <input>/<file>):\n\(output)")
    }
}
