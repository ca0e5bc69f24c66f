import Foundation
import MizanCore

/// A config value as read from any source, before it is stored in `MizanConfig`.
enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case adapters([MizanConfig.Adapter])
    case store(MizanConfig.Store)
    case environment(MizanConfig.RenderEnvironment)

    var description: String {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .adapters(let adapters): adapters.isEmpty ? "(none)" : adapters.map(\.rawValue).joined(separator: ", ")
        case .store(let store): store.description
        case .environment(let environment): environment.rawValue
        }
    }
}

/// The outcome of reading one raw value for a key.
enum Decoded {
    case value(ConfigValue)
    /// `expected` has an article ("an integer"); `found` is the offending TOML value, if any.
    case wrongType(expected: String, found: TOMLValue?)
    /// The right type but not an allowed value; the location narrows it to an array element.
    case invalid(String, at: SourceLocation?)
}

/// One mizan.toml key: how to read it from TOML and from text (MIZAN_* variables and string
/// flags), how to check it, and where it lives in `MizanConfig`. The single table of keys keeps
/// the file, the environment, the flags and `explain()` in agreement.
struct ConfigKey: Sendable {
    var table: String
    var name: String
    var decodeTOML: @Sendable (TOMLValue) -> Decoded
    var decodeText: @Sendable (String) -> Decoded
    /// A problem with a decoded value, such as a port out of range; `nil` when it is fine.
    var validate: @Sendable (ConfigValue) -> String? = { _ in nil }
    /// Makes relative paths absolute against a base folder; the identity for non-paths.
    var resolve: @Sendable (ConfigValue, String) -> ConfigValue = { value, _ in value }
    var get: @Sendable (MizanConfig) -> ConfigValue?
    var set: @Sendable (inout MizanConfig, ConfigValue) -> Void

    var dotted: String { "\(table).\(name)" }
    var environmentVariable: String { "MIZAN_\(table.uppercased())_\(name.uppercased())" }

    static let tables = ["codegen", "dev", "render"]

    static let codegenSchema = path("codegen", "schema", get: { $0.codegen.schema }, set: { $0.codegen.schema = $1 })
    static let codegenOutput = path("codegen", "output", get: { $0.codegen.output }, set: { $0.codegen.output = $1 })
    static let codegenAdapters = adapters()
    static let codegenTemplates = path(
        "codegen", "templates", get: { $0.codegen.templates }, set: { $0.codegen.templates = $1 })
    static let devUpstream = url("dev", "upstream", get: { $0.dev.upstream }, set: { $0.dev.upstream = $1 })
    static let devPort = port()
    static let devHost = text("dev", "host", get: { $0.dev.host }, set: { $0.dev.host = $1 })
    static let devStore = store()
    static let devManifest = path("dev", "manifest", get: { $0.dev.manifest }, set: { $0.dev.manifest = $1 })
    static let renderProject = text("render", "project", get: { $0.render.project }, set: { $0.render.project = $1 })
    static let renderURL = url("render", "url", get: { $0.render.url }, set: { $0.render.url = $1 })
    static let renderEnvironment = environment()
    static let renderBundle = path("render", "bundle", get: { $0.render.bundle }, set: { $0.render.bundle = $1 })
    static let renderAssets = path("render", "assets", get: { $0.render.assets }, set: { $0.render.assets = $1 })

    /// In the order `explain()` lists them, which is the order of the documented mizan.toml.
    static let all: [ConfigKey] = [
        codegenSchema, codegenOutput, codegenAdapters, codegenTemplates,
        devUpstream, devPort, devHost, devStore, devManifest,
        renderProject, renderURL, renderEnvironment, renderBundle, renderAssets,
    ]

    static func keys(inTable table: String) -> [ConfigKey] {
        all.filter { $0.table == table }
    }
}

// MARK: Kinds of keys

extension ConfigKey {
    /// A non-empty string.
    private static func text(
        _ table: String, _ name: String,
        get: @escaping @Sendable (MizanConfig) -> String?, set: @escaping @Sendable (inout MizanConfig, String) -> Void
    ) -> ConfigKey {
        ConfigKey(
            table: table, name: name,
            decodeTOML: { value in
                value.string.map { .value(.string($0)) } ?? .wrongType(expected: "a string", found: value)
            },
            decodeText: { .value(.string($0)) },
            validate: { value in
                guard case .string(let text) = value else { return nil }
                return text.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil
            },
            get: { get($0).map(ConfigValue.string) },
            set: { config, value in if case .string(let text) = value { set(&config, text) } })
    }

    /// A file or folder, resolved against the folder its source is relative to.
    private static func path(
        _ table: String, _ name: String,
        get: @escaping @Sendable (MizanConfig) -> String?, set: @escaping @Sendable (inout MizanConfig, String) -> Void
    ) -> ConfigKey {
        var key = text(table, name, get: get, set: set)
        key.resolve = { value, base in
            guard case .string(let path) = value else { return value }
            return .string(ConfigPaths.resolve(path, against: base))
        }
        return key
    }

    /// An absolute http or https URL with a host.
    private static func url(
        _ table: String, _ name: String,
        get: @escaping @Sendable (MizanConfig) -> String?, set: @escaping @Sendable (inout MizanConfig, String) -> Void
    ) -> ConfigKey {
        var key = text(table, name, get: get, set: set)
        key.validate = { value in
            guard case .string(let text) = value else { return nil }
            guard let components = URLComponents(string: text),
                let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = components.host, !host.isEmpty
            else {
                return "expected an http or https URL such as \"http://127.0.0.1:8000\", found \"\(text)\""
            }
            return nil
        }
        return key
    }

    private static func port() -> ConfigKey {
        ConfigKey(
            table: "dev", name: "port",
            decodeTOML: { value in
                value.integer.map { .value(.integer($0)) } ?? .wrongType(expected: "an integer", found: value)
            },
            decodeText: { text in
                Int(text.trimmingCharacters(in: .whitespaces)).map { .value(.integer($0)) }
                    ?? .wrongType(expected: "an integer", found: nil)
            },
            validate: { value in
                guard case .integer(let port) = value, !(1...65535).contains(port) else { return nil }
                return "the port must be from 1 to 65535, found \(port)"
            },
            get: { .integer($0.dev.port) },
            set: { config, value in if case .integer(let port) = value { config.dev.port = port } })
    }

    private static func adapters() -> ConfigKey {
        let allowed = MizanConfig.Adapter.allCases.map(\.rawValue)
        @Sendable func decode(_ names: [(String, SourceLocation?)]) -> Decoded {
            var adapters: [MizanConfig.Adapter] = []
            for (name, location) in names {
                guard let adapter = MizanConfig.Adapter(rawValue: name) else {
                    return .invalid(
                        "'\(name)' is not an adapter; choose from \(allowed.joined(separator: ", "))", at: location)
                }
                if !adapters.contains(adapter) { adapters.append(adapter) }
            }
            return .value(.adapters(adapters))
        }
        return ConfigKey(
            table: "codegen", name: "adapters",
            decodeTOML: { value in
                guard let elements = value.array else {
                    return .wrongType(expected: "an array of strings", found: value)
                }
                var names: [(String, SourceLocation?)] = []
                for element in elements {
                    guard let name = element.string else { return .wrongType(expected: "a string", found: element) }
                    names.append((name, element.location))
                }
                return decode(names)
            },
            // A comma-separated list, since a variable holds one string; empty means none.
            decodeText: { text in
                decode(
                    text.split(separator: ",").map { ($0.trimmingCharacters(in: .whitespaces), nil) }.filter {
                        !$0.0.isEmpty
                    })
            },
            get: { .adapters($0.codegen.adapters) },
            set: { config, value in if case .adapters(let adapters) = value { config.codegen.adapters = adapters } })
    }

    private static func store() -> ConfigKey {
        @Sendable func decode(_ text: String, at location: SourceLocation?) -> Decoded {
            switch MizanConfig.Store.parse(text) {
            case .success(let store): .value(.store(store))
            case .failure(let error): .invalid(error.problem, at: location)
            }
        }
        return ConfigKey(
            table: "dev", name: "store",
            decodeTOML: { value in
                value.string.map { decode($0, at: value.location) } ?? .wrongType(expected: "a string", found: value)
            },
            decodeText: { decode($0, at: nil) },
            resolve: { value, base in
                guard case .store(.sqlite(let path)) = value else { return value }
                return .store(.sqlite(path: ConfigPaths.resolve(path, against: base)))
            },
            get: { .store($0.dev.store) },
            set: { config, value in if case .store(let store) = value { config.dev.store = store } })
    }

    private static func environment() -> ConfigKey {
        @Sendable func decode(_ text: String, at location: SourceLocation?) -> Decoded {
            guard let environment = MizanConfig.RenderEnvironment(rawValue: text) else {
                let allowed = MizanConfig.RenderEnvironment.allCases.map(\.rawValue).joined(separator: " or ")
                return .invalid("must be \(allowed), found \"\(text)\"", at: location)
            }
            return .value(.environment(environment))
        }
        return ConfigKey(
            table: "render", name: "env",
            decodeTOML: { value in
                value.string.map { decode($0, at: value.location) } ?? .wrongType(expected: "a string", found: value)
            },
            decodeText: { decode($0, at: nil) },
            get: { .environment($0.render.environment) },
            set: { config, value in
                if case .environment(let environment) = value { config.render.environment = environment }
            })
    }
}

/// Lexical path handling: no file system access and no symlink resolution, so results are
/// predictable and testable.
enum ConfigPaths {
    /// `path` if absolute, else `base/path`, normalized.
    static func resolve(_ path: String, against base: String) -> String {
        normalize(path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path)
    }

    /// Removes empty and `.` components and folds `..` where it can.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The containing folder of an absolute, normalized path; `/` for `/`.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), path != "/" else { return path }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` relative to `folder` when `path` is in `folder` or one of its ancestors (the
    /// mizan.toml that walking up finds), so diagnostics read `mizan.toml:7:1` or
    /// `../mizan.toml:7:1`; otherwise `path` unchanged.
    static func display(_ path: String, from folder: String) -> String {
        let file = parent(path)
        var ups = 0
        var current = folder
        while current != file {
            let next = parent(current)
            if next == current { return path }
            current = next
            ups += 1
        }
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        return String(repeating: "../", count: ups) + name
    }
}
