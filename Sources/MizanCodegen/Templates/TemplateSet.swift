import Foundation
import MizanCore

/// The templates a generation uses: the built-in ones, with any the user supplies in
/// `--templates DIR` replacing those of the same relative name.
public struct TemplateSet: Sendable {
    public static let unknownTemplate = "MZ090"
    public static let templateSyntax = "MZ091"

    /// Relative name → text.
    public private(set) var texts: [String: String]
    /// Relative name → the override file it came from, for messages.
    public private(set) var overrides: [String: String] = [:]

    public static var builtIn: TemplateSet { TemplateSet(texts: embedded) }

    init(texts: [String: String]) {
        self.texts = texts
    }

    /// Built-in templates overridden by the files under `directory`. A file that matches no
    /// built-in name is an error: a typo would otherwise be silently ignored.
    public init(overridingWith directory: String) throws(DiagnosticsError) {
        self.texts = Self.embedded
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiagnosticsError([.error(Self.unknownTemplate, "template folder '\(directory)' does not exist")])
        }
        var problems: [Diagnostic] = []
        let base = URL(fileURLWithPath: directory)
        let files = (fm.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []).sorted()
        for relative in files {
            let path = base.appendingPathComponent(relative).path
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            if relative.hasPrefix(".") || relative.contains("/.") { continue }
            guard Self.embedded[relative] != nil else {
                problems.append(.error(
                    Self.unknownTemplate,
                    "'\(relative)' overrides no built-in template\(Spelling.hint(for: relative, among: Self.embedded.keys)); built-in names: \(Self.embedded.keys.sorted().joined(separator: ", "))",
                    at: SourceLocation(file: path, line: 1, column: 1)))
                continue
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                problems.append(.error(Self.unknownTemplate, "cannot read template '\(path)' as UTF-8 text"))
                continue
            }
            texts[relative] = text
            overrides[relative] = path
        }
        if !problems.isEmpty { throw DiagnosticsError(problems) }
    }

    /// Every `.mustache` template parsed and registered under its name without extension
    /// (`kernel/types.ts`), so templates can include each other as partials. Syntax errors and
    /// partials that name no template are reported with their position.
    func library() throws(DiagnosticsError) -> TemplateLibrary {
        var templates: [String: Template] = [:]
        var problems: [Diagnostic] = []
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) where name.hasSuffix(".mustache") {
            let file = overrides[name] ?? "Templates/\(name)"
            do throws(Template.SyntaxError) {
                templates[String(name.dropLast(".mustache".count))] = try Template(text)
            } catch {
                problems.append(.error(Self.templateSyntax, "template syntax error: \(error.message)",
                                       at: SourceLocation(file: file, line: error.line, column: error.column)))
            }
        }
        for (name, template) in templates.sorted(by: { $0.key < $1.key }) {
            for partial in template.partials where templates[partial] == nil {
                problems.append(.error(Self.templateSyntax,
                                       "template '\(name)' includes '{{> \(partial)}}', which is no template\(Spelling.hint(for: partial, among: templates.keys))",
                                       at: SourceLocation(file: overrides[name + ".mustache"] ?? "Templates/\(name).mustache", line: 1, column: 1)))
            }
        }
        if !problems.isEmpty { throw DiagnosticsError(problems) }
        return TemplateLibrary(templates: templates)
    }
}
