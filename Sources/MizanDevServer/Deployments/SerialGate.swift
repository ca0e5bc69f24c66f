import Foundation

/// Runs async bodies one at a time, in the order they arrive. A lock cannot be held across an
/// `await` and an actor lets another call in at every `await`, so neither can keep "record the
/// deployment live" and "swap the served manifest" together; this can.
final class SerialGate: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = lock.withLock {
                if busy {
                    waiting.append(continuation)
                    return false
                }
                busy = true
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    /// Hands the gate straight to the next in line (it stays busy), or opens it.
    private func leave() {
        let next = lock.withLock {
            if waiting.isEmpty {
                busy = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return waiting.removeFirst()
        }
        next?.resume()
    }
}
