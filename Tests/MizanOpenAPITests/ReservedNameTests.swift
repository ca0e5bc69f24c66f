import MizanCodegen
import MizanOpenAPI
import Testing

/// Names the generated code relies on must not be shadowed by a schema's own types.
@Suite struct ReservedNameTests {
    /// A component named `Blob` would declare `interface Blob` in `types.ts`, and every binary
    /// field there would silently mean it instead of the DOM's Blob; it becomes `BlobSchema`.
    @Test func aSchemaNamedBlobDoesNotHideTheDOMBlob() throws {
        let yaml = """
            openapi: 3.0.3
            info: {title: Blobs, version: "1"}
            paths: {}
            components:
              schemas:
                Blob:
                  type: object
                  properties:
                    data: {type: string, format: binary}
            """
        let result = SchemaSource.load(bytes: Array(yaml.utf8), file: "blob.yaml")
        let schema = try #require(result.schema)
        let types = try #require(try KernelGenerator().generate(schema).first { $0.path == "types.ts" })
        #expect(!types.contents.contains("export interface Blob {"), "\(types.contents)")
        #expect(types.contents.contains("export interface BlobSchema {"))
    }
}
