import MizanDevServer
import Testing

/// The one line per request `mizan dev` prints (docs/dev-server.md, "Request log").
@Suite struct RequestLogTests {
    private func record(_ outcome: String, status: Int, ms: Double, stored: Bool = false, client: String? = "books.get_book", detail: String? = nil) -> RequestLogRecord {
        var record = RequestLogRecord(method: "GET", path: "/api/books/5")
        record.client = client
        record.outcome = outcome
        record.status = status
        record.milliseconds = ms
        record.stored = stored
        record.detail = detail
        return record
    }

    @Test func textLines() {
        #expect(record("hit", status: 200, ms: 0.04).text(colour: false) == "GET /api/books/5  books.get_book  hit  200  0.0 ms")
        #expect(record("hit", status: 200, ms: 0.36).text(colour: false) == "GET /api/books/5  books.get_book  hit  200  0.4 ms")
        #expect(record("miss", status: 200, ms: 9.96, stored: true).text(colour: false) == "GET /api/books/5  books.get_book  miss+stored  200  10.0 ms")
        #expect(record("error", status: 502, ms: 1234.4, client: nil, detail: "upstream refused").text(colour: false)
            == "GET /api/books/5  -  error  502  1234 ms  (upstream refused)")
        #expect(record("hit", status: 200, ms: 0.4).text(colour: true) == "GET /api/books/5  books.get_book  \u{1B}[32mhit\u{1B}[0m  \u{1B}[0m200\u{1B}[0m  0.4 ms")
        var bytes = Array("before|".utf8)
        record("hit", status: 304, ms: 2.25).appendText(colour: false, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "before|GET /api/books/5  books.get_book  hit  304  2.3 ms")
    }
}
