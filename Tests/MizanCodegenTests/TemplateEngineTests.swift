@testable import MizanCodegen
import Testing

/// The Mustache subset the kernel templates use, checked against the behaviour the Mustache
/// spec gives (standalone lines, sections over each kind of value, partial indentation).
@Suite struct TemplateEngineTests {
    struct Item: TemplateContext {
        var name: String
        var on: Bool = true
        func value(for key: String) -> TemplateValue? {
            switch key {
            case "name": .text(name)
            case "on": .flag(on)
            default: nil
            }
        }
    }

    struct Root: TemplateContext {
        var title = "T<1>"
        var items: [Item] = [Item(name: "a"), Item(name: "b", on: false)]
        var empty: [Item] = []
        var child = Item(name: "c")
        func value(for key: String) -> TemplateValue? {
            switch key {
            case "title": .text(title)
            case "items": .list(items)
            case "empty": .list(empty)
            case "child": .context(child)
            case "yes": .flag(true)
            case "no": .flag(false)
            case "blank": .text("")
            default: nil
            }
        }
    }

    func render(_ template: String, partials: [String: String] = [:]) throws -> String {
        var templates = ["main": try Template(template)]
        for (name, text) in partials { templates[name] = try Template(text) }
        return try #require(TemplateLibrary(templates: templates).render("main", Root()))
    }

    @Test func variablesEscapeUnlessTripleOrAmpersand() throws {
        #expect(try render("{{title}}|{{{title}}}|{{& title}}|{{missing}}|{{yes}}") == "T&lt;1&gt;|T<1>|T<1>||true")
    }

    @Test func sectionsOverListsFlagsContextsAndText() throws {
        #expect(try render("{{#items}}[{{name}}{{#on}}!{{/on}}]{{/items}}") == "[a!][b]")
        #expect(try render("{{#empty}}x{{/empty}}{{^empty}}none{{/empty}}") == "none")
        #expect(try render("{{#child}}{{name}}/{{{title}}}{{/child}}") == "c/T<1>", "lookups climb the context stack")
        #expect(try render("{{child.name}}") == "c")
        #expect(try render("{{#no}}x{{/no}}{{^no}}y{{/no}}{{#blank}}z{{/blank}}{{^blank}}w{{/blank}}") == "yw")
    }

    @Test func standaloneTagLinesLeaveNoTrace() throws {
        let template = "start\n  {{#items}}\n- {{name}}\n  {{/items}}\n{{! a comment }}\nend\n"
        #expect(try render(template) == "start\n- a\n- b\nend\n")
        #expect(try render("a {{#yes}}\nb\n{{/yes}} c") == "a \nb\n c", "tags sharing a line with text are not standalone")
    }

    @Test func partialsRenderWithTheCurrentContextAndIndentation() throws {
        let out = try render("list:\n  {{> item}}\n", partials: ["item": "{{#items}}\n{{name}}\n{{/items}}\n"])
        #expect(out == "list:\n  a\n  b\n")
    }

    @Test(arguments: [
        ("{{#items}}x", "never closed", 1, 1),
        ("x\n{{/items}}", "closes no open section", 2, 1),
        ("{{#a}}{{/b}}", "does not match", 1, 7),
        ("ab {{name", "unclosed tag", 1, 4),
        ("{{=<% %>=}}", "not supported", 1, 1),
        ("{{ }}", "empty tag", 1, 1),
    ])
    func syntaxErrorsAreLocated(template: String, fragment: String, line: Int, column: Int) {
        #expect {
            _ = try Template(template)
        } throws: { error in
            guard let error = error as? Template.SyntaxError else { return false }
            return error.message.contains(fragment) && error.line == line && error.column == column
        }
    }
}

/// Each context's `value(for:)` must answer for every stored property, or a template that uses
/// a new property would silently render nothing.
@Suite struct TemplateContextCoverageTests {
    func check(_ context: some TemplateContext) {
        for child in Mirror(reflecting: context).children {
            guard let label = child.label else { continue }
            #expect(context.value(for: label) != nil, "\(type(of: context)).value(for: \"\(label)\") is missing")
        }
    }

    @Test func everyStoredPropertyIsReadable() throws {
        let property = PropertyContext(doc: "", key: "k", optional: false, type: "string")
        check(TypesFileContext(header: "", types: [], isEmpty: true))
        check(TypeContext(doc: "", name: "N", isInterface: true, fields: [property], hasFields: true, isTypeAlias: false, definition: ""))
        check(property)
        check(ClientsFileContext(header: "", importsTypes: true, importsErrors: true, hasClients: false, clients: [], invalidation: [], api: []))
        check(ClientContext(
            name: "", nameLiteral: "", typePrefix: "", paramsType: "", hasParams: false, params: [], hasBranches: false,
            branchesType: "", resultType: "", errorType: "", hasErrors: false, errorDefinition: "", method: "", pathLiteral: "",
            paramSpecs: [], cacheSpec: "", branchesSpec: "", errorsSpec: ""))
        check(ParamSpecContext(key: "", location: "", wire: "", wireType: "", list: false, required: true))
        check(InvalidationContext(mutationLiteral: "", affects: []))
        check(AffectContext(clientLiteral: "", params: ""))
        check(APIMemberContext(indent: "", key: "", isNamespace: false, members: [], isFunction: true, doc: "", parameters: "", argument: "", resultType: "", nameLiteral: ""))
        check(IndexFileContext(header: "", doc: ""))
        let client = AdapterClientContext(
            name: "", nameLiteral: "", baseName: "", memberName: "", paramsType: "", hasParams: false, paramsRequired: false, doc: "", memberDoc: "")
        check(client)
        check(AdapterFileContext(header: "", queryNames: "", mutationNames: "", queries: [client], mutations: [], paramsTypes: []))
        check(AdapterImportContext(name: ""))
    }
}
