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
        let statusLine: String =
            switch status.code {
            case 200: "HTTP/1.1 200 OK\r\n"
            case 304: "HTTP/1.1 304 Not Modified\r\n"
            default: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
            }
        var size = statusLine.utf8.count + 2 + (body?.count ?? 0)
        for (name, value) in fields { size += name.utf8.count + value.utf8.count + 4 }
        var buffer = allocator.buffer(capacity: size)
        // One pass of plain copies into the buffer's memory: a ByteBuffer call per piece (twenty
        // of them) cost more than the copying.
        var writable = true
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
            var out = Output(memory)
            out.append(statusLine, allowing: { _ in true })
            for (name, value) in fields {
                guard !name.isEmpty, out.append(name, allowing: RawRequestHead.isTokenByte) else { writable = false; return 0 }
                out.append(": ", allowing: { _ in true })
                guard out.append(value, allowing: isValueByte) else { writable = false; return 0 }
                out.append("\r\n", allowing: { _ in true })
            }
            out.append("\r\n", allowing: { _ in true })
            if let body { body.withUnsafeBytes { out.append($0) } }
            return out.count
        }
        return writable ? buffer : nil
    }

    /// Visible characters, space, tab and obs-text; never CR, LF or NUL.
    @inline(__always) private static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    /// Bytes appended to memory sized beforehand.
    private struct Output {
        let memory: UnsafeMutableRawBufferPointer
        var count = 0

        init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

        /// Appends `text`'s UTF-8; false (and nothing counted) when a byte is not allowed.
        @inline(__always) @discardableResult
        mutating func append(_ text: String, allowing allowed: (UInt8) -> Bool) -> Bool {
            var text = text
            return text.withUTF8 { bytes in
                for (offset, byte) in bytes.enumerated() {
                    guard allowed(byte) else { return false }
                    memory[count + offset] = byte
                }
                count += bytes.count
                return true
            }
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            guard !bytes.isEmpty else { return }
            UnsafeMutableRawBufferPointer(rebasing: memory[count..<(count + bytes.count)]).copyMemory(from: bytes)
            count += bytes.count
        }
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
