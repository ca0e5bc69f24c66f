import AsyncHTTPClient
import Foundation
import Glibc
import MizanDevServer
import NIOCore
import Testing

/// What the dev server does when the upstream or the client misbehaves: a clear JSON error,
/// no crash, nothing stored.
@Suite struct FaultTests {
    @Test func upstreamDownIsA502WithACode() async throws {
        try await RawServer.withRefusingPort { port in try await withDevServer(upstreamPort: port) { server, browser in
            let reply = try await browser.get("/api/books/1")
            #expect(reply.status == 502)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.body.hasPrefix(#"{"error":{"code":"upstream_unreachable","message":"the upstream could not be reached: "#))
            #expect(try await browser.get("/unmanaged").status == 502)
            #expect(server.counters.stored == 0)
        } }
    }

    @Test func aSlowUpstreamIsA504() async throws {
        try await withBookshop(configure: { $0.upstreamTimeout = .milliseconds(300) }) { _, server, browser in
            let reply = try await browser.get("/api/slow")
            #expect(reply.status == 504)
            #expect(reply.body.contains(#""code":"upstream_timeout""#))
            #expect(server.counters.stored == 0)
        }
    }

    @Test(arguments: [
        "NOT HTTP AT ALL\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        "HTTP/1.1 abc OK\r\n\r\n",
    ])
    func aMalformedUpstreamResponseIsA502AndNotStored(reply: String) async throws {
        let upstream = try RawServer(reply: reply)
        defer { upstream.stop() }
        try await withDevServer(upstreamPort: upstream.port) { server, browser in
            let first = try await browser.get("/api/books/1")
            #expect(first.status == 502)
            #expect(first.body.contains(#""code":"upstream_"#))
            #expect(server.counters.stored == 0)
            // And the server keeps serving.
            #expect(try await browser.get("/api/books/1").status == 502)
        }
    }

    @Test func aClientThatHangsUpMidResponseLeavesTheServerServing() async throws {
        try await withBookshop { backend, _, browser in
            _ = try await browser.get("/api/big")
            // Read a few bytes of the 10 MB hit and close the socket.
            for _ in 0..<5 { try RawServer.readAndHangUp(port: browser.port, request: "GET /api/big HTTP/1.1\r\nHost: x\r\n\r\n") }
            let after = try await browser.get("/api/big")
            #expect(after.body.utf8.count == 10 << 20)
            #expect(backend.count("GET /api/big") == 1)
        }
    }

    @Test func aRequestBodyOverTheLimitIsA413() async throws {
        try await withBookshop(configure: { $0.maxRequestBody = 1024 }) { backend, _, browser in
            let reply = try await browser.send(.PUT, "/api/books/1", body: String(repeating: "x", count: 4096))
            #expect(reply.status == 413)
            #expect(reply.body.contains(#""code":"request_too_large""#))
            #expect(backend.requests.isEmpty)
        }
    }
}

/// A TCP server on loopback that answers every connection with fixed bytes and closes it: an
/// upstream that does not speak HTTP properly.
final class RawServer: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let thread: Thread

    init(reply: String) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw RawServerError.cannotListen }
        self.socket = fd
        self.port = Self.localPort(fd)
        let bytes = Array(reply.utf8)
        self.thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buffer, buffer.count)
                _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    /// A loopback port nothing listens on (bound, then released).
    /// A loopback port that refuses connections for the length of `body`: bound, never
    /// listening, so no server another test starts meanwhile can take it (a port merely found
    /// free was once taken by another test's server, which then answered instead).
    static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawServerError.cannotListen }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RawServerError.cannotListen }
        return try await body(localPort(fd))
    }

    static func unusedPort() throws -> Int {
        let server = try RawServer(reply: "")
        server.stop()
        return server.port
    }

    /// Sends `request`, reads one chunk of the response, and closes the connection.
    static func readAndHangUp(port: Int, request: String) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawServerError.cannotConnect }
        _ = Array(request.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        _ = read(fd, &buffer, buffer.count)
    }

    /// Sends `request` as written (no client in between to re-encode it) with
    /// `Connection: close`, and returns the whole response.
    static func exchange(port: Int, request: String) async throws -> String {
        try await exchange(port: port, pieces: [request])
    }

    /// The same, with `pieces` written one at a time a millisecond apart, so the server reads
    /// them separately. The socket calls block, so they run on a thread of their own: on the
    /// tasks' pool they could hold the threads the server's responder needs (2 on 2 cores).
    static func exchange(port: Int, pieces: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, pieces: pieces) })
            }
        }
    }

    private static func blockingExchange(port: Int, pieces: [String]) throws -> String {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawServerError.cannotConnect }
        var nodelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &nodelay, socklen_t(MemoryLayout<Int32>.size))
        for (index, piece) in pieces.enumerated() {
            if index > 0 { usleep(1000) }
            _ = Array(piece.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            response.append(contentsOf: buffer[..<count])
        }
        return String(decoding: response, as: UTF8.self)
    }

    private static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum RawServerError: Error { case cannotListen, cannotConnect }
