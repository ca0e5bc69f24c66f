import MizanCore
import MizanSchema

/// The edge manifest: what `mizan dev` and Mizan Render need to know about a backend — routes,
/// parameter types for canonical keys, cache policies and the invalidation graph — and nothing
/// about TypeScript. Specified in `docs/edge-manifest.md`.
public struct EdgeManifest: Equatable, Sendable {
    public static let version = 1

    public struct Param: Equatable, Sendable {
        public var name: String
        /// The name on the wire when it differs from `name` (OpenAPI imports: "X-Request-Id").
        public var wire: String?
        public var location: String
        public var type: WireType
        public var list: Bool
        public var required: Bool
        /// The allowed values, as JSON text, when the parameter is an enum or a literal.
        public var enumValues: [String]?
    }

    public struct Cache: Equatable, Sendable {
        public var ttl: Int
        public var staleWhileRevalidate: Int
        public var context: String
        public var tags: [String]
    }

    public struct Route: Equatable, Sendable {
        public var client: String
        public var method: String
        public var path: String
        /// Sorted by name.
        public var params: [Param]
        /// nil: never cached.
        public var cache: Cache?
    }

    public struct Invalidation: Equatable, Sendable {
        public enum Source: Equatable, Sendable {
            case from(String)
            /// A literal as JSON text.
            case value(String)
        }

        public var client: String
        /// Sorted by target parameter name; a parameter left out means every value.
        public var params: [(name: String, source: Source)]

        public static func == (lhs: Invalidation, rhs: Invalidation) -> Bool {
            lhs.client == rhs.client && lhs.params.elementsEqual(rhs.params) { $0.name == $1.name && $0.source == $1.source }
        }
    }

    public var generator: String
    public var project: String?
    public var schemaHash: String
    /// Sorted by client name.
    public var routes: [Route]
    /// Mutations (sorted) and what each invalidates, in declaration order.
    public var invalidation: [(client: String, affects: [Invalidation])]

    public static func == (lhs: EdgeManifest, rhs: EdgeManifest) -> Bool {
        lhs.generator == rhs.generator && lhs.project == rhs.project && lhs.schemaHash == rhs.schemaHash
            && lhs.routes == rhs.routes
            && lhs.invalidation.elementsEqual(rhs.invalidation) { $0.client == $1.client && $0.affects == $1.affects }
    }

    public init(generator: String, project: String?, schemaHash: String, routes: [Route], invalidation: [(client: String, affects: [Invalidation])]) {
        self.generator = generator
        self.project = project
        self.schemaHash = schemaHash
        self.routes = routes
        self.invalidation = invalidation
    }

    /// Builds the manifest from a validated schema.
    public init(schema: Schema, generator: String = "mizan \(MizanVersion.current)") {
        self.generator = generator
        self.project = schema.project
        self.schemaHash = schema.hash
        self.routes = schema.clients.map { client in
            Route(
                client: client.name, method: client.method.rawValue, path: client.path,
                params: client.params.sorted { $0.name < $1.name }.map { param in
                    let shape = schema.shape(of: param.type)
                    return Param(
                        name: param.name, wire: param.wireName, location: param.location.rawValue, type: shape.wire, list: shape.list,
                        required: !param.optional, enumValues: shape.enumValues?.map(\.jsonText))
                },
                cache: client.cache.map {
                    Cache(ttl: $0.ttl, staleWhileRevalidate: $0.staleWhileRevalidate, context: $0.context.rawValue, tags: $0.tags)
                })
        }
        self.invalidation = schema.clients.filter { !$0.affects.isEmpty }.map { client in
            (client.name, client.affects.map { affect in
                Invalidation(client: affect.client, params: affect.params.map { p in
                    switch p.source {
                    case .from(let name): (p.name, .from(name))
                    case .value(let literal): (p.name, .value(literal.jsonText))
                    }
                })
            })
        }
    }

    public func route(for client: String) -> Route? { routes.first { $0.client == client } }

    // MARK: JSON

    public var json: JSONOutput {
        .object([
            ("manifest_version", .int(Self.version)),
            ("generator", .string(generator)),
            ("project", project.map(JSONOutput.string) ?? .null),
            ("schema_hash", .string(schemaHash)),
            ("routes", .array(routes.map { route in
                .object([
                    ("client", .string(route.client)),
                    ("method", .string(route.method)),
                    ("path", .string(route.path)),
                    ("params", .array(route.params.map { p in
                        .object([("name", .string(p.name))] + (p.wire.map { [("wire", JSONOutput.string($0))] } ?? []) + [
                            ("in", .string(p.location)), ("type", .string(p.type.rawValue)),
                            ("list", .bool(p.list)), ("required", .bool(p.required)),
                            ("enum", p.enumValues.map { .array($0.map(JSONOutput.raw)) } ?? .null),
                        ])
                    })),
                    ("cache", route.cache.map { c in
                        .object([
                            ("ttl", .int(c.ttl)), ("stale_while_revalidate", .int(c.staleWhileRevalidate)),
                            ("context", .string(c.context)), ("tags", .array(c.tags.map(JSONOutput.string))),
                        ])
                    } ?? .bool(false)),
                ])
            })),
            ("invalidation", .object(invalidation.map { entry in
                (entry.client, .array(entry.affects.map { affect in
                    .object([
                        ("client", .string(affect.client)),
                        ("params", .object(affect.params.map { p in
                            switch p.source {
                            case .from(let name): (p.name, .object([("from", .string(name))]))
                            case .value(let text): (p.name, .object([("value", .raw(text))]))
                            }
                        })),
                    ])
                }))
            })),
        ])
    }

    public func rendered() -> String { json.rendered() }
}
