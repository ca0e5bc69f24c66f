/// The typed context of the stage-2 (framework adapter) templates: `react/react.ts`,
/// `vue/vue.ts` and `svelte/svelte.ts` all render this one context. It is derived from the
/// kernel's `clients.ts` context, so adapters name exactly the types and clients the kernel
/// exports; they add no behaviour of their own (the kernel holds the store, keys and invalidation
/// map). `mizan codegen --print-context` prints it as `adapters`.
public struct AdapterFileContext: Encodable, Sendable {
    public var header: String
    /// `"books.get_book" | …`: the clients read through the query store (GET), or `never`.
    public var queryNames: String
    /// The clients that change data (every other method), or `never`.
    public var mutationNames: String
    public var queries: [AdapterClientContext]
    public var mutations: [AdapterClientContext]
    /// The `…Params` types the per-client functions name (clients without parameters need none).
    public var paramsTypes: [AdapterImportContext]
}

public struct AdapterClientContext: Encodable, Sendable {
    /// Dotted name, for example `books.get_book`.
    public var name: String
    public var nameLiteral: String
    /// `GetBook`: the last name segment when no other client shares it, else the whole name
    /// (`BooksGetBook`). React and Vue prefix it with `use`; Svelte's stores use it camel-cased.
    public var baseName: String
    /// `getBook`.
    public var memberName: String
    public var paramsType: String
    public var hasParams: Bool
    /// Some parameter is required; otherwise the generated function defaults `params` to `{}`.
    public var paramsRequired: Bool
    /// TSDoc block (with newline) or "".
    public var doc: String
    /// The same, indented for an object member (Svelte's `mizanStores`).
    public var memberDoc: String
}

public struct AdapterImportContext: Encodable, Sendable {
    public var name: String
}
