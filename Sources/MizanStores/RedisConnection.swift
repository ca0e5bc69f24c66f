import CHiredis

/// A reply from Redis, copied out of hiredis's reply tree.
enum RedisReply {
    case string([UInt8])
    case array([RedisReply])
    case integer(Int64)
    case null
    case status(String)

    var bytes: [UInt8]? { if case .string(let b) = self { return b } else { return nil } }
    var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    var elements: [RedisReply] { if case .array(let a) = self { return a } else { return [] } }
    var int: Int64? {
        switch self {
        case .integer(let i): i
        case .string(let b): Int64(String(decoding: b, as: UTF8.self))
        default: nil
        }
    }
}

/// One hiredis connection with connect and command timeouts, used from one queue at a time.
/// After any connection failure it is dropped, and the next command connects again, so the
/// store recovers by itself when Redis is back.
final class RedisConnection {
    let host: String
    let port: Int
    private let connectTimeout: timeval
    private let commandTimeout: timeval
    private var context: UnsafeMutablePointer<redisContext>?

    let database: Int

    init(host: String, port: Int, database: Int = 0, connectTimeoutMilliseconds: Int, commandTimeoutMilliseconds: Int) {
        self.host = host
        self.port = port
        self.database = database
        connectTimeout = Self.timeval(milliseconds: connectTimeoutMilliseconds)
        commandTimeout = Self.timeval(milliseconds: commandTimeoutMilliseconds)
    }

    deinit { redisFree(context) }

    private static func timeval(milliseconds: Int) -> timeval {
        CHiredis.timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
    }

    private var address: String { "\(host):\(port)" }

    private func connected() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        guard let fresh = redisConnectWithTimeout(host, Int32(port), connectTimeout) else {
            throw StoreError(.unavailable, "cannot connect to Redis at \(address): out of memory")
        }
        if fresh.pointee.err != 0 {
            let message = Self.errorText(fresh)
            redisFree(fresh)
            throw StoreError(.unavailable, "cannot connect to Redis at \(address): \(message) (is redis-server running?)")
        }
        redisSetTimeout(fresh, commandTimeout)
        redisEnableKeepAlive(fresh)
        context = fresh
        if database != 0 {
            // Every (re)connection starts in database 0; a connection that did not switch is
            // dropped, never used against the wrong database.
            do {
                _ = try command([Array("SELECT".utf8), Array(String(database).utf8)])
            } catch {
                if let context { redisFree(context) }
                context = nil
                throw StoreError(.unavailable, "Redis at \(address) refused database \(database): \(error)")
            }
        }
        return fresh
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Sends one command and returns its reply; a Redis error reply throws `.failed`, a lost or
    /// timed-out connection `.unavailable`.
    func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        let context = try connected()
        let count = arguments.count
        let pointers = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: count)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: count)
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            for buffer in buffers { buffer.deallocate() }
            pointers.deallocate()
            lengths.deallocate()
        }
        for (index, argument) in arguments.enumerated() {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(argument.count, 1), alignment: 1)
            buffer.copyBytes(from: argument)
            buffers.append(buffer)
            pointers[index] = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: CChar.self))
            lengths[index] = argument.count
        }
        let raw = redisCommandArgv(context, Int32(count), pointers, lengths)
        guard let raw else {
            let message = Self.errorText(context)
            redisFree(context)
            self.context = nil
            throw StoreError(.unavailable, "Redis at \(address) did not answer: \(message.isEmpty ? "connection lost" : message)")
        }
        defer { freeReplyObject(raw) }
        return try Self.copy(raw.assumingMemoryBound(to: redisReply.self))
    }

    func command(_ arguments: String...) throws -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) throws -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.len > 0 ? Array(UnsafeRawBufferPointer(start: r.str, count: Int(r.len))) : [])
        case REDIS_REPLY_STATUS:
            return .status(String(cString: r.str))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ERROR:
            throw StoreError(.failed, "Redis refused a command: \(String(cString: r.str))")
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { elements.append(try copy(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            throw StoreError(.failed, "Redis sent a reply of unknown type \(r.type)")
        }
    }
}
