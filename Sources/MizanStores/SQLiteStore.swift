import Dispatch
import Foundation
import MizanProtocol

/// Entries in one SQLite file (the system libsqlite3), in WAL mode, so several `mizan` processes
/// can share it and a crash loses no committed entry.
///
/// Besides `entries`, three index tables say where each entry belongs: `entry_clients` (its client
/// and every client it depends on), `entry_params` (client, parameter, canonical value) and
/// `entry_tags`. A purge selects from them by primary key, so it reads only the rows it touches;
/// deleting an entry finds its index rows, by primary key too, from the list its `terms` column
/// keeps. `clients` keeps each client's count and bytes for `stats`. A put deletes a few entries
/// past their stale window (`entries_stale`). The `expires` column is authoritative over the
/// metadata JSON's, since a soft purge moves it. The WAL is checkpointed beside the writes.
///
/// A purge writes only to `purged`, a small table keyed by entry id: NULL `expires` for an
/// entry hard-purged, else the expiry a soft purge gave it. Gets, listings and purges read
/// through it, and `clients` is counted down at once, so what a purge did shows at once and
/// exactly; a purge of 1,000 entries writes a few pages instead of ~7 per entry (its row and
/// index rows lie all over the file). The deferred part — deleting those rows, or moving a soft
/// purge's expiry into its row — runs afterwards on the store's queue in short transactions
/// (`applyPurges`), and a put starts it if another process left some.
public final class SQLiteStore: CacheStore, @unchecked Sendable {
    /// The schema this build writes; `PRAGMA user_version` holds the file's.
    public static let schemaVersion: Int64 = 3

    /// The most entries past their stale window that one put deletes: enough to keep up with
    /// expiry, few enough that no put pays for many.
    static let sweepLimit = 32

    /// Deferred purges applied per transaction: about 5 ms of page writes each, so that gets
    /// and puts queued behind one wait little.
    static let applyLimit = 64

    /// How long after a purge its deferred part starts; nil: only when `applyPurges()` is called
    /// (tests). A short wait lets a burst of purges and the requests after them go first.
    var applyDelay: DispatchTimeInterval? = .milliseconds(100)
    /// Whether a background `applyPurges` is queued; read and written on `queue` only.
    private var applyQueued = false

    private let connection: SQLiteConnection
    let checkpointer: SQLiteCheckpointer
    private let queue: DispatchQueue
    private let clock: StoreClock

    /// Opens (creating if needed) the store at `path` and migrates it to `schemaVersion`.
    /// `busyTimeout` is how long a write waits for another process's transaction; `pageCacheKiB`
    /// bounds SQLite's page cache (a server purging all day wants it large, `mizan cache` small).
    public init(path: String, clock: StoreClock = .system, busyTimeoutMilliseconds: Int32 = 5000, pageCacheKiB: Int = 65536) throws {
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        queue = DispatchQueue(label: "mizan.sqlite-store")
        self.clock = clock
        try connection.execute("PRAGMA journal_mode=WAL")
        // With WAL, NORMAL loses nothing when a process dies; only a power cut may lose the last commits.
        try connection.execute("PRAGMA synchronous=NORMAL")
        // Purges touch index pages all over a large file; a 64 MiB page cache (the default) keeps them warm.
        try connection.execute("PRAGMA cache_size=-\(max(256, pageCacheKiB))")
        try Self.migrate(connection)
        checkpointer = try SQLiteCheckpointer(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        // SQLite's automatic checkpoint would run inside the commit that fills the WAL, making
        // that put or purge wait for the copy and its fsyncs.
        connection.onCommit(checkpointer.committed(frames:))
        // Purges another process (or this one, before a crash) left to apply.
        queue.async { self.applyIfPending() }
    }

    /// Brings the file's schema up to `target`, one step per version, all in one transaction.
    /// Refuses a file from a newer mizan rather than guessing at its layout.
    static func migrate(_ db: SQLiteConnection, to target: Int64 = schemaVersion) throws {
        try db.transaction {
            var version: Int64 = 0
            try db.query("PRAGMA user_version") { version = $0.int(0) }
            guard version <= schemaVersion else {
                throw StoreError(.invalid, "the SQLite store \(db.path) has schema version \(version), newer than this mizan's \(schemaVersion); upgrade mizan or use another file")
            }
            if version < 1 && target >= 1 {
                try db.execute("""
                    CREATE TABLE entries(
                      id INTEGER PRIMARY KEY,
                      key TEXT NOT NULL UNIQUE,
                      client TEXT NOT NULL,
                      context TEXT NOT NULL,
                      caller TEXT,
                      expires INTEGER NOT NULL,
                      stale_until INTEGER NOT NULL,
                      size INTEGER NOT NULL,
                      meta BLOB NOT NULL,
                      body BLOB NOT NULL);
                    CREATE INDEX entries_client ON entries(client);
                    CREATE INDEX entries_scope ON entries(context, caller);
                    CREATE TABLE entry_clients(client TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY(client, entry)) WITHOUT ROWID;
                    CREATE INDEX entry_clients_entry ON entry_clients(entry);
                    CREATE TABLE entry_params(client TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, entry INTEGER NOT NULL,
                      PRIMARY KEY(client, name, value, entry)) WITHOUT ROWID;
                    CREATE INDEX entry_params_entry ON entry_params(entry);
                    CREATE TABLE entry_tags(tag TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY(tag, entry)) WITHOUT ROWID;
                    CREATE INDEX entry_tags_entry ON entry_tags(entry);
                    PRAGMA user_version = 1;
                    """)
            }
            if version < 2 && target >= 2 {
                // Every index row is a page written per put and per deleted entry. The reverse
                // indexes (entry to its rows) and entries_client go: an entry's rows are kept in
                // its `terms` (SQLiteIndexRows; NULL in older rows, read from the metadata), and
                // `clients` counts per client. entries_stale finds the entries past their stale
                // window for the sweep.
                try db.execute("""
                    ALTER TABLE entries ADD COLUMN terms BLOB;
                    CREATE TABLE clients(client TEXT PRIMARY KEY, entries INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO clients SELECT client, count(*), sum(size) FROM entries GROUP BY client;
                    DROP INDEX entries_client;
                    DROP INDEX entry_clients_entry;
                    DROP INDEX entry_params_entry;
                    DROP INDEX entry_tags_entry;
                    CREATE INDEX entries_stale ON entries(stale_until);
                    PRAGMA user_version = 2;
                    """)
            }
            if version < 3 && target >= 3 {
                // Purges mark entries here and apply to their rows later (see the type's comment).
                try db.execute("""
                    CREATE TABLE purged(id INTEGER PRIMARY KEY, expires INTEGER);
                    PRAGMA user_version = 3;
                    """)
            }
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

    public func get(_ key: CacheKey) async throws -> StoredEntry? {
        let now = clock.now()
        return try await run { db in
            var found: (meta: [UInt8], body: [UInt8], expires: Int64)?
            try db.query("SELECT e.meta, e.body, \(Self.effectiveExpires) FROM entries AS e LEFT JOIN purged AS p ON p.id = e.id WHERE e.key = ?1 AND \(Self.notHardPurged)",
                         [.text(key.hex)]) { row in
                found = (row.blob(0), row.blob(1), row.int(2))
            }
            guard let found else { return nil }
            var metadata = try MetadataJSON.decode(found.meta)
            metadata.expires = found.expires
            return metadata.isGone(at: now) ? nil : StoredEntry(metadata: metadata, body: found.body)
        }
    }

    public func put(_ body: [UInt8], metadata: EntryMetadata) async throws {
        try metadata.checkStorable()
        let now = clock.now()
        let meta = try MetadataJSON.encode(metadata)
        let rows = SQLiteIndexRows(metadata)
        try await run { db in
            try db.transaction {
                try Self.sweep(now: now, db)
                var old: [Int64] = []
                try db.query("SELECT id FROM entries WHERE key = ?1", [.text(metadata.key.hex)]) { old.append($0.int(0)) }
                try Self.delete(ids: old, db)
                try db.query(
                    "INSERT INTO entries(key, client, context, caller, expires, stale_until, size, meta, body, terms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    [.text(metadata.key.hex), .text(metadata.client), .text(metadata.context.rawValue),
                     metadata.caller.map { .text($0.hex) } ?? .null, .int(metadata.expires), .int(metadata.staleUntil),
                     .int(Int64(body.count)), .blob(meta), .blob(body), .blob(rows.encoded)])
                var id: Int64 = 0
                try db.query("SELECT last_insert_rowid()") { id = $0.int(0) }
                try rows.insert(entry: id, db)
                try db.query("""
                    INSERT INTO clients(client, entries, bytes) VALUES (?1, 1, ?2)
                    ON CONFLICT(client) DO UPDATE SET entries = entries + 1, bytes = bytes + excluded.bytes
                    """, [.text(metadata.client), .int(Int64(body.count))])
            }
            self.applyIfPending()
        }
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        let now = clock.now()
        return try await run { db in
            let count = try db.transaction {
                let ids = try Self.select(selector, scope: scope, db)
                switch mode {
                case .hard:
                    if try Self.deletesInOnePass(ids.count, db) { try Self.delete(ids: ids, db) } else { try Self.markHardPurged(ids, db) }
                case .soft:
                    for id in ids {
                        try db.query("INSERT INTO purged(id, expires) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET expires = min(expires, excluded.expires)",
                                     [.int(id), .int(now)])
                    }
                }
                return ids.count
            }
            if count > 0 { self.scheduleApply() }
            return count
        }
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        let now = clock.now()
        return try await run { db in
            var sql: SQL
            if filter.selector == .all && filter.scope == .everything {
                // Everything: walk the key index page by page, instead of materializing every id
                // for each page (a million ids per page made a full listing quadratic).
                sql = SQL(text: "", values: [])
            } else {
                sql = try Self.candidateSQL(filter.selector, scope: filter.scope, db)
                sql.text = "e.id IN (\(sql.text)) AND "
            }
            sql.text = "SELECT e.meta, \(Self.effectiveExpires) FROM entries AS e LEFT JOIN purged AS p ON p.id = e.id WHERE \(sql.text)"
                + "\(Self.notHardPurged) AND e.stale_until > ?\(sql.values.count + 1)"
            sql.values.append(.int(now))
            if let cursor {
                sql.values.append(.text(cursor))
                sql.text += " AND e.key > ?\(sql.values.count)"
            }
            sql.text += " ORDER BY e.key"
            let confirm = filter.selector.needsConfirmation
            if !confirm && limit > 0 {
                sql.values.append(.int(Int64(limit + 1)))
                sql.text += " LIMIT ?\(sql.values.count)"
            }
            var found: [EntryMetadata] = []
            try db.query(sql.text, sql.values) { row in
                var metadata = try MetadataJSON.decode(row.blob(0))
                metadata.expires = row.int(1)
                if !confirm || filter.selector.matches(metadata) { found.append(metadata) }
            }
            return EntryPage.make(found, limit: limit)
        }
    }

    public func stats() async throws -> StoreStats {
        try await run { db in
            var stats = StoreStats(entries: 0, bytes: 0, perClient: [:], evictions: 0)
            try db.query("SELECT client, entries, bytes FROM clients") { row in
                stats.perClient[row.text(0) ?? ""] = Int(row.int(1))
                stats.entries += Int(row.int(1))
                stats.bytes += Int(row.int(2))
            }
            return stats
        }
    }

    /// SQLite's own check of the file, `ok` when sound.
    public func integrityCheck() async throws -> String {
        try await run { db in
            var lines: [String] = []
            try db.query("PRAGMA integrity_check") { lines.append($0.text(0) ?? "") }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: - Selecting

    private struct SQL {
        var text: String
        var values: [SQLiteValue]
    }

    /// A query of entry ids from the index tables, narrowed to the scope. Several params are
    /// driven by the one with the fewest entries, the others checked by primary key.
    private static func candidateSQL(_ selector: PurgeSelector, scope: PurgeScope, _ db: SQLiteConnection) throws -> SQL {
        var sql: SQL
        switch selector {
        case .all:
            sql = SQL(text: "SELECT id FROM entries", values: [])
        case .tag(let tag):
            sql = SQL(text: "SELECT entry FROM entry_tags WHERE tag = ?1", values: [.text(tag)])
        case .client(let client, let params) where params.isEmpty:
            sql = SQL(text: "SELECT entry FROM entry_clients WHERE client = ?1", values: [.text(client)])
        case .client(let client, let params):
            var terms = EntryIndexTerms.terms(client: client, params: params)
            if terms.count > 1 {
                let sizes = try terms.map { try entries(carrying: $0, db) }
                terms = zip(sizes, terms).sorted { $0.0 < $1.0 }.map(\.1)
            }
            sql = SQL(text: "SELECT d.entry FROM entry_params AS d WHERE d.client = ?1 AND d.name = ?2 AND d.value = ?3",
                      values: [.text(terms[0].client), .text(terms[0].name), .blob(terms[0].value)])
            for term in terms.dropFirst() {
                let n = sql.values.count
                sql.text += " AND EXISTS (SELECT 1 FROM entry_params WHERE client = ?\(n + 1) AND name = ?\(n + 2) AND value = ?\(n + 3) AND entry = d.entry)"
                sql.values += [.text(term.client), .text(term.name), .blob(term.value)]
            }
        }
        var conditions: [String] = []
        if let context = scope.context {
            sql.values.append(.text(context.rawValue))
            conditions.append("context = ?\(sql.values.count)")
        } else if scope.caller != nil {
            // Only user and session entries have a caller; naming both contexts lets the
            // (context, caller) index answer.
            conditions.append("context IN ('user', 'session')")
        }
        if let caller = scope.caller {
            sql.values.append(.text(caller.hex))
            conditions.append("caller = ?\(sql.values.count)")
        }
        if !conditions.isEmpty {
            let source = selector == .all ? "" : "id IN (\(sql.text)) AND "
            sql.text = "SELECT id FROM entries WHERE " + source + conditions.joined(separator: " AND ")
        }
        return sql
    }

    /// How many entries carry a param term, counted only up to a cap: enough to pick the
    /// smallest of a selector's terms without counting a large one in full.
    private static func entries(carrying term: EntryIndexTerms.Param, _ db: SQLiteConnection) throws -> Int64 {
        var count: Int64 = 0
        try db.query("SELECT count(*) FROM (SELECT 1 FROM entry_params WHERE client = ?1 AND name = ?2 AND value = ?3 LIMIT 10000)",
                     [.text(term.client), .text(term.name), .blob(term.value)]) { count = $0.int(0) }
        return count
    }

    /// The ids of the entries a selector picks in a scope, confirmed with `matches` where
    /// index candidates may not match. Entries hard-purged already are left out, so that no
    /// purge counts an entry twice.
    private static func select(_ selector: PurgeSelector, scope: PurgeScope, _ db: SQLiteConnection) throws -> [Int64] {
        let sql = try candidateSQL(selector, scope: scope, db)
        let live = "NOT EXISTS (SELECT 1 FROM purged AS p WHERE p.id = c.id AND p.expires IS NULL)"
        var ids: [Int64] = []
        if selector.needsConfirmation {
            try db.query("WITH c(id) AS (\(sql.text)) SELECT e.id, e.meta FROM c JOIN entries AS e ON e.id = c.id WHERE \(live)", sql.values) { row in
                if selector.matches(try MetadataJSON.decode(row.blob(1))) { ids.append(row.int(0)) }
            }
        } else {
            try db.query("WITH c(id) AS (\(sql.text)) SELECT c.id FROM c WHERE \(live)", sql.values) { ids.append($0.int(0)) }
        }
        return ids
    }

    /// The expiry an entry has (`e`, with its `purged` row `p` left-joined): a soft purge's, if
    /// not yet in its row.
    private static let effectiveExpires = "CASE WHEN p.expires < e.expires THEN p.expires ELSE e.expires END"
    /// True unless the entry (`p`, its `purged` row left-joined) is hard-purged.
    private static let notHardPurged = "(p.id IS NULL OR p.expires IS NOT NULL)"

    /// A hard purge of a few entries: marks them in `purged` and takes them off their clients'
    /// counts; `applyPurges` deletes their rows later.
    private static func markHardPurged(_ ids: [Int64], _ db: SQLiteConnection) throws {
        var removed: [String: (entries: Int64, bytes: Int64)] = [:]
        for id in ids {
            try db.query("SELECT client, size FROM entries WHERE id = ?1", [.int(id)]) { row in
                removed[row.text(0) ?? "", default: (0, 0)].entries += 1
                removed[row.text(0) ?? "", default: (0, 0)].bytes += row.int(1)
            }
            try db.query("INSERT INTO purged(id, expires) VALUES (?1, NULL) ON CONFLICT(id) DO UPDATE SET expires = NULL", [.int(id)])
        }
        try countDown(removed, db)
    }

    /// Whether deleting `count` entries is a large share of the store, cheaper in one pass over
    /// each table than by lookups (and then done at once: deferred, it would take far longer).
    private static func deletesInOnePass(_ count: Int, _ db: SQLiteConnection) throws -> Bool {
        count >= 1000 ? try count * 4 >= totalEntries(db) : false
    }

    /// Applies up to `limit` deferred purges (oldest entry id first) in one transaction:
    /// deletes the rows of hard-purged entries, moves soft purges' expiry into their rows.
    /// Returns how many it applied.
    private static func applyPurges(limit: Int, _ db: SQLiteConnection) throws -> Int {
        try db.transaction {
            var hard: [Int64] = []
            var soft: [(id: Int64, expires: Int64)] = []
            try db.query("SELECT id, expires FROM purged LIMIT ?1", [.int(Int64(limit))]) { row in
                if row.isNull(1) { hard.append(row.int(0)) } else { soft.append((row.int(0), row.int(1))) }
            }
            for entry in soft {
                try db.query("UPDATE entries SET expires = min(expires, ?1) WHERE id = ?2", [.int(entry.expires), .int(entry.id)])
                try db.query("DELETE FROM purged WHERE id = ?1", [.int(entry.id)])
            }
            try delete(ids: hard, db)
            // A hard-purged id whose entry row is gone (cannot happen in this code, but a row
            // left in `purged` would be retried forever).
            for id in hard { try db.query("DELETE FROM purged WHERE id = ?1", [.int(id)]) }
            return hard.count + soft.count
        }
    }

    /// Applies every deferred purge now, instead of in the background: for tests, benchmarks
    /// and a process about to exit.
    public func applyPurges() async throws {
        try await run { db in
            while try Self.applyPurges(limit: Self.applyLimit, db) == Self.applyLimit {}
        }
    }

    /// Queues the deferred part of purges, a transaction at a time; on `queue` only.
    private func scheduleApply(continuing: Bool = false) {
        guard !applyQueued, let delay = applyDelay else { return }
        applyQueued = true
        // The first waits; the rest follow at once, behind whatever was queued meanwhile.
        queue.asyncAfter(deadline: .now() + (continuing ? .milliseconds(0) : delay)) { [weak self] in
            guard let self else { return }
            self.applyQueued = false
            // A failure (another process holding the file past the busy timeout) is retried at
            // the next purge, put or open.
            guard let applied = try? Self.applyPurges(limit: Self.applyLimit, self.connection) else { return }
            if applied == Self.applyLimit { self.scheduleApply(continuing: true) }
        }
    }

    /// Schedules `applyPurges` if any are waiting; on `queue` only.
    private func applyIfPending() {
        guard !applyQueued else { return }
        var pending = false
        try? connection.query("SELECT 1 FROM purged LIMIT 1") { _ in pending = true }
        if pending { scheduleApply() }
    }

    /// Deletes up to `sweepLimit` entries past their stale window, soonest gone first: nothing
    /// serves or lists them, and nothing else would delete them.
    private static func sweep(now: Int64, _ db: SQLiteConnection) throws {
        var ids: [Int64] = []
        try db.query("SELECT id FROM entries WHERE stale_until <= ?1 ORDER BY stale_until LIMIT ?2", [.int(now), .int(Int64(sweepLimit))]) {
            ids.append($0.int(0))
        }
        try delete(ids: ids, db)
    }

    /// Deletes entries with their index rows and `purged` rows, and takes them off their
    /// clients' counts unless a hard purge did already. A few
    /// go one by one, their index rows found by primary key from `terms`; a large share of the
    /// store goes in one pass over each index table, cheaper than as many lookups.
    private static func delete(ids: [Int64], _ db: SQLiteConnection) throws {
        guard !ids.isEmpty else { return }
        var removed: [String: (entries: Int64, bytes: Int64)] = [:]
        if try deletesInOnePass(ids.count, db) {
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY)")
            for id in ids { try db.query("INSERT INTO temp.doomed(id) VALUES (?1)", [.int(id)]) }
            try db.query("""
                SELECT client, count(*), sum(size) FROM entries WHERE id IN (SELECT id FROM temp.doomed)
                AND id NOT IN (SELECT id FROM purged WHERE expires IS NULL) GROUP BY client
                """) { row in
                removed[row.text(0) ?? ""] = (row.int(1), row.int(2))
            }
            for table in ["entry_clients", "entry_params", "entry_tags", "purged", "entries"] {
                let column = table == "entries" || table == "purged" ? "id" : "entry"
                try db.execute("DELETE FROM \(table) WHERE \(column) IN (SELECT id FROM temp.doomed)")
            }
            try db.execute("DELETE FROM temp.doomed")
        } else {
            for id in ids {
                // `purged` says whether the entry was counted down already (hard-purged).
                var found: (client: String, size: Int64, terms: [UInt8], marked: Bool, hardPurged: Bool)?
                try db.query("SELECT e.client, e.size, e.terms, p.id IS NOT NULL, p.id IS NOT NULL AND p.expires IS NULL FROM entries AS e LEFT JOIN purged AS p ON p.id = e.id WHERE e.id = ?1",
                             [.int(id)]) { found = ($0.text(0) ?? "", $0.int(1), $0.blob(2), $0.int(3) != 0, $0.int(4) != 0) }
                guard let found else { continue }
                if let rows = try SQLiteIndexRows(encoded: found.terms) ?? indexRowsFromMetadata(id, db) {
                    try rows.delete(entry: id, db)
                } else {
                    // A record that does not read (the get that found it said to purge it): its
                    // index rows are found by scanning the index tables.
                    for table in ["entry_clients", "entry_params", "entry_tags"] {
                        try db.query("DELETE FROM \(table) WHERE entry = ?1", [.int(id)])
                    }
                }
                try db.query("DELETE FROM entries WHERE id = ?1", [.int(id)])
                if found.marked { try db.query("DELETE FROM purged WHERE id = ?1", [.int(id)]) }
                guard !found.hardPurged else { continue }
                removed[found.client, default: (0, 0)].entries += 1
                removed[found.client, default: (0, 0)].bytes += found.size
            }
        }
        try countDown(removed, db)
    }

    /// Takes entries off their clients' counts (and clients with none left off the table).
    private static func countDown(_ removed: [String: (entries: Int64, bytes: Int64)], _ db: SQLiteConnection) throws {
        for (client, count) in removed {
            try db.query("UPDATE clients SET entries = entries - ?2, bytes = bytes - ?3 WHERE client = ?1",
                         [.text(client), .int(count.entries), .int(count.bytes)])
            try db.query("DELETE FROM clients WHERE client = ?1 AND entries <= 0", [.text(client)])
        }
    }

    private static func totalEntries(_ db: SQLiteConnection) throws -> Int {
        var count = 0
        try db.query("SELECT coalesce(sum(entries), 0) FROM clients") { count = Int($0.int(0)) }
        return count
    }

    /// The index rows of an entry written before `terms` was kept, from its metadata.
    private static func indexRowsFromMetadata(_ id: Int64, _ db: SQLiteConnection) throws -> SQLiteIndexRows? {
        var metadata: EntryMetadata?
        try db.query("SELECT meta FROM entries WHERE id = ?1", [.int(id)]) { metadata = try? MetadataJSON.decode($0.blob(0)) }
        return metadata.map(SQLiteIndexRows.init)
    }
}
