import Foundation
import HTTPTypes
import MizanStores
import NIOCore
import NIOHTTPTypes

/// Answers fresh cache hits from the memory store right on the event loop, before a request
/// reaches Hummingbird's async responder; everything else goes on to the responder untouched.
///
/// A hit is most of what `mizan dev` serves, and handing each request from NIO to a Swift task
/// and back (an async sequence in, an async writer out) cost more than the hit itself. The
/// answer is the one `DevServer.proxy` gives for the same request: the key comes from the same
/// `resolveKey`, the headers from the same `hitAnswer`, and stats and the log line are the same.
/// Stale entries, misses, mutations, the management API and stores other than memory (whose
/// reads block) all take the async path.
final class CacheHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let server: DevServer
    private let store: MemoryStore
    /// A GET or HEAD head held back until its end arrives (a body would make it a slow-path request).
    private var held: HTTPRequest?
    /// Requests handed to the responder whose response has not ended: answering a later
    /// (pipelined) request first would put the responses out of order.
    private var delegated = 0
    private var unflushed = false

    /// Writes whole encoded responses straight to the socket's end of the pipeline (see
    /// `RawResponseWriter`); nil until added.
    private var raw: RawResponseWriter?

    init(server: DevServer, store: MemoryStore) {
        self.server = server
        self.store = store
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let writer = RawResponseWriter()
        if (try? context.pipeline.syncOperations.addHandler(writer, position: .first)) != nil { raw = writer }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // `Connection: close` is honoured by the responder, which closes after answering.
            if delegated == 0, held == nil, head.method == .get || head.method == .head,
               !(head.headerFields[.connection]?.lowercased().contains("close") ?? false) {
                held = head
                return
            }
            delegated += 1
            context.fireChannelRead(data)
        case .body:
            releaseHeld(context)
            context.fireChannelRead(data)
        case .end:
            if let head = held {
                held = nil
                // A client that does not read its responses gets them through the responder,
                // which waits for the socket; here they would pile up in memory.
                if context.channel.isWritable, let hit = server.freshHit(head, store: store, encodeWith: raw == nil ? nil : context.channel.allocator) {
                    write(hit, context: context)
                    return
                }
                delegated += 1
                context.fireChannelRead(wrapInboundOut(.head(head)))
            }
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { delegated = max(0, delegated - 1) }
        context.write(data, promise: promise)
    }

    private func releaseHeld(_ context: ChannelHandlerContext) {
        guard let head = held else { return }
        held = nil
        delegated += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    private func write(_ hit: DevServer.FreshHit, context: ChannelHandlerContext) {
        switch hit {
        case .encoded(let bytes):
            // Only here, between whole responses (no responder's response is open: `delegated`
            // is 0), may bytes bypass the HTTP encoder.
            raw!.write(bytes)
        case .typed(let head, let body):
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if let body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        }
        unflushed = true
    }
}

/// The first handler of the pipeline, next to the socket: passes every write through, and lets
/// `CacheHitHandler` write a whole response it encoded itself, skipping the conversion to HTTP
/// types and NIO's HTTP/1 encoder (a tenth of a hit's CPU).
final class RawResponseWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
    }
}

/// HTTP/1.1 response bytes for a hit: status line, fields, body.
enum HitEncoding {
    /// Nil when a field cannot be written as it is (a name that is not a token, a value with a
    /// control character): the typed path then writes it, as it writes every other answer.
    static func encode(
        status: HTTPResponse.Status, fields: [(name: String, value: String)], body: [UInt8]?, allocator: ByteBufferAllocator
    ) -> ByteBuffer? {
        var size = 32 + (body?.count ?? 0)
        for (name, value) in fields { size += name.utf8.count + value.utf8.count + 4 }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in fields {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte), value.utf8.allSatisfy(isValueByte) else { return nil }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        if let body { buffer.writeBytes(body) }
        return buffer
    }

    /// RFC 9110 §5.6.2 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Visible characters, space, tab and obs-text; never CR, LF or NUL.
    private static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}

extension DevServer {
    enum FreshHit {
        /// Whole response bytes, for `RawResponseWriter`.
        case encoded(ByteBuffer)
        case typed(HTTPResponse, body: ByteBuffer?)
    }

    /// The answer to `request` when it is a read of a cacheable client whose entry is in the
    /// memory store and fresh; nil for anything else (the async path then handles it).
    /// With an allocator the answer is encoded here (`HitEncoding`), else left to NIO's encoder.
    func freshHit(_ request: HTTPRequest, store: MemoryStore, encodeWith allocator: ByteBufferAllocator?) -> FreshHit? {
        let started = ContinuousClock.now
        guard let target = request.path else { return nil }
        let path: Substring
        let query: Substring?
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = Substring(target)
            query = nil
        }
        // Same split as the responder's: the management API is never a cache hit.
        if path == "/_mizan" || path.hasPrefix("/_mizan/") { return nil }
        guard let (entry, pathParams) = routes.current.match(method: "GET", path: path) else { return nil }
        let fields = request.headerFields
        let header: (String) -> [String] = { name in HTTPField.Name(name).map { fields[values: $0] } ?? [] }
        guard case .keyed(let keyed) = resolveKey(entry, pathParams: pathParams, query: query, header: header),
              let stored = store.getNow(keyed.key)
        else { return nil }
        let now = options.clock.now()
        guard stored.metadata.isFresh(at: now) else { return nil }

        let status = CacheStatus(hit: true, ttl: (stored.metadata.expires - now) / 1000)
        stats.update {
            $0.requests += 1
            $0.hits += 1
        }
        var answer = Self.hitAnswer(stored, ifNoneMatch: fields[values: .ifNoneMatch], status: status, now: now)
        answer.fields.append(("Date", HTTPDate.now()))
        if answer.withBody { answer.fields.append(("Content-Length", String(stored.body.count))) }
        let body = answer.withBody && request.method != .head ? stored.body : nil
        let hit: FreshHit
        if let allocator, let bytes = HitEncoding.encode(status: answer.status, fields: answer.fields, body: body, allocator: allocator) {
            hit = .encoded(bytes)
        } else {
            hit = .typed(HTTPResponse(status: answer.status, headerFields: answer.httpFields), body: body.map { ByteBuffer(bytes: $0) })
        }

        var record = RequestLogRecord(method: request.method.rawValue, path: String(path))
        record.client = entry.route.client
        record.outcome = status.outcome
        record.status = answer.status.code
        let elapsed = (ContinuousClock.now - started).components
        record.milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        log(record)
        return hit
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
