/// How schema names become TypeScript identifiers. The validator uses the same functions to
/// report collisions, so what it accepts always renders to valid, unambiguous TypeScript.
public enum Naming {
    /// `book_item` → `BookItem`; existing capitals are kept (`HTTPError` stays `HTTPError`).
    /// Works on bytes: names are ASCII once validated, and this runs for every name of a schema.
    public static func pascalCase(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var startOfWord = true
        for byte in name.utf8 {
            if byte == UInt8(ascii: "_") {
                startOfWord = true
                continue
            }
            out.append(startOfWord && byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
            startOfWord = false
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `get_book` → `getBook`.
    public static func camelCase(_ name: String) -> String {
        var bytes = Array(pascalCase(name).utf8)
        if let first = bytes.first, first >= 0x41, first <= 0x5A { bytes[0] = first + 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `books.get_book` → `BooksGetBook`: the prefix of the per-client type names.
    public static func clientTypePrefix(_ clientName: String) -> String {
        clientName.split(separator: ".").map { pascalCase(String($0)) }.joined()
    }

    /// A schema name (type, parameter): ASCII letters, digits and `_`, not starting with a digit.
    public static func isSchemaName(_ name: String) -> Bool {
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") }
    }

    /// An ASCII JavaScript identifier (all names mizan emits unquoted are ASCII).
    public static func isIdentifier(_ name: String) -> Bool {
        func isStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$") }
        guard let first = name.utf8.first, isStart(first) else { return false }
        return name.utf8.allSatisfy { isStart($0) || ($0 >= 0x30 && $0 <= 0x39) }
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
        "Blob", "FormData",
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
        "CacheContext", "CacheEntryMeta", "CacheKeyError", "CacheSecrets", "CanonicalParamError", "PurgeScope",
        "canonicalParamsText", "deriveCacheKey", "deriveCacheSecrets", "deriveCallerId", "readCanonicalParams", "selectorMatches",
    ]

    /// Names `clients.ts` and `index.ts` define for every schema.
    public static let generatedExports: Set<String> = [
        "ClientTypes", "clientSpecs", "invalidationMap", "bindClients", "createMizan", "Mizan",
    ]

    /// Top-level members of the object `createMizan` returns besides the client namespaces.
    public static let reservedNamespaces: Set<String> = ["kernel", "store"]
}
