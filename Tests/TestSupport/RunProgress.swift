import Foundation
import Pipeline
import Results
import Run

/// Runs `configuration` until its trace holds `count` rows that satisfy `isProgress`, then
/// stops it, and returns the result.
///
/// How much work fits in a fixed duration depends on the machine (a loaded one, a starved
/// evaluator), so a test that needs progress waits for it: the rows are read from the run's
/// trace, written in 64 KiB blocks, so the run may go on a little past `count`. The feed's
/// duration, set to 120 s here, and the wait's bound of 120 s are only bounds against a hang;
/// reaching them throws ``TimedOut`` naming `what`.
public func runUntilTrace(
    _ configuration: RunConfiguration, holds count: Int, _ what: String,
    rows isProgress: @escaping @Sendable (Substring) -> Bool
) async throws -> RunResult {
    var configuration = configuration
    configuration.feed.duration = .seconds(120)
    let path = NSTemporaryDirectory() + "ticklab-progress-\(UUID().uuidString).csv"
    configuration.tracePath = path
    defer { try? FileManager.default.removeItem(atPath: path) }
    // The trace grows beside its path and is renamed to it when complete.
    let growing = TraceWriter.partialPath(for: path)
    let stop = StopSignal()
    let watcher = Background {
        defer { stop.request() }
        var seenSize = -1
        try waitUntil("\(count) \(what) in the trace", timeout: 120) {
            // Read the trace again only when it grew.
            let size = (try? FileManager.default.attributesOfItem(atPath: growing)[.size] as? Int) ?? 0
            guard size != seenSize else { return false }
            seenSize = size
            let text = (try? String(contentsOfFile: growing, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").count(where: isProgress) >= count
        }
    }
    let bounded = configuration
    let result = try await offPool { try LabRun.run(bounded, stop: stop, calibration: testCalibration) }
    try await watcher.join()
    return result
}

/// Runs `configuration` until it has processed at least `ticks` ticks (``runUntilTrace``).
public func runUntilProcessed(_ configuration: RunConfiguration, ticks: Int) async throws -> RunResult {
    try await runUntilTrace(configuration, holds: ticks, "processed ticks") { $0.hasPrefix("processed,") }
}

/// Runs `configuration` until its evaluator has made `decisions` buy or sell decisions
/// (``runUntilTrace``).
public func runUntilDecisions(_ configuration: RunConfiguration, _ decisions: Int) async throws -> RunResult {
    try await runUntilTrace(configuration, holds: decisions, "buy or sell decisions") {
        $0.hasSuffix(",buy") || $0.hasSuffix(",sell")
    }
}
