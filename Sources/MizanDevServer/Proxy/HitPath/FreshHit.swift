import HTTPTypes
import MizanStores
import NIOCore

extension DevServer {
    /// The whole HTTP/1.1 response to a GET or HEAD of `target` when it reads a cacheable
    /// client whose entry is in the memory store and fresh; nil for anything else, which the
    /// async responder then answers. The answer is the responder's for the same request: the key
    /// comes from the same `resolveKey`, the headers from the same `hitAnswer`, and the stats and
    /// the log line are the same.
    func freshHit(
        isHead: Bool, target: String, header: (String) -> [String], store: MemoryStore, allocator: ByteBufferAllocator
    ) -> ByteBuffer? {
        let started = ContinuousClock.now
        let path: Substring
        let query: Substring?
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = Substring(target)
            query = nil
        }
        if Self.isManagementPath(path) { return nil }

        let current = routes.currentWithMemo
        let remembered: HitKeyMemo.Remembered
        if let known = current.memo.key(for: target) {
            remembered = known
        } else {
            guard let (entry, pathParams) = current.table.match(method: "GET", path: path),
                  case .keyed(let keyed) = resolveKey(entry, pathParams: pathParams, query: query, header: header)
            else { return nil }
            remembered = .init(key: keyed.key, client: entry.route.client)
            if entry.keyFollowsFromTarget { current.memo.remember(remembered, for: target) }
        }
        guard let stored = store.getNow(remembered.key) else { return nil }
        let now = options.clock.now()
        guard stored.metadata.isFresh(at: now) else { return nil }

        let status = CacheStatus(hit: true, ttl: (stored.metadata.expires - now) / 1000)
        var answer = Self.hitAnswer(stored, ifNoneMatch: header("If-None-Match"), status: status, now: now)
        answer.fields.append(("Date", HTTPDate.now()))
        if answer.withBody { answer.fields.append(("Content-Length", String(stored.body.count))) }
        // A stored field that cannot be written as it is goes through the responder's typed path.
        guard let bytes = HitEncoding.encode(
            status: answer.status, fields: answer.fields, body: answer.withBody && !isHead ? stored.body : nil, allocator: allocator)
        else { return nil }

        stats.update {
            $0.requests += 1
            $0.hits += 1
        }
        var record = RequestLogRecord(method: isHead ? "HEAD" : "GET", path: String(path))
        record.client = remembered.client
        record.outcome = status.outcome
        record.status = answer.status.code
        let elapsed = (ContinuousClock.now - started).components
        record.milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        log(record)
        return bytes
    }
}
