import Foundation
@testable import MizanCodegen
import MizanCore
import MizanSchema
import Testing

@Suite struct TemplateTests {
    /// The binary carries Templates/ embedded; this fails when someone edits a template and
    /// forgets `make templates`.
    @Test func embeddedTemplatesMatchTheTemplatesFolder() throws {
        let folder = TestPaths.repo("Templates")
        let files = (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? [])
            .filter { var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
        #expect(Set(files) == Set(TemplateSet.embedded.keys), "run `make templates`")
        for name in files {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            #expect(TemplateSet.embedded[name] == text, "\(name) differs from its embedded copy: run `make templates`")
        }
    }

    /// Schema type names must not clash with what runtime.ts exports (index.ts re-exports both).
    @Test func reservedRuntimeNamesMatchRuntimeExports() throws {
        let runtime = try #require(TemplateSet.embedded["kernel/runtime.ts"])
        let pattern = try Regex(#"(?m)^export (?:declare )?(?:abstract )?(?:class|function|type|interface|const|let|enum) ([A-Za-z_$][A-Za-z0-9_$]*)"#)
        let exported = Set(runtime.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
        #expect(!exported.isEmpty)
        #expect(exported.subtracting(Naming.runtimeExports).isEmpty, "add to Naming.runtimeExports: \(exported.subtracting(Naming.runtimeExports).sorted())")
        #expect(Naming.runtimeExports.subtracting(exported).isEmpty, "no longer exported: \(Naming.runtimeExports.subtracting(exported).sorted())")
    }

    @Test func userTemplatesOverrideBuiltInOnesByName() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/kernel", withIntermediateDirectories: true)
        try "{{{header}}}\n// {{#types}}{{name}} {{/types}}\n".write(toFile: folder + "/kernel/types.ts.mustache", atomically: true, encoding: .utf8)
        let schema = try #require(SchemaLoader.load(path: TestPaths.bookshopSchema).schema)
        let files = try KernelGenerator(templates: TemplateSet(overridingWith: folder)).generate(schema)
        let types = try #require(files.first { $0.path == "types.ts" })
        #expect(types.contents.contains("// AddItemResult Author "))
        #expect(files.first { $0.path == "clients.ts" }?.contents.contains("export function bindClients") == true, "other templates stay built in")
    }

    @Test func anOverrideThatMatchesNoTemplateIsAnError() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/kernel", withIntermediateDirectories: true)
        try "x".write(toFile: folder + "/kernel/type.ts.mustache", atomically: true, encoding: .utf8)
        #expect {
            _ = try TemplateSet(overridingWith: folder)
        } throws: { error in
            guard let error = error as? DiagnosticsError else { return false }
            return error.diagnostics.first?.code == TemplateSet.unknownTemplate
                && error.diagnostics.first?.message.contains("did you mean 'kernel/types.ts.mustache'") == true
        }
    }

    @Test func aTemplateSyntaxErrorIsLocated() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/kernel", withIntermediateDirectories: true)
        try "line one\n{{#types}}\n{{name}}\n".write(toFile: folder + "/kernel/types.ts.mustache", atomically: true, encoding: .utf8)
        let set = try TemplateSet(overridingWith: folder)
        let schema = try #require(SchemaLoader.load(path: TestPaths.bookshopSchema).schema)
        #expect {
            _ = try KernelGenerator(templates: set).generate(schema)
        } throws: { error in
            guard let d = (error as? DiagnosticsError)?.diagnostics.first else { return false }
            return d.code == TemplateSet.templateSyntax && d.location?.file.hasSuffix("kernel/types.ts.mustache") == true
        }
    }
}
