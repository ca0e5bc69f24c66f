// swift-tools-version: 6.0
import PackageDescription

// Dependencies point one way: mizan → MizanCLI → feature modules (MizanCodegen, MizanOpenAPI → MizanSchema; MizanConfig)
// → MizanCore. Each outside package is imported by exactly one module; see DEPENDENCIES.md.
let package = Package(
    name: "mizan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mizan", targets: ["mizan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already required by the two above; named so that MizanDevServer may import them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(name: "mizan", dependencies: ["MizanCLI"]),
        .target(
            name: "MizanCLI",
            dependencies: [
                "MizanCore", "MizanConfig", "MizanSchema", "MizanOpenAPI", "MizanManifest", "MizanCodegen",
                "MizanProtocol", "MizanStores", "MizanDevServer", "MizanCacheAdmin", "MizanDeploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "MizanCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "MizanConfig", dependencies: ["MizanCore"]),
        .target(name: "MizanSchema", dependencies: ["MizanCore"]),
        .target(name: "MizanOpenAPI", dependencies: ["MizanCore", "MizanSchema", .product(name: "Yams", package: "Yams")]),
        .target(name: "MizanManifest", dependencies: ["MizanCore", "MizanSchema"]),
        .target(
            name: "MizanCodegen",
            dependencies: ["MizanCore", "MizanSchema", "MizanManifest"]
        ),
        .target(name: "MizanProtocol", dependencies: ["MizanCore", "MizanSchema", "MizanManifest"]),
        // SQLite and Redis come from the system (libsqlite3-dev, libhiredis-dev); only MizanStores imports them.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .target(name: "MizanStores", dependencies: ["MizanCore", "MizanProtocol", "CSQLite", "CHiredis"]),
        // libcurl comes from the system (libcurl4-openssl-dev); only MizanDeploy imports it.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(name: "MizanDeploy", dependencies: ["MizanCore", "MizanManifest", "CCurl"]),
        // The local caching proxy: Hummingbird serves, AsyncHTTPClient calls the upstream.
        .target(
            name: "MizanDevServer",
            dependencies: [
                "MizanCore", "MizanSchema", "MizanManifest", "MizanProtocol", "MizanStores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `mizan cache`: stores reached directly or through a management API, selectors typed by
        // the manifest.
        .target(
            name: "MizanCacheAdmin",
            dependencies: [
                "MizanCore", "MizanManifest", "MizanProtocol", "MizanStores",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "mizan-stores-bench", dependencies: ["MizanStores", "MizanProtocol"], path: "Benchmarks/stores", exclude: ["run.sh"]),
        // Helpers shared by test targets (golden-file diffs); never linked into mizan.
        .target(name: "MizanTestSupport", path: "Tests/MizanTestSupport"),
        .testTarget(name: "MizanCoreTests", dependencies: ["MizanCore"]),
        .testTarget(name: "MizanConfigTests", dependencies: ["MizanConfig"]),
        .testTarget(name: "MizanSchemaTests", dependencies: ["MizanSchema", "MizanCore"]),
        .testTarget(name: "MizanOpenAPITests", dependencies: ["MizanOpenAPI", "MizanSchema", "MizanCore", "MizanCodegen", "MizanTestSupport"], exclude: ["Golden", "Inputs"]),
        .testTarget(name: "MizanManifestTests", dependencies: ["MizanManifest", "MizanSchema", "MizanCore"]),
        .testTarget(name: "MizanCodegenTests", dependencies: ["MizanCodegen", "MizanSchema", "MizanCore", "MizanTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "MizanCLITests", dependencies: ["MizanCLI", "MizanTestSupport"]),
        .testTarget(name: "MizanProtocolTests", dependencies: ["MizanProtocol", "MizanManifest", "MizanSchema", "MizanCore"]),
        // mizan-stores-bench is also the writer that the SQLite crash test kills.
        .testTarget(
            name: "MizanDevServerTests",
            dependencies: [
                "MizanDevServer", "MizanProtocol", "MizanStores", "MizanManifest", "MizanSchema", "MizanCore", "MizanTestSupport",
                "MizanOpenAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "MizanStoresTests", dependencies: ["MizanStores", "MizanProtocol", "MizanCore", "MizanTestSupport", "mizan-stores-bench"]),
        .testTarget(
            name: "MizanDeployTests",
            dependencies: [
                "MizanDeploy", "MizanCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
