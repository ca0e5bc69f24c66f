import CSQLite
import Foundation

/// One SQLite connection with its prepared statements, used from one queue at a time. Statements
/// are prepared once per SQL text and reset after each use.
final class SQLiteConnection {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var commitHook: ((Int) -> Void)?
    let path: String

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            db = nil
            throw StoreError(.unavailable, "cannot open the SQLite store at \(path): \(message)")
        }
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &error)
        guard rc == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(error)
            throw failure(message, rc: rc)
        }
    }

    /// Runs `body` in one write transaction (taken at once, so two processes queue on the busy
    /// timeout instead of failing at commit), rolled back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Binds `values`, steps through every row handing it to `row`, and resets the statement.
    func query(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void = { _ in }) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, position)
            case .int(let v): rc = sqlite3_bind_int64(statement, position, v)
            case .text(let s): rc = sqlite3_bind_text(statement, position, s, -1, csqlite_transient())
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { raw in
                    sqlite3_bind_blob64(statement, position, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(raw.count), csqlite_transient())
                }
            }
            guard rc == SQLITE_OK else { throw failure(lastMessage, rc: rc) }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw failure(lastMessage, rc: rc) }
            try row(SQLiteRow(statement: statement))
        }
    }

    /// Calls `body` after each commit with the number of frames in the WAL. Takes the place of
    /// SQLite's automatic checkpoint, which is itself such a hook.
    func onCommit(_ body: @escaping (Int) -> Void) {
        commitHook = body
        sqlite3_wal_hook(db, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue().commitHook?(Int(frames))
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private var lastMessage: String { String(cString: sqlite3_errmsg(db)) }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(lastMessage, rc: rc) }
        statements[sql] = statement
        return statement
    }

    private func failure(_ message: String, rc: Int32) -> StoreError {
        let kind: StoreError.Kind = (rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_CANTOPEN ? .unavailable : .failed
        return StoreError(kind, "SQLite store \(path): \(message)")
    }
}

/// Checkpoints a WAL-mode file (copies the WAL back into it) on a connection and queue of its
/// own, beside the store's writes rather than inside one of their commits.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// SQLite's own automatic checkpoint interval.
    static let interval = 1000

    private let connection: SQLiteConnection
    private let queue = DispatchQueue(label: "mizan.sqlite-checkpoint")
    private let lock = NSLock()
    private var requestedAt = 0
    private var done = 0

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    /// Checkpoints run so far, whole or partial.
    var completed: Int { lock.withLock { done } }

    /// Told after each commit how many frames the WAL holds; starts one checkpoint per
    /// `interval` frames written (commits go on while one runs, so asking at every commit past
    /// the mark would run them back to back, each with its fsyncs).
    func committed(frames: Int) {
        let start = lock.withLock { () -> Bool in
            if frames < requestedAt { requestedAt = 0 }  // the WAL started over
            guard frames - requestedAt >= Self.interval else { return false }
            requestedAt = frames
            return true
        }
        guard start else { return }
        queue.async { [self] in
            // PASSIVE copies beside readers and writers, but while writes go on it never catches
            // up, and the WAL only starts over once one has. When the WAL is long, RESTART copies
            // the little left, waiting for the writer, so that the next write starts it over.
            var frames = 0
            guard (try? connection.query("PRAGMA wal_checkpoint(PASSIVE)") { frames = Int($0.int(1)) }) != nil else { return }
            if frames >= 4 * Self.interval { try? connection.query("PRAGMA wal_checkpoint(RESTART)") }
            lock.withLock { done += 1 }
        }
    }

    /// Returns once every checkpoint started so far has run.
    func waitUntilIdle() { queue.sync {} }
}

enum SQLiteValue {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])
}

struct SQLiteRow {
    let statement: OpaquePointer

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
