import AsyncHTTPClient
import Foundation
import MizanCore
import MizanDevServer
import Testing

/// The management API under `/_mizan/`, as `mizan cache` and `mizan deploy` will use it.
@Suite struct ManagementAPITests {
    let auth = [("Authorization", "Bearer \(testToken)")]

    @Test(arguments: ["/_mizan/stats", "/_mizan/entries", "/_mizan/purge"])
    func withoutTheTokenIs401(path: String) async throws {
        try await withBookshop { _, _, browser in
            let none = try await browser.send(path.hasSuffix("purge") ? .POST : .GET, path, body: path.hasSuffix("purge") ? "{}" : nil)
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == #"Bearer realm="mizan""#)
            #expect(none.body.contains(#""code":"unauthorized""#))
            let wrong = try await browser.get(path, headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401)
        }
    }

    @Test func healthNeedsNoToken() async throws {
        try await withBookshop { _, _, browser in
            let health = try await browser.get("/_mizan/health")
            #expect(health.status == 200)
            let json = try JSONParser.parse(Array(health.body.utf8), file: "health").root
            #expect(json["status"]?.stringValue == "ok")
            #expect(json["routes"]?.intValue == 12)
        }
    }

    @Test func listShowAndPurgeEntries() async throws {
        try await withBookshop { _, _, browser in
            for path in ["/api/books/1", "/api/books/2", "/api/books?genre=sf"] { _ = try await browser.get(path) }
            let list = try await browser.get("/_mizan/entries?client=books.get_book&param=id=2", headers: auth)
            #expect(list.status == 200)
            let entries = try #require(try JSONParser.parse(Array(list.body.utf8), file: "list").root["entries"]?.elements)
            try #require(entries.count == 1)
            #expect(entries[0]["params"]?["id"]?.intValue == 2)
            #expect(entries[0]["tags"]?.elements?.compactMap(\.stringValue) == ["catalog"])
            let key = try #require(entries[0]["key"]?.stringValue)

            let show = try await browser.get("/_mizan/entries/\(key)", headers: auth)
            #expect(show.body.contains(#""client": "books.get_book""#))
            #expect(show.body.contains(#""fresh": true"#))
            #expect(try await browser.get("/_mizan/entries/\(key)/body", headers: auth).body == #"{"id":2,"title":"Emma","v":0}"#)

            let all = try await browser.get("/_mizan/entries", headers: auth)
            #expect(try JSONParser.parse(Array(all.body.utf8), file: "all").root["entries"]?.elements?.count == 3)

            let soft = try await browser.send(.POST, "/_mizan/purge", headers: auth, body: #"{"selector": {"tag": "catalog"}, "mode": "soft"}"#)
            #expect(soft.body.contains(#""purged": 3"#))
            #expect(try await browser.get("/api/books/1").cacheStatus.contains("stale-while-revalidate"))

            let hard = try await browser.send(.POST, "/_mizan/purge", headers: auth, body: #"{"selector": {"client": "books.get_book", "params": {"id": "2"}}}"#)
            #expect(hard.body.contains(#""purged": 1"#))
            #expect(try await browser.get("/_mizan/entries/\(key)", headers: auth).status == 404)

            let stats = try await browser.get("/_mizan/stats", headers: auth)
            let json = try JSONParser.parse(Array(stats.body.utf8), file: "stats").root
            #expect(json["purges"]?.intValue == 2)
            #expect(json["purged_entries"]?.intValue == 4)
            #expect(json["hits"]?.intValue == 1)
            #expect(json["stale"]?.intValue == 1)
        }
    }

    @Test func badRequestsGetACodeAndAMessage() async throws {
        try await withBookshop { _, _, browser in
            let cases: [(String, Int, String)] = [
                (#"{"selector": {"client": "books.get_bok", "params": {"id": 1}}}"#, 404, "did you mean 'books.get_book'?"),
                (#"{"selector": {"client": "books.get_book", "params": {"id": "x"}}}"#, 400, "bad_selector"),
                (#"{"selector": {"client": "books.get_book", "params": {"nope": 1}}}"#, 400, "bad_selector"),
                (#"{"selector": {"all": true}, "mode": "gentle"}"#, 400, "bad_mode"),
                (#"{"selector": {"all": true}, "context": "everyone"}"#, 400, "bad_context"),
                (#"{"mode": "soft"}"#, 400, "bad_selector"),
                ("not json", 400, "bad_json"),
                (#"{"selector": {"all": true}, "mode": null}"#, 400, "bad_mode"),
                (#"{"selector": {"all": true}, "mode": 5}"#, 400, "bad_mode"),
                (#"{"selector": {"all": true}, "pad": "\#(String(repeating: "x", count: 1 << 20))"}"#, 413, "request_too_large"),
            ]
            for (body, status, text) in cases {
                let reply = try await browser.send(.POST, "/_mizan/purge", headers: auth, body: body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.body.contains(text), "\(body): \(reply.body)")
            }
            let raw = try await RawServer.exchange(
                port: browser.port, request: "GET /_mizan/entries?client=%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(testToken)\r\nConnection: close\r\n\r\n")
            #expect(raw.hasPrefix("HTTP/1.1 400"), "\(raw)")
            #expect(raw.contains(#""code":"bad_query""#), "\(raw)")
            for (query, code) in [
                ("param=genre=sf", "bad_param"), ("client=books.list_books&tag=catalog", "bad_selector"),
                ("tag=has%20space", "bad_selector"), ("client=books.get_book&param=id", "bad_param"),
            ] {
                let reply = try await browser.get("/_mizan/entries?\(query)", headers: auth)
                #expect(reply.status == 400, "\(query)")
                #expect(reply.body.contains(#""code":"\#(code)""#), "\(query): \(reply.body)")
            }
            // An empty value is the empty string, not an error.
            #expect(try await browser.get("/_mizan/entries?client=books.list_books&param=genre=", headers: auth).status == 200)
            let wrongMethod = try await browser.send(.DELETE, "/_mizan/entries", headers: auth)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET")
            #expect(try await browser.get("/_mizan/stats", headers: [("Authorization", "bearer \(testToken)")]).status == 200)
            #expect(try await browser.get("/_mizan/entries/zz", headers: auth).status == 400)
            #expect(try await browser.get("/_mizan/entries?limit=0", headers: auth).status == 400)
            #expect(try await browser.get("/_mizan/nothing", headers: auth).status == 404)
        }
    }
}
