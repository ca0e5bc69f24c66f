import Foundation
import MizanCodegen
import MizanSchema
import MizanTestSupport
import Testing

/// The bookshop's generated kernel, compared byte for byte with the committed golden files.
/// Re-record with `MIZAN_RECORD=1 swift test --filter BookshopGoldenTests` and review the diff.
@Suite struct BookshopGoldenTests {
    static func generate() throws -> [GeneratedFile] {
        let result = SchemaLoader.load(path: TestPaths.bookshopSchema)
        let schema = try #require(result.schema, "bookshop schema has errors:\n\(result.diagnostics.map(\.formatted).joined(separator: "\n"))")
        return try KernelGenerator().generate(schema)
    }

    @Test func bookshopHasNoDiagnostics() {
        let result = SchemaLoader.load(path: TestPaths.bookshopSchema)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
    }

    @Test func generatedKernelMatchesGoldenFiles() throws {
        let files = try Self.generate()
        let folder = TestPaths.golden + "/bookshop"
        if TestPaths.recording {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in files {
                try file.contents.write(toFile: folder + "/" + file.path, atomically: true, encoding: .utf8)
            }
            return
        }
        let goldenNames = (try FileManager.default.contentsOfDirectory(atPath: folder)).sorted()
        #expect(goldenNames == files.map(\.path).sorted(), "the generated file set differs from the golden folder")
        for file in files {
            let expected = try String(contentsOfFile: folder + "/" + file.path, encoding: .utf8)
            #expect(expected == file.contents, "\(file.path) differs from its golden file (MIZAN_RECORD=1 to re-record):\n\(lineDiff(expected: expected, actual: file.contents))")
        }
    }

    /// Stage 2 on the bookshop: each adapter's file, in its own golden folder so the kernel's folder
    /// stays exactly what `mizan codegen` writes without `--adapter`.
    @Test func generatedAdaptersMatchGoldenFiles() throws {
        let result = SchemaLoader.load(path: TestPaths.bookshopSchema)
        let schema = try #require(result.schema)
        let all = try KernelGenerator().generate(schema, adapters: Adapter.allCases)
        let kernel = try Self.generate()
        #expect(all.filter { file in kernel.contains { $0.path == file.path } } == kernel, "adapters must not change the kernel")
        let files = all.filter { file in !kernel.contains { $0.path == file.path } }
        #expect(files.map(\.path) == ["react.ts", "svelte.ts", "vue.ts"])
        let folder = TestPaths.golden + "/bookshop-adapters"
        if TestPaths.recording {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in files {
                try file.contents.write(toFile: folder + "/" + file.path, atomically: true, encoding: .utf8)
            }
            return
        }
        let goldenNames = (try FileManager.default.contentsOfDirectory(atPath: folder)).sorted()
        #expect(goldenNames == files.map(\.path).sorted(), "the generated adapter set differs from the golden folder")
        for file in files {
            let expected = try String(contentsOfFile: folder + "/" + file.path, encoding: .utf8)
            #expect(expected == file.contents, "\(file.path) differs from its golden file (MIZAN_RECORD=1 to re-record):\n\(lineDiff(expected: expected, actual: file.contents))")
        }
    }

    @Test func adapterGenerationIsDeterministic() throws {
        let schema = try #require(SchemaLoader.load(path: TestPaths.bookshopSchema).schema)
        #expect(try KernelGenerator().generate(schema, adapters: [.svelte, .react]) == KernelGenerator().generate(schema, adapters: [.react, .svelte]))
    }

    @Test func generationIsDeterministic() throws {
        let first = try Self.generate()
        let second = try Self.generate()
        #expect(first == second)
    }
}
