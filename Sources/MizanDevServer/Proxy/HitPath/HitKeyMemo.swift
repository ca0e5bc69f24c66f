import Foundation
import MizanProtocol

/// Keys of recent cacheable reads by request target, for reads whose key follows from the
/// target alone (`RouteTable.Entry.keyFollowsFromTarget`): a hit on a remembered target skips
/// route matching, param canonicalization and the key's HMAC, which were half of a hit's own
/// work. Belongs to one route table (`RoutesHolder` drops it with the table); bounded, and
/// emptied when full, so a client sending endless distinct targets costs memory only up to
/// `capacity`.
final class HitKeyMemo: @unchecked Sendable {
    struct Remembered {
        let key: CacheKey
        let client: String
    }

    static let capacity = 4096

    private let lock = NSLock()
    private var keys: [String: Remembered] = [:]

    func key(for target: String) -> Remembered? {
        lock.withLock { keys[target] }
    }

    func remember(_ remembered: Remembered, for target: String) {
        lock.withLock {
            if keys.count >= Self.capacity { keys.removeAll(keepingCapacity: true) }
            keys[target] = remembered
        }
    }

    var count: Int { lock.withLock { keys.count } }
}
