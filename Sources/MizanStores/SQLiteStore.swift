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
public final class SQLiteStore: CacheStore, @unchecked Sendable {
    /// The schema this build writes; `PRAGMA user_version` holds the file's.
    public static let schemaVersion: Int64 = 2

    /// The most entries past their stale window that one put deletes: enough to keep up with
    /// expiry, few enough that no put pays for many.
    static let sweepLimit = 32

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
            try db.query("SELECT meta, body, expires FROM entries WHERE key = ?1", [.text(key.hex)]) { row in
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
        }
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        let now = clock.now()
        return try await run { db in
            try db.transaction {
                let ids = try Self.select(selector, scope: scope, db)
                switch mode {
                case .hard: try Self.delete(ids: ids, db)
                case .soft:
                    for id in ids { try db.query("UPDATE entries SET expires = min(expires, ?1) WHERE id = ?2", [.int(now), .int(id)]) }
                }
                return ids.count
            }
        }
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        let now = clock.now()
        return try await run { db in
            var sql: SQL
            if filter.selector == .all && filter.scope == .everything {
                // Everything: walk the key index page by page, instead of materializing every id
                // for each page (a million ids per page made a full listing quadratic).
                sql = SQL(text: "SELECT meta, expires FROM entries WHERE stale_until > ?1", values: [])
            } else {
                sql = try Self.candidateSQL(filter.selector, scope: filter.scope, db)
                sql.text = "SELECT meta, expires FROM entries WHERE id IN (\(sql.text)) AND stale_until > ?\(sql.values.count + 1)"
            }
            sql.values.append(.int(now))
            if let cursor {
                sql.values.append(.text(cursor))
                sql.text += " AND key > ?\(sql.values.count)"
            }
            sql.text += " ORDER BY key"
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
    /// index candidates may not match.
    private static func select(_ selector: PurgeSelector, scope: PurgeScope, _ db: SQLiteConnection) throws -> [Int64] {
        let sql = try candidateSQL(selector, scope: scope, db)
        var ids: [Int64] = []
        if selector.needsConfirmation {
            try db.query("SELECT id, meta FROM entries WHERE id IN (\(sql.text))", sql.values) { row in
                if selector.matches(try MetadataJSON.decode(row.blob(1))) { ids.append(row.int(0)) }
            }
        } else {
            try db.query(sql.text, sql.values) { ids.append($0.int(0)) }
        }
        return ids
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

    /// Deletes entries with their index rows and takes them off their clients' counts. A few
    /// go one by one, their index rows found by primary key from `terms`; a large share of the
    /// store goes in one pass over each index table, cheaper than as many lookups.
    private static func delete(ids: [Int64], _ db: SQLiteConnection) throws {
        guard !ids.isEmpty else { return }
        var removed: [String: (entries: Int64, bytes: Int64)] = [:]
        if ids.count >= 1000, try ids.count * 4 >= totalEntries(db) {
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY)")
            for id in ids { try db.query("INSERT INTO temp.doomed(id) VALUES (?1)", [.int(id)]) }
            try db.query("SELECT client, count(*), sum(size) FROM entries WHERE id IN (SELECT id FROM temp.doomed) GROUP BY client") { row in
                removed[row.text(0) ?? ""] = (row.int(1), row.int(2))
            }
            for table in ["entry_clients", "entry_params", "entry_tags", "entries"] {
                try db.execute("DELETE FROM \(table) WHERE \(table == "entries" ? "id" : "entry") IN (SELECT id FROM temp.doomed)")
            }
            try db.execute("DELETE FROM temp.doomed")
        } else {
            for id in ids {
                var found: (client: String, size: Int64, terms: [UInt8])?
                try db.query("SELECT client, size, terms FROM entries WHERE id = ?1", [.int(id)]) { found = ($0.text(0) ?? "", $0.int(1), $0.blob(2)) }
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
                removed[found.client, default: (0, 0)].entries += 1
                removed[found.client, default: (0, 0)].bytes += found.size
            }
        }
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
