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
            seed: seed, rate: rate, duration: UInt64(duration * 1e9),
            arrivals: arrivals, clock: clock),
        procMs: procMs, evalMs: evalMs, evalKind: evalKind, queueCapacity: 4_096, tracePath: trace)
}

func run(_ configuration: RunConfiguration, stop: StopSignal = StopSignal()) async throws -> RunResult {
    try await offPool { try LabRun.run(configuration, stop: stop, calibration: testCalibration) }
}

func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "ticklab-test-\(UUID().uuidString)-\(name)"
}

/// Runs `configuration` until it has processed at least `ticks` ticks, then stops it, and
/// returns the result. How many ticks fit in a fixed duration depends on the machine, so a
/// test that needs progress waits for it: the processed ticks are read from the run's trace
/// (written in 64 KiB blocks, so the run may go on a little past `ticks`); the
/// configuration's duration, made long here, is only a bound against a hang.
func runUntilProcessed(_ configuration: RunConfiguration, ticks: Int) async throws -> RunResult {
    var configuration = configuration
    configuration.feed.duration = 120_000_000_000
    let path = temporaryPath("progress.csv")
    configuration.tracePath = path
    defer { try? FileManager.default.removeItem(atPath: path) }
    // The trace grows beside its path and is renamed to it when complete.
    let growing = TraceWriter.partialPath(for: path)
    let stop = StopSignal()
    let watcher = OSThread(name: "test-progress") { () -> Bool in
        defer { stop.request() }
        let deadline = MonotonicClock.now() + 120_000_000_000
        var seenSize = -1
        while MonotonicClock.now() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: growing)[.size] as? Int) ?? 0
            if size != seenSize {
                seenSize = size
                let text = (try? String(contentsOfFile: growing, encoding: .utf8)) ?? ""
                if text.split(separator: "\n").count(where: { $0.hasPrefix("processed,") }) >= ticks { return true }
            }
            MonotonicClock.sleep(until: MonotonicClock.now() + 5_000_000)
        }
        return false
    }
    let result = try await run(configuration, stop: stop)
    let progressed = try await offPool { watcher.join().result }
    #expect(progressed, "the run did not process \(ticks) ticks within 120 s")
    return result
}
