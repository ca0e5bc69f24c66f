/// How a parameter travels and is canonicalised: what the edge manifest, the dev server and the
/// kernel's query keys need to know about a type, without the whole type system.
public enum WireType: String, Sendable, Codable {
    case string, int, float, bool, date, datetime, uuid, decimal
    /// Anything structured (objects, maps, mixed unions): canonicalised as sorted JSON.
    case json

    /// Carried as text on the wire; mappable to one another in `affects`.
    public var isStringLike: Bool {
        switch self {
        case .string, .date, .datetime, .uuid, .decimal: true
        default: false
        }
    }
}

/// What a type looks like to parameter handling: its wire type, whether it is a list, and its
/// allowed values when it is an enum or a literal.
public struct ParamShape: Equatable, Sendable {
    public var wire: WireType
    public var list: Bool
    public var nullable: Bool
    public var enumValues: [Literal]?

    /// A single value (not a list) of a non-structured type.
    public var isScalar: Bool { !list && wire != .json }
}

extension Schema {
    /// Follows aliases to the type expression that says what a value is.
    public func resolved(_ type: TypeRef) -> TypeRef {
        Self.resolved(type, lookup: self.type(named:))
    }

    public func shape(of type: TypeRef) -> ParamShape {
        Self.shape(of: type, lookup: self.type(named:))
    }

    /// `resolved(_:)` over any way of finding a declaration by name, for importers that are
    /// still building the schema.
    public static func resolved(_ type: TypeRef, lookup: (String) -> TypeDecl?) -> TypeRef {
        var current = type
        var seen: Set<String> = []
        while case .named(let name) = current, let decl = lookup(name), case .alias(let target) = decl.kind,
              seen.insert(name).inserted {
            current = target
        }
        return current
    }

    public static func shape(of type: TypeRef, lookup: (String) -> TypeDecl?) -> ParamShape {
        func resolved(_ t: TypeRef) -> TypeRef { Self.resolved(t, lookup: lookup) }
        func shape(of t: TypeRef) -> ParamShape { Self.shape(of: t, lookup: lookup) }
        switch resolved(type) {
        case .primitive(let p):
            switch p {
            case .string: return ParamShape(wire: .string, list: false, nullable: false)
            case .int: return ParamShape(wire: .int, list: false, nullable: false)
            case .float: return ParamShape(wire: .float, list: false, nullable: false)
            case .bool: return ParamShape(wire: .bool, list: false, nullable: false)
            case .date: return ParamShape(wire: .date, list: false, nullable: false)
            case .datetime: return ParamShape(wire: .datetime, list: false, nullable: false)
            case .uuid: return ParamShape(wire: .uuid, list: false, nullable: false)
            case .decimal: return ParamShape(wire: .decimal, list: false, nullable: false)
            case .any, .binary: return ParamShape(wire: .json, list: false, nullable: false)
            }
        case .literal(let literal):
            return ParamShape(wire: Self.wire(of: [literal]), list: false, nullable: false, enumValues: [literal])
        case .named(let name):
            if let decl = lookup(name), case .enumeration(let values) = decl.kind {
                return ParamShape(wire: Self.wire(of: values), list: false, nullable: false, enumValues: values)
            }
            return ParamShape(wire: .json, list: false, nullable: false)
        case .nullable(let inner):
            var s = shape(of: inner)
            s.nullable = true
            return s
        case .list(let inner):
            let element = shape(of: inner)
            if element.list { return ParamShape(wire: .json, list: false, nullable: false) }
            return ParamShape(wire: element.wire, list: true, nullable: false, enumValues: element.enumValues)
        case .union(let variants):
            // A union of literals is an enum written inline (OpenAPI `enum` on a property).
            var literals: [Literal] = []
            for variant in variants {
                guard case .literal(let literal) = resolved(variant) else { return ParamShape(wire: .json, list: false, nullable: false) }
                literals.append(literal)
            }
            return ParamShape(wire: Self.wire(of: literals), list: false, nullable: false, enumValues: literals)
        case .map, .tuple:
            return ParamShape(wire: .json, list: false, nullable: false)
        }
    }

    private static func wire(of values: [Literal]) -> WireType {
        if values.allSatisfy({ if case .string = $0 { true } else { false } }) { return .string }
        if values.allSatisfy(\.isInteger) { return .int }
        if values.allSatisfy({ if case .number = $0 { true } else { false } }) { return .float }
        if values.allSatisfy({ if case .bool = $0 { true } else { false } }) { return .bool }
        return .json
    }
}
