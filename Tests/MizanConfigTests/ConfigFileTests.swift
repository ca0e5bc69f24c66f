import MizanCore
import Testing

@testable import MizanConfig

/// mizan.toml checked against the schema: types, ranges, unknown keys and tables.
@Suite struct ConfigFileTests {
    @Test func fullFileIsReadAndPathsAreResolvedAgainstItsFolder() throws {
        let result = try load(
            """
            [codegen]
            schema = "api/schema.json"
            output = "./web/src/../gen"
            adapters = ["react", "svelte", "react"]
            templates = "/opt/templates"

            [dev]
            upstream = "http://localhost:8001"
            port = 4100
            host = "0.0.0.0"
            store = "sqlite:.mizan/cache.sqlite"
            manifest = "out/manifest.json"

            [render]
            project = "bookshop"
            url = "https://render.example.com"
            env = "preview"
            bundle = "dist/w"
            assets = "static"
            """)
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        let root = result.folder
        #expect(result.source == root + "/mizan.toml")
        #expect(config.codegen.schema == root + "/api/schema.json")
        #expect(config.codegen.output == root + "/web/gen")
        #expect(config.codegen.adapters == [.react, .svelte])
        #expect(config.codegen.templates == "/opt/templates")
        #expect(config.dev.upstream == "http://localhost:8001")
        #expect(config.dev.port == 4100)
        #expect(config.dev.host == "0.0.0.0")
        #expect(config.dev.store == .sqlite(path: root + "/.mizan/cache.sqlite"))
        #expect(config.dev.manifest == root + "/out/manifest.json")
        #expect(config.render.project == "bookshop")
        #expect(config.render.url == "https://render.example.com")
        #expect(config.render.environment == .preview)
        #expect(config.render.bundle == root + "/dist/w")
        #expect(config.render.assets == root + "/static")
        #expect(config.sources["dev.port"] == .file(location(9, 1)))
    }

    @Test func dottedKeysAndInlineTablesAreTablesToo() throws {
        let result = try load(
            """
            dev.port = 4200
            render = { project = "shop", env = "preview" }
            [codegen]
            adapters.x = 1
            """)
        #expect(result.codes == [ConfigCode.wrongType])
        #expect(result.diagnostics.first?.message == "expected an array of strings for codegen.adapters, found a table")
        #expect(result.diagnostics.first?.location == location(4, 1))
        let fixed = try load("dev.port = 4200\nrender = { project = \"shop\", env = \"preview\" }")
        let config = try #require(fixed.config)
        #expect(config.dev.port == 4200)
        #expect(config.render.project == "shop")
        #expect(config.render.environment == .preview)
        #expect(config.sources["render.env"] == .file(location(2, 30)))
    }

    @Test func unknownKeySuggestsTheClosestKeyAtItsLine() throws {
        let result = try load(
            """
            [codegen]
            output = "generated"

            # the proxy
            [dev]
            port = 4000
            upstrem = "http://127.0.0.1:8000"
            """)
        #expect(result.config == nil)
        #expect(
            result.diagnostics.map(\.formatted) == [
                "mizan.toml:7:1: error: unknown key 'upstrem' in [dev]; did you mean 'upstream'? [MZ103]"
            ])
    }

    @Test func unknownKeyWithoutACloseMatchListsTheKeys() throws {
        let result = try load("[render]\n  flavour = 1")
        #expect(result.codes == [ConfigCode.unknownKey])
        #expect(result.diagnostics.first?.location == location(2, 3))
        #expect(
            result.diagnostics.first?.message
                == "unknown key 'flavour' in [render]; the keys of [render] are assets, bundle, env, project, url")
    }

    @Test func unknownTablesAndTopLevelKeys() throws {
        let result = try load(
            """
            port = 4000
            colour = "red"
            [devv]
            port = 1
            [plugins.x]
            [dev.extra]
            """)
        #expect(
            result.diagnostics.map(\.message) == [
                "unknown key 'port' at the top level; 'port' belongs in [dev]",
                "unknown key 'colour' at the top level; mizan.toml keys belong in [codegen], [dev] or [render]",
                "unknown table [devv]; did you mean [dev]?",
                "unknown table [plugins]; mizan.toml has [codegen], [dev], [render]",
                "unknown key 'extra' in [dev]; the keys of [dev] are host, manifest, port, store, upstream",
            ])
        #expect(
            result.codes == [
                ConfigCode.unknownKey, ConfigCode.unknownKey, ConfigCode.unknownTable, ConfigCode.unknownTable,
                ConfigCode.unknownKey,
            ])
        #expect(result.diagnostics.map(\.location?.line) == [1, 2, 3, 5, 6])
    }

    @Test(arguments: [
        ("[dev]\nport = \"4000\"", "expected an integer for dev.port, found a string; remove the quotes: 4000", 2, 8),
        ("[dev]\nport = 4000.0", "expected an integer for dev.port, found a float", 2, 8),
        ("[dev]\nhost = 127", "expected a string for dev.host, found an integer", 2, 8),
        ("[codegen]\nadapters = \"react\"", "expected an array of strings for codegen.adapters, found a string", 2, 12),
        ("[codegen]\nadapters = [\"react\", 2]", "expected a string for codegen.adapters, found an integer", 2, 22),
        ("[render]\nenv = { name = \"x\" }", "expected a string for render.env, found a table", 2, 7),
        ("dev = 5", "expected a table for [dev], found an integer", 1, 7),
        ("codegen = [\"x\"]", "expected a table for [codegen], found an array", 1, 11),
    ])
    func wrongTypesPointAtTheValue(toml: String, message: String, line: Int, column: Int) throws {
        let result = try load(toml)
        #expect(result.codes == [ConfigCode.wrongType])
        #expect(result.diagnostics.first?.message == message)
        #expect(result.diagnostics.first?.location == location(line, column))
    }

    @Test(arguments: [
        ("[dev]\nport = 70000", "invalid value for dev.port: the port must be from 1 to 65535, found 70000", 8),
        ("[dev]\nport = 0", "invalid value for dev.port: the port must be from 1 to 65535, found 0", 8),
        (
            "[render]\nenv = \"staging\"",
            "invalid value for render.env: must be production or preview, found \"staging\"", 7
        ),
        (
            "[codegen]\nadapters = [\"vue\", \"angular\"]",
            "invalid value for codegen.adapters: 'angular' is not an adapter; choose from react, vue, svelte", 20
        ),
        (
            "[dev]\nstore = \"mongo://x\"",
            "invalid value for dev.store: must be \"memory\", \"sqlite:PATH\" or \"redis://HOST:PORT/DB\", found \"mongo://x\"",
            9
        ),
        (
            "[dev]\nstore = \"sqlite:\"",
            "invalid value for dev.store: sqlite: needs a file path, as in \"sqlite:.mizan/cache.sqlite\"", 9
        ),
        (
            "[dev]\nstore = \"redis://h:0/1\"",
            "invalid value for dev.store: the Redis port in \"redis://h:0/1\" must be a number from 1 to 65535", 9
        ),
        (
            "[dev]\nupstream = \"localhost:8000\"",
            "invalid value for dev.upstream: expected an http or https URL such as \"http://127.0.0.1:8000\", found \"localhost:8000\"",
            12
        ),
        ("[render]\nproject = \" \"", "invalid value for render.project: must not be empty", 11),
        ("[codegen]\noutput = \"\"", "invalid value for codegen.output: must not be empty", 10),
    ])
    func valuesOutOfRangeOrNotAllowed(toml: String, message: String, column: Int) throws {
        let result = try load(toml)
        #expect(result.codes == [ConfigCode.invalidValue])
        #expect(result.diagnostics.first?.message == message)
        #expect(result.diagnostics.first?.location == location(2, column))
    }

    @Test func everyProblemIsReportedInOnePassInSourceOrder() throws {
        let result = try load(
            """
            [dev]
            port = "x"
            hostt = "h"
            port = 5
            [render]
            env = "prod"
            [[codegen]]
            when = 2024-01-01
            """)
        #expect(result.config == nil)
        #expect(
            result.codes == [
                ConfigCode.wrongType, ConfigCode.unknownKey, ConfigCode.duplicateKey, ConfigCode.invalidValue,
                ConfigCode.unsupportedFeature, ConfigCode.unsupportedFeature,
            ])
        #expect(result.diagnostics.map(\.location?.line) == [2, 3, 4, 6, 7, 8])
        #expect(result.diagnostics[1].message.hasSuffix("did you mean 'host'?"))
    }

    @Test func syntaxErrorStillReportsSchemaProblemsAboveIt() throws {
        let result = try load("[dev]\nprt = 1\nhost = localhost\n")
        #expect(result.codes == [ConfigCode.unknownKey, ConfigCode.syntaxError])
        #expect(result.diagnostics[0].message.hasSuffix("did you mean 'port'?"))
    }

    @Test(arguments: [
        ("memory", MizanConfig.Store.memory),
        ("redis://cache.local", .redis(host: "cache.local", port: 6379, database: 0)),
        ("redis://10.0.0.5:6380/2", .redis(host: "10.0.0.5", port: 6380, database: 2)),
        ("sqlite:/var/cache/mizan.db", .sqlite(path: "/var/cache/mizan.db")),
    ])
    func storeSpellings(text: String, store: MizanConfig.Store) throws {
        let result = try load("[dev]\nstore = \"\(text)\"")
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.dev.store == store)
    }

    @Test func emptyFileGivesDefaultsRelativeToItsFolder() throws {
        let result = try load("# nothing yet\n")
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        var expected = MizanConfig()
        expected.codegen.schema = result.folder + "/mizan-schema.json"
        expected.codegen.output = result.folder + "/generated"
        expected.dev.manifest = result.folder + "/generated/manifest.json"
        expected.render.bundle = result.folder + "/dist/worker"
        expected.render.assets = result.folder + "/public"
        #expect(config == expected)
    }

    @Test func manifestFollowsTheOutputFolderUnlessSet() throws {
        let followed = try load("[codegen]\noutput = \"web/gen\"")
        #expect(followed.config?.dev.manifest == followed.folder + "/web/gen/manifest.json")
        let set = try load("[codegen]\noutput = \"web/gen\"\n[dev]\nmanifest = \"m.json\"")
        #expect(set.config?.dev.manifest == set.folder + "/m.json")
    }
}

@Test func configCodesAreUniqueAndInTheirRange() {
    let codes = ConfigCode.summaries.map(\.code)
    #expect(Set(codes).count == codes.count)
    #expect(codes.allSatisfy { $0 >= "MZ100" && $0 <= "MZ119" })
    #expect(codes.first == ConfigCode.syntaxError && codes.last == ConfigCode.invalidFlag)
}
