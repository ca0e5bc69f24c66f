import Foundation

/// A `redis-server` of the test's own (shared by the store and dev-server tests) on a free loopback port, in a temporary folder, with
/// persistence off; stopped by `stop()`. Nothing depends on a server left running.
public final class RedisServer: @unchecked Sendable {
    public static let executable = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    public static var isInstalled: Bool { executable != nil }

    public private(set) var port: Int
    private let executable: String
    private let directory: URL
    private let lock = NSLock()
    private var pid: pid_t = 0

    public init() throws {
        guard let executable = Self.executable else { throw TestSetupError("redis-server is not installed (apt-get install redis-server)") }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizan-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        // A port that was free when asked can be taken before redis-server binds it (by a server
        // another test starts at the same moment): then this server exits, and another port is tried.
        for attempt in 1... {
            do {
                try start()
                return
            } catch let error as TestSetupError where error.portTaken && attempt < 5 {
                port = try Self.freePort()
            }
        }
    }

    private var arguments: [String] {
        [executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path,
         "--daemonize", "no", "--loglevel", "warning"]
    }

    /// Starts the server (again, on the same port, for fault tests) and waits until it listens.
    /// Not with Foundation's `Process`: its `waitUntilExit` can stall inside a test task.
    public func start() throws {
        let child = try spawn(arguments, stdout: "/dev/null")
        lock.withLock { pid = child }
        try waitUntilListening(child)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and reaps it.
    public func stop() {
        let child = lock.withLock { () -> pid_t in
            defer { pid = 0 }
            return pid
        }
        guard child > 0 else { return }
        kill(child, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 {
            if waitpid(child, &status, WNOHANG) == child { return }
            usleep(10_000)
        }
        kill(child, SIGKILL)
        waitpid(child, &status, 0)
    }

    public func removeFiles() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { removeFiles() }

    /// Waits until `child` answers on the port: the server there must report `child`'s process
    /// id, so a test never talks to another test's server that took the same port.
    private func waitUntilListening(_ child: pid_t) throws {
        for _ in 0..<200 {
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                lock.withLock { pid = 0 }
                var error = TestSetupError("redis-server exited at start (port \(port) taken?)")
                error.portTaken = true
                throw error
            }
            if Self.processID(port: port) == Int(child) { return }
            usleep(25_000)
        }
        throw TestSetupError("redis-server did not start listening on 127.0.0.1:\(port) within 5 s")
    }

    /// The `process_id` the Redis server on `port` reports (`INFO server`), nil when none answers.
    private static func processID(port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        let request = Array("INFO server\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { return nil }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: reply, as: UTF8.self).contains("process_id:") || !reply.suffix(2).elementsEqual([13, 10]) {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            reply.append(contentsOf: buffer[..<count])
        }
        let text = String(decoding: reply, as: UTF8.self)
        guard let range = text.range(of: "process_id:") else { return nil }
        return Int(text[range.upperBound...].prefix(while: \.isNumber))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }

    /// A port the kernel hands out for loopback, released for the server to take.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestSetupError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    /// The server could not take its port (see `RedisServer.init`).
    public var portTaken = false
    public init(_ description: String) { self.description = description }
}

/// Starts `arguments[0]` with posix_spawn, a clean signal mask and default signal handlers
/// (Foundation's `Process` on Linux leaves SIGTERM blocked in the child), stdout and stderr to
/// files, and the given environment (default: this process's).
public func spawn(_ arguments: [String], stdout: String, stderr: String = "/dev/null", environment: [String: String]? = nil) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { variables in variables.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { for pointer in envp ?? [] { free(pointer) } }
    var child: pid_t = 0
    let rc = envp.map { envp in posix_spawn(&child, arguments[0], &actions, &attributes, argv, envp) }
        ?? posix_spawn(&child, arguments[0], &actions, &attributes, argv, environ)
    guard rc == 0 else { throw TestSetupError("cannot start \(arguments[0]): error \(rc)") }
    return child
}
