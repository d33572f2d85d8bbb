// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "microposts-kit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edge", targets: ["edge"]),
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "data", targets: ["data"]),
        .executable(name: "master", targets: ["master"]),
        .executable(name: "rpc", targets: ["rpc"]),
        .executable(name: "rpc-bench", targets: ["RPCBench"]),
        .executable(name: "http-floor", targets: ["HTTPFloor"]),
        .executable(name: "rpc-wire-fuzzer", targets: ["RPCWireFuzzer"]),
        .executable(name: "edge-request-fuzzer", targets: ["EdgeRequestFuzzer"]),
        .library(name: "RPC", targets: ["RPC"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "JSONText", targets: ["JSONText"]),
        .library(name: "AppServerProtocol", targets: ["AppServerProtocol"]),
        .library(name: "AppServer", targets: ["AppServer"]),
        .library(name: "PostgresData", targets: ["PostgresData"]),
        .library(name: "MicropostsModels", targets: ["MicropostsModels"]),
    ],
    // The OTLP exporter (swift-otel) is a trait, on by default. The sanitizer and fuzzing builds
    // leave it out (`--disable-default-traits`): swift-otel 1.6.0 does not compile with
    // `-sanitize=thread` under Swift 6.3.1 (a region-isolation error in its batch span processor),
    // and neither kind of build exports traces.
    traits: [
        .trait(name: "OTLPExport", description: "Export spans over OTLP with swift-otel when an endpoint is configured."),
        .default(enabledTraits: ["OTLPExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // No default traits: "FullFoundation" links swift-corelibs-foundation, and with it ICU's
        // ~30 MB of data, into every binary; "ConfigurationSupport" is unused.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // AppServer names HTTPTypes itself (Hummingbird's request and response types).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Spans and their context: the API every layer uses (Hummingbird already builds it).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // The OpenTelemetry SDK behind that API, exporting OTLP over HTTP only: the gRPC exporter
        // would add grpc-swift to every binary for a second way of saying the same thing.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Parsing and writing `traceparent`/`tracestate` (swift-otel's own parser).
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        // TLS and HTTP/2 at the edge (nginx's `ssl` and `http2`): only the edge and its tests link them.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    ],
    targets: [
        // MARK: Shared libraries

        /// The internal RPC: frame codec, connection state machines, client and server.
        .target(
            name: "RPC",
            dependencies: [
                "JSONText",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/RPC",
            swiftSettings: swiftSettings
        ),
        /// Writing JSON text by hand where an encoder costs too much: the one string escaper.
        .target(name: "JSONText", path: "Shared/JSONText", swiftSettings: swiftSettings),
        /// The edge↔app-server protocol (uwsgi's role between nginx and uWSGI): an HTTP request
        /// and response as one RPC call, for any HTTP API behind any edge.
        .target(
            name: "AppServerProtocol",
            dependencies: [
                "RPC", "JSONText",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
            ],
            path: "Shared/AppServerProtocol",
            exclude: ["app-server.contract"],
            swiftSettings: swiftSettings
        ),
        /// What an app server does for any HTTP API: routes with typed parameters that produce
        /// both the router and the OpenAPI document, JSON writing, errors, the auth seam, the
        /// edge's `worker.http` method and direct HTTP mode.
        .target(
            name: "AppServer",
            dependencies: [
                "RPC", "ServiceKit", "AppServerProtocol", "JSONText",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/AppServer",
            swiftSettings: swiftSettings
        ),
        /// Microposts' wire models and typed RPC method descriptors, shared by its services.
        .target(
            name: "MicropostsModels",
            dependencies: [
                "RPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
            ],
            path: "Shared/MicropostsModels",
            exclude: ["microposts-data.contract"],
            swiftSettings: swiftSettings
        ),
        /// glibc's malloc arena limit, which Swift's Glibc module does not export.
        .target(name: "CMallocTuning", path: "Shared/CMallocTuning"),
        /// The Swift runtime's global-enqueue hook, resolved at link time (static builds hide it from dlsym).
        .target(name: "CConcurrencyHook", path: "Shared/CConcurrencyHook"),
        /// Plumbing every service runs: configuration, logging, metrics, admin listener, lifecycle.
        .target(
            name: "ServiceKit",
            dependencies: [
                "RPC", "JSONText",
                "CMallocTuning",
                "CConcurrencyHook",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLPExport"])),
            ],
            path: "Shared/ServiceKit",
            swiftSettings: swiftSettings
        ),

        /// A service's PostgreSQL: pool leases bounded by the RPC call's deadline, connection
        /// settings (DATABASE_URL, libpq variables), health, error mapping, statement batching,
        /// migrations.
        .target(
            name: "PostgresData",
            dependencies: [
                "RPC", "ServiceKit",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/PostgresData",
            swiftSettings: swiftSettings
        ),

        // MARK: Services

        .target(
            name: "EdgeService",
            dependencies: [
                "RPC", "ServiceKit", "AppServerProtocol",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            path: "Services/Edge/EdgeService",
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "edge", dependencies: ["EdgeService"], path: "Services/Edge/Main", swiftSettings: swiftSettings),

        .target(
            name: "WorkerService",
            dependencies: [
                "RPC", "ServiceKit", "AppServer", "AppServerProtocol", "JSONText", "MicropostsModels",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Services/Worker/WorkerService",
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "worker", dependencies: ["WorkerService"], path: "Services/Worker/Main", swiftSettings: swiftSettings),

        .target(
            name: "DataService",
            dependencies: [
                "RPC", "ServiceKit", "PostgresData", "MicropostsModels", "MicropostsInMemoryData",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Services/Data/DataService",
            resources: [.copy("Migrations/SQL")],
            swiftSettings: swiftSettings
        ),
        /// Microposts' data methods answered from memory: `data --in-memory`, and the worker's tests.
        .target(
            name: "MicropostsInMemoryData",
            dependencies: [
                "RPC", "MicropostsModels",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Data/InMemory",
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "data", dependencies: ["DataService"], path: "Services/Data/Main", swiftSettings: swiftSettings),

        /// The process master (uWSGI's master role): runs N instances of each service on one machine.
        .target(
            name: "MasterService",
            dependencies: [
                "ServiceKit", "RPC",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Master/MasterService",
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "master", dependencies: ["MasterService"], path: "Services/Master/Main", swiftSettings: swiftSettings),

        // MARK: Tools

        /// `rpc call|health`: the grpcurl of the internal RPC.
        .executableTarget(
            name: "rpc",
            dependencies: [
                "RPC", "MicropostsModels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/rpc",
            swiftSettings: swiftSettings
        ),
        /// Two-process RPC throughput and latency benchmark (see Benchmarks/README.md).
        .executableTarget(
            name: "RPCBench",
            dependencies: [
                "RPC", "ServiceKit", "AppServerProtocol", "MicropostsModels", "PostgresData",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/RPCBench",
            swiftSettings: swiftSettings
        ),
        /// The least a SwiftNIO HTTP/1.1 server can do per request, beside the edge (Benchmarks/http-floor.sh).
        .executableTarget(
            name: "HTTPFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/HTTPFloor",
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzzing

        /// What the libFuzzer targets check, as functions: the fuzzers call them on each input
        /// and FuzzTargetsTests replays the committed corpus through them.
        .target(
            name: "FuzzTargets",
            dependencies: [
                "RPC", "AppServerProtocol", "MicropostsModels", "EdgeService", "ServiceKit",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/FuzzTargets",
            swiftSettings: swiftSettings
        ),
        /// libFuzzer entry points (scripts/fuzz.sh builds them with `--sanitize=fuzzer
        /// -DLIBFUZZER`); a plain build replays the files it is given.
        .executableTarget(name: "RPCWireFuzzer", dependencies: ["FuzzTargets"], path: "Fuzz/RPCWireFuzzer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "EdgeRequestFuzzer", dependencies: ["FuzzTargets"], path: "Fuzz/EdgeRequestFuzzer", swiftSettings: swiftSettings),

        // MARK: Tests

        /// Starts throwaway PostgreSQL clusters for any test target that needs a database.
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/Support/PostgresTestSupport",
            swiftSettings: swiftSettings
        ),
        /// Starts this package's executables as real processes for tests.
        .target(
            name: "ServiceTestSupport",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Support/ServiceTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"], path: "Tests/FuzzTargetsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "RPC",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/RPCTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RPCToolTests", dependencies: ["ServiceTestSupport"], path: "Tests/RPCToolTests", swiftSettings: swiftSettings),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"], path: "Tests/JSONTextTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "AppServerProtocolTests",
            dependencies: ["AppServerProtocol", "RPC", "MicropostsModels", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/AppServerProtocolTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "AppServerTests",
            dependencies: [
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                "AppServer", "AppServerProtocol", "RPC", "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/AppServerTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "MicropostsModelsTests",
            dependencies: ["MicropostsModels", "AppServerProtocol", "RPC", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/MicropostsModelsTests", swiftSettings: swiftSettings),
        /// Counts the jobs a task on the event loops gives the global executor (ServiceKitTests runs it).
        .executableTarget(
            name: "ExecutorHopProbe",
            dependencies: [
                "ServiceKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Support/ExecutorHopProbe", swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "RPC", "ServiceTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/ServiceKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EdgeServiceTests",
            dependencies: [
                "EdgeService", "ServiceKit", "ServiceTestSupport", "RPC", "AppServerProtocol",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ], path: "Tests/EdgeServiceTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "WorkerServiceTests",
            dependencies: [
                "WorkerService", "AppServer", "ServiceKit", "ServiceTestSupport", "RPC", "AppServerProtocol", "MicropostsModels",
                "MicropostsInMemoryData",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ], path: "Tests/WorkerServiceTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "MicropostsInMemoryDataTests",
            dependencies: [
                "MicropostsInMemoryData", "MicropostsModels", "RPC",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/MicropostsInMemoryDataTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MasterServiceTests",
            dependencies: [
                "MasterService", "ServiceKit", "ServiceTestSupport", "PostgresTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/MasterServiceTests",
            swiftSettings: swiftSettings
        ),
        /// The whole system as real processes (edge, worker, data) against a real PostgreSQL.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ServiceTestSupport", "PostgresTestSupport", "RPC", "AppServerProtocol", "MicropostsModels",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/EndToEndTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresDataTests",
            dependencies: [
                "PostgresData", "PostgresTestSupport", "ServiceKit", "RPC",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/PostgresDataTests",
            resources: [.copy("Fixtures/InventoryMigrations")],
            swiftSettings: swiftSettings
        ),
        /// The kit's proof: a service built from kit products alone (no Microposts module), run
        /// end to end behind the real edge.
        .testTarget(
            name: "KitOnlyServiceTests",
            dependencies: [
                "RPC", "ServiceKit", "AppServer", "PostgresData", "PostgresTestSupport", "ServiceTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/KitOnlyServiceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DataServiceTests",
            dependencies: [
                "DataService", "PostgresData", "PostgresTestSupport", "ServiceTestSupport", "ServiceKit", "RPC", "MicropostsModels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/DataServiceTests",
            swiftSettings: swiftSettings
        ),
    ]
)
