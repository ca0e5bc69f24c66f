import MizanCore

/// The protocol's fixed strings (docs/protocol.md, "Key derivation"). Changing any of them
/// changes every key, so they change only with the protocol version.
public enum CacheProtocol {
    /// The first field of every key's HMAC message, and the HKDF salt.
    public static let version = "mizan-cache/1"
    /// HKDF info for the key that derives entry keys.
    public static let entryKeyInfo = "mizan-cache/1 entry-key"
    /// HKDF info for the key that derives caller ids.
    public static let callerKeyInfo = "mizan-cache/1 caller-id"
}

/// Whose entry a response is: one shared entry (`public`), or one per caller (`user`,
/// `session`), as the client's cache policy says.
public enum CacheContext: String, Sendable, Codable, CaseIterable {
    case `public`, user, session

    /// Whether entries in this context belong to one caller.
    public var isPerCaller: Bool { self != .public }
}

/// A caller, as a keyed hash of their credential: stable for one credential and secret, useless
/// to anyone without the secret, and never the credential itself.
public struct CallerID: Sendable, Hashable, CustomStringConvertible {
    let digest: Digest256

    init(digest: Digest256) { self.digest = digest }

    /// 64 lowercase hex digits, as written in metadata.
    public init?(hex: some StringProtocol) {
        guard let digest = Digest256(hex: hex) else { return nil }
        self.digest = digest
    }

    public var hex: String { digest.hex }
    public var description: String { hex }
}

/// An entry's key: 32 bytes held inline; `hex` (64 lowercase digits) is how stores and APIs
/// write it.
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    let digest: Digest256

    init(digest: Digest256) { self.digest = digest }

    public init?(hex: some StringProtocol) {
        guard let digest = Digest256(hex: hex) else { return nil }
        self.digest = digest
    }

    public var hex: String { digest.hex }
    public var description: String { hex }
}

public enum KeyDerivationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret is shorter than `CacheKeyDerivation.minimumSecretLength` bytes.
    case secretTooShort(length: Int)
    /// A `user` or `session` entry was asked for without a caller (no credential, or an empty one).
    case missingCredential(CacheContext)

    /// The `kind` strings of the conformance vectors.
    public var kind: String {
        switch self {
        case .secretTooShort: "secret-too-short"
        case .missingCredential: "missing-credential"
        }
    }

    public var description: String {
        switch self {
        case .secretTooShort(let length):
            "the cache secret is \(length) bytes long; it needs at least \(CacheKeyDerivation.minimumSecretLength) (set MIZAN_SECRET to a longer random string)"
        case .missingCredential(let context):
            "a \(context.rawValue)-context entry needs the caller's credential, and the request has none"
        }
    }
}

/// Derives the protocol's keys from the project secret once, then an entry key per request.
///
/// HKDF-SHA256 turns the secret into two independent HMAC keys (entry keys, caller ids); an
/// entry key is HMAC-SHA256 over the length-prefixed fields version, client, canonical params,
/// context and caller id. Without the secret no key can be computed, so none can be guessed or
/// forged, and a credential is only ever an input to an HMAC.
public struct CacheKeyDerivation: Sendable {
    public static let minimumSecretLength = 16

    private let entryKey: DerivedKey
    private let callerKey: DerivedKey

    /// `secret` is used as given: `MIZAN_SECRET`'s UTF-8 bytes, for example.
    public init(secret: [UInt8]) throws(KeyDerivationError) {
        guard secret.count >= Self.minimumSecretLength else { throw .secretTooShort(length: secret.count) }
        let salt = Array(CacheProtocol.version.utf8)
        entryKey = DerivedKey(secret: secret, salt: salt, info: Array(CacheProtocol.entryKeyInfo.utf8))
        callerKey = DerivedKey(secret: secret, salt: salt, info: Array(CacheProtocol.callerKeyInfo.utf8))
    }

    public init(secret: String) throws(KeyDerivationError) {
        try self.init(secret: Array(secret.utf8))
    }

    /// The caller id of a credential (a session cookie's value, an `Authorization` header): its
    /// HMAC-SHA256 under the caller key.
    public func callerID(credential: [UInt8]) throws(KeyDerivationError) -> CallerID {
        guard !credential.isEmpty else { throw .missingCredential(.user) }
        return CallerID(digest: callerKey.mac(credential))
    }

    public func callerID(credential: String) throws(KeyDerivationError) -> CallerID {
        try callerID(credential: Array(credential.utf8))
    }

    /// The key of an entry. `caller` is required for `user` and `session` and ignored for
    /// `public`, whose entries are the same for everyone.
    public func key(client: String, params: CanonicalParams, context: CacheContext, caller: CallerID?) throws(KeyDerivationError) -> CacheKey {
        var message = entryKey.message()
        message.append(CacheProtocol.version)
        message.append(client)
        message.append(params.bytes)
        message.append(context.rawValue)
        if context.isPerCaller {
            guard let caller else { throw .missingCredential(context) }
            message.append(caller.digest)
        } else {
            message.append([])
        }
        return CacheKey(digest: message.finalize())
    }

    /// The key of an entry from the caller's credential (nil when the request carries none).
    public func key(client: String, params: CanonicalParams, context: CacheContext, credential: [UInt8]?) throws(KeyDerivationError) -> CacheKey {
        guard context.isPerCaller else { return try key(client: client, params: params, context: context, caller: nil) }
        guard let credential, !credential.isEmpty else { throw .missingCredential(context) }
        return try key(client: client, params: params, context: context, caller: callerID(credential: credential))
    }

    /// The derived keys' bytes, for the conformance vectors only; never log or store them.
    package var keyMaterial: (entry: [UInt8], caller: [UInt8]) { (entryKey.material, callerKey.material) }
}
