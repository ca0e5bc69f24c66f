/// How schema names become TypeScript identifiers. The validator uses the same functions to
/// report collisions, so what it accepts always renders to valid, unambiguous TypeScript.
public enum Naming {
    /// `book_item` → `BookItem`; existing capitals are kept (`HTTPError` stays `HTTPError`).
    public static func pascalCase(_ name: String) -> String {
        name.split(separator: "_", omittingEmptySubsequences: true).map { part in
            part.prefix(1).uppercased() + part.dropFirst()
        }.joined()
    }

    /// `get_book` → `getBook`.
    public static func camelCase(_ name: String) -> String {
        let pascal = pascalCase(name)
        guard let first = pascal.first else { return pascal }
        // A leading underscore-only or digit name cannot occur: names are validated first.
        return first.lowercased() + pascal.dropFirst()
    }

    /// `books.get_book` → `BooksGetBook`: the prefix of the per-client type names.
    public static func clientTypePrefix(_ clientName: String) -> String {
        clientName.split(separator: ".").map { pascalCase(String($0)) }.joined()
    }

    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        guard first == "_" || first == "$" || first.properties.isAlphabetic && first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == "$" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// A property name as TypeScript source: bare when it is an identifier, quoted otherwise.
    public static func propertyKey(_ name: String) -> String {
        isIdentifier(name) ? name : Literal.string(name).jsonText
    }

    /// Words that cannot name a type in TypeScript.
    public static let reservedTypeNames: Set<String> = [
        // keywords and strict-mode reserved words
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
        "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
        "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
        "var", "void", "while", "with", "as", "implements", "interface", "let", "package", "private",
        "protected", "public", "static", "yield", "await",
        // built-in type names
        "any", "boolean", "number", "string", "symbol", "never", "unknown", "object", "undefined", "bigint",
        // globals that generated code refers to by name
        "Record", "Array", "ReadonlyArray", "Promise", "Partial", "Readonly", "Error", "Object", "AbortSignal",
    ]

    /// Names the kernel runtime exports; `index.ts` re-exports both the runtime and the types, so a
    /// schema type of the same name would be ambiguous. A test keeps this list in step with
    /// `Templates/kernel/runtime.ts`.
    public static let runtimeExports: Set<String> = [
        "AffectSpec", "CachePolicy", "CallOptions", "CanonicalValue", "ClientSpec", "ClientTypeEntry",
        "DehydratedEntry", "DehydratedState", "DjangoError", "ErrorSpec", "InvalidateHeaderError", "InvalidationMap", "Kernel",
        "KernelConfig", "Method", "ParamSource", "ParamSpec", "QueryFetcher", "QueryKey", "QueryState", "QueryStore",
        "QueryStoreOptions",
        "Selector", "Transport", "TransportError", "TransportRequest", "TransportResponse", "WireType",
        "canonicalParams", "fetchTransport", "isDeclaredError", "isDjangoError", "keyHash",
        "parseInvalidateHeader", "queryKey",
    ]

    /// Names `clients.ts` and `index.ts` define for every schema.
    public static let generatedExports: Set<String> = [
        "ClientTypes", "clientSpecs", "invalidationMap", "bindClients", "createMizan", "Mizan",
    ]

    /// Top-level members of the object `createMizan` returns besides the client namespaces.
    public static let reservedNamespaces: Set<String> = ["kernel", "store"]
}
