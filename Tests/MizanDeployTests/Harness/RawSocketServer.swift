import Foundation

/// A TCP server on loopback whose every connection is handed to `handle` on a thread of its own,
/// for servers that misbehave in ways a real HTTP server will not: never answering, dropping a
/// connection mid-upload, acting as a proxy that only records what it was asked.
final class RawSocketServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var connections: [RawConnection] = []
    private var stopped = false

    init(handle: @escaping @Sendable (RawConnection) -> Void) throws {
        let fd = try Self.listen()
        listener = fd
        port = Self.localPort(fd)
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    // `stop` shut the listener down; only this thread closes it, after its last
                    // `accept`, so the number is never reused under it.
                    close(fd)
                    return
                }
                let connection = RawConnection(fd: client)
                let accepted = lock.withLock {
                    if stopped { return false }
                    connections.append(connection)
                    return true
                }
                guard accepted else { connection.close(); return }
                Thread { handle(connection) }.start()
            }
        }
        thread.start()
    }

    /// Stops listening and resets every connection still open.
    func stop() {
        let open: [RawConnection]? = lock.withLock {
            if stopped { return nil }
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            return connections
        }
        for connection in open ?? [] { connection.shutdown() }
    }

    /// A loopback port that nothing listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let fd = try listen()
        defer { close(fd) }
        return localPort(fd)
    }

    private static func listen() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw HarnessError.cannotListen
        }
        return fd
    }

    private static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on `port` yet.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// One accepted connection. Its descriptor is touched only while open, so that closing it twice
/// or shutting it down late never hits a descriptor number that was reused meanwhile.
final class RawConnection: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var open = true

    init(fd: Int32) { self.fd = fd }

    /// Reads up to `limit` bytes; empty at end of stream or on error.
    func read(limit: Int = 64 << 10) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = Glibc.read(fd, &buffer, limit)
        return count > 0 ? Array(buffer[..<count]) : []
    }

    /// Reads until the end of the request head (a blank line) and returns it as text.
    func readHead() -> String {
        var head: [UInt8] = []
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            let chunk = read(limit: 1)
            if chunk.isEmpty { break }
            head += chunk
        }
        return String(decoding: head, as: UTF8.self)
    }

    /// Reads and discards until the peer closes.
    func drain() { while !read().isEmpty {} }

    func write(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Closes the connection.
    func close() {
        lock.withLock {
            if open { _ = Glibc.close(fd) }
            open = false
        }
    }

    /// Closes with a reset (RST) instead of a clean FIN, as a crashed server would.
    func reset() {
        lock.withLock {
            guard open else { return }
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            _ = Glibc.close(fd)
            open = false
        }
    }

    /// Ends reads and writes (a blocked `read` returns) but leaves closing to the handler.
    func shutdown() {
        lock.withLock { if open { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
