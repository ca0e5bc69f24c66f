import MizanCore
import MizanSchema
import Testing

/// Focused checks of the decoder and validator on small inline schemas. The CLI suite runs the
/// malformed fixture files end to end.
@Suite struct SchemaLoaderTests {
    static func load(_ text: String) -> SchemaLoader.Result {
        SchemaLoader.load(bytes: Array(text.utf8), file: "s.json")
    }

    static func schema(types: String = "{}", clients: String) -> String {
        #"{"format_version": 1, "types": \#(types), "clients": \#(clients)}"#
    }

    func codes(_ text: String) -> [String] { Self.load(text).diagnostics.map(\.code) }

    @Test func decodesEveryTypeForm() throws {
        let text = Self.schema(
            types: #"""
            {
              "Node": {"kind": "object", "doc": "A node.", "fields": {
                "id": {"type": "uuid"},
                "label": {"type": {"nullable": "string"}, "optional": true},
                "children": {"type": {"list": "Node"}},
                "meta": {"type": {"map": "any"}},
                "flag": {"type": {"literal": true}},
                "either": {"type": {"union": ["int", "string"]}},
                "old": {"type": "int", "optional": true, "deprecated": "use id"}
              }},
              "Color": {"kind": "enum", "values": ["red", "green"]},
              "Tree": {"kind": "alias", "type": {"list": "Node"}}
            }
            """#,
            clients: #"{"nodes.get": {"method": "GET", "path": "/n/{id}", "params": {"id": {"in": "path", "type": "uuid"}}, "returns": "Node"}}"#)
        let result = Self.load(text)
        let schema = try #require(result.schema, "\(result.diagnostics.map(\.formatted))")
        let node = try #require(schema.type(named: "Node"))
        guard case .object(let fields) = node.kind else { Issue.record("not an object"); return }
        let label = try #require(fields.first { $0.name == "label" })
        #expect(label.optional && label.type == .nullable(.primitive(.string)), "optional and nullable are distinct")
        #expect(fields.first { $0.name == "children" }?.type == .list(.named("Node")), "recursion is allowed")
        #expect(fields.first { $0.name == "old" }?.deprecation?.message == "use id")
        #expect(schema.hash.hasPrefix("sha256:") && schema.hash.count == 71)
    }

    @Test func hashIgnoresFormattingButNotMeaning() {
        let a = Self.load(Self.schema(clients: #"{"a.b": {"method": "GET", "path": "/x"}}"#)).schema?.hash
        let b = Self.load("{\n\"clients\":{\"a.b\":{\"path\":\"/x\",\"method\":\"GET\"}},\"types\":{},\"format_version\":1}").schema?.hash
        let c = Self.load(Self.schema(clients: #"{"a.b": {"method": "GET", "path": "/y"}}"#)).schema?.hash
        #expect(a != nil && a == b && a != c)
    }

    @Test func reportsEveryProblemInOneRun() {
        let result = Self.load(Self.schema(
            types: #"{"Book": {"kind": "object", "fields": {"author": {"type": "Autor"}}}, "Author": {"kind": "object", "fields": {}}}"#,
            clients: #"""
            {"books.get": {"method": "GET", "path": "/b/{id}", "params": {"book_id": {"in": "path", "type": "int"}}, "returns": "Bok"},
             "books.update": {"method": "POST", "path": "/b", "cache": {"ttl": 5, "context": "public"},
                              "affects": [{"client": "books.gett"}]}}
            """#))
        let codes = result.diagnostics.map(\.code)
        #expect(codes.contains(SchemaCode.unknownType))
        #expect(codes.contains(SchemaCode.undeclaredPathParam))
        #expect(codes.contains(SchemaCode.pathParamNotInPath))
        #expect(codes.contains(SchemaCode.cacheOnUnsafeMethod))
        #expect(codes.contains(SchemaCode.unknownAffectedClient))
        #expect(result.diagnostics.contains { $0.message.contains("did you mean 'Author'?") })
        #expect(result.diagnostics.contains { $0.message.contains("did you mean 'books.get'?") })
        #expect(result.schema == nil)
    }

    @Test func checksAffectsMappingTypes() {
        let clients = #"""
        {"books.get": {"method": "GET", "path": "/b/{id}", "params": {"id": {"in": "path", "type": "int"}, "genre": {"in": "query", "type": "Genre", "optional": true}}},
         "books.update": {"method": "PATCH", "path": "/b/{id}", "params": {"id": {"in": "path", "type": "int"}, "title": {"in": "body", "type": "string"}, "tags": {"in": "body", "type": {"list": "string"}}},
           "affects": [
             {"client": "books.get", "params": {"id": {"from": "title"}}},
             {"client": "books.get", "params": {"id": {"from": "tags"}}},
             {"client": "books.get", "params": {"genre": {"value": "poetry"}}},
             {"client": "books.get", "params": {"id": {"value": "5"}}},
             {"client": "books.get", "params": {"id": {"from": "nope"}}},
             {"client": "books.get", "params": {"page": "*"}},
             {"client": "books.get", "params": {"pages": {"value": 1}}},
             {"client": "books.get", "params": {"id": {"from": "id"}, "genre": "*"}}
           ]}}
        """#
        let result = Self.load(Self.schema(types: #"{"Genre": {"kind": "enum", "values": ["fiction"]}}"#, clients: clients))
        let codes = result.diagnostics.map(\.code)
        #expect(codes.filter { $0 == SchemaCode.incompatibleMapping }.count == 2, "\(result.diagnostics.map(\.formatted))")
        #expect(codes.filter { $0 == SchemaCode.literalMismatch }.count == 2)
        #expect(codes.filter { $0 == SchemaCode.unknownSourceParam }.count == 1)
        #expect(codes.filter { $0 == SchemaCode.unknownAffectedParam }.count == 1, "'*' is accepted for any name it skips; 'pages' is unknown")
    }

    @Test func detectsIdentifierCollisionsAndReservedNames() {
        let types = #"{"book_item": {"kind": "object", "fields": {}}, "BookItem": {"kind": "object", "fields": {}}, "class": {"kind": "object", "fields": {}}, "Kernel": {"kind": "alias", "type": "int"}}"#
        let clients = #"{"store.get": {"method": "GET", "path": "/s"}, "a.get_x": {"method": "GET", "path": "/1"}, "a.get__x": {"method": "GET", "path": "/2"}}"#
        let codes = codes(Self.schema(types: types, clients: clients))
        #expect(codes.filter { $0 == SchemaCode.identifierCollision }.count == 2)
        #expect(codes.filter { $0 == SchemaCode.reservedWord }.count == 3)
    }

    @Test func detectsAliasCyclesButAllowsRecursionThroughStructure() {
        let cyclic = #"{"A": {"kind": "alias", "type": "B"}, "B": {"kind": "alias", "type": {"nullable": "A"}}}"#
        #expect(codes(Self.schema(types: cyclic, clients: "{}")).contains(SchemaCode.aliasCycle))
        let fine = #"{"A": {"kind": "alias", "type": {"list": "A"}}}"#
        #expect(codes(Self.schema(types: fine, clients: "{}")).isEmpty)
    }

    @Test func checksDiscriminatedUnions() {
        let types = #"""
        {"Cat": {"kind": "object", "fields": {"kind": {"type": {"literal": "cat"}}}},
         "Dog": {"kind": "object", "fields": {"kind": {"type": {"literal": "cat"}}}},
         "Fish": {"kind": "object", "fields": {}},
         "Pet": {"kind": "union", "discriminator": "kind", "variants": ["Cat", "Dog", "Fish", "int"]}}
        """#
        #expect(codes(Self.schema(types: types, clients: "{}")).filter { $0 == SchemaCode.invalidUnion }.count == 3)
    }

    @Test func rejectsUnsupportedVersionsAndShapes() {
        #expect(codes(#"{"format_version": 2, "clients": {}}"#) == [SchemaCode.unsupportedVersion])
        #expect(codes(#"{"format_version": "1", "clients": {}}"#) == [SchemaCode.unsupportedVersion])
        #expect(codes(#"[]"#) == [SchemaCode.wrongType])
        #expect(codes(#"{"clients": {}}"#) == [SchemaCode.missingKey])
        #expect(codes("   \n") == [SchemaCode.emptyFile])
        #expect(codes("{\u{0}}") == [SchemaCode.binaryFile])
    }

    @Test func warnsAboutAffectsOnReads() {
        let result = Self.load(Self.schema(clients: #"{"a.get": {"method": "GET", "path": "/a", "affects": [{"client": "a.get"}]}}"#))
        #expect(result.schema != nil)
        #expect(result.diagnostics.map(\.severity) == [.warning])
    }
}
