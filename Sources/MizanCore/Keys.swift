import Crypto

/// The keyed hashing the cache protocol needs (docs/protocol.md, "Key derivation"): HKDF-SHA256
/// to turn the project secret into purpose-bound keys, and HMAC-SHA256 over length-prefixed
/// fields. It lives here because MizanCore is the one module that imports swift-crypto; the
/// protocol's rules (which salt, which fields in which order) live in MizanProtocol.
///
/// `@unchecked Sendable`: `HMAC<SHA256>` is a value type whose digest state is copy-on-write
/// (swift-crypto checks `isKnownUniquelyReferenced` before mutating), so each task's copy is
/// its own; swift-crypto just does not declare it.
package struct DerivedKey: @unchecked Sendable {
    /// An HMAC already keyed: copying it skips the key schedule on every message.
    private let keyed: HMAC<SHA256>
    /// The raw key, kept only so conformance tests can compare it with the documented vectors.
    package let material: [UInt8]

    /// HKDF-SHA256 (RFC 5869) of `secret` with `salt` and `info`, 32 bytes long.
    package init(secret: [UInt8], salt: [UInt8], info: [UInt8]) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), salt: salt, info: info, outputByteCount: 32)
        self.keyed = HMAC<SHA256>(key: key)
        self.material = key.withUnsafeBytes { Array($0) }
    }

    /// Starts a message; add its fields, then `finalize()`.
    package func message() -> LengthPrefixedMAC { LengthPrefixedMAC(hmac: keyed) }

    /// HMAC-SHA256 of `bytes` as they are, without a length prefix.
    package func mac(_ bytes: [UInt8]) -> Digest256 {
        var hmac = keyed
        hmac.update(data: bytes)
        return Digest256(hmac.finalize())
    }
}

/// HMAC-SHA256 over a sequence of fields, each written as its length (4 bytes, big-endian)
/// followed by its bytes, so no two different field lists can produce the same message. The
/// message is assembled in one buffer and hashed with one update: swift-crypto's per-update cost
/// is far above the cost of copying a few hundred bytes.
package struct LengthPrefixedMAC {
    fileprivate var hmac: HMAC<SHA256>
    private var message: [UInt8] = []

    fileprivate init(hmac: HMAC<SHA256>) {
        self.hmac = hmac
        message.reserveCapacity(256)
    }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let length = UInt32(bytes.count)
        message.append(UInt8(truncatingIfNeeded: length >> 24))
        message.append(UInt8(truncatingIfNeeded: length >> 16))
        message.append(UInt8(truncatingIfNeeded: length >> 8))
        message.append(UInt8(truncatingIfNeeded: length))
        message.append(contentsOf: bytes)
    }

    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    package mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    package mutating func append(_ digest: Digest256) {
        digest.withUnsafeBytes { append($0) }
    }

    package func finalize() -> Digest256 {
        var hmac = hmac
        hmac.update(data: message)
        return Digest256(hmac.finalize())
    }
}

/// A 256-bit digest held inline (four words), so keys can be compared and hashed without a heap
/// allocation; `hex` spells it out when it has to be written down.
package struct Digest256: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ code: HashedAuthenticationCode<SHA256>) {
        words = (0, 0, 0, 0)
        code.withUnsafeBytes { source in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) }
        }
    }

    /// Reads 32 bytes; nil for any other length.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            for (i, byte) in bytes.enumerated() { target[i] = byte }
        }
    }

    /// Reads 64 hex digits (either case); nil for anything else.
    package init?(hex: some StringProtocol) {
        // Through a String's contiguous UTF-8: iterating a generic `utf8` view cost microseconds
        // per key, and stores read a key from every record they load.
        var text = String(hex)
        guard let words = text.withUTF8(Self.words(hex:)) else { return nil }
        self.words = words
    }

    private static func words(hex: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64)? {
        guard hex.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &words) { target -> Bool in
            for i in 0..<32 {
                guard let high = nibble(hex[2 * i]), let low = nibble(hex[2 * i + 1]) else { return false }
                target[i] = high << 4 | low
            }
            return true
        }
        return ok ? words : nil
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    package var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// 64 lowercase hex digits.
    package var hex: String {
        withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: 64) { out in
                let digits: StaticString = "0123456789abcdef"
                for (i, byte) in raw.enumerated() {
                    out[2 * i] = digits.utf8Start[Int(byte >> 4)]
                    out[2 * i + 1] = digits.utf8Start[Int(byte & 0xF)]
                }
                return 64
            }
        }
    }

    package static func == (lhs: Digest256, rhs: Digest256) -> Bool {
        lhs.words == rhs.words
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
