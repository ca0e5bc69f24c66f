import MizanCore
import Testing

@testable import MizanConfig

/// flags > MIZAN_* > mizan.toml > defaults, and how each source's values are read.
@Suite struct ConfigPrecedenceTests {
    struct Layers: Sendable, CustomStringConvertible {
        var file: Bool
        var environment: Bool
        var flag: Bool
        var description: String { "file: \(file), env: \(environment), flag: \(flag)" }
    }

    static let allLayers: [Layers] = [false, true].flatMap { file in
        [false, true].flatMap { environment in
            [false, true].map { flag in Layers(file: file, environment: environment, flag: flag) }
        }
    }

    @Test(arguments: allLayers)
    func highestSourceWinsForThePort(layers: Layers) throws {
        var overrides = ConfigOverrides()
        if layers.flag { overrides.port = 7003 }
        let result = try load(
            layers.file ? "[dev]\nport = 7001" : nil,
            environment: layers.environment ? ["MIZAN_DEV_PORT": "7002"] : [:],
            overrides: overrides)
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        let (port, source): (Int, ConfigSource) =
            layers.flag
            ? (7003, .flag)
            : layers.environment
                ? (7002, .environment(variable: "MIZAN_DEV_PORT"))
                : layers.file ? (7001, .file(location(2, 1))) : (4000, .default)
        #expect(config.dev.port == port)
        #expect(config.explain().first { $0.key == "dev.port" }?.source == source)
    }

    @Test func precedenceHoldsForPathsListsStoresAndEnums() throws {
        var overrides = ConfigOverrides()
        overrides.schema = "flag.json"
        overrides.store = "memory"
        let result = try load(
            """
            [codegen]
            schema = "file.json"
            adapters = ["react"]
            output = "file-out"
            [dev]
            store = "sqlite:file.db"
            [render]
            env = "preview"
            """,
            environment: [
                "MIZAN_CODEGEN_SCHEMA": "env.json",
                "MIZAN_CODEGEN_ADAPTERS": "vue, svelte",
                "MIZAN_DEV_STORE": "redis://r:1/3",
                "MIZAN_RENDER_ENV": "production",
            ],
            overrides: overrides)
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.codegen.schema.hasSuffix("/flag.json"))
        #expect(config.codegen.adapters == [.vue, .svelte])
        #expect(config.codegen.output == result.folder + "/file-out")
        #expect(config.dev.store == .memory)
        #expect(config.render.environment == .production)
        #expect(config.sources["codegen.output"] == .file(location(4, 1)))
        #expect(config.sources["codegen.adapters"] == .environment(variable: "MIZAN_CODEGEN_ADAPTERS"))
        #expect(config.sources["dev.store"] == .flag)
    }

    @Test func explainListsEveryKeyWithItsSource() throws {
        var overrides = ConfigOverrides()
        overrides.adapters = [.react]
        let result = try load(
            "[render]\nproject = \"bookshop\"",
            environment: ["MIZAN_DEV_HOST": "0.0.0.0"],
            overrides: overrides)
        let explained = try #require(result.config).explain()
        #expect(
            explained.map(\.key) == [
                "codegen.schema", "codegen.output", "codegen.adapters", "codegen.templates",
                "dev.upstream", "dev.port", "dev.host", "dev.store", "dev.manifest",
                "render.project", "render.url", "render.env", "render.bundle", "render.assets",
            ])
        let rows = Dictionary(uniqueKeysWithValues: explained.map { ($0.key, "\($0.value) (\($0.source))") })
        #expect(rows["codegen.adapters"] == "react (flag)")
        #expect(rows["dev.host"] == "0.0.0.0 (env MIZAN_DEV_HOST)")
        #expect(rows["render.project"] == "bookshop (mizan.toml:2)")
        #expect(rows["dev.port"] == "4000 (default)")
        #expect(rows["codegen.templates"] == "(not set) (default)")
        #expect(rows["dev.store"] == "memory (default)")
    }

    @Test func environmentValuesOfEachKind() throws {
        let result = try load(
            nil,
            environment: [
                "MIZAN_DEV_PORT": " 5000 ",
                "MIZAN_CODEGEN_ADAPTERS": "react,,svelte ",
                "MIZAN_DEV_STORE": "sqlite:cache.db",
                "MIZAN_RENDER_ENV": "preview",
                "MIZAN_RENDER_URL": "http://127.0.0.1:4000",
                "MIZAN_CODEGEN_TEMPLATES": "tpl",
            ])
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.dev.port == 5000)
        #expect(config.codegen.adapters == [.react, .svelte])
        #expect(config.dev.store == .sqlite(path: result.folder + "/cache.db"))
        #expect(config.render.environment == .preview)
        #expect(config.render.url == "http://127.0.0.1:4000")
        #expect(config.codegen.templates == result.folder + "/tpl")
    }

    @Test(arguments: [
        ("MIZAN_DEV_PORT", "abc", "MIZAN_DEV_PORT='abc' is not an integer"),
        (
            "MIZAN_DEV_PORT", "65536",
            "MIZAN_DEV_PORT='65536' is not valid for dev.port: the port must be from 1 to 65535, found 65536"
        ),
        (
            "MIZAN_CODEGEN_ADAPTERS", "react,angular",
            "MIZAN_CODEGEN_ADAPTERS='react,angular' is not valid for codegen.adapters: 'angular' is not an adapter; choose from react, vue, svelte"
        ),
        (
            "MIZAN_RENDER_ENV", "prod",
            "MIZAN_RENDER_ENV='prod' is not valid for render.env: must be production or preview, found \"prod\""
        ),
        (
            "MIZAN_DEV_UPSTREAM", "ftp://x",
            "MIZAN_DEV_UPSTREAM='ftp://x' is not valid for dev.upstream: expected an http or https URL such as \"http://127.0.0.1:8000\", found \"ftp://x\""
        ),
        ("MIZAN_CODEGEN_OUTPUT", "", "MIZAN_CODEGEN_OUTPUT='' is not valid for codegen.output: must not be empty"),
    ])
    func badEnvironmentValuesNameTheVariable(variable: String, value: String, message: String) throws {
        let result = try load("[dev]\nport = 4000", environment: [variable: value])
        #expect(result.config == nil)
        #expect(result.codes == [ConfigCode.badEnvironmentValue])
        #expect(result.diagnostics.first?.message == message)
        #expect(result.diagnostics.first?.location == nil)
    }

    @Test func secretsOtherVariablesAndUnknownConfigVariables() throws {
        let result = try load(
            nil,
            environment: [
                "MIZAN_TOKEN": "t", "MIZAN_SECRET": "s", "PATH": "/bin", "mizan_dev_port": "x",
                "MIZAN_CODEGEN_FOO": "1", "MIZAN_DEV_PROT": "5000",
            ])
        #expect(result.config != nil)
        #expect(result.diagnostics.map(\.severity) == [.warning, .warning])
        #expect(
            result.diagnostics.map(\.formatted) == [
                "warning: MIZAN_CODEGEN_FOO is not a mizan configuration variable and is ignored [MZ108]",
                "warning: MIZAN_DEV_PROT is not a mizan configuration variable and is ignored; did you mean MIZAN_DEV_PORT? [MZ108]",
            ])
    }

    @Test func pathsFromTheEnvironmentAndFlagsAreRelativeToTheWorkingFolder() throws {
        try withTemporaryFolder { root in
            try write("[codegen]\nschema = \"s.json\"", to: root + "/mizan.toml")
            var overrides = ConfigOverrides()
            overrides.output = "../out"
            overrides.assets = "/abs/assets"
            let result = ConfigLoader.load(
                explicitPath: nil, searchFrom: root + "/web/app",
                environment: ["MIZAN_RENDER_BUNDLE": "dist"], overrides: overrides)
            #expect(result.diagnostics.isEmpty)
            let config = try #require(result.config)
            #expect(config.codegen.schema == root + "/s.json")
            #expect(config.codegen.output == root + "/web/out")
            #expect(config.render.bundle == root + "/web/app/dist")
            #expect(config.render.assets == "/abs/assets")
            #expect(config.render.url == "https://render.mizan.dev")
        }
    }

    @Test func invalidFlagValuesAreReported() throws {
        var overrides = ConfigOverrides()
        overrides.port = 0
        overrides.store = "disk"
        overrides.upstream = "not a url"
        let result = try load(nil, overrides: overrides)
        #expect(result.config == nil)
        #expect(result.codes == [ConfigCode.invalidFlag, ConfigCode.invalidFlag, ConfigCode.invalidFlag])
        #expect(
            result.diagnostics.map(\.message) == [
                "invalid value for dev.upstream from the command line: expected an http or https URL such as \"http://127.0.0.1:8000\", found \"not a url\"",
                "invalid value for dev.port from the command line: the port must be from 1 to 65535, found 0",
                "invalid value for dev.store from the command line: must be \"memory\", \"sqlite:PATH\" or \"redis://HOST:PORT/DB\", found \"disk\"",
            ])
    }
}
