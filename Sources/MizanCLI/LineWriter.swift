import Foundation

/// Lines for a file descriptor, written in batches: appended under a lock and written by a
/// background thread every `intervalMicroseconds` (or at once when `limit` bytes wait). `mizan dev` prints a
/// line per request; one `write(2)` per request was a measurable part of a cache hit's cost.
/// A line reaches the descriptor within that interval; `flush()` writes what waits (call it before
/// exiting).
final class LineWriter: @unchecked Sendable {
    private let fd: Int32
    private let limit: Int
    private let lock = NSLock()
    private var pending: [UInt8] = []
    /// Serializes writes, so batches reach the descriptor in the order they were taken.
    private let writeLock = NSLock()

    init(fd: Int32, intervalMicroseconds: UInt32 = 50_000, limit: Int = 64 << 10) {
        self.fd = fd
        self.limit = limit
        pending.reserveCapacity(limit)
        let thread = Thread { [weak self] in
            while let writer = self {
                writer.flush()
                usleep(intervalMicroseconds)
            }
        }
        thread.name = "mizan-log"
        thread.start()
    }

    func line(_ text: String) {
        let full = lock.withLock {
            pending.append(contentsOf: text.utf8)
            pending.append(UInt8(ascii: "\n"))
            return pending.count >= limit
        }
        if full { flush() }
    }

    func flush() {
        writeLock.withLock {
            let batch: [UInt8] = lock.withLock {
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            var offset = 0
            while offset < batch.count {
                let written = batch.withUnsafeBytes { write(fd, $0.baseAddress! + offset, batch.count - offset) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return  // a closed stdout must not take the server down
                }
                offset += written
            }
        }
    }
}
