import Dispatch
import Foundation
import MizanProtocol

/// Entries in one SQLite file (the system libsqlite3), in WAL mode, so several `mizan` processes
/// can share it and a crash loses no committed entry.
///
/// Besides `entries`, three index tables say where each entry belongs: `entry_clients` (its client
/// and every client it depends on), `entry_params` (client, parameter, canonical value) and
/// `entry_tags`. A purge selects from them by primary key, so it reads only the rows it touches.
/// The `expires` column is authoritative over the metadata JSON's, since a soft purge moves it.
public final class SQLiteStore: CacheStore, @unchecked Sendable {
    /// The schema this build writes; `PRAGMA user_version` holds the file's.
    public static let schemaVersion: Int64 = 1

    private let connection: SQLiteConnection
    private let queue: DispatchQueue
    private let clock: StoreClock

    /// Opens (creating if needed) the store at `path` and migrates it to `schemaVersion`.
    /// `busyTimeout` is how long a write waits for another process's transaction.
    public init(path: String, clock: StoreClock = .system, busyTimeoutMilliseconds: Int32 = 5000) throws {
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        queue = DispatchQueue(label: "mizan.sqlite-store")
        self.clock = clock
        try connection.execute("PRAGMA journal_mode=WAL")
        // With WAL, NORMAL loses nothing when a process dies; only a power cut may lose the last commits.
        try connection.execute("PRAGMA synchronous=NORMAL")
        // Purges touch index pages all over a large file; a 64 MiB page cache keeps them warm.
        try connection.execute("PRAGMA cache_size=-65536")
        try Self.migrate(connection)
    }

    /// Brings the file's schema up to `schemaVersion`, one step per version, each in its own
    /// transaction. Refuses a file from a newer mizan rather than guessing at its layout.
    static func migrate(_ db: SQLiteConnection) throws {
        try db.transaction {
            var version: Int64 = 0
            try db.query("PRAGMA user_version") { version = $0.int(0) }
            guard version <= schemaVersion else {
                throw StoreError(.invalid, "the SQLite store \(db.path) has schema version \(version), newer than this mizan's \(schemaVersion); upgrade mizan or use another file")
            }
            if version < 1 {
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
        let meta = try MetadataJSON.encode(metadata)
        let terms = EntryIndexTerms(metadata)
        try await run { db in
            try db.transaction {
                try Self.delete(key: metadata.key.hex, db)
                try db.query(
                    "INSERT INTO entries(key, client, context, caller, expires, stale_until, size, meta, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    [.text(metadata.key.hex), .text(metadata.client), .text(metadata.context.rawValue),
                     metadata.caller.map { .text($0.hex) } ?? .null, .int(metadata.expires), .int(metadata.staleUntil),
                     .int(Int64(body.count)), .blob(meta), .blob(body)])
                var id: Int64 = 0
                try db.query("SELECT last_insert_rowid()") { id = $0.int(0) }
                for client in terms.clients {
                    try db.query("INSERT INTO entry_clients(client, entry) VALUES (?1, ?2)", [.text(client), .int(id)])
                }
                for term in terms.params {
                    try db.query("INSERT INTO entry_params(client, name, value, entry) VALUES (?1, ?2, ?3, ?4)",
                                 [.text(term.client), .text(term.name), .blob(term.value), .int(id)])
                }
                for tag in metadata.tags {
                    try db.query("INSERT INTO entry_tags(tag, entry) VALUES (?1, ?2)", [.text(tag), .int(id)])
                }
            }
        }
    }

    public func purge(_ selector: PurgeSelector, scope: PurgeScope, mode: PurgeMode) async throws -> Int {
        let now = clock.now()
        return try await run { db in
            try db.transaction {
                let ids = try Self.select(selector, scope: scope, db).filter(\.confirmed).map(\.id)
                for id in ids {
                    switch mode {
                    case .hard: try Self.delete(id: id, db)
                    case .soft: try db.query("UPDATE entries SET expires = min(expires, ?1) WHERE id = ?2", [.int(now), .int(id)])
                    }
                }
                return ids.count
            }
        }
    }

    public func list(_ filter: EntryFilter, after cursor: String?, limit: Int) async throws -> EntryPage {
        let now = clock.now()
        return try await run { db in
            var sql = Self.candidateSQL(filter.selector, scope: filter.scope)
            sql.text = "SELECT meta, expires FROM entries WHERE id IN (\(sql.text)) AND stale_until > ?\(sql.values.count + 1)"
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
            try db.query("SELECT count(*), coalesce(sum(size), 0) FROM entries") { row in
                stats.entries = Int(row.int(0))
                stats.bytes = Int(row.int(1))
            }
            try db.query("SELECT client, count(*) FROM entries GROUP BY client") { row in
                stats.perClient[row.text(0) ?? ""] = Int(row.int(1))
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

    /// A query of entry ids from the index tables, narrowed to the scope.
    private static func candidateSQL(_ selector: PurgeSelector, scope: PurgeScope) -> SQL {
        var sql: SQL
        switch selector {
        case .all:
            sql = SQL(text: "SELECT id FROM entries", values: [])
        case .tag(let tag):
            sql = SQL(text: "SELECT entry FROM entry_tags WHERE tag = ?1", values: [.text(tag)])
        case .client(let client, let params) where params.isEmpty:
            sql = SQL(text: "SELECT entry FROM entry_clients WHERE client = ?1", values: [.text(client)])
        case .client(let client, let params):
            sql = SQL(text: "", values: [])
            var parts: [String] = []
            for term in EntryIndexTerms.terms(client: client, params: params) {
                let n = sql.values.count
                parts.append("SELECT entry FROM entry_params WHERE client = ?\(n + 1) AND name = ?\(n + 2) AND value = ?\(n + 3)")
                sql.values += [.text(term.client), .text(term.name), .blob(term.value)]
            }
            sql.text = parts.joined(separator: " INTERSECT ")
        }
        var conditions: [String] = []
        if let context = scope.context {
            sql.values.append(.text(context.rawValue))
            conditions.append("context = ?\(sql.values.count)")
        }
        if let caller = scope.caller {
            sql.values.append(.text(caller.hex))
            conditions.append("caller = ?\(sql.values.count)")
        }
        if !conditions.isEmpty {
            sql.text = "SELECT id FROM entries WHERE id IN (\(sql.text)) AND " + conditions.joined(separator: " AND ")
        }
        return sql
    }

    /// The ids a selector picks in a scope; `confirmed` is false for index candidates that
    /// `matches` turns down.
    private static func select(_ selector: PurgeSelector, scope: PurgeScope, _ db: SQLiteConnection) throws -> [(id: Int64, confirmed: Bool)] {
        let sql = candidateSQL(selector, scope: scope)
        var ids: [(id: Int64, confirmed: Bool)] = []
        if selector.needsConfirmation {
            try db.query("SELECT id, meta FROM entries WHERE id IN (\(sql.text))", sql.values) { row in
                ids.append((row.int(0), selector.matches(try MetadataJSON.decode(row.blob(1)))))
            }
        } else {
            try db.query(sql.text, sql.values) { ids.append(($0.int(0), true)) }
        }
        return ids
    }

    private static func delete(key: String, _ db: SQLiteConnection) throws {
        var id: Int64?
        try db.query("SELECT id FROM entries WHERE key = ?1", [.text(key)]) { id = $0.int(0) }
        if let id { try delete(id: id, db) }
    }

    private static func delete(id: Int64, _ db: SQLiteConnection) throws {
        try db.query("DELETE FROM entry_clients WHERE entry = ?1", [.int(id)])
        try db.query("DELETE FROM entry_params WHERE entry = ?1", [.int(id)])
        try db.query("DELETE FROM entry_tags WHERE entry = ?1", [.int(id)])
        try db.query("DELETE FROM entries WHERE id = ?1", [.int(id)])
    }
}
