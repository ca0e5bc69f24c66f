import Foundation
import MizanCodegen
import MizanCore
import Testing

/// Documents nobody here wrote: each generates a kernel with no error, and the kernel passes
/// `tsc --strict`. The shared corpus (the OAI example specs and the OpenAI API description, 3 MB,
/// OpenAPI 3.1) sits beside the repository, in `../shared/corpus`; where that folder is absent
/// (a plain clone) the corpus test is skipped with a message, not failed. The Django exports
/// (DRF with drf-spectacular, django-ninja) are committed fixtures and always run.
///
/// Each document's kernel goes to its own folder and one tsc run checks them all: tsc spends
/// about a second loading its libraries before it reads a file, so one run per document would
/// mostly repeat that (the OpenAI kernel alone takes about 7 s).
@Suite struct CorpusTests {
    static var corpusPresent: Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: OpenAPITestPaths.corpus, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// The OpenAPI documents of the corpus, as paths; [] when the folder is absent.
    static var corpusDocuments: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: OpenAPITestPaths.corpus)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
            .map { OpenAPITestPaths.corpus + "/" + $0 }
    }

    static var djangoDocuments: [String] {
        ["drf.yaml", "ninja.json"].map { OpenAPITestPaths.django + "/" + $0 }
    }

    @Test(
        .enabled(if: corpusPresent, "../shared/corpus is absent (it is not part of the repository); the corpus documents are not checked"),
        .timeLimit(.minutes(5)))
    func corpusKernelsPassTSCStrict() async throws {
        let documents = Self.corpusDocuments
        #expect(documents.contains { $0.hasSuffix("/openai-openapi.yaml") } && documents.count >= 7, "corpus: \(documents)")
        try await Self.check(documents)
    }

    @Test(.timeLimit(.minutes(2)))
    func djangoExportKernelsPassTSCStrict() async throws {
        try await Self.check(Self.djangoDocuments)
    }

    /// Generates each document's kernel into `<temporary folder>/<document name>/`: no error
    /// (warnings are fine: these documents use callbacks, links and the like); then one tsc run
    /// over every folder, which must have nothing to say.
    static func check(_ paths: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let root = try OpenAPITestPaths.temporaryFolder("mizan-corpus")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in paths {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) is missing", sourceLocation: sourceLocation)
            let output = try OpenAPIGeneration.generate(path: path)
            let errors = output.diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(path):\n\(errors.map(\.formatted).joined(separator: "\n"))", sourceLocation: sourceLocation)
            guard let files = output.files else { continue }
            try OpenAPIGeneration.write(files, to: root + "/" + (path as NSString).lastPathComponent)
        }
        guard let tscOutput = try await TypeScriptCompiler.check(folder: root, sourceLocation: sourceLocation) else { return }
        let clean = tscOutput.isEmpty
        #expect(clean, "tsc \(TypeScriptCompiler.flags.joined(separator: " ")) (paths are <document>/<file>):\n\(tscOutput)", sourceLocation: sourceLocation)
    }
}
