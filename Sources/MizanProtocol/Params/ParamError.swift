/// Why a parameter set could not be canonicalized. The dev server and the edge *bypass* the cache
/// on any of these (forward the request, store nothing) and let the backend answer; the message
/// names the parameter so a log line says what to fix.
public struct ParamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `kind` strings are the ones the conformance vectors use.
    public enum Kind: String, Sendable {
        /// A name the client does not declare.
        case unknown
        /// A required parameter is absent.
        case missing
        /// A parameter that is not a list appears more than once.
        case repeated
        /// The value does not read as the parameter's wire type.
        case type
        /// The value reads as its type but is outside what the protocol keys (a float beyond
        /// binary64, an exponent beyond ±1000, JSON nested deeper than 64 levels, a datetime
        /// outside the years 0001–9999).
        case range
        /// The value is not one of the parameter's declared values.
        case `enum`
    }

    public var param: String
    public var kind: Kind
    public var message: String

    public init(param: String, kind: Kind, message: String) {
        self.param = param
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// A value quoted for a message, shortened so a hostile query cannot flood a log, with
    /// control and non-ASCII characters escaped so a log line stays one readable line.
    static func quote(_ value: some StringProtocol) -> String {
        var shown = ""
        for (i, scalar) in value.unicodeScalars.enumerated() {
            if i == 40 { return "\"\(shown)…\"" }
            shown += scalar.escaped(asASCII: true)
        }
        return "\"\(shown)\""
    }
}
