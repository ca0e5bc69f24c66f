import MizanManifest
import MizanSchema

/// What canonicalization needs to know of one parameter: the edge manifest's `type`, `list`,
/// `required` and `enum` (docs/edge-manifest.md, "Routes"). Where the parameter travels does
/// not matter here; the caller says whether a value is wire text or a JSON value.
public struct ParamSpec: Sendable, Equatable {
    public var name: String
    public var type: WireType
    public var list: Bool
    public var required: Bool
    /// The allowed values as JSON text, as the manifest writes them; nil when any value of the
    /// type is allowed. For a list, the allowed values of each element.
    public var enumValues: [String]?

    public init(name: String, type: WireType, list: Bool = false, required: Bool = false, enumValues: [String]? = nil) {
        self.name = name
        self.type = type
        self.list = list
        self.required = required
        self.enumValues = enumValues
    }

    public init(_ param: EdgeManifest.Param) {
        self.init(name: param.name, type: param.type, list: param.list, required: param.required, enumValues: param.enumValues)
    }
}
