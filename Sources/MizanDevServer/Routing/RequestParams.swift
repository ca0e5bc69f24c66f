import MizanCore
import MizanManifest
import MizanProtocol

/// Reads a request's parameters the way docs/edge-manifest.md says: path params from the
/// placeholders, query params from the query string, header params from their headers, body
/// params from a JSON body. Any problem is a `ParamError`, which makes a read bypass the cache.
enum RequestParams {
    static func read(
        _ entry: RouteTable.Entry, pathParams: [(name: String, value: String)], query: Substring?,
        header: (String) -> String?, jsonBody: JSONNode?
    ) throws(ParamError) -> CanonicalParams {
        var collector = entry.reader.collector()
        for (name, value) in pathParams { try collector.add(text: value, named: name) }
        if let query, !query.isEmpty {
            guard let items = PercentDecoding.query(query) else {
                throw ParamError(param: "", kind: .type, message: "the query string has a broken percent-escape")
            }
            for (name, value) in items {
                // A query name that is a declared non-query param is as undeclared as any other.
                if let declared = entry.route.params.first(where: { $0.name == name }), declared.location != "query" {
                    throw ParamError(param: name, kind: .unknown, message: "parameter '\(name)' is not a query parameter of '\(entry.route.client)'")
                }
                try collector.add(text: value, named: name)
            }
        }
        for param in entry.route.params {
            switch param.location {
            case "header":
                if let value = header(param.wire ?? param.name) { try collector.add(text: value, named: param.name) }
            case "body":
                if let member = jsonBody?.members?.last(where: { $0.key == (param.wire ?? param.name) }) {
                    try collector.add(json: member.value, named: param.name)
                }
            case "payload":
                if let jsonBody { try collector.add(json: jsonBody, named: param.name) }
            default:
                break
            }
        }
        return try collector.canonicalParams()
    }
}
