// swift-tools-version: 6.1
import PackageDescription

// The order book benchmarks live in their own package so that the main package (and its CI
// tests) do not depend on package-benchmark. Run from this directory:
//
//   swift package --scratch-path ../.build-bench benchmark
let package = Package(
    name: "TickLabBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "OrderBookBenchmarks",
            dependencies: [
                .product(name: "OrderBook", package: "main"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "OrderBookBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
