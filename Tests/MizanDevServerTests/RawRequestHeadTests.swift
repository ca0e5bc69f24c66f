@testable import MizanDevServer
@testable import MizanManifest
import NIOCore
import Testing

/// The hit path frames requests before NIO's decoder does. Where it frames a request, it must
/// end it where the decoder would; whatever it is not sure of goes to the decoder.
@Suite struct RawRequestHeadTests {
    private func parse(_ text: String) -> RawRequestHead.Parse {
        RawRequestHead.parse(ByteBuffer(string: text))
    }

    private func head(_ text: String) -> RawRequestHead? {
        if case .head(let head) = parse(text) { head } else { nil }
    }

    private func isUnframeable(_ text: String) -> Bool {
        if case .unframeable = parse(text) { true } else { false }
    }

    @Test func aSimpleGetIsFramedWithItsFields() throws {
        let text = "GET /api/books/1?x=2 HTTP/1.1\r\nHost: t\r\nIf-None-Match:  \"a\" \t\r\nif-none-match: \"b\"\r\n\r\nGET /next"
        let parsed = try #require(head(text))
        #expect(parsed.method == .get)
        #expect(parsed.target == "/api/books/1?x=2")
        #expect(parsed.isHTTP11)
        #expect(parsed.length == text.utf8.count - "GET /next".utf8.count)
        #expect(parsed.contentLength == 0)
        #expect(!parsed.wantsResponder && !parsed.unusualTarget)
        #expect(parsed.values("IF-NONE-MATCH") == ["\"a\"", "\"b\""])
        #expect(parsed.values("host") == ["t"])
        #expect(parsed.values("cookie") == [])
        #expect(head("HEAD / HTTP/1.1\r\n\r\n")?.method == .head)
        #expect(head("DELETE / HTTP/1.1\r\n\r\n")?.method == .other)
    }

    @Test func everyPrefixOfAHeadIsIncomplete() {
        let text = "GET /api/books/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(text.utf8)
        for count in 0..<bytes.count {
            let prefix = String(decoding: bytes[..<count], as: UTF8.self)
            guard case .incomplete = parse(prefix) else {
                Issue.record("\(count) bytes: not incomplete")
                continue
            }
        }
        #expect(head(text) != nil)
    }

    @Test func bodiesAreFramedByContentLength() {
        #expect(head("POST /x HTTP/1.1\r\nContent-Length: 12\r\n\r\n")?.contentLength == 12)
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"), "llhttp refuses any second one")
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"))
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"))
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"))
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n"))
        #expect(isUnframeable("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(isUnframeable("POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))
    }

    @Test func headsThatAreNotPlainlyWellFormedGoToTheDecoder() {
        #expect(isUnframeable("GET / HTTP/1.1\nHost: t\n\n"), "bare LF")
        #expect(isUnframeable("GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n"), "obs-fold")
        #expect(isUnframeable("GET / HTTP/1.1\r\nHost : t\r\n\r\n"), "space before the colon")
        #expect(isUnframeable("GET / HTTP/1.1\r\n: t\r\n\r\n"), "empty name")
        #expect(isUnframeable("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), "CR inside a value")
        #expect(isUnframeable("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n"), "NUL inside a value")
        #expect(isUnframeable("GET  / HTTP/1.1\r\n\r\n"), "two spaces")
        #expect(isUnframeable("GET / HTTP/2.0\r\n\r\n"))
        #expect(isUnframeable("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
        #expect(isUnframeable("\r\nGET / HTTP/1.1\r\n\r\n"), "leading empty line")
        #expect(isUnframeable("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"))
        let long = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: RawRequestHead.maxLength)
        #expect(isUnframeable(long), "longer than the hit path frames")
    }

    @Test func requestsTheResponderMustSeeAreMarked() {
        #expect(head("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n")?.wantsResponder == true)
        #expect(head("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n")?.wantsResponder == false)
        #expect(head("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n")?.wantsResponder == false)
        #expect(head("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")?.wantsResponder == true)
        #expect(head("GET / HTTP/1.0\r\n\r\n")?.wantsResponder == true, "HTTP/1.0 keep-alive rules are the responder's")
        #expect(head("GET http://example.com/ HTTP/1.1\r\n\r\n")?.unusualTarget == true)
        #expect(head("GET /a\"b HTTP/1.1\r\n\r\n")?.unusualTarget == true)
        #expect(head("GET /a%20b?c=d&e=f;g HTTP/1.1\r\n\r\n")?.unusualTarget == false)
    }

    @Test func onlyPublicReadsWithPathAndQueryParamsHaveKeysThatFollowFromTheTarget() {
        func param(_ name: String, _ location: String) -> EdgeManifest.Param {
            EdgeManifest.Param(name: name, wire: nil, location: location, type: .string, list: false, required: false, enumValues: nil)
        }
        func cache(_ context: String) -> EdgeManifest.Cache {
            EdgeManifest.Cache(ttl: 60, staleWhileRevalidate: 0, context: context, tags: [])
        }
        let manifest = EdgeManifest(generator: "test", project: nil, schemaHash: "x", routes: [
            .init(client: "a.public", method: "GET", path: "/a/{id}", params: [param("id", "path"), param("q", "query")], cache: cache("public")),
            .init(client: "a.header", method: "GET", path: "/b", params: [param("lang", "header")], cache: cache("public")),
            .init(client: "a.user", method: "GET", path: "/c", params: [], cache: cache("user")),
            .init(client: "a.session", method: "GET", path: "/d", params: [], cache: cache("session")),
            .init(client: "a.uncached", method: "GET", path: "/e", params: [], cache: nil),
        ], invalidation: [])
        let table = RouteTable(manifest: manifest)
        let follows = ["/a/1", "/b", "/c", "/d", "/e"].map { table.match(method: "GET", path: $0[...])?.entry.keyFollowsFromTarget }
        #expect(follows == [true, false, false, false, false])
    }

    @Test func theKeyMemoIsBoundedAndDroppedWithItsRoutes() throws {
        let memo = HitKeyMemo()
        let key = try testDerivation.key(client: "a.public", params: .empty, context: .public, caller: nil)
        for i in 0..<HitKeyMemo.capacity { memo.remember(.init(key: key, client: "a.public"), for: "/a/\(i)") }
        #expect(memo.count == HitKeyMemo.capacity)
        memo.remember(.init(key: key, client: "a.public"), for: "/a/next")
        #expect(memo.count == 1)
        #expect(memo.key(for: "/a/next")?.client == "a.public")

        let holder = RoutesHolder(RouteTable(manifest: TestManifest.bookshop))
        holder.currentWithMemo.memo.remember(.init(key: key, client: "a.public"), for: "/x")
        #expect(holder.currentWithMemo.memo.count == 1)
        holder.replace(RouteTable(manifest: TestManifest.bookshop))
        #expect(holder.currentWithMemo.memo.count == 0)
    }
}
