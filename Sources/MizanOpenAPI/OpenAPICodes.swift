/// Diagnostic codes of the OpenAPI importer (docs/openapi.md lists them).
public enum OpenAPICode {
    public static let invalidYAML = "MZ200"
    public static let unsupportedVersion = "MZ201"
    public static let skipped = "MZ202"
    public static let unresolvedReference = "MZ203"
    public static let renamed = "MZ204"
    public static let unsupportedContent = "MZ205"
    public static let invalidExtension = "MZ206"
    public static let unsupportedStyle = "MZ207"
    public static let invalidDocument = "MZ208"

    public static let summaries: [(code: String, summary: String)] = [
        (invalidYAML, "the file is not valid YAML"),
        (unsupportedVersion, "not OpenAPI 3.0 or 3.1 (Swagger 2.0 is named as such)"),
        (skipped, "a feature mizan does not map (callbacks, webhooks, links, cookies, XML…) was skipped (warning)"),
        (unresolvedReference, "a $ref points nowhere"),
        (renamed, "a name was changed to be a valid, unique identifier (warning)"),
        (unsupportedContent, "a request or response content type the kernel cannot send or read (warning)"),
        (invalidExtension, "x-mizan-cache or x-mizan-affects is malformed"),
        (unsupportedStyle, "a parameter style the kernel does not serialise (warning)"),
        (invalidDocument, "a required part of the document is missing or has the wrong type"),
    ]
}
