import Foundation
import MizanCore
import MizanProtocol

/// The metadata record as the SQLite and Redis stores keep it: the protocol's JSON, version 1.
enum MetadataJSON {
    static func encode(_ metadata: EntryMetadata) throws -> [UInt8] {
        do { return Array(try JSONEncoder().encode(metadata)) } catch {
            throw StoreError(.failed, "cannot write the metadata of entry \(metadata.key): \(error)")
        }
    }

    /// Every `get` decodes a record, and `JSONDecoder` was nearly all of its time; `fastDecode`
    /// reads the usual record directly. Whatever it does not expect goes to `JSONDecoder`, which
    /// gives the same value or the usual error.
    static func decode(_ bytes: [UInt8]) throws -> EntryMetadata {
        if let metadata = fastDecode(bytes) { return metadata }
        do { return try JSONDecoder().decode(EntryMetadata.self, from: Data(bytes)) } catch {
            throw StoreError(.failed, "a stored metadata record does not read (\(error)); purge the entry or clear the store")
        }
    }

    /// The record read with MizanCore's parser and taken apart by hand; nil for anything but a
    /// version-1 record with each known field once, of its type, integers written as plain integers.
    static func fastDecode(_ bytes: [UInt8]) -> EntryMetadata? {
        guard let root = try? JSONParser.parse(bytes, file: "metadata").root, let members = root.members else { return nil }
        var fields = Fields()
        for member in members {
            guard fields.read(member.key, member.value) else { return nil }
        }
        return fields.metadata
    }

    private struct Fields {
        /// One bit per field read, so a field given twice is refused.
        var seen: UInt32 = 0
        var version: Int?, key: CacheKey?, client: String?, params: CanonicalParams?, context: CacheContext?
        var caller: CallerID?, status: Int?, contentType: String?, headers: [StoredHeader]?
        var created: Int64?, expires: Int64?, staleUntil: Int64?, etag: String?, size: Int?, tags: [String]?, deps: [Dependency]?

        /// False for a repeated field or a value of the wrong type. Unknown fields are skipped, as
        /// the protocol asks of readers.
        mutating func read(_ name: String, _ value: JSONNode) -> Bool {
            guard let index = Self.names.firstIndex(of: name) else { return true }
            guard seen & (1 << index) == 0 else { return false }
            seen |= 1 << index
            switch name {
            case "version": version = value.intValue
            case "key": key = value.stringValue.flatMap { CacheKey(hex: $0) }
            case "client": client = value.stringValue
            case "params": params = Self.params(value)
            case "context": context = value.stringValue.flatMap(CacheContext.init(rawValue:))
            case "caller":
                if value.isNull { return true }
                guard let hex = value.stringValue, let id = CallerID(hex: hex) else { return false }
                caller = id
            case "status": status = value.intValue
            case "content_type":
                if value.isNull { return true }
                contentType = value.stringValue
                return contentType != nil
            case "headers":
                headers = value.elements.flatMap { elements in
                    Self.all(elements) { pair in
                        guard let two = pair.elements, two.count == 2, let name = two[0].stringValue, let text = two[1].stringValue else { return nil }
                        return StoredHeader(name: name, value: text)
                    }
                }
            case "created": created = value.int64Value
            case "expires": expires = value.int64Value
            case "stale_until": staleUntil = value.int64Value
            case "etag": etag = value.stringValue
            case "size": size = value.intValue
            case "tags": tags = value.elements.flatMap { Self.all($0, \.stringValue) }
            case "deps": deps = value.elements.flatMap { Self.all($0, Self.dependency) }
            default: return false
            }
            return true
        }

        private static let names = [
            "version", "key", "client", "params", "context", "caller", "status", "content_type", "headers", "created", "expires",
            "stale_until", "etag", "size", "tags", "deps",
        ]

        var metadata: EntryMetadata? {
            guard version == EntryMetadata.currentVersion, let key, let client, let params, let context, let status, let headers,
                  let created, let expires, let staleUntil, let etag, let size, let tags, let deps,
                  !context.isPerCaller || caller != nil else { return nil }
            return EntryMetadata(
                key: key, client: client, params: params, context: context, caller: caller, status: status, contentType: contentType,
                headers: headers, created: created, expires: expires, staleUntil: staleUntil, etag: etag, size: size, tags: tags, deps: deps)
        }

        private static func params(_ node: JSONNode) -> CanonicalParams? {
            guard node.members != nil else { return nil }
            return try? CanonicalParams(canonicalJSON: node)
        }

        private static func dependency(_ node: JSONNode) -> Dependency? {
            guard let members = node.members, members.count == 2 else { return nil }
            var client: String?, params: CanonicalParams?
            for member in members {
                switch member.key {
                case "client" where client == nil: client = member.value.stringValue
                case "params" where params == nil: params = Self.params(member.value)
                default: return nil
                }
            }
            guard let client, let params else { return nil }
            return Dependency(client: client, params: params)
        }

        /// Each element read, or nil when any one does not read.
        private static func all<T>(_ elements: [JSONNode], _ read: (JSONNode) -> T?) -> [T]? {
            var out: [T] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                guard let value = read(element) else { return nil }
                out.append(value)
            }
            return out
        }
    }
}

extension JSONNode {
    fileprivate var int64Value: Int64? {
        if case .number(let raw) = value { return Int64(raw) }
        return nil
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
