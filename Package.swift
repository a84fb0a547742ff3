// swift-tools-version: 6.1
import PackageDescription

/// Complete strict concurrency is the default of the Swift 6 language mode; it is spelled out
/// so that nobody lowers it by accident.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "TickLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ticklab", targets: ["ticklab"]),
        .library(name: "Clocks", targets: ["Clocks"]),
        .library(name: "OrderBook", targets: ["OrderBook"]),
        .library(name: "MarketData", targets: ["MarketData"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Results", targets: ["Results"]),
        .library(name: "Run", targets: ["Run"]),
        .library(name: "Sweep", targets: ["Sweep"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Exchange", targets: ["Exchange"]),
        .library(name: "ExchangeClient", targets: ["ExchangeClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    // The module graph, bottom up (docs/DESIGN.md draws it):
    //   CSystemSupport, OrderBook, Wire               no dependencies
    //   Clocks          CSystemSupport
    //   MarketData      OrderBook, Clocks
    //   Pipeline        MarketData, OrderBook, Clocks, Capacity (no NIO)
    //   Models          Pipeline, MarketData, Clocks, NIO, …
    //   WireConversions Wire, MarketData, OrderBook
    //   Exchange        Wire, WireConversions, MarketData, OrderBook, NIO (no Pipeline)
    //   ExchangeClient  Wire, WireConversions, MarketData, Pipeline, NIO
    //   Results         Pipeline (value types only)                       (no NIO, no models)
    //   Report          Results, Pipeline (value types only)
    //   Sweep           Results, Report, Pipeline, Clocks, Capacity       (no NIO, no models)
    //   Run             Results, Pipeline, Models, MarketData, ExchangeClient
    //   ticklab         everything above, ArgumentParser
    targets: [
        // OS calls Swift's Glibc module does not expose (timer slack, thread names, parent-death
        // signal, the time-stamp counter).
        .target(name: "CSystemSupport"),
        // The monotonic and CPU clocks every timestamp is taken from. No dependencies, so that
        // market data and the models can both use them without importing each other.
        // The stamps read the time-stamp counter through CSystemSupport.
        .target(name: "Clocks", dependencies: ["CSystemSupport"], swiftSettings: strict),
        // The one lock and condition variable (pthread-based, so ThreadSanitizer sees them).
        // No dependencies: every module that shares state between threads can use it.
        .target(name: "Locks", swiftSettings: strict),
        // One formatter each for numbers and durations, and the one shape of a usage error's
        // line: every command, table, CSV and report writes them the same way. No dependencies.
        .target(name: "Formats", swiftSettings: strict),
        // The L2 order book: levels, deltas, checksum. No dependencies, no concurrency.
        .target(name: "OrderBook", swiftSettings: strict),
        // Ticks, the feed protocols, the synthetic exchange, arrival schedules, LOBSTER replays.
        .target(name: "MarketData", dependencies: ["OrderBook", "Clocks", "Formats"], swiftSettings: strict),
        // Stage logic written once, workloads, metrics, and the protocols a model implements.
        // No NIO: `StageHost.eventLoop` carries the loop opaquely (see StageHost.swift).
        .target(
            name: "Pipeline",
            dependencies: [
                "OrderBook", "MarketData", "Clocks", "Locks", "Capacity",
            ],
            swiftSettings: strict
        ),
        // The exchange protocol's frames: values, encoder, decoder. No dependencies, so that the
        // decoder can be fuzzed on its own (Fuzz/Frames).
        .target(name: "Wire", swiftSettings: strict),
        // Between the wire's values and the book's and feed's types. A module of its own because
        // both ends of the protocol need it, and the client must not link the server (nor the
        // server the pipeline): in Exchange the client would have to depend on the server, in
        // ExchangeClient the server on the pipeline, and in Wire the fuzzed decoder would no
        // longer compile alone.
        .target(name: "WireConversions", dependencies: ["Wire", "MarketData", "OrderBook"], swiftSettings: strict),
        // The exchange server (`ticklab exchange`): market data out, orders in. Nothing of the
        // pipeline.
        .target(
            name: "Exchange",
            dependencies: [
                "Wire", "WireConversions", "OrderBook", "MarketData", "Clocks", "Locks", "CSystemSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The exchange's clients as the pipeline uses them: the TCP feed, the order route to the
        // exchange, and the in-process gateway.
        .target(
            name: "ExchangeClient",
            dependencies: [
                "Wire", "WireConversions", "OrderBook", "MarketData", "Pipeline", "Clocks", "Locks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // One file per concurrency model: how stages wait, wake and hand over.
        .target(
            name: "Models",
            dependencies: [
                "Pipeline", "MarketData", "OrderBook", "Clocks", "Locks", "CSystemSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: strict
        ),
        // The results schema: run and sweep records, their coding, the plan and its axes as
        // `plan.json` and the records name them, `machine.json`, and the results directory's
        // files. Pipeline only for the value types the records carry (latency summaries, the
        // evaluation kind, the wait strategy): nothing of NIO or the models.
        .target(
            name: "Results", dependencies: ["Pipeline", "MarketData", "Formats", "Capacity"], swiftSettings: strict),
        // One run of one model on one feed: feeds made from the configuration, order routes,
        // Ctrl-C, the table `ticklab run` prints.
        .target(
            name: "Run",
            dependencies: [
                "Results", "Pipeline", "Models", "MarketData", "OrderBook", "ExchangeClient", "Clocks", "Formats",
                "Capacity", "Locks",
            ],
            swiftSettings: strict
        ),
        // Reads records and renders `report.html`. Pipeline only for the records' value types.
        .target(
            name: "Report", dependencies: ["Results", "Pipeline", "MarketData", "Formats", "Capacity"],
            swiftSettings: strict),
        // A plan's execution: one child process per run, progress, the CSV, the report rewritten
        // as results come in. No models and no NIO: children are `ticklab run --json`.
        .target(
            name: "Sweep", dependencies: ["Results", "Report", "Pipeline", "Clocks", "Formats", "Capacity"],
            swiftSettings: strict),
        // Capacity with confidence (issue 10): load and rate, the objective, intervals of repeats,
        // the knee, interleaving, noise from /proc/stat, the machine's floor. Only the clocks, so
        // that the sweep and the report can both use it and it can be tested on its own.
        .target(name: "Capacity", dependencies: ["Clocks"], swiftSettings: strict),
        // The command line: argument parsing only.
        .executableTarget(
            name: "ticklab",
            dependencies: [
                "Run", "Sweep", "Report", "Results", "Capacity", "Formats", "Models", "Pipeline", "MarketData",
                "Exchange",
                "ExchangeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Test code shared by the test targets (fixtures, waiting helpers, an exchange on a free
        // port), in the manner of swift-collections' _CollectionsTestSupport. Used only by tests.
        .target(
            name: "TestSupport",
            dependencies: [
                "Results", "Report", "Run", "Models", "Pipeline", "MarketData", "OrderBook", "Clocks", "Locks", "Wire",
                "Exchange",
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "LocksTests", dependencies: ["Locks"], swiftSettings: strict),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: strict),
        .testTarget(
            name: "ClocksTests",
            dependencies: ["Clocks"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrderBookTests",
            dependencies: [
                "OrderBook", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MarketDataTests",
            dependencies: [
                "MarketData", "OrderBook", "Clocks", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WireTests",
            dependencies: [
                "Wire", "WireConversions", "MarketData", "OrderBook", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WireConversionsTests",
            dependencies: [
                "WireConversions", "Wire", "MarketData", "OrderBook",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "MarketData", "OrderBook", "Clocks", "Locks", "Capacity",
                // HdrHistogram, the reference the lab's own histogram is checked against.
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ModelsTests",
            dependencies: [
                "Models", "Pipeline", "MarketData", "OrderBook", "Clocks", "Locks", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ResultsTests",
            dependencies: ["Results", "Pipeline", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RunTests",
            dependencies: [
                "Run", "Results", "Models", "Pipeline", "MarketData", "OrderBook", "Clocks", "Capacity", "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SweepTests",
            dependencies: [
                "Sweep", "Results", "Report", "Pipeline", "MarketData", "Clocks", "Locks", "Formats", "Capacity",
                "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReportTests",
            // Sweep: the report's figures are checked against the CSV the sweep writes beside it.
            dependencies: ["Report", "Results", "Sweep", "Models", "Pipeline", "Formats", "Capacity", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CapacityTests",
            dependencies: [
                "Capacity", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ExchangeTests",
            dependencies: ["Exchange", "Wire", "MarketData", "OrderBook", "Clocks", "Locks", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ExchangeClientTests",
            dependencies: [
                "ExchangeClient", "Exchange", "Wire", "WireConversions", "Run", "Results", "Models", "Pipeline",
                "MarketData", "OrderBook", "Clocks", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)
