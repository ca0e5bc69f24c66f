import Foundation

/// Lines for a file descriptor, written in batches by a background thread: `mizan dev` prints a
/// line per request, and one `write(2)` per request was a measurable part of a cache hit's cost.
///
/// `line` only appends under a lock; it never writes, so a slow terminal or a full pipe cannot
/// hold up the event loop that served the request. The writer thread writes what waits every
/// `intervalMicroseconds`, or as soon as `wakeBytes` wait. When more than `maxPendingBytes` wait
/// (the output is not being read), further lines are dropped and counted, and a line saying how
/// many were dropped is written once the output drains. `flush()` writes what waits (call it
/// before exiting).
final class LineWriter: @unchecked Sendable {
    private let fd: Int32
    private let wakeBytes: Int
    private let maxPendingBytes: Int
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    /// The other half of the double buffer, handed back by `flush` so that appends do not allocate.
    private var spare: [UInt8] = []
    private var dropped = 0
    /// Serializes writes, so batches reach the descriptor in the order they were taken.
    private let writeLock = NSLock()

    init(fd: Int32, intervalMicroseconds: UInt32 = 50_000, wakeBytes: Int = 64 << 10, maxPendingBytes: Int = 8 << 20) {
        self.fd = fd
        self.wakeBytes = wakeBytes
        self.maxPendingBytes = maxPendingBytes
        pending.reserveCapacity(wakeBytes)
        spare.reserveCapacity(wakeBytes)
        let interval = TimeInterval(intervalMicroseconds) / 1_000_000
        let thread = Thread { [weak self] in
            while let writer = self {
                writer.waitForWork(interval)
                writer.flush()
            }
        }
        thread.name = "mizan-log"
        thread.start()
    }

    func line(_ text: String) {
        line { $0.append(contentsOf: text.utf8) }
    }

    /// A line that `write` appends to the pending bytes itself (under the lock; the newline is
    /// added after it), so no string is made for it.
    func line(_ write: (inout [UInt8]) -> Void) {
        condition.lock()
        let start = pending.count
        write(&pending)
        pending.append(UInt8(ascii: "\n"))
        if pending.count > maxPendingBytes {
            pending.removeSubrange(start...)
            dropped += 1
        }
        let wake = pending.count >= wakeBytes
        condition.unlock()
        if wake { condition.signal() }
    }

    private func waitForWork(_ interval: TimeInterval) {
        condition.lock()
        if pending.count < wakeBytes { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
        condition.unlock()
    }

    func flush() {
        writeLock.withLock {
            var batch: [UInt8] = []
            let droppedLines: Int = condition.withLock {
                swap(&batch, &pending)
                swap(&pending, &spare)
                defer { dropped = 0 }
                return dropped
            }
            if droppedLines > 0 {
                batch.append(contentsOf: "mizan dev: \(droppedLines) request log lines dropped: the output was not being read\n".utf8)
            }
            writeAll(batch)
            batch.removeAll(keepingCapacity: true)
            condition.withLock {
                if spare.capacity < batch.capacity { spare = batch }
            }
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return  // a closed stdout must not take the server down
            }
            offset += written
        }
    }
}
