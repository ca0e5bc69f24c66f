import Foundation
import MizanProtocol

/// Upstream requests in flight per cache key, so that concurrent misses for one key (and a
/// background refresh) share one upstream request. The key already separates callers of
/// `user`/`session` entries, so one caller never waits on another's response.
final class InFlight<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [CacheKey: Task<Value, Never>] = [:]

    /// The task for `key`: a running one (`leader` false), or a new one from `start`.
    func join(_ key: CacheKey, start: @escaping @Sendable () async -> Value) -> (task: Task<Value, Never>, leader: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if let running = tasks[key] { return (running, false) }
        // Not cancelled with the request that started it: the others still wait on it.
        let task = Task { [self] in
            let value = await start()
            self.finish(key)
            return value
        }
        tasks[key] = task
        return (task, true)
    }

    func isRunning(_ key: CacheKey) -> Bool { lock.withLock { tasks[key] != nil } }

    private func finish(_ key: CacheKey) {
        lock.withLock { _ = tasks.removeValue(forKey: key) }
    }
}
