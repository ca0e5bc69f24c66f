import Foundation
@testable import MizanCodegen
import MizanSchema
import Testing

/// Stage 2 naming: per-client hooks take the short name when it is unambiguous, the full name
/// otherwise, and queries and mutations are told apart by method.
@Suite struct AdapterTranslatorTests {
    static func context(_ clients: String) throws -> AdapterFileContext {
        let json = #"{"format_version": 1, "types": {}, "clients": {"# + clients + "}}"
        let result = SchemaLoader.load(bytes: Array(json.utf8), file: "test.json")
        let schema = try #require(result.schema, "\(result.diagnostics.map(\.formatted))")
        let translator = KernelTranslator(schema: schema, header: "// h")
        return AdapterTranslator(clients: translator.clientsFile(), schema: schema).adapterFile()
    }

    @Test func shortNamesWhenUniqueFullNamesOnAClashOrAReservedName() throws {
        let context = try Self.context(#"""
            "books.get": {"method": "GET", "path": "/books/{id}", "params": {"id": {"in": "path", "type": "int"}}, "returns": "string"},
            "authors.get": {"method": "GET", "path": "/authors", "returns": "string"},
            "books.list_all": {"method": "GET", "path": "/books", "params": {"page": {"in": "query", "type": "int", "optional": true}}, "returns": "string"},
            "admin.mizan": {"method": "GET", "path": "/mizan", "returns": "string"},
            "books.rename": {"method": "PATCH", "path": "/books/{id}", "doc": "Rename a book.\nSecond line.", "params": {"id": {"in": "path", "type": "int"}}}
            """#)
        // Clients arrive sorted by name.
        #expect(context.queries.map(\.baseName) == ["AdminMizan", "AuthorsGet", "BooksGet", "ListAll"])
        #expect(context.queries.map(\.memberName) == ["adminMizan", "authorsGet", "booksGet", "listAll"])
        #expect(context.mutations.map(\.baseName) == ["Rename"])
        #expect(context.queryNames == #""admin.mizan" | "authors.get" | "books.get" | "books.list_all""#)
        #expect(context.mutationNames == #""books.rename""#)
        #expect(context.queries.map(\.paramsRequired) == [false, false, true, false])
        #expect(context.queries.map(\.hasParams) == [false, false, true, true])
        #expect(context.paramsTypes.map(\.name) == ["BooksGetParams", "BooksListAllParams", "BooksRenameParams"])
        #expect(context.mutations[0].doc == "/**\n * Rename a book.\n * `books.rename`: `PATCH /books/{id}`\n */\n", "the first doc line only")
    }

    @Test func noMutationsGiveNever() throws {
        let context = try Self.context(#"""
            "ops.ping": {"method": "GET", "path": "/ping", "returns": "string"},
            "ops.state": {"method": "GET", "path": "/state", "returns": "string"}
            """#)
        #expect(context.mutationNames == "never")
        #expect(context.queries.map(\.baseName) == ["Ping", "OpsState"], "useState is React's")
    }
}
