import Foundation
import MizanCore
import MizanManifest
import MizanSchema
import Testing

@Suite struct ManifestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func bookshop() throws -> Schema {
        let result = SchemaLoader.load(path: repository.appendingPathComponent("Examples/bookshop/mizan-schema.json").path)
        return try #require(result.schema)
    }

    @Test func roundTripsThroughItsJSON() throws {
        let manifest = EdgeManifest(schema: try Self.bookshop())
        let text = manifest.rendered()
        let read = try ManifestReader.read(bytes: Array(text.utf8), file: "manifest.json")
        #expect(read == manifest)
        #expect(read.rendered() == text)
    }

    @Test func describesRoutesParamsAndTheInvalidationGraph() throws {
        let manifest = EdgeManifest(schema: try Self.bookshop())
        let getBook = try #require(manifest.route(for: "books.get_book"))
        #expect(getBook.method == "GET" && getBook.path == "/api/books/{id}")
        #expect(getBook.params.map(\.name) == ["id", "include_reviews"])
        #expect(getBook.params[0].type == .int && getBook.params[0].required)
        #expect(getBook.cache?.ttl == 300 && getBook.cache?.context == "public")
        #expect(manifest.route(for: "stats.get_stats")?.cache == nil)
        let list = try #require(manifest.route(for: "books.list_books"))
        #expect(list.params.first { $0.name == "tags" }?.list == true)
        #expect(list.params.first { $0.name == "genre" }?.enumValues?.first == "\"fiction\"")
        let update = try #require(manifest.invalidation.first { $0.client == "books.update_book" })
        #expect(update.affects.first { $0.client == "books.get_book" }?.params.first?.source == .from("id"))
        #expect(manifest.schemaHash.hasPrefix("sha256:"))
    }

    @Test func reportsContractDriftInPlainWords() throws {
        let old = EdgeManifest(schema: try Self.bookshop())
        var new = old
        let index = try #require(new.invalidation.firstIndex { $0.client == "books.update_book" })
        new.invalidation[index].affects.removeAll { $0.client == "books.get_book" }
        let getBook = try #require(new.routes.firstIndex { $0.client == "books.get_book" })
        new.routes[getBook].cache?.ttl = 60
        new.routes[getBook].params.removeAll { $0.name == "include_reviews" }
        new.routes.removeAll { $0.client == "stats.get_stats" }
        let changes = ContractDrift.changes(from: old, to: new)
        #expect(changes.contains("books.update_book no longer invalidates books.get_book"))
        #expect(changes.contains("books.get_book cache ttl changed from 300 to 60"))
        #expect(changes.contains("books.get_book no longer has parameter 'include_reviews'"))
        #expect(changes.contains("stats.get_stats was removed"))
        #expect(ContractDrift.changes(from: old, to: old).isEmpty)
    }

    @Test func rejectsAMalformedManifestWithItsPosition() {
        do throws(DiagnosticsError) {
            _ = try ManifestReader.read(bytes: Array(#"{"manifest_version": 1, "generator": "x", "project": null, "schema_hash": "h", "routes": [{"client": 5}], "invalidation": {}}"#.utf8), file: "m.json")
            Issue.record("accepted a bad manifest")
        } catch {
            #expect(error.diagnostics.first?.code == ManifestReader.invalidManifest)
            #expect(error.diagnostics.first?.location?.column != nil)
        }
    }
}
