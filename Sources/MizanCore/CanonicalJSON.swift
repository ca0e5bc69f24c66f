import Foundation
import Crypto

/// The canonical JSON form used for the schema hash: object keys sorted by their UTF-8 bytes,
/// no insignificant whitespace, numbers exactly as written, strings with minimal escapes.
/// Formatting a schema differently never changes its hash; changing its meaning always does.
public enum CanonicalJSON {
    public static func bytes(of node: JSONNode) -> [UInt8] {
        var out: [UInt8] = []
        write(node, into: &out)
        return out
    }

    static func write(_ node: JSONNode, into out: inout [UInt8]) {
        switch node.value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let raw): out.append(contentsOf: raw.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Duplicate keys are rejected before hashing; sorting is stable regardless.
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])  // RFC 8785's short forms
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                let hex = Array("0123456789abcdef".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// SHA-256 helpers; the only place the package touches swift-crypto for plain hashing.
public enum ContentHash {
    /// `sha256:` followed by 64 lowercase hex digits.
    public static func sha256(_ bytes: [UInt8]) -> String {
        "sha256:" + hex(Array(SHA256.hash(data: bytes)))
    }

    /// A streaming SHA-256, for files and request bodies that are not held whole in memory.
    public struct Hasher {
        private var state = SHA256()
        public private(set) var count = 0

        public init() {}

        public mutating func update(_ bytes: some DataProtocol) {
            state.update(data: bytes)
            count += bytes.count
        }

        /// `sha256:` and 64 hex digits.
        public func finish() -> String { "sha256:" + ContentHash.hex(Array(state.finalize())) }
    }

    /// The file's hash and size, read in 1 MiB chunks.
    public static func sha256(file path: String) throws -> (hash: String, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = Hasher()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return (hasher.finish(), hasher.count)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
