import Foundation

/// Turns template text into `Template.Node`s: first into tokens line by line (so the
/// standalone-line rule can see whole lines), then into a tree of sections.
struct TemplateParser {
    enum TagKind {
        case variable(escaped: Bool)
        case section, inverted, close, partial, comment

        /// Tags that vanish with their line when alone on it.
        var canStandAlone: Bool {
            if case .variable = self { return false }
            return true
        }
    }

    enum Token {
        case text(String)
        case newline(String)
        case tag(TagKind, name: String, line: Int, column: Int)
    }

    let source: String

    init(_ source: String) {
        self.source = source
    }

    func parse() throws(Template.SyntaxError) -> [Template.Node] {
        let lines = try tokenize()
        var flat: [Token] = []
        var indentations: [Int: String] = [:]  // index in `flat` of a standalone partial → its indentation
        for line in lines {
            let tags = line.filter { if case .tag = $0 { true } else { false } }
            let onlyWhitespace = line.allSatisfy { token in
                switch token {
                case .text(let t): t.allSatisfy { $0 == " " || $0 == "\t" }
                default: true
                }
            }
            if tags.count == 1, onlyWhitespace, case .tag(let kind, _, _, _) = tags[0], kind.canStandAlone {
                let indentation = line.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
                if case .partial = kind { indentations[flat.count] = indentation }
                flat.append(tags[0])
            } else {
                flat += line
            }
        }
        var index = 0
        let nodes = try build(flat, &index, indentations: indentations, closing: nil)
        return nodes
    }

    /// Tokens grouped by line; a line's trailing newline token is part of it.
    private func tokenize() throws(Template.SyntaxError) -> [[Token]] {
        var lines: [[Token]] = []
        var current: [Token] = []
        var text = ""
        var line = 1
        var column = 1
        let chars = Array(source)
        var i = 0
        func flushText() {
            if !text.isEmpty { current.append(.text(text)); text = "" }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" || (c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n") {
                flushText()
                let newline = c == "\r" ? "\r\n" : "\n"
                current.append(.newline(newline))
                lines.append(current)
                current = []
                i += newline.count
                line += 1
                column = 1
                continue
            }
            if c == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                flushText()
                let startLine = line, startColumn = column
                let triple = i + 2 < chars.count && chars[i + 2] == "{"
                let open = triple ? 3 : 2
                let close: [Character] = triple ? ["}", "}", "}"] : ["}", "}"]
                var j = i + open
                var found = false
                while j + close.count <= chars.count {
                    if Array(chars[j..<(j + close.count)]) == close { found = true; break }
                    if chars[j] == "\n" && !(j > i + open && chars[i + open] == "!") { break }
                    j += 1
                }
                guard found else {
                    throw Template.SyntaxError(message: "unclosed tag '\(triple ? "{{{" : "{{")'", line: startLine, column: startColumn)
                }
                var body = String(chars[(i + open)..<j]).trimmingCharacters(in: .whitespaces)
                var kind: TagKind = .variable(escaped: !triple)
                if !triple, let sigil = body.first {
                    switch sigil {
                    case "#": kind = .section
                    case "^": kind = .inverted
                    case "/": kind = .close
                    case ">": kind = .partial
                    case "!": kind = .comment
                    case "&": kind = .variable(escaped: false)
                    case "=", "<", "$":
                        throw Template.SyntaxError(message: "'{{\(sigil)' (delimiter changes, inheritance) is not supported in mizan templates", line: startLine, column: startColumn)
                    default: break
                    }
                    if case .variable(escaped: true) = kind {} else { body = String(body.dropFirst()).trimmingCharacters(in: .whitespaces) }
                }
                if body.isEmpty, !(kind.isComment) {
                    throw Template.SyntaxError(message: "empty tag", line: startLine, column: startColumn)
                }
                current.append(.tag(kind, name: body, line: startLine, column: startColumn))
                let consumed = chars[i..<(j + close.count)]
                for ch in consumed {
                    if ch == "\n" { line += 1; column = 1 } else { column += 1 }
                }
                i = j + close.count
                continue
            }
            text.append(c)
            column += 1
            i += 1
        }
        flushText()
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    private func build(
        _ tokens: [Token], _ index: inout Int, indentations: [Int: String], closing: (name: String, line: Int, column: Int)?
    ) throws(Template.SyntaxError) -> [Template.Node] {
        var nodes: [Template.Node] = []
        while index < tokens.count {
            let position = index
            let token = tokens[index]
            index += 1
            switch token {
            case .text(let t), .newline(let t):
                if case .text(let previous)? = nodes.last {
                    nodes[nodes.count - 1] = .text(previous + t)
                } else {
                    nodes.append(.text(t))
                }
            case .tag(let kind, let name, let line, let column):
                switch kind {
                case .variable(let escaped):
                    nodes.append(.variable(Self.path(name), escaped: escaped))
                case .section, .inverted:
                    let children = try build(tokens, &index, indentations: indentations, closing: (name, line, column))
                    nodes.append(.section(Self.path(name), inverted: { if case .inverted = kind { true } else { false } }(), children: children))
                case .close:
                    guard let closing else {
                        throw Template.SyntaxError(message: "'{{/\(name)}}' closes no open section", line: line, column: column)
                    }
                    guard closing.name == name else {
                        throw Template.SyntaxError(message: "'{{/\(name)}}' does not match the open section '\(closing.name)' (line \(closing.line))", line: line, column: column)
                    }
                    return nodes
                case .partial:
                    nodes.append(.partial(name, indentation: indentations[position] ?? ""))
                case .comment:
                    break
                }
            }
        }
        if let closing {
            throw Template.SyntaxError(message: "section '\(closing.name)' is never closed", line: closing.line, column: closing.column)
        }
        return nodes
    }

    private static func path(_ name: String) -> [String] {
        name == "." ? [] : name.split(separator: ".").map(String.init)
    }
}

extension TemplateParser.TagKind {
    var isComment: Bool {
        if case .comment = self { return true }
        return false
    }
}
