import Foundation
import MizanProtocol

/// The metadata record as the SQLite and Redis stores keep it: the protocol's JSON, version 1.
enum MetadataJSON {
    static func encode(_ metadata: EntryMetadata) throws -> [UInt8] {
        do { return Array(try JSONEncoder().encode(metadata)) } catch {
            throw StoreError(.failed, "cannot write the metadata of entry \(metadata.key): \(error)")
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> EntryMetadata {
        do { return try JSONDecoder().decode(EntryMetadata.self, from: Data(bytes)) } catch {
            throw StoreError(.failed, "a stored metadata record does not read (\(error)); purge the entry or clear the store")
        }
    }
}

extension EntryMetadata {
    /// Stores refuse what the protocol forbids rather than keep an entry no selector could reach.
    func checkStorable() throws {
        for tag in tags where !EntryMetadata.isValidTag(tag) {
            throw StoreError(.invalid, "tag \(tag.debugDescription) is not 1–128 visible ASCII characters; the entry was not stored")
        }
    }
}
