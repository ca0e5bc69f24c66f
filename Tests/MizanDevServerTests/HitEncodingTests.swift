import HTTPTypes
@testable import MizanDevServer
import NIOCore
import Testing

/// The event-loop hit path writes response bytes itself; anything it cannot write safely must
/// go to the responder (and HTTP types' checks) rather than reach the socket.
@Suite struct HitEncodingTests {
    private func encode(_ fields: [(name: String, value: String)], body: [UInt8]? = Array("{}".utf8)) -> String? {
        HitEncoding.encode(status: .ok, fields: fields, body: body, allocator: ByteBufferAllocator()).map { String(buffer: $0) }
    }

    @Test func aHitIsStatusLineFieldsAndBody() {
        let bytes = encode([("content-type", "application/json"), ("content-length", "2")])
        #expect(bytes == "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
        let notModified = HitEncoding.encode(status: .notModified, fields: [("etag", "\"x\"")], body: nil, allocator: ByteBufferAllocator())
        #expect(notModified.map { String(buffer: $0) } == "HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n")
    }

    @Test func fieldsThatCannotBeWrittenAsTheyAreFallBack() {
        #expect(encode([("x-ok", "a\r\nset-cookie: injected=1")]) == nil)
        #expect(encode([("x-ok", "a\nb")]) == nil)
        #expect(encode([("x-ok", "a\u{0}b")]) == nil)
        #expect(encode([("bad name", "v")]) == nil)
        #expect(encode([("", "v")]) == nil)
        #expect(encode([("x-tab", "a\tb"), ("x-utf8", "café")]) != nil)
    }
}
