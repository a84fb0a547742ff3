import Foundation
import Lab
import MarketData
import Models
import Pipeline

/// Runs blocking work on a thread of its own, so model runs never occupy the cooperative pool
/// (the `tasks` model needs it, and tests run on it).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// One calibration for the whole test process: it costs ~0.15 s.
let testCalibration = Workload.Calibration.measure(trials: 3, trialNanos: 5_000_000)

/// A short, light run: fast rates, a fraction of a second.
func lightConfiguration(_ model: String, rate: Double? = 1_000, duration: Double = 0.3, procMs: Double = 0.05,
                        evalMs: Double = 0.1, evalKind: EvaluationKind = .wait, arrivals: ArrivalProcess = .uniform,
                        clock: FeedClock = .exchange, seed: UInt64 = 7, trace: String? = nil) -> RunConfiguration {
    RunConfiguration(
        model: model,
        feed: SyntheticFeed.Configuration(seed: seed, rate: rate, duration: UInt64(duration * 1e9),
                                          arrivals: arrivals, clock: clock),
        procMs: procMs, evalMs: evalMs, evalKind: evalKind, queueCapacity: 4_096, tracePath: trace)
}

func run(_ configuration: RunConfiguration, stop: StopSignal = StopSignal()) async throws -> RunResult {
    try await offPool { try LabRun.run(configuration, stop: stop, calibration: testCalibration) }
}

func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "ticklab-test-\(UUID().uuidString)-\(name)"
}
