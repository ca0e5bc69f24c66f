@testable import MizanProtocol
import Testing

@Suite struct StoragePolicyTests {
    @Test func whatIsNeverStored() {
        let ok: [(name: String, value: String)] = [("Content-Type", "application/json")]
        #expect(StoragePolicy.decide(context: .public, status: 200, headers: ok) == .store)
        #expect(StoragePolicy.decide(context: nil, status: 200, headers: ok) == .skip(.notCacheable))
        for status in [199, 206, 301, 304, 404, 500] {
            #expect(StoragePolicy.decide(context: .public, status: status, headers: ok) == .skip(.status), "\(status)")
        }
        #expect(StoragePolicy.decide(context: .user, status: 200, headers: [("set-cookie", "a=b")]) == .skip(.setCookie))
        #expect(StoragePolicy.decide(context: .public, status: 200, headers: [("Cache-Control", "max-age=60, No-Store")]) == .skip(.noStore))
        #expect(StoragePolicy.decide(context: .user, status: 200, headers: [("cache-control", "no-store")]) == .skip(.noStore))
        #expect(StoragePolicy.decide(context: .public, status: 200, headers: [("cache-control", "private")]) == .skip(.privateResponse))
        #expect(StoragePolicy.decide(context: .public, status: 200, headers: [("cache-control", #"private="x-user", max-age=5"#)]) == .skip(.privateResponse))
        #expect(StoragePolicy.decide(context: .user, status: 200, headers: [("cache-control", "private")]) == .store)
        #expect(StoragePolicy.decide(context: .session, status: 204, headers: [("cache-control", "private, max-age=0")]) == .store)
        #expect(StoragePolicy.decide(context: .public, status: 200, headers: [("cache-control", "privateish")]) == .store)
    }

    @Test func storedHeadersLeaveOutConnectionAndCacheHeaders() {
        let selected = StoredHeaders.select([
            ("Content-Language", "en"), ("Connection", "keep-alive"), ("Set-Cookie", "a=b"), ("ETag", "\"1\""), ("X-Total-Count", "3"),
            ("Link", "<a>"), ("Link", "<b>"), ("X-Mizan-Invalidate", "a.b"), ("Date", "x"),
        ])
        #expect(selected == [
            StoredHeader(name: "content-language", value: "en"), StoredHeader(name: "x-total-count", value: "3"),
            StoredHeader(name: "link", value: "<a>"), StoredHeader(name: "link", value: "<b>"),
        ])
    }

    @Test func theInvalidateHeaderCountsOnlyOnSuccessfulWrites() {
        #expect(InvalidateHeader.applies(method: "POST", status: 201))
        #expect(InvalidateHeader.applies(method: "patch", status: 303))
        #expect(InvalidateHeader.applies(method: "DELETE", status: 204))
        #expect(!InvalidateHeader.applies(method: "GET", status: 200))
        #expect(!InvalidateHeader.applies(method: "HEAD", status: 200))
        #expect(!InvalidateHeader.applies(method: "POST", status: 400))
        #expect(!InvalidateHeader.applies(method: "PUT", status: 500))
        #expect(!InvalidateHeader.applies(method: "PUT", status: 199))
    }

    @Test func headerErrorsSayWhere() throws {
        #expect {
            try InvalidateHeader.parse(#""books.get_book";id=5,"#)
        } throws: { error in
            "\(error)" == "invalid X-Mizan-Invalidate header at offset 22: trailing comma"
        }
    }
}
