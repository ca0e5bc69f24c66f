import Foundation
import HTTPTypes
import NIOCore

/// HTTP/1.1 response bytes for a hit: status line, fields, body.
enum HitEncoding {
    /// Nil when a field cannot be written as it is (a name that is not a token, a value with a
    /// control character): the responder then answers, through HTTP types' validation.
    static func encode(
        status: HTTPResponse.Status, fields: [(name: String, value: String)], body: [UInt8]?, allocator: ByteBufferAllocator
    ) -> ByteBuffer? {
        var size = 32 + (body?.count ?? 0)
        for (name, value) in fields { size += name.utf8.count + value.utf8.count + 4 }
        var buffer = allocator.buffer(capacity: size)
        switch status.code {
        case 200: buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        case 304: buffer.writeStaticString("HTTP/1.1 304 Not Modified\r\n")
        default:
            buffer.writeStaticString("HTTP/1.1 ")
            buffer.writeString(String(status.code))
            buffer.writeStaticString(" ")
            buffer.writeString(status.reasonPhrase)
            buffer.writeStaticString("\r\n")
        }
        for (name, value) in fields {
            // Written first, then checked where they lie: one pass over contiguous bytes.
            let nameStart = buffer.writerIndex
            buffer.writeString(name)
            let nameEnd = buffer.writerIndex
            buffer.writeStaticString(": ")
            let valueStart = buffer.writerIndex
            buffer.writeString(value)
            let valueEnd = buffer.writerIndex
            buffer.writeStaticString("\r\n")
            let writable = buffer.withUnsafeReadableBytes { bytes in
                nameEnd > nameStart
                    && bytes[(nameStart - buffer.readerIndex)..<(nameEnd - buffer.readerIndex)].allSatisfy(RawRequestHead.isTokenByte)
                    && bytes[(valueStart - buffer.readerIndex)..<(valueEnd - buffer.readerIndex)].allSatisfy(isValueByte)
            }
            guard writable else { return nil }
        }
        buffer.writeStaticString("\r\n")
        if let body { buffer.writeBytes(body) }
        return buffer
    }

    /// Visible characters, space, tab and obs-text; never CR, LF or NUL.
    @inline(__always) private static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}

/// The `Date` header (RFC 9110 §5.6.7, IMF-fixdate), formatted once per second.
enum HTTPDate {
    private static let cache = Cache()

    static func now() -> String { cache.current() }

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var second = 0
        private var text = ""

        func current() -> String {
            let now = time(nil)
            return lock.withLock {
                if now != second || text.isEmpty {
                    second = now
                    text = HTTPDate.format(now)
                }
                return text
            }
        }
    }

    static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
