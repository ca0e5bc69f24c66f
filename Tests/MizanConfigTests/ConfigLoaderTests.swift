import Foundation
import MizanCore
import Testing

@testable import MizanConfig

/// Finding and reading mizan.toml.
@Suite struct ConfigLoaderTests {
    @Test func walksUpToTheNearestMizanToml() throws {
        try withTemporaryFolder { root in
            try write("[dev]\nport = 4001\nbogus = 1", to: root + "/mizan.toml")
            try write("[dev]\nport = 4002", to: root + "/other/mizan.toml")
            let start = root + "/web/src/components"
            try FileManager.default.createDirectory(atPath: start, withIntermediateDirectories: true)
            let result = ConfigLoader.load(
                explicitPath: nil, searchFrom: start, environment: [:], overrides: ConfigOverrides())
            #expect(result.source == root + "/mizan.toml")
            #expect(
                result.diagnostics.map(\.formatted) == [
                    "../../../mizan.toml:3:1: error: unknown key 'bogus' in [dev]; the keys of [dev] are host, manifest, port, store, upstream [MZ103]"
                ])
            try write("[dev]\nport = 4001", to: root + "/mizan.toml")
            let config = try #require(
                ConfigLoader.load(
                    explicitPath: nil, searchFrom: start, environment: [:], overrides: ConfigOverrides()
                ).config)
            #expect(config.dev.port == 4001)
            #expect(config.codegen.output == root + "/generated")
            #expect(config.sources["dev.port"] == .file(location(2, 1, file: "../../../mizan.toml")))
        }
    }

    @Test func aFolderNamedMizanTomlIsSkipped() throws {
        try withTemporaryFolder { root in
            try write("[dev]\nport = 4005", to: root + "/mizan.toml")
            try FileManager.default.createDirectory(atPath: root + "/app/mizan.toml", withIntermediateDirectories: true)
            #expect(ConfigLoader.find(from: root + "/app") == root + "/mizan.toml")
        }
    }

    @Test func missingFileGivesDefaultsAndNoDiagnostics() throws {
        try withTemporaryFolder { root in
            let result = ConfigLoader.load(
                explicitPath: nil, searchFrom: root, environment: [:], overrides: ConfigOverrides())
            // A mizan.toml above the temporary folder would spoil this test; there should be none.
            try #require(ConfigLoader.find(from: root) == nil)
            #expect(result.diagnostics.isEmpty)
            #expect(result.source == nil)
            let config = try #require(result.config)
            #expect(config.codegen.schema == root + "/mizan-schema.json")
            #expect(config.dev.port == 4000)
            #expect(config.dev.upstream == "http://127.0.0.1:8000")
            #expect(config.render.project == nil)
            #expect(config.sources.isEmpty)
            #expect(config.explain().allSatisfy { $0.source == .default })
        }
    }

    @Test func explicitPathWinsOverTheSearchAndIsRelativeToTheStartFolder() throws {
        try withTemporaryFolder { root in
            try write("[dev]\nport = 4001", to: root + "/mizan.toml")
            try write("[dev]\nport = 4009\n[codegen]\nschema = \"s.json\"", to: root + "/config/ci.toml")
            let result = ConfigLoader.load(
                explicitPath: "config/ci.toml", searchFrom: root, environment: [:], overrides: ConfigOverrides())
            #expect(result.source == root + "/config/ci.toml")
            let config = try #require(result.config)
            #expect(config.dev.port == 4009)
            #expect(config.codegen.schema == root + "/config/s.json")
            #expect(config.sources["dev.port"]?.description == "config/ci.toml:2")
        }
    }

    @Test func explicitPathThatCannotBeReadIsAnError() throws {
        try withTemporaryFolder { root in
            try FileManager.default.createDirectory(atPath: root + "/folder.toml", withIntermediateDirectories: true)
            try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22]).write(to: URL(fileURLWithPath: root + "/latin1.toml"))
            for (path, problem) in [
                ("missing.toml", "no such file"), ("folder.toml", "it is a folder"),
                ("latin1.toml", "it is not UTF-8 text"),
            ] {
                let result = ConfigLoader.load(
                    explicitPath: path, searchFrom: root, environment: [:], overrides: ConfigOverrides())
                #expect(result.config == nil)
                #expect(result.source == root + "/" + path)
                #expect(
                    result.diagnostics.map(\.formatted) == [
                        "error: cannot read config file '\(path)': \(problem) [MZ109]"
                    ])
            }
        }
    }

    @Test func relativeSearchFolderIsResolvedAgainstTheWorkingFolder() {
        let result = ConfigLoader.load(
            explicitPath: nil, searchFrom: ".", environment: [:], overrides: ConfigOverrides())
        #expect(result.config?.codegen.output.hasPrefix("/") == true)
    }

    @Test func lexicalPathHelpers() {
        #expect(ConfigPaths.resolve("a/./b/../c", against: "/x/y") == "/x/y/a/c")
        #expect(ConfigPaths.resolve("../../../../z", against: "/x/y") == "/z")
        #expect(ConfigPaths.resolve("/abs//p/", against: "/x") == "/abs/p")
        #expect(ConfigPaths.normalize("../a/./b/..") == "../a")
        #expect(ConfigPaths.parent("/a/b") == "/a")
        #expect(ConfigPaths.parent("/a") == "/")
        #expect(ConfigPaths.parent("/") == "/")
        #expect(ConfigPaths.display("/p/mizan.toml", from: "/p") == "mizan.toml")
        #expect(ConfigPaths.display("/p/mizan.toml", from: "/p/a/b") == "../../mizan.toml")
        #expect(ConfigPaths.display("/q/mizan.toml", from: "/p") == "/q/mizan.toml")
    }
}
