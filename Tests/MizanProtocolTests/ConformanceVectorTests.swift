import Foundation
import MizanCore
@testable import MizanProtocol
import Testing

/// Every case of Tests/Conformance/protocol-vectors.json against the Swift implementation. The
/// kernel's TypeScript runs the same file (Tests/kernel/protocol-vectors.test.mjs).
@Suite struct ConformanceVectorTests {
    @Test func theFileHoldsEveryKindOfCase() {
        let counts = ["canonical", "keys", "derivation", "selectors", "headers"].map { VectorFile.cases($0).count }
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(counts.reduce(0, +) >= 60)
    }

    // MARK: Canonical parameters

    @Test(arguments: VectorFile.cases("canonical"))
    func canonical(_ vector: VectorCase) throws {
        var collector = ParamReader(vector.specs).collector()
        let outcome = Result { () throws(ParamError) -> CanonicalParams in
            try vector.collect(into: &collector)
            return try collector.canonicalParams()
        }
        try expect(outcome, vector)
    }

    private func expect(_ outcome: Result<CanonicalParams, ParamError>, _ vector: VectorCase) throws {
        switch (outcome, vector["expect"]?.stringValue, vector["error"]) {
        case (.success(let params), let expected?, nil):
            #expect(params.text == expected)
            // Canonical params are a fixed point: read back, they are the same bytes.
            #expect(try CanonicalParams(canonicalJSON: params.bytes) == params)
        case (.failure(let error), nil, let expected?):
            #expect(error.kind.rawValue == expected["kind"]?.stringValue, "\(error.message)")
            #expect(error.param == expected["param"]?.stringValue)
            #expect(error.message.contains("'\(error.param)'"), "the message names the parameter: \(error.message)")
        case (.success(let params), _, _):
            Issue.record("expected an error, got \(params.text)")
        case (.failure(let error), _, _):
            Issue.record("expected \(vector["expect"]?.stringValue ?? "?"), got \(error.kind): \(error.message)")
        }
    }

    // MARK: Keys

    struct KeyOutcome: Equatable {
        var canonical: String
        var caller: String?
        var key: String
    }

    private func derive(_ vector: VectorCase) throws -> Result<KeyOutcome, KeyDerivationError> {
        let derivation = try CacheKeyDerivation(secret: vector["secret"]?.stringValue ?? "")
        var collector = ParamReader(vector.specs).collector()
        try vector.collect(into: &collector)
        let params = try collector.canonicalParams()
        let context = try #require(CacheContext(rawValue: vector["context"]?.stringValue ?? ""))
        let credential = vector["credential"]?.stringValue.map { Array($0.utf8) }
        return Result { () throws(KeyDerivationError) -> KeyOutcome in
            let caller = context.isPerCaller ? try credential.map { c throws(KeyDerivationError) in
                try derivation.callerID(credential: c)
            } : nil
            let key = try derivation.key(client: vector["client"]?.stringValue ?? "", params: params, context: context, credential: credential)
            if let caller {
                #expect(key == (try derivation.key(client: vector["client"]?.stringValue ?? "", params: params, context: context, caller: caller)))
            }
            return KeyOutcome(canonical: params.text, caller: caller?.hex, key: key.hex)
        }
    }

    @Test(arguments: VectorFile.cases("keys"))
    func key(_ vector: VectorCase) throws {
        let outcome = try derive(vector)
        switch (outcome, vector["expect"], vector["error"]) {
        case (.success(let got), let expected?, nil):
            #expect(got.canonical == expected["canonical"]?.stringValue)
            #expect(got.caller == expected["caller"]?.stringValue, "caller \(got.caller ?? "null")")
            #expect(got.key == expected["key"]?.stringValue, "key \(got.key)")
        case (.failure(let error), nil, let expected?):
            #expect(error.kind == expected["kind"]?.stringValue, "\(error)")
        case (let got, _, _):
            Issue.record("unexpected outcome \(got)")
        }
    }

    @Test(arguments: VectorFile.cases("derivation"))
    func derivation(_ vector: VectorCase) throws {
        let outcome = Result { () throws(KeyDerivationError) in try CacheKeyDerivation(secret: vector["secret"]?.stringValue ?? "") }
        switch (outcome, vector["expect"], vector["error"]) {
        case (.success(let derivation), let expected?, nil):
            #expect(ContentHash.hex(derivation.keyMaterial.entry) == expected["entry_key"]?.stringValue)
            #expect(ContentHash.hex(derivation.keyMaterial.caller) == expected["caller_key"]?.stringValue)
        case (.failure(let error), nil, let expected?):
            #expect(error.kind == expected["kind"]?.stringValue, "\(error)")
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    /// With MIZAN_RECORD=1, writes the computed values of key and derivation cases whose `expect`
    /// is missing or null back into the file.
    @Test func recordMissingKeyExpectations() throws {
        guard VectorFile.recording else { return }
        var replacements: [String: [String: JSONNode]] = [:]
        for vector in VectorFile.cases("keys") where vector["error"] == nil {
            guard case .success(let got) = try derive(vector) else { continue }
            let expect = JSONNode(.object([
                .init(key: "canonical", keyOffset: 0, value: .string(got.canonical)),
                .init(key: "caller", keyOffset: 0, value: got.caller.map(JSONNode.string) ?? .null),
                .init(key: "key", keyOffset: 0, value: .string(got.key)),
            ]), offset: 0)
            replacements["keys", default: [:]][vector.testDescription] = vector.node.setting("expect", to: expect)
        }
        for vector in VectorFile.cases("derivation") where vector["error"] == nil {
            let material = try CacheKeyDerivation(secret: vector["secret"]?.stringValue ?? "").keyMaterial
            let expect = JSONNode(.object([
                .init(key: "entry_key", keyOffset: 0, value: .string(ContentHash.hex(material.entry))),
                .init(key: "caller_key", keyOffset: 0, value: .string(ContentHash.hex(material.caller))),
            ]), offset: 0)
            replacements["derivation", default: [:]][vector.testDescription] = vector.node.setting("expect", to: expect)
        }
        try VectorJSON.file(VectorFile.document, replacing: replacements).write(toFile: VectorFile.path, atomically: true, encoding: .utf8)
    }

    @Test func theFileIsWrittenInItsOwnLayout() throws {
        let text = try String(contentsOfFile: VectorFile.path, encoding: .utf8)
        #expect(VectorJSON.file(VectorFile.document, replacing: [:]) == text, "protocol-vectors.json is laid out one case per line")
    }

    // MARK: Selectors

    @Test(arguments: VectorFile.cases("selectors"))
    func selector(_ vector: VectorCase) throws {
        let entryNode = try #require(vector["entry"])
        let entryParams = try CanonicalParams(canonicalJSON: try #require(entryNode["params"]))
        let deps = try (entryNode["deps"]?.elements ?? []).map { d in
            Dependency(client: d["client"]?.stringValue ?? "", params: try CanonicalParams(canonicalJSON: try #require(d["params"])))
        }
        let context = CacheContext(rawValue: entryNode["context"]?.stringValue ?? "public") ?? .public
        let caller = entryNode["caller"]?.stringValue.flatMap { CallerID(hex: $0) }
        let tags = (entryNode["tags"]?.elements ?? []).compactMap(\.stringValue)
        let scopeNode = vector["scope"]
        let scope = PurgeScope(
            context: scopeNode?["context"]?.stringValue.flatMap(CacheContext.init(rawValue:)),
            caller: scopeNode?["caller"]?.stringValue.flatMap { CallerID(hex: $0) })

        let selectorNode = try #require(vector["selector"])
        let outcome = Result { () throws(ParamError) -> Bool in
            let selector = try PurgeSelector.from(json: selectorNode) { _ in ParamReader(vector.specs) }
            return scope.contains(context: context, caller: caller)
                && selector.matches(client: entryNode["client"]?.stringValue ?? "", params: entryParams, tags: tags, deps: deps)
        }
        switch (outcome, vector["expect"]?.boolValue, vector["error"]) {
        case (.success(let matched), let expected?, nil):
            #expect(matched == expected)
        case (.failure(let error), nil, let expected?):
            #expect(error.kind.rawValue == expected["kind"]?.stringValue, "\(error.message)")
            #expect(error.param == expected["param"]?.stringValue)
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    // MARK: X-Mizan-Invalidate

    @Test(arguments: VectorFile.cases("headers"))
    func header(_ vector: VectorCase) throws {
        let header = try #require(vector["header"]?.stringValue)
        let outcome = Result { () throws(InvalidateHeaderError) in try InvalidateHeader.parse(header) }
        switch (outcome, vector["expect"]?.elements, vector["error"]) {
        case (.success(let members), let expected?, nil):
            try #require(members.count == expected.count, "\(members)")
            for (member, want) in zip(members, expected) {
                #expect(member.client == want["client"]?.stringValue)
                let wantParams = want["params"]?.members ?? []
                #expect(member.params.map(\.name) == wantParams.map(\.key))
                for (param, wanted) in zip(member.params, wantParams) {
                    #expect(Self.value(param.value, equals: wanted.value), "\(param.name): \(param.value)")
                }
            }
        case (.failure(let error), nil, let expected?):
            #expect(error.kind.rawValue == expected["kind"]?.stringValue, "\(error)")
            #expect(error.offset == expected["offset"]?.intValue, "\(error)")
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    private static func value(_ value: InvalidateHeader.Value, equals json: JSONNode) -> Bool {
        switch (value, json.value) {
        case (.integer(let i), .number(let text)): Int64(text) == i
        case (.decimal(let d), .number(let text)): Double(d) == Double(text)
        case (.string(let s), .string(let t)), (.token(let s), .string(let t)): s == t
        case (.boolean(let b), .bool(let c)): b == c
        default: false
        }
    }
}
