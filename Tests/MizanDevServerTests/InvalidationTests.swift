import AsyncHTTPClient
import Foundation
import MizanDevServer
import Testing

/// Mutations through the dev server purge exactly what they affect.
@Suite struct InvalidationTests {
    @Test func affectsPurgesTheMappedEntryAndLeavesOthers() async throws {
        try await withBookshop { backend, server, browser in
            for path in ["/api/books/1", "/api/books/2", "/api/books?genre=sf"] { _ = try await browser.get(path) }
            let update = try await browser.send(.PUT, "/api/books/1", body: #"{"title":"Dune Messiah"}"#)
            #expect(update.status == 200)
            #expect(update.cacheStatus.contains(#"detail="purged 2 entries by 2 selectors""#))

            let book1 = try await browser.get("/api/books/1")
            #expect(book1.cacheStatus.contains("fwd=miss"))
            #expect(book1.body.contains("Dune Messiah"))
            // `books.get_book` id=2 is not what the update affects.
            #expect(try await browser.get("/api/books/2").cacheStatus.hasPrefix("mizan; hit"))
            // `books.list_books` is affected with every value.
            #expect(try await browser.get("/api/books?genre=sf").cacheStatus.contains("fwd=miss"))
            #expect(server.counters.purgedEntries == 2)
            #expect(backend.count("GET /api/books/2") == 1)
        }
    }

    @Test func aFailedMutationPurgesNothing() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/books/1")
            backend.setFailing(true)
            let reply = try await browser.send(.PUT, "/api/books/1", body: #"{"title":"x"}"#)
            #expect(reply.status == 500)
            #expect(!reply.cacheStatus.contains("purged"))
            backend.setFailing(false)
            #expect(try await browser.get("/api/books/1").cacheStatus.hasPrefix("mizan; hit"))
        }
    }

    @Test func theInvalidateHeaderPurgesWhatItNames() async throws {
        try await withBookshop { _, _, browser in
            for path in ["/api/books/1", "/api/books/2", "/api/books?genre=sf", "/api/books?genre=poetry"] { _ = try await browser.get(path) }
            let restock = try await browser.send(.POST, "/api/books/restock", body: "{}")
            #expect(restock.header("X-Mizan-Invalidate") == #""books.get_book";id=2, "books.list_books";genre="sf""#)
            #expect(try await browser.get("/api/books/2").cacheStatus.contains("fwd=miss"))
            #expect(try await browser.get("/api/books?genre=sf").cacheStatus.contains("fwd=miss"))
            #expect(try await browser.get("/api/books/1").cacheStatus.hasPrefix("mizan; hit"))
            #expect(try await browser.get("/api/books?genre=poetry").cacheStatus.hasPrefix("mizan; hit"))
        }
    }

    @Test func aPageGoesWithTheDataItRead() async throws {
        try await withBookshop { backend, _, browser in
            let page = try await browser.get("/pages/books/5")
            #expect(page.body == "<h1>Ulysses</h1>")
            #expect(try await browser.get("/pages/books/5").cacheStatus.hasPrefix("mizan; hit"))
            _ = try await browser.get("/pages/books/1")
            _ = try await browser.send(.PUT, "/api/books/5", body: #"{"title":"Ulysses (annotated)"}"#)
            let after = try await browser.get("/pages/books/5")
            #expect(after.cacheStatus.contains("fwd=miss"))
            #expect(after.body == "<h1>Ulysses (annotated)</h1>")
            // The page of another book read other data and stays.
            #expect(try await browser.get("/pages/books/1").cacheStatus.hasPrefix("mizan; hit"))
            #expect(backend.count("GET /pages/books/5") == 2)
        }
    }

    @Test func aMutationPurgesOnlyItsOwnCallersEntries() async throws {
        try await withBookshop { backend, _, browser in
            let alice = [("Authorization", "Token alice")]
            let bob = [("Authorization", "Token bob")]
            _ = try await browser.get("/api/me/cart", headers: alice)
            _ = try await browser.get("/api/me/cart", headers: bob)
            let add = try await browser.send(.POST, "/api/me/cart/items", headers: alice, body: #"{"book":1}"#)
            #expect(add.cacheStatus.contains(#"detail="purged 1 entry by 1 selector""#))
            #expect(try await browser.get("/api/me/cart", headers: alice).cacheStatus.contains("fwd=miss"))
            #expect(try await browser.get("/api/me/cart", headers: bob).cacheStatus.hasPrefix("mizan; hit"))
            #expect(backend.count("GET /api/me/cart") == 3)
        }
    }
}
