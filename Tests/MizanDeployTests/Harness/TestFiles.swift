import Crypto
import Foundation

/// Files for upload tests, written in chunks so that the test itself never holds one whole.
enum TestFiles {
    /// A file of `size` pseudo-random bytes; returns its path and SHA-256 (hex).
    static func random(size: Int, seed: UInt64 = 42) throws -> (path: String, sha256: String) {
        let path = temporaryPath("upload")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? handle.close() }
        var generator = SplitMix64(seed: seed)
        var hasher = SHA256()
        var written = 0
        while written < size {
            let count = min(1 << 20, size - written)
            var chunk = [UInt8](repeating: 0, count: count)
            for index in 0..<count { chunk[index] = UInt8(truncatingIfNeeded: generator.next()) }
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            written += count
        }
        return (path, hex(hasher.finalize()))
    }

    /// A sparse file of `size` zero bytes, which takes no disk space; returns its path and SHA-256.
    static func zeros(size: Int) throws -> (path: String, sha256: String) {
        let path = temporaryPath("zeros")
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0, ftruncate(fd, off_t(size)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        close(fd)
        var hasher = SHA256()
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var hashed = 0
        while hashed < size {
            let count = min(chunk.count, size - hashed)
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            hashed += count
        }
        return (path, hex(hasher.finalize()))
    }

    static func temporaryPath(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mizan-\(prefix)-\(UUID().uuidString)").path
    }

    static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    private static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}

/// A small seeded generator, so that "random" test data and jitter are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The process's resident memory, from /proc/self/status.
enum ProcessMemory {
    /// Sets the peak back to the current size (Linux's clear_refs "5").
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Current (VmRSS) and peak (VmHWM) resident bytes.
    static func resident() -> (current: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        guard let current = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        return (current * 1024, peak * 1024)
    }
}
