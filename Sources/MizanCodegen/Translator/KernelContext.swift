/// The typed contexts the stage-1 (kernel) templates render. Template authors who override a
/// template with `--templates DIR` can rely on exactly these names; `mizan codegen
/// --print-context` prints them as JSON. Fragments that are TypeScript source (types, docs)
/// arrive pre-rendered and must be inserted with triple braces.

/// `types.ts`: every named type of the schema.
public struct TypesFileContext: Encodable, Sendable {
    /// The generated-file header comment, ending in a newline.
    public var header: String
    public var types: [TypeContext]
    /// No named types: the template emits `export {};` so the file is still a module.
    public var isEmpty: Bool
}

public struct TypeContext: Encodable, Sendable {
    /// TSDoc block (with newline) or "".
    public var doc: String
    /// The TypeScript name, PascalCase.
    public var name: String
    /// An object type, emitted as an interface.
    public var isInterface: Bool
    public var fields: [PropertyContext]
    public var hasFields: Bool
    /// An enum, union or alias, emitted as `export type Name = definition;`.
    public var isTypeAlias: Bool
    public var definition: String
}

public struct PropertyContext: Encodable, Sendable {
    /// TSDoc block indented by two spaces (with newline) or "".
    public var doc: String
    /// The property name, quoted when it is not an identifier.
    public var key: String
    public var optional: Bool
    /// The TypeScript type.
    public var type: String
}

/// `clients.ts`: per-client types, the `ClientTypes` map, specs, the invalidation map and the
/// bound API.
public struct ClientsFileContext: Encodable, Sendable {
    public var header: String
    /// Some client refers to a named type, so `types.ts` is imported as `T`.
    public var importsTypes: Bool
    /// Some client declares errors, so `isDeclaredError` and `DjangoError` are imported.
    public var importsErrors: Bool
    public var hasClients: Bool
    public var clients: [ClientContext]
    public var invalidation: [InvalidationContext]
    /// The nested namespaces and functions that `bindClients` returns.
    public var api: [APIMemberContext]
}

public struct ClientContext: Encodable, Sendable {
    /// Dotted name, for example `books.get_book`.
    public var name: String
    /// The name as a TypeScript string literal.
    public var nameLiteral: String
    /// `BooksGetBook`: prefix of `BooksGetBookParams`, `BooksGetBookError`, `BooksGetBookResult`.
    public var typePrefix: String
    public var paramsType: String
    public var hasParams: Bool
    public var params: [PropertyContext]
    /// A status-branching client gets an exported `…Result` union.
    public var hasBranches: Bool
    public var branchesType: String
    public var resultType: String
    public var errorType: String
    public var hasErrors: Bool
    /// The right-hand side of `…Error =`: one `DjangoError<status, "code", Detail>` per declared
    /// error, one per line when there are several.
    public var errorDefinition: String
    public var method: String
    public var pathLiteral: String
    public var paramSpecs: [ParamSpecContext]
    public var cacheSpec: String
    public var branchesSpec: String
    public var errorsSpec: String
}

public struct ParamSpecContext: Encodable, Sendable {
    public var key: String
    public var location: String
    /// The wire name as a string literal when it differs from the key, else "".
    public var wire: String
    public var wireType: String
    public var list: Bool
    public var required: Bool
}

public struct InvalidationContext: Encodable, Sendable {
    public var mutationLiteral: String
    public var affects: [AffectContext]
}

public struct AffectContext: Encodable, Sendable {
    public var clientLiteral: String
    /// `{ id: { from: "id" } }` or `{}`.
    public var params: String
}

/// A namespace or a function in the generated API, rendered by the recursive `api-member` partial.
public struct APIMemberContext: Encodable, Sendable {
    public var indent: String
    public var key: String
    public var isNamespace: Bool
    public var members: [APIMemberContext]
    public var isFunction: Bool
    public var doc: String
    /// `params: BooksGetBookParams, options?: CallOptions`
    public var parameters: String
    /// `params` or `{}`
    public var argument: String
    public var resultType: String
    public var nameLiteral: String
}

/// `index.ts`.
public struct IndexFileContext: Encodable, Sendable {
    public var header: String
    public var doc: String
}
