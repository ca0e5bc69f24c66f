import MizanCore
import MizanSchema

/// JSON Schema (as OpenAPI 3.0 and 3.1 use it) → IR types.
///
/// Object schemas become named types — components by their key, inline ones by where they
/// appear (`Book` + `address` → `BookAddress`) — because TypeScript readers need names to talk
/// about. A schema with `readOnly`/`writeOnly` properties gets a second, request-side type
/// (`BookRequest`) so neither side sees fields it never sends or receives.
extension OpenAPIImporter {
    enum Mode: String {
        case response, request
    }

    // MARK: Names

    func registerComponents(_ root: Located) {
        guard let schemas = member(root, "components").flatMap({ member($0, "schemas") }) else { return }
        for (key, place) in members(schemas) {
            let name = uniqueTypeName(key, warnAt: place)
            componentNames[place.file + "#" + place.pointer] = name
        }
    }

    func convertComponents(_ root: Located) {
        guard let schemas = member(root, "components").flatMap({ member($0, "schemas") }) else { return }
        for (key, place) in members(schemas) {
            _ = namedType(place, preferredName: key, mode: .response)
        }
    }

    /// A valid, unused IR type name close to `base`.
    func uniqueTypeName(_ base: String, warnAt place: Located? = nil) -> String {
        var name = OpenAPINames.identifier(base, fallback: "Type")
        var pascal = Naming.pascalCase(name)
        if pascal.isEmpty || !Naming.isIdentifier(pascal) {
            name = "T" + name
            pascal = Naming.pascalCase(name)
        }
        let reserved = Naming.reservedTypeNames.contains(pascal) || Naming.runtimeExports.contains(pascal)
            || Naming.generatedExports.contains(pascal) || Primitive(rawValue: name) != nil || Naming.reservedTypeNames.contains(name)
        if reserved { name += "Schema" }
        var candidate = name
        var n = 2
        while takenTypeNames.contains(candidate) || takenTSNames.contains(Naming.pascalCase(candidate)) {
            candidate = name + String(n)
            n += 1
        }
        if let place, candidate != base {
            warning(OpenAPICode.renamed, "schema '\(base)' is named '\(Naming.pascalCase(candidate))' in TypeScript\(reserved ? " ('\(pascal)' is reserved)" : "")", at: place)
        }
        takenTypeNames.insert(candidate)
        takenTSNames.insert(Naming.pascalCase(candidate))
        return candidate
    }

    // MARK: Type expressions

    /// The IR type of the schema at `place`; `hint` names any type this has to create.
    func typeRef(_ place: Located, hint: String, mode: Mode) -> TypeRef {
        if let flag = place.node.boolValue { return flag ? .primitive(.any) : .primitive(.any) }
        guard place.node.members != nil else {
            error(OpenAPICode.invalidDocument, "expected a schema object, found \(place.node.kindName)", at: place)
            return .primitive(.any)
        }
        var result: TypeRef
        if let ref = place.node["$ref"]?.stringValue {
            guard let target = target(of: ref, from: place) else { return .primitive(.any) }
            let lastSegment = ref.split(separator: "/").last.map(String.init) ?? hint
            if target.node["$ref"] == nil, !isNamable(target) {
                result = typeRef(target, hint: lastSegment, mode: mode)
            } else {
                let name = namedType(target, preferredName: lastSegment, mode: mode)
                result = .named(name)
                // An interface, enum or union declaration cannot hold its schema's own null, so
                // the reference carries it (an alias declaration holds it itself).
                if admitsNull(target.node), !isAliasDeclaration(name) { result = .nullable(result) }
            }
        } else {
            result = core(place, hint: hint, mode: mode)
        }
        if place.node["nullable"]?.boolValue == true, !isNullable(result) { result = .nullable(result) }
        return result
    }

    /// Components are always named; other targets of a `$ref` are named when they are objects,
    /// unions or enums, and inlined when they are plain (a `$ref` to `{type: string}`).
    private func isNamable(_ place: Located) -> Bool {
        if place.pointer.hasPrefix("/components/schemas/") && place.pointer.split(separator: "/").count == 3 { return true }
        let node = place.node
        return node["properties"] != nil || node["allOf"] != nil || node["oneOf"] != nil || node["anyOf"] != nil || node["enum"] != nil
    }

    /// Whether a schema admits null by itself: 3.0 `nullable: true`, 3.1 `"null"` in its type
    /// list, or null among its `enum` values.
    private func admitsNull(_ node: JSONNode) -> Bool {
        if node["nullable"]?.boolValue == true { return true }
        if node["type"]?.elements?.contains(where: { $0.stringValue == "null" }) == true { return true }
        return node["enum"]?.elements?.contains { if case .null = $0.value { true } else { false } } == true
    }

    /// Whether an allOf part says anything about the value's type (not only a description,
    /// a default or `required`).
    private func hasTypeContent(_ part: Located) -> Bool {
        let node = part.node
        return ["$ref", "type", "properties", "additionalProperties", "items", "prefixItems", "allOf", "oneOf", "anyOf", "enum", "const"]
            .contains { node[$0] != nil }
    }

    /// Whether the named type is declared as an alias; false while its declaration is being made.
    private func isAliasDeclaration(_ name: String) -> Bool {
        if let declared = types[name], case .alias = declared.kind { return true }
        return false
    }

    private func isNullable(_ type: TypeRef) -> Bool {
        if case .nullable = type { return true }
        if case .literal(.null) = type { return true }
        return false
    }

    private func core(_ place: Located, hint: String, mode: Mode) -> TypeRef {
        let node = place.node
        if let constant = node["const"] {
            return literal(constant).map(TypeRef.literal) ?? .primitive(.any)
        }
        if let values = node["enum"]?.elements {
            var literals = values.compactMap(literal)
            let nullable = literals.contains(.null)
            literals.removeAll { $0 == .null }
            if literals.isEmpty { return nullable ? .literal(.null) : .primitive(.any) }
            let base: TypeRef = literals.count == 1 ? .literal(literals[0]) : .union(literals.map(TypeRef.literal))
            return nullable ? .nullable(base) : base
        }
        if let parts = member(place, "allOf").map(elements) {
            if parts.count == 1, node["properties"] == nil { return typeRef(parts[0], hint: hint, mode: mode) }
            return .named(namedType(place, preferredName: hint, mode: mode))
        }
        if let variants = (member(place, "oneOf") ?? member(place, "anyOf")).map(elements) {
            if node["discriminator"] != nil, variants.count > 1 {
                return .named(namedType(place, preferredName: hint, mode: mode))
            }
            return union(variants, hint: hint, mode: mode)
        }
        var typeNames: [String] = []
        if let single = node["type"]?.stringValue { typeNames = [single] }
        if let many = node["type"]?.elements { typeNames = many.compactMap(\.stringValue) }
        let nullable = typeNames.contains("null")
        typeNames.removeAll { $0 == "null" }
        var result: TypeRef
        if typeNames.count > 1 {
            var seen: [TypeRef] = []
            for name in typeNames {
                let t = single(name, place, hint: hint, mode: mode)
                if !seen.contains(t) { seen.append(t) }
            }
            result = .union(seen)
        } else if let name = typeNames.first {
            result = single(name, place, hint: hint, mode: mode)
        } else if nullable {
            return .literal(.null)
        } else if node["properties"] != nil || node["additionalProperties"] != nil || node["patternProperties"] != nil {
            result = single("object", place, hint: hint, mode: mode)
        } else if node["items"] != nil || node["prefixItems"] != nil {
            result = single("array", place, hint: hint, mode: mode)
        } else {
            result = .primitive(.any)
        }
        return nullable ? .nullable(result) : result
    }

    private func union(_ variants: [Located], hint: String, mode: Mode) -> TypeRef {
        var types: [TypeRef] = []
        var nullable = false
        for (i, variant) in variants.enumerated() {
            let t = typeRef(variant, hint: hint + "Option\(i + 1)", mode: mode)
            if case .literal(.null) = t { nullable = true; continue }
            if case .nullable(let inner) = t { nullable = true; if !types.contains(inner) { types.append(inner) }; continue }
            if !types.contains(t) { types.append(t) }
        }
        let base: TypeRef
        switch types.count {
        case 0: return .literal(.null)
        case 1: base = types[0]
        default: base = .union(types)
        }
        return nullable ? .nullable(base) : base
    }

    private func single(_ name: String, _ place: Located, hint: String, mode: Mode) -> TypeRef {
        let node = place.node
        switch name {
        case "string":
            switch node["format"]?.stringValue {
            case "date": return .primitive(.date)
            case "date-time": return .primitive(.datetime)
            case "uuid": return .primitive(.uuid)
            case "binary": return .primitive(.binary)
            case "decimal": return .primitive(.decimal)
            default:
                // 3.1 spells a file as a string with a (non-text) contentMediaType and no
                // contentEncoding; with an encoding (base64) it is text.
                if let media = node["contentMediaType"]?.stringValue, node["contentEncoding"] == nil,
                   !media.hasPrefix("text/"), !media.contains("json") {
                    return .primitive(.binary)
                }
                return .primitive(.string)
            }
        case "integer": return .primitive(.int)
        case "number": return .primitive(.float)
        case "boolean": return .primitive(.bool)
        case "array":
            if let prefix = member(place, "prefixItems").map(elements), !prefix.isEmpty {
                let positional = prefix.enumerated().map { typeRef($1, hint: hint + "Item\($0 + 1)", mode: mode) }
                // Further items of their own schema cannot follow the IR's fixed tuple: a list of
                // any of the types keeps every element typed, where a tuple would be wrong.
                if let items = member(place, "items"), items.node.members != nil {
                    var all: [TypeRef] = []
                    for t in positional + [typeRef(items, hint: hint + "Item", mode: mode)] where !all.contains(t) { all.append(t) }
                    return .list(all.count == 1 ? all[0] : .union(all))
                }
                return .tuple(positional)
            }
            if let items = member(place, "items") { return .list(typeRef(items, hint: hint + "Item", mode: mode)) }
            return .list(.primitive(.any))
        case "object":
            if let properties = node["properties"]?.members, !properties.isEmpty {
                return .named(namedType(place, preferredName: hint, mode: mode))
            }
            return mapType(place, hint: hint, mode: mode)
        default:
            warning(OpenAPICode.skipped, "unknown schema type '\(name)'; typed as unknown", at: place)
            return .primitive(.any)
        }
    }

    /// `additionalProperties` and `patternProperties` as a map; an object with neither is a map
    /// of unknown values (its keys are not known either).
    private func mapType(_ place: Located, hint: String, mode: Mode) -> TypeRef {
        var values: [TypeRef] = []
        if let additional = member(place, "additionalProperties"), additional.node.members != nil {
            values.append(typeRef(additional, hint: hint + "Value", mode: mode))
        }
        if let patterns = member(place, "patternProperties") {
            for (_, schema) in members(patterns) {
                let t = typeRef(schema, hint: hint + "Value", mode: mode)
                if !values.contains(t) { values.append(t) }
            }
        }
        switch values.count {
        case 0: return .map(.primitive(.any))
        case 1: return .map(values[0])
        default: return .map(.union(values))
        }
    }

    private func literal(_ node: JSONNode) -> Literal? {
        switch node.value {
        case .string(let s): .string(s)
        case .number(let raw): .number(raw)
        case .bool(let b): .bool(b)
        case .null: .null
        default: nil
        }
    }

    // MARK: Named types

    /// The IR name of the named type made from the schema at `place` in `mode`, creating the
    /// declaration the first time.
    func namedType(_ place: Located, preferredName: String, mode: Mode) -> String {
        let effective: Mode = mode == .request && needsRequestVariant(place) ? .request : .response
        let key = place.file + "#" + place.pointer + "|" + effective.rawValue
        if let name = convertedSchemas[key] { return name }
        let name: String
        if effective == .request {
            let base = componentNames[place.file + "#" + place.pointer] ?? OpenAPINames.identifier(preferredName, fallback: "Type")
            name = uniqueTypeName(Naming.pascalCase(base) + "Request")
        } else if let registered = componentNames[place.file + "#" + place.pointer] {
            name = registered
        } else {
            // A schema of another file is named by its key there, which may be taken here: say so.
            name = uniqueTypeName(Naming.pascalCase(OpenAPINames.identifier(preferredName, fallback: "Type")), warnAt: place.file == mainFile ? nil : place)
        }
        convertedSchemas[key] = name
        if place.file == mainFile { anchors["/types/" + name] = place.pointer }
        types[name] = declaration(place, name: name, mode: effective)
        return name
    }

    private func declaration(_ place: Located, name: String, mode: Mode) -> TypeDecl {
        let node = place.node
        var docLines: [String] = []
        if let title = node["title"]?.stringValue, title != name { docLines.append(title) }
        if let description = node["description"]?.stringValue { docLines.append(description) }
        let doc = docLines.isEmpty ? nil : docLines.joined(separator: "\n\n")
        let deprecation: Deprecation? = node["deprecated"]?.boolValue == true ? Deprecation(message: nil) : nil
        let tsName = Naming.pascalCase(name)
        func decl(_ kind: TypeDecl.Kind) -> TypeDecl {
            TypeDecl(name: name, tsName: tsName, kind: kind, doc: doc, deprecation: deprecation, location: location(place))
        }
        /// An alias holds the schema's own null (`nullable: true` on a string, an allOf or a oneOf).
        func alias(_ type: TypeRef) -> TypeDecl {
            decl(.alias(admitsNull(node) && !isNullable(type) ? .nullable(type) : type))
        }
        if node["$ref"] != nil { return decl(.alias(typeRef(place, hint: tsName, mode: mode))) }
        if let parts = member(place, "allOf").map(elements), parts.count > 1 || node["properties"] != nil {
            if let fields = mergedFields(place, parts: parts, hint: tsName, mode: mode) { return decl(.object(fields)) }
            // An object and a union (say) cannot be merged into fields, and the IR has no
            // intersection: keep the first part, and say what is lost rather than drop it quietly.
            if parts.dropFirst().contains(where: hasTypeContent) || node["properties"] != nil {
                warning(OpenAPICode.skipped, "allOf of '\(tsName)' mixes parts that are not all objects; it is typed as its first part only", at: place)
            }
            return alias(typeRef(parts[0], hint: tsName, mode: mode))
        }
        if let variantsPlace = member(place, "oneOf") ?? member(place, "anyOf"), elements(variantsPlace).count >= 2 {
            let variants = elements(variantsPlace)
            if let discriminator = member(place, "discriminator"), let property = discriminator.node["propertyName"]?.stringValue {
                return discriminatedUnion(place, variants: variants, discriminator: discriminator, property: property, name: name, mode: mode, decl: decl)
            }
            let t = union(variants, hint: tsName, mode: mode)
            if case .union(let members) = t { return decl(.union(variants: members, discriminator: nil)) }
            return alias(t)
        }
        if let variantsPlace = member(place, "oneOf") ?? member(place, "anyOf"), elements(variantsPlace).count < 2 {
            return alias(union(elements(variantsPlace), hint: tsName, mode: mode))
        }
        if let values = node["enum"]?.elements {
            let strings = values.compactMap(\.stringValue)
            let ints = values.compactMap { $0.intValue }
            if strings.count == values.count, !strings.isEmpty { return decl(.enumeration(strings.map(Literal.string))) }
            if ints.count == values.count, !ints.isEmpty { return decl(.enumeration(ints.map { .number(String($0)) })) }
        }
        let isObject = node["properties"]?.members.map { !$0.isEmpty } ?? false
        if isObject { return decl(.object(fields(place, hint: tsName, mode: mode))) }
        return alias(core(place, hint: tsName, mode: mode))
    }

    private func discriminatedUnion(
        _ place: Located, variants: [Located], discriminator: Located, property: String, name: String, mode: Mode,
        decl: (TypeDecl.Kind) -> TypeDecl
    ) -> TypeDecl {
        var mapping: [String: [String]] = [:]  // variant IR name → values
        var explicit: [(value: String, ref: String)] = []
        if let entries = discriminator.node["mapping"]?.members {
            explicit = entries.compactMap { m in m.value.stringValue.map { (m.key, $0) } }
        }
        var members: [TypeRef] = []
        for (i, variant) in variants.enumerated() {
            let t = typeRef(variant, hint: Naming.pascalCase(name) + "Option\(i + 1)", mode: mode)
            guard case .named(let variantName) = t else {
                warning(OpenAPICode.skipped, "a variant of discriminated union '\(name)' is not an object schema; it is kept without narrowing", at: variant)
                members.append(t)
                continue
            }
            members.append(t)
            let ref = variant.node["$ref"]?.stringValue
            var values = explicit.filter { entry in
                entry.ref == ref || entry.ref.split(separator: "/").last.map(String.init) == ref?.split(separator: "/").last.map(String.init)
                    || entry.ref == variantName
            }.map(\.value)
            // Without an explicit mapping, the variant's own const/enum says its value; only a
            // plain string property falls back to the schema name, as OpenAPI specifies.
            if values.isEmpty {
                switch discriminatorLiterals(variant, property: property) {
                case let own? where !own.isEmpty: values = own
                case .some: if let ref { values = [String(ref.split(separator: "/").last ?? "")] }
                case nil: break  // the variant has no such property of its own: nothing to pin
                }
            }
            if !values.isEmpty { mapping[variantName] = values }
        }
        var result = decl(.union(variants: members, discriminator: property))
        result.discriminatorValues = mapping
        return result
    }

    /// What a variant says about the discriminator property: the string values it allows
    /// (`const`, `enum`, or those inside an `anyOf`/`oneOf` such as a nullable enum), `[]` when
    /// it is a plain string, nil when the variant has no such property (a nested union, say).
    private func discriminatorLiterals(_ variant: Located, property: String) -> [String]? {
        var visited: Set<String> = []
        func values(of schema: Located) -> [String] {
            guard let target = resolve(schema) else { return [] }
            if let constant = target.node["const"]?.stringValue { return [constant] }
            if let list = target.node["enum"]?.elements?.compactMap(\.stringValue), !list.isEmpty { return list }
            for key in ["anyOf", "oneOf", "allOf"] {
                let found = (member(target, key).map(elements) ?? []).flatMap(values)
                if !found.isEmpty { return found }
            }
            return []
        }
        func search(_ place: Located) -> [String]? {
            guard let resolved = resolve(place), visited.insert(resolved.file + "#" + resolved.pointer).inserted else { return nil }
            if let schema = member(resolved, "properties").flatMap({ member($0, property) }) { return values(of: schema) }
            for part in member(resolved, "allOf").map(elements) ?? [] {
                if let found = search(part) { return found }
            }
            return nil
        }
        return search(variant)
    }

    private func fields(_ place: Located, hint: String, mode: Mode) -> [Field] {
        let required = Set((place.node["required"]?.elements ?? []).compactMap(\.stringValue))
        guard let properties = member(place, "properties") else { return [] }
        // An interface with named fields has no index signature here: say the extra keys' type
        // is lost (once, though the request and response sides both come through here).
        if let additional = member(place, "additionalProperties"), additional.node.members != nil,
           !diagnostics.all.contains(where: { $0.location == location(additional) && $0.code == OpenAPICode.skipped }) {
            warning(OpenAPICode.skipped, "the additionalProperties of '\(hint)' are not typed: an object with named properties gets no index signature", at: additional)
        }
        return members(properties).compactMap { key, property in
            field(key, property, required: required.contains(key), hint: hint, mode: mode)
        }
    }

    private func field(_ key: String, _ property: Located, required: Bool, hint: String, mode: Mode) -> Field? {
        let flags = resolvedFlags(property)
        if mode == .request && flags.readOnly { return nil }
        if mode == .response && flags.writeOnly { return nil }
        var lines: [String] = []
        if let description = property.node["description"]?.stringValue ?? property.node["title"]?.stringValue { lines.append(description) }
        if let value = property.node["default"] {
            lines.append("Default: `\(String(decoding: CanonicalJSON.bytes(of: value), as: UTF8.self))`.")
        }
        return Field(
            name: key, type: typeRef(property, hint: hint + Naming.pascalCase(OpenAPINames.identifier(key, fallback: "Field")), mode: mode),
            optional: !required, doc: lines.isEmpty ? nil : lines.joined(separator: "\n"),
            deprecation: property.node["deprecated"]?.boolValue == true ? Deprecation(message: nil) : nil)
    }

    /// readOnly/writeOnly as written on a property or on an `allOf: [$ref]` wrapper around it.
    private func resolvedFlags(_ property: Located) -> (readOnly: Bool, writeOnly: Bool) {
        var readOnly = property.node["readOnly"]?.boolValue == true
        var writeOnly = property.node["writeOnly"]?.boolValue == true
        if !readOnly && !writeOnly, property.node["$ref"] == nil, let parts = property.node["allOf"]?.elements {
            readOnly = parts.contains { $0["readOnly"]?.boolValue == true }
            writeOnly = parts.contains { $0["writeOnly"]?.boolValue == true }
        }
        return (readOnly, writeOnly)
    }

    /// The properties of every `allOf` part (following references and nested `allOf`), with the
    /// union of their `required` lists; nil when a part is not an object (nothing to merge).
    private func mergedFields(_ place: Located, parts: [Located], hint: String, mode: Mode) -> [Field]? {
        var properties: [(String, Located)] = []
        var required: Set<String> = []
        var visited: Set<String> = []
        func collect(_ schema: Located) -> Bool {
            guard let resolved = resolve(schema) else { return true }
            guard visited.insert(resolved.file + "#" + resolved.pointer).inserted else { return true }
            required.formUnion((resolved.node["required"]?.elements ?? []).compactMap(\.stringValue))
            if let props = member(resolved, "properties") {
                for (key, value) in members(props) {
                    properties.removeAll { $0.0 == key }
                    properties.append((key, value))
                }
            }
            if let nested = member(resolved, "allOf").map(elements) {
                for part in nested where !collect(part) { return false }
            }
            let type = resolved.node["type"]?.stringValue
            let isModifierOnly = resolved.node["properties"] == nil && resolved.node["allOf"] == nil && (type == nil || type == "object")
                && resolved.node["oneOf"] == nil && resolved.node["anyOf"] == nil
            return resolved.node["properties"] != nil || resolved.node["allOf"] != nil || isModifierOnly
        }
        if let own = member(place, "properties") {
            for (key, value) in members(own) { properties.append((key, value)) }
        }
        required.formUnion((place.node["required"]?.elements ?? []).compactMap(\.stringValue))
        for part in parts where !collect(part) { return nil }
        return properties.compactMap { key, value in field(key, value, required: required.contains(key), hint: hint, mode: mode) }
    }

    /// Whether the request side of this schema differs from the response side: it, or a schema
    /// it contains, has a readOnly or writeOnly property.
    func needsRequestVariant(_ place: Located) -> Bool {
        let key = place.file + "#" + place.pointer
        if let known = requestVariantCache[key] { return known }
        requestVariantCache[key] = false  // a cycle adds nothing new
        var result = false
        func visit(_ schema: Located) -> Bool {
            guard let resolved = resolve(schema) else { return false }
            return needsRequestVariant(resolved)
        }
        if let properties = member(place, "properties") {
            for (_, property) in members(properties) {
                let flags = resolvedFlags(property)
                if flags.readOnly || flags.writeOnly || visit(property) { result = true; break }
            }
        }
        if !result {
            for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
                if let parts = member(place, key).map(elements), parts.contains(where: visit) { result = true; break }
            }
        }
        if !result, let items = member(place, "items"), items.node.members != nil, visit(items) { result = true }
        if !result, let additional = member(place, "additionalProperties"), additional.node.members != nil, visit(additional) { result = true }
        requestVariantCache[key] = result
        return result
    }
}
