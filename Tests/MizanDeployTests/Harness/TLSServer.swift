import Foundation

/// `openssl s_server -www` on a free loopback port with a fresh self-signed certificate: a real
/// TLS server to show that the client verifies certificates and host names. `-www` answers a
/// GET with 200 and an HTML status page. The processes are started with posix_spawn and reaped
/// with waitpid (Foundation's `Process` can hang when several start at once).
final class TLSServer: @unchecked Sendable {
    static let openssl = "/usr/bin/openssl"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    let port: Int
    /// The certificate, which trusts itself: pass it as the client's CA bundle.
    let certificatePath: String
    private let pid: pid_t
    private let directory: String

    /// - Parameter subjectAltName: the names the certificate is for, as openssl writes them.
    static func start(subjectAltName: String) async throws -> TLSServer {
        let directory = TestFiles.temporaryPath("tls")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        let generator = try spawn([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=mizan test", "-addext", "subjectAltName=\(subjectAltName)", "-keyout", key, "-out", certificate,
        ])
        guard await exitStatus(generator) == 0 else { throw HarnessError.noOpenSSL }
        let port = try RawSocketServer.unusedPort()
        let pid = try spawn(["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet"])
        let server = TLSServer(port: port, certificatePath: certificate, pid: pid, directory: directory)
        for _ in 0..<100 where !RawSocketServer.accepts(port: port) { try await Task.sleep(for: .milliseconds(50)) }
        guard RawSocketServer.accepts(port: port) else {
            server.stop()
            throw HarnessError.didNotStart
        }
        return server
    }

    private init(port: Int, certificatePath: String, pid: pid_t, directory: String) {
        self.port = port
        self.certificatePath = certificatePath
        self.pid = pid
        self.directory = directory
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts openssl with `arguments`, its output discarded.
    private static func spawn(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([openssl] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child inherits the spawning thread's signal mask; start it with none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawn(&pid, openssl, &actions, &attributes, argv, environ) == 0 else { throw HarnessError.noOpenSSL }
        return pid
    }

    /// Waits for `pid` to exit without holding a thread of the cooperative pool.
    private static func exitStatus(_ pid: pid_t) async -> Int32 {
        while true {
            var status: Int32 = 0
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
            if done < 0 { return -1 }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
