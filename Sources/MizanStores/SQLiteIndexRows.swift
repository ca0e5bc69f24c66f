import MizanProtocol

/// An entry's rows in the SQLite store's index tables. The `terms` column keeps them, so that
/// deleting the entry finds them by primary key without reading its metadata JSON: per row a kind
/// byte (`c`, `p`, `t`), then each field as a 4-byte little-endian length and its bytes.
struct SQLiteIndexRows: Equatable {
    var clients: [String] = []
    var params: [EntryIndexTerms.Param] = []
    var tags: [String] = []

    init(_ metadata: EntryMetadata) {
        let terms = EntryIndexTerms(metadata)
        clients = Array(terms.clients)
        params = Array(terms.params)
        tags = metadata.tags
    }

    /// Nil for anything but what `encoded` writes for an entry.
    init?(encoded bytes: [UInt8]) {
        var at = 0
        func field() -> [UInt8]? {
            guard bytes.count - at >= 4 else { return nil }
            let count = (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
            at += 4
            guard bytes.count - at >= count else { return nil }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }
        func text() -> String? { field().flatMap { String(validating: $0, as: UTF8.self) } }
        while at < bytes.count {
            let kind = bytes[at]
            at += 1
            switch kind {
            case UInt8(ascii: "c"):
                guard let client = text() else { return nil }
                clients.append(client)
            case UInt8(ascii: "p"):
                guard let client = text(), let name = text(), let value = field() else { return nil }
                params.append(EntryIndexTerms.Param(client: client, name: name, value: value))
            case UInt8(ascii: "t"):
                guard let tag = text() else { return nil }
                tags.append(tag)
            default:
                return nil
            }
        }
        // Every entry has a row for its own client: none means no `terms` (a NULL column).
        guard !clients.isEmpty else { return nil }
    }

    var encoded: [UInt8] {
        var out: [UInt8] = []
        func field(_ bytes: some Collection<UInt8>) {
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out += $0 }
            out += bytes
        }
        for client in clients {
            out.append(UInt8(ascii: "c"))
            field(client.utf8)
        }
        for param in params {
            out.append(UInt8(ascii: "p"))
            field(param.client.utf8)
            field(param.name.utf8)
            field(param.value)
        }
        for tag in tags {
            out.append(UInt8(ascii: "t"))
            field(tag.utf8)
        }
        return out
    }

    func insert(entry id: Int64, _ db: SQLiteConnection) throws {
        try each(entry: id, db,
                 client: "INSERT INTO entry_clients(client, entry) VALUES (?1, ?2)",
                 param: "INSERT INTO entry_params(client, name, value, entry) VALUES (?1, ?2, ?3, ?4)",
                 tag: "INSERT INTO entry_tags(tag, entry) VALUES (?1, ?2)")
    }

    func delete(entry id: Int64, _ db: SQLiteConnection) throws {
        try each(entry: id, db,
                 client: "DELETE FROM entry_clients WHERE client = ?1 AND entry = ?2",
                 param: "DELETE FROM entry_params WHERE client = ?1 AND name = ?2 AND value = ?3 AND entry = ?4",
                 tag: "DELETE FROM entry_tags WHERE tag = ?1 AND entry = ?2")
    }

    /// Runs one statement per row, its columns bound in primary-key order, the entry last.
    private func each(entry id: Int64, _ db: SQLiteConnection, client: String, param: String, tag: String) throws {
        for name in clients { try db.query(client, [.text(name), .int(id)]) }
        for row in params { try db.query(param, [.text(row.client), .text(row.name), .blob(row.value), .int(id)]) }
        for name in tags { try db.query(tag, [.text(name), .int(id)]) }
    }
}
