/// What a template can read from a context: text, a flag, a nested context, or a list of them.
public enum TemplateValue {
    case text(String)
    case flag(Bool)
    case context(any TemplateContext)
    case list([any TemplateContext])
}

/// A typed template context. Contexts answer by name with a `switch`, so rendering does no
/// reflection or dynamic casting: with swift-mustache's `Mirror`-based lookup, rendering took
/// 85% of a 5,000-client generation (BENCHMARKS.md).
public protocol TemplateContext {
    func value(for name: String) -> TemplateValue?
}

/// A parsed template in the Mustache language — the subset code generation needs:
/// `{{name}}` (HTML-escaped, as Mustache specifies; a flag prints as `true` or `false`), `{{{name}}}` and `{{& name}}` (verbatim),
/// sections `{{#name}}…{{/name}}` over flags, contexts, lists and non-empty text, inverted
/// sections `{{^name}}`, partials `{{> name}}`, comments `{{! … }}`, dotted names and `{{.}}`,
/// and the spec's standalone-line rule (a line holding only a section, partial or comment tag
/// leaves no trace in the output). Delimiter changes, lambdas and inheritance are not supported
/// and are reported as errors.
public struct Template: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable([String], escaped: Bool)
        case section([String], inverted: Bool, children: [Node])
        case partial(String, indentation: String)
    }

    public struct SyntaxError: Error, Sendable {
        public var message: String
        public var line: Int
        public var column: Int
    }

    let nodes: [Node]

    public init(_ source: String) throws(SyntaxError) {
        nodes = try TemplateParser(source).parse()
    }

    /// Names of the partials this template includes, for checking them before rendering.
    var partials: [String] {
        func collect(_ nodes: [Node]) -> [String] {
            nodes.flatMap { node -> [String] in
                switch node {
                case .partial(let name, _): [name]
                case .section(_, _, let children): collect(children)
                default: []
                }
            }
        }
        return collect(nodes)
    }
}

/// Templates by name, so they can include each other as partials.
public struct TemplateLibrary: Sendable {
    var templates: [String: Template]

    public func render(_ name: String, _ context: any TemplateContext) -> String? {
        guard let template = templates[name] else { return nil }
        var out = ""
        var stack: [any TemplateContext] = [context]
        render(template.nodes, stack: &stack, into: &out)
        return out
    }

    private func lookup(_ path: [String], in stack: [any TemplateContext]) -> TemplateValue? {
        if path.isEmpty { return stack.last.map { .context($0) } }
        var value: TemplateValue?
        for context in stack.reversed() {
            if let found = context.value(for: path[0]) {
                value = found
                break
            }
        }
        for name in path.dropFirst() {
            guard case .context(let inner)? = value else { return nil }
            value = inner.value(for: name)
        }
        return value
    }

    private func render(_ nodes: [Template.Node], stack: inout [any TemplateContext], into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .variable(let path, let escaped):
                switch lookup(path, in: stack) {
                case .text(let text)?: out += escaped ? Self.htmlEscape(text) : text
                case .flag(let flag)?: out += flag ? "true" : "false"
                default: break
                }
            case .section(let path, let inverted, let children):
                let value = lookup(path, in: stack)
                if inverted {
                    if !Self.isTruthy(value) { render(children, stack: &stack, into: &out) }
                    continue
                }
                switch value {
                case .flag(true)?, .text?:
                    if Self.isTruthy(value) { render(children, stack: &stack, into: &out) }
                case .context(let inner)?:
                    stack.append(inner)
                    render(children, stack: &stack, into: &out)
                    stack.removeLast()
                case .list(let items)?:
                    for item in items {
                        stack.append(item)
                        render(children, stack: &stack, into: &out)
                        stack.removeLast()
                    }
                default:
                    break
                }
            case .partial(let name, let indentation):
                guard let template = templates[name] else { continue }
                if indentation.isEmpty {
                    render(template.nodes, stack: &stack, into: &out)
                } else {
                    var inner = ""
                    render(template.nodes, stack: &stack, into: &inner)
                    out += Self.indent(inner, by: indentation)
                }
            }
        }
    }

    private static func isTruthy(_ value: TemplateValue?) -> Bool {
        switch value {
        case .flag(let b)?: b
        case .text(let s)?: !s.isEmpty
        case .list(let items)?: !items.isEmpty
        case .context?: true
        case nil: false
        }
    }

    static func indent(_ text: String, by indentation: String) -> String {
        var out = ""
        var atLineStart = true
        for character in text {
            if atLineStart && character != "\n" { out += indentation }
            out.append(character)
            atLineStart = character == "\n"
        }
        return out
    }

    static func htmlEscape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
