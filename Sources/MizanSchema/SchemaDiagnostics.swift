/// Every diagnostic code the schema stages emit. Docs (`docs/schema-export.md`) list them, and tests
/// refer to them by these constants rather than by message text.
public enum SchemaCode {
    public static let invalidJSON = "MZ001"
    public static let emptyFile = "MZ002"
    public static let binaryFile = "MZ003"
    public static let fileTooLarge = "MZ004"
    public static let unreadable = "MZ005"
    public static let wrongType = "MZ010"
    public static let missingKey = "MZ011"
    public static let unknownKey = "MZ012"
    public static let unsupportedVersion = "MZ013"
    public static let invalidValue = "MZ014"
    public static let unknownType = "MZ020"
    public static let duplicateName = "MZ021"
    public static let invalidName = "MZ022"
    public static let reservedWord = "MZ023"
    public static let identifierCollision = "MZ024"
    public static let invalidTypeExpression = "MZ025"
    public static let invalidUnion = "MZ026"
    public static let invalidEnum = "MZ027"
    public static let aliasCycle = "MZ028"
    public static let malformedPath = "MZ030"
    public static let undeclaredPathParam = "MZ031"
    public static let pathParamNotInPath = "MZ032"
    public static let invalidPathParam = "MZ033"
    public static let invalidQueryParam = "MZ034"
    public static let bodyOnSafeMethod = "MZ035"
    public static let duplicateRoute = "MZ036"
    public static let unknownAffectedClient = "MZ040"
    public static let unknownAffectedParam = "MZ041"
    public static let unknownSourceParam = "MZ042"
    public static let incompatibleMapping = "MZ043"
    public static let literalMismatch = "MZ044"
    public static let affectsFromQuery = "MZ045"
    public static let cacheOnUnsafeMethod = "MZ050"
    public static let invalidCachePolicy = "MZ051"
    public static let invalidReturns = "MZ060"
    public static let invalidErrors = "MZ061"

    /// One line per code for `mizan schema codes` and the docs table.
    public static let summaries: [(code: String, summary: String)] = [
        (invalidJSON, "the file is not valid JSON (position of the first syntax error)"),
        (emptyFile, "the file is empty"),
        (binaryFile, "the file is binary or not UTF-8 text"),
        (fileTooLarge, "the file is larger than the limit (--max-schema-size)"),
        (unreadable, "the file cannot be read"),
        (wrongType, "a value has the wrong JSON type"),
        (missingKey, "a required key is missing"),
        (unknownKey, "a key the format does not define (with a did-you-mean)"),
        (unsupportedVersion, "format_version is not one this mizan reads"),
        (invalidValue, "a value is not one of the allowed values or out of range"),
        (unknownType, "a type reference names no declared type"),
        (duplicateName, "a name or key is declared twice"),
        (invalidName, "a type, client, field or parameter name does not match its pattern"),
        (reservedWord, "a name is reserved in TypeScript or by the generated kernel"),
        (identifierCollision, "two names become the same TypeScript identifier"),
        (invalidTypeExpression, "a type expression has no recognised form"),
        (invalidUnion, "a union or its discriminator is malformed"),
        (invalidEnum, "an enum is empty or repeats a value"),
        (aliasCycle, "an alias refers to itself with no object in between"),
        (malformedPath, "a path template is malformed"),
        (undeclaredPathParam, "a path placeholder has no path parameter"),
        (pathParamNotInPath, "a path parameter does not appear in the path template"),
        (invalidPathParam, "a path parameter is optional or not a scalar"),
        (invalidQueryParam, "a query parameter is not a scalar or a list of scalars"),
        (bodyOnSafeMethod, "a GET client declares body parameters"),
        (duplicateRoute, "two clients share a method and path"),
        (unknownAffectedClient, "affects names a client that does not exist"),
        (unknownAffectedParam, "affects names a parameter the target client does not have"),
        (unknownSourceParam, "affects maps from a parameter this client does not have"),
        (incompatibleMapping, "affects maps between parameters of incompatible types"),
        (literalMismatch, "an affects literal does not fit the target parameter's type"),
        (affectsFromQuery, "a GET client declares affects (warning)"),
        (cacheOnUnsafeMethod, "a cache policy on a client that is not GET"),
        (invalidCachePolicy, "a cache policy value is out of range"),
        (invalidReturns, "returns branches are malformed"),
        (invalidErrors, "declared errors are malformed"),
    ]
}
