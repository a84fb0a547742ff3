// swift-tools-version: 6.1
import Foundation
import PackageDescription

// The order book benchmarks live in their own package so that the main package (and its CI
// tests) do not depend on package-benchmark. Run from this directory:
//
//   swift package --scratch-path ../.build-bench benchmark
// SwiftPM names a path dependency after its folder, so the main package is `main` in one
// checkout and `TickLab` in another: take the name from where this manifest lies.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let package = Package(
    name: "TickLabBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "OrderBookBenchmarks",
            dependencies: [
                .product(name: "OrderBook", package: mainPackage),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "OrderBookBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // One hand-over per concurrency model, and the FIFOs and slots on their own.
        .executableTarget(
            name: "HandOverBenchmarks",
            dependencies: [
                .product(name: "Models", package: mainPackage),
                .product(name: "Pipeline", package: mainPackage),
                .product(name: "MarketData", package: mainPackage),
                .product(name: "OrderBook", package: mainPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "HandOverBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // The measurement's own cost: stamps, records and a tick's worth of both.
        .executableTarget(
            name: "MeasurementBenchmarks",
            dependencies: [
                .product(name: "Pipeline", package: mainPackage),
                .product(name: "Clocks", package: mainPackage),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "MeasurementBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
