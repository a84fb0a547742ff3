import Clocks
import Foundation
import MarketData
import Models
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// A short, light run: fast rates, a fraction of a second.
func lightConfiguration(
    _ model: String, rate: Double? = 1_000, duration: Double = 0.3, procMs: Double = 0.05,
    evalMs: Double = 0.1, evalKind: EvaluationKind = .wait, arrivals: ArrivalProcess = .uniform,
    clock: FeedClock = .exchange, seed: UInt64 = 7, trace: String? = nil
) -> RunConfiguration {
    RunConfiguration(
        model: model,
        feed: SyntheticFeed.Configuration(
            seed: seed, rate: rate, duration: .nanoseconds(UInt64(duration * 1e9)),
            arrivals: arrivals, clock: clock),
        procMs: procMs, evalMs: evalMs, evalKind: evalKind, queueCapacity: 4_096, tracePath: trace)
}

func run(_ configuration: RunConfiguration, stop: StopSignal = StopSignal()) async throws -> RunResult {
    try await offPool { try LabRun.run(configuration, stop: stop, calibration: testCalibration) }
}

func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "ticklab-test-\(UUID().uuidString)-\(name)"
}
