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
        .library(name: "OrderBook", targets: ["OrderBook"]),
        .library(name: "MarketData", targets: ["MarketData"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Lab", targets: ["Lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Two OS calls Swift's Glibc module does not expose (timer slack, thread names).
        .target(name: "CSystemSupport"),
        // The one lock and condition variable (pthread-based, so ThreadSanitizer sees them).
        // No dependencies: every module that shares state between threads can use it.
        .target(name: "Locks", swiftSettings: strict),
        // The L2 order book: levels, deltas, checksum. No dependencies, no concurrency.
        .target(name: "OrderBook", swiftSettings: strict),
        // Ticks, the synthetic exchange, arrival schedules and the monotonic clock.
        .target(name: "MarketData", dependencies: ["OrderBook"], swiftSettings: strict),
        // Stage logic written once, workloads, metrics, and the protocols a model implements.
        .target(
            name: "Pipeline",
            dependencies: [
                "OrderBook", "MarketData", "Locks",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                // Only for `StageHost.eventLoop`: an I/O feed needs the loop its receiver runs on.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The exchange protocol's frames: values, encoder, decoder. No dependencies, so that the
        // decoder can be fuzzed on its own (Fuzz/Frames).
        .target(name: "Wire", swiftSettings: strict),
        // The exchange over TCP: `ticklab exchange`, the TCP feed, order routing.
        .target(
            name: "Exchange",
            dependencies: [
                "Wire", "OrderBook", "MarketData", "Pipeline", "CSystemSupport", "Locks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // One file per concurrency model: how stages wait, wake and hand over.
        .target(
            name: "Models",
            dependencies: [
                "Pipeline", "MarketData", "OrderBook", "CSystemSupport", "Locks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: strict
        ),
        // Runs, results schema, reports.
        .target(
            name: "Lab",
            dependencies: ["Pipeline", "Models", "MarketData", "OrderBook", "Exchange"],
            swiftSettings: strict
        ),
        // The command line: argument parsing only.
        .executableTarget(
            name: "ticklab",
            dependencies: [
                "Lab", "Models", "Pipeline", "MarketData", "Exchange",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrderBookTests",
            dependencies: ["OrderBook", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MarketDataTests",
            dependencies: ["MarketData", "OrderBook", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(name: "LocksTests", dependencies: ["Locks"], swiftSettings: strict),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "MarketData", "OrderBook"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", "Pipeline", "MarketData", "OrderBook", "Lab", "Locks",
                           .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LabTests",
            dependencies: ["Lab", "Models", "Pipeline", "MarketData"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ExchangeTests",
            dependencies: [
                "Exchange", "Wire", "Lab", "Models", "Pipeline", "MarketData", "OrderBook",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)
