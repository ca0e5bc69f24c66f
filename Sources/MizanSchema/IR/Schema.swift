import MizanCore

/// The resolved, validated intermediate representation of a schema-export (or an OpenAPI
/// document mapped onto the same model). Every later stage reads only this, never the JSON.
///
/// Types and clients are kept sorted by name, so everything rendered from the IR is
/// deterministic whatever the order of the input.
public struct Schema: Sendable {
    public var formatVersion: Int
    public var project: String?
    public var doc: String?
    public var types: [TypeDecl]
    public var clients: [Client]
    /// `sha256:<hex>` over the canonical JSON of the input document.
    public var hash: String
    /// The file the schema was read from, for headers and messages.
    public var source: String
    /// What the IR was made from; a few rules differ (an OpenAPI path may carry a fixed query).
    public var origin: Origin = .schemaExport

    public enum Origin: Sendable {
        case schemaExport, openAPI
    }

    public init(
        formatVersion: Int, project: String?, doc: String?, types: [TypeDecl], clients: [Client],
        hash: String, source: String
    ) {
        self.formatVersion = formatVersion
        self.project = project
        self.doc = doc
        self.types = types.sorted { $0.name < $1.name }
        self.clients = clients.sorted { $0.name < $1.name }
        self.hash = hash
        self.source = source
    }

    public func type(named name: String) -> TypeDecl? {
        // Binary search: the codegen benchmark resolves thousands of references.
        var low = 0, high = types.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if types[mid].name == name { return types[mid] }
            if types[mid].name < name { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    public func client(named name: String) -> Client? {
        var low = 0, high = clients.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if clients[mid].name == name { return clients[mid] }
            if clients[mid].name < name { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }
}

/// A marker that something should no longer be used, with an optional explanation.
public struct Deprecation: Hashable, Sendable {
    public var message: String?
    public init(message: String?) { self.message = message }
}

public enum Primitive: String, Sendable, CaseIterable {
    case string, int, float, bool, date, datetime, uuid, decimal, any
    /// A file's bytes (`Blob` in TypeScript), sent in multipart forms. Produced by the OpenAPI
    /// importer (`format: binary`); not part of schema-export v1.
    case binary
}

/// A JSON scalar written in the schema: a literal type, an enum value, or an `affects` literal.
public enum Literal: Hashable, Sendable {
    case string(String)
    /// Kept as written, so large integers and decimals round-trip exactly.
    case number(String)
    case bool(Bool)
    case null

    /// The literal as JSON (and TypeScript) source text.
    public var jsonText: String {
        switch self {
        case .string(let s):
            var out: [UInt8] = []
            CanonicalJSON.writeString(s, into: &out)
            return String(decoding: out, as: UTF8.self)
        case .number(let raw): return raw
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    public var isInteger: Bool {
        if case .number(let raw) = self { return Int(raw) != nil }
        return false
    }
}

/// A type expression: a primitive, a reference to a named type, or a composition of those.
public indirect enum TypeRef: Hashable, Sendable {
    case primitive(Primitive)
    case named(String)
    case list(TypeRef)
    case map(TypeRef)
    case nullable(TypeRef)
    case literal(Literal)
    case union([TypeRef])
    /// A fixed-length list whose items have their own types (OpenAPI 3.1 `prefixItems`).
    case tuple([TypeRef])
}

public struct TypeDecl: Sendable {
    public enum Kind: Sendable {
        case object([Field])
        case enumeration([Literal])
        case union(variants: [TypeRef], discriminator: String?)
        case alias(TypeRef)
    }

    public var name: String
    /// The TypeScript identifier (PascalCase of `name`).
    public var tsName: String
    public var kind: Kind
    public var doc: String?
    public var deprecation: Deprecation?
    public var location: SourceLocation?
    /// For a discriminated union whose variants do not carry the discriminator as a literal
    /// (OpenAPI's `discriminator.mapping`): variant type name → the values that select it. The
    /// TypeScript union then pins the field per variant, so a `switch` narrows correctly.
    public var discriminatorValues: [String: [String]] = [:]

    public init(
        name: String, tsName: String, kind: Kind, doc: String? = nil, deprecation: Deprecation? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.tsName = tsName
        self.kind = kind
        self.doc = doc
        self.deprecation = deprecation
        self.location = location
    }
}

public struct Field: Sendable {
    /// The name on the wire, used verbatim as the TypeScript property name.
    public var name: String
    public var type: TypeRef
    /// The key may be absent. Distinct from a nullable type, whose key is present with `null`.
    public var optional: Bool
    public var doc: String?
    public var deprecation: Deprecation?

    public init(name: String, type: TypeRef, optional: Bool, doc: String? = nil, deprecation: Deprecation? = nil) {
        self.name = name
        self.type = type
        self.optional = optional
        self.doc = doc
        self.deprecation = deprecation
    }
}

public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"

    /// Safe methods are reads: cacheable, and never the source of an invalidation.
    public var isSafe: Bool { self == .get }
}

public enum ParamLocation: String, Sendable, CaseIterable {
    case path, query, body
    /// A request header (OpenAPI `in: header`).
    case header
    /// The whole JSON request body (an OpenAPI request body).
    case payload
    /// The fields of a multipart or URL-encoded form (an OpenAPI form request body).
    case form

    /// The locations a schema-export v1 may use; the others come from the OpenAPI importer.
    public static let schemaExport: [ParamLocation] = [.path, .query, .body]
}

public struct Param: Sendable {
    /// The name in TypeScript and in `affects`.
    public var name: String
    /// The name on the wire (path placeholder, query key, header), when it differs from `name`.
    public var wireName: String?
    public var location: ParamLocation
    public var type: TypeRef
    public var optional: Bool
    public var doc: String?

    public init(name: String, wireName: String? = nil, location: ParamLocation, type: TypeRef, optional: Bool, doc: String? = nil) {
        self.name = name
        self.wireName = wireName
        self.location = location
        self.type = type
        self.optional = optional
        self.doc = doc
    }
}

public struct ReturnBranch: Sendable {
    public var status: Int
    /// nil: this status carries no body.
    public var type: TypeRef?
    public var doc: String?

    public init(status: Int, type: TypeRef?, doc: String? = nil) {
        self.status = status
        self.type = type
        self.doc = doc
    }
}

public enum Returns: Sendable {

    /// No body (for example 204).
    case empty
    case type(TypeRef)
    /// Told apart by status code; a discriminated union in TypeScript.
    case branches([ReturnBranch])
}

public struct ErrorDecl: Sendable {
    public var status: Int
    /// nil: any error with this status (OpenAPI responses declare statuses, not codes).
    public var code: String?
    public var doc: String?
    public var detail: TypeRef?

    public init(status: Int, code: String?, doc: String? = nil, detail: TypeRef? = nil) {
        self.status = status
        self.code = code
        self.doc = doc
        self.detail = detail
    }
}

public enum CacheContext: String, Sendable, CaseIterable {
    /// One entry for everyone.
    case `public`
    /// One entry per authenticated user, keyed by a secret-derived id of their credential.
    case user
    /// One entry per session, keyed the same way from the session credential.
    case session
}

public struct CachePolicy: Hashable, Sendable {
    public var ttl: Int
    public var staleWhileRevalidate: Int
    public var context: CacheContext
    public var tags: [String]

    public init(ttl: Int, staleWhileRevalidate: Int, context: CacheContext, tags: [String] = []) {
        self.ttl = ttl
        self.staleWhileRevalidate = staleWhileRevalidate
        self.context = context
        self.tags = tags
    }
}

/// Where the value of one target parameter comes from when a mutation invalidates a query.
public enum ParamSource: Hashable, Sendable {
    /// The value of this mutation's parameter of that name.
    case from(String)
    /// A fixed value.
    case value(Literal)
}

/// One edge of the invalidation graph: "this mutation invalidates `client` where `params`".
/// A target parameter left out of `params` means every value of it.
public struct Affect: Hashable, Sendable {
    public var client: String
    /// Sorted by target parameter name.
    public var params: [(name: String, source: ParamSource)]

    public init(client: String, params: [(name: String, source: ParamSource)]) {
        self.client = client
        self.params = params.sorted { $0.name < $1.name }
    }

    public static func == (lhs: Affect, rhs: Affect) -> Bool {
        lhs.client == rhs.client && lhs.params.elementsEqual(rhs.params) { $0.name == $1.name && $0.source == $1.source }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(client)
        for p in params {
            hasher.combine(p.name)
            hasher.combine(p.source)
        }
    }
}

public struct Client: Sendable {
    /// Dotted name, for example `books.get_book`.
    public var name: String
    public var method: HTTPMethod
    /// Path template with `{param}` placeholders.
    public var path: String
    public var doc: String?
    public var deprecation: Deprecation?
    /// In declaration order (the order a caller reads them in the docs).
    public var params: [Param]
    public var returns: Returns
    public var errors: [ErrorDecl]
    /// nil: never cached.
    public var cache: CachePolicy?
    public var affects: [Affect]
    public var location: SourceLocation?

    public init(
        name: String, method: HTTPMethod, path: String, doc: String? = nil, deprecation: Deprecation? = nil,
        params: [Param] = [], returns: Returns = .empty, errors: [ErrorDecl] = [], cache: CachePolicy? = nil,
        affects: [Affect] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.method = method
        self.path = path
        self.doc = doc
        self.deprecation = deprecation
        self.params = params
        self.returns = returns
        self.errors = errors
        self.cache = cache
        self.affects = affects
        self.location = location
    }

    public func param(named name: String) -> Param? { params.first { $0.name == name } }

    /// `["books"]` for `books.get_book`: the namespaces the function lives in.
    public var namespace: [String] { Array(name.split(separator: ".").dropLast().map(String.init)) }

    /// `get_book` for `books.get_book`.
    public var functionSegment: String { String(name.split(separator: ".").last ?? "") }
}
