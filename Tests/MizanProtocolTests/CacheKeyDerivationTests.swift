import MizanCore
@testable import MizanProtocol
import Testing

@Suite struct CacheKeyDerivationTests {
    let derivation = try! CacheKeyDerivation(secret: "mizan-conformance-secret-0001")
    let params = try! ParamReader([ParamSpec(name: "id", type: .int)]).read(text: [("id", "5")])

    @Test func aShortSecretIsRefusedWithAMessageThatSaysWhatToDo() {
        #expect(throws: KeyDerivationError.secretTooShort(length: 5)) { try CacheKeyDerivation(secret: "short") }
        #expect(KeyDerivationError.secretTooShort(length: 5).description.contains("MIZAN_SECRET"))
    }

    @Test func perCallerContextsNeedACaller() throws {
        #expect(throws: KeyDerivationError.missingCredential(.user)) {
            try derivation.key(client: "cart.get_cart", params: .empty, context: .user, caller: nil)
        }
        #expect(throws: KeyDerivationError.missingCredential(.session)) {
            try derivation.key(client: "cart.get_cart", params: .empty, context: .session, credential: [])
        }
    }

    @Test func keysSeparateClientsParamsContextsAndCallers() throws {
        let alice = try derivation.callerID(credential: "sessionid=alice")
        let bob = try derivation.callerID(credential: "sessionid=bob")
        let keys: [CacheKey] = [
            try derivation.key(client: "books.get_book", params: params, context: .public, caller: nil),
            try derivation.key(client: "books.get_books", params: params, context: .public, caller: nil),
            try derivation.key(client: "books.get_book", params: .empty, context: .public, caller: nil),
            try derivation.key(client: "books.get_book", params: params, context: .user, caller: alice),
            try derivation.key(client: "books.get_book", params: params, context: .user, caller: bob),
            try derivation.key(client: "books.get_book", params: params, context: .session, caller: alice),
        ]
        #expect(Set(keys).count == keys.count)
        // A public key ignores any caller.
        #expect(try derivation.key(client: "books.get_book", params: params, context: .public, caller: alice) == keys[0])
    }

    /// Length prefixes keep field boundaries: moving bytes from the client name into the params
    /// must not give the same message.
    @Test func fieldBoundariesMatter() throws {
        let a = try derivation.key(client: "ab", params: try CanonicalParams(canonicalJSON: Array(#"{"c":1}"#.utf8)), context: .public, caller: nil)
        let b = try derivation.key(client: "a", params: try CanonicalParams(canonicalJSON: Array(#"{"bc":1}"#.utf8)), context: .public, caller: nil)
        #expect(a != b)
    }

    @Test func theCredentialAppearsNowhere() throws {
        let credential = "sessionid=s3cr3t-value"
        let caller = try derivation.callerID(credential: credential)
        let key = try derivation.key(client: "cart.get_cart", params: .empty, context: .user, caller: caller)
        for text in [caller.hex, key.hex, caller.description, key.description, "\(caller)", "\(key)"] {
            #expect(!text.contains("s3cr3t"))
            #expect(text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        }
    }

    @Test func hexRoundTrips() throws {
        let key = try derivation.key(client: "books.get_book", params: params, context: .public, caller: nil)
        #expect(CacheKey(hex: key.hex) == key)
        #expect(CacheKey(hex: key.hex.uppercased()) == key)
        #expect(CacheKey(hex: String(key.hex.dropLast())) == nil)
        #expect(CacheKey(hex: String(key.hex.dropLast()) + "g") == nil)
    }

    @Test func oneDerivationServesConcurrentRequests() async throws {
        let expected = try derivation.key(client: "books.get_book", params: params, context: .public, caller: nil)
        let derivation = self.derivation
        let params = self.params
        let keys = try await withThrowingTaskGroup(of: CacheKey.self) { group in
            for _ in 0..<64 {
                group.addTask { try derivation.key(client: "books.get_book", params: params, context: .public, caller: nil) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(keys.allSatisfy { $0 == expected })
    }
}
