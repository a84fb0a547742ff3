import MarketData
import Pipeline
import Results
import Run
import TestSupport

/// A light run against `source` (a fraction of a second, light work).
func tcpConfiguration(
    _ model: String, port: Int, duration: Double = 0.6, procMs: Double = 0.02, evalMs: Double = 0.1,
    route: OrderRouting? = nil
) -> RunConfiguration {
    RunConfiguration(
        model: model, source: .tcp(host: "127.0.0.1", port: port),
        feed: SyntheticFeed.Configuration(duration: .nanoseconds(UInt64(duration * 1e9))),
        procMs: procMs, evalMs: evalMs, queueCapacity: 4_096, route: route)
}

func run(_ configuration: RunConfiguration, stop: StopSignal = StopSignal()) async throws -> RunResult {
    try await offPool { try LabRun.run(configuration, stop: stop, calibration: testCalibration) }
}
