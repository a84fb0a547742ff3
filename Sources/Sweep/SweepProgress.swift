import Formats
import Foundation
import Report
import Results

/// What a running sweep tells its progress display.
public enum SweepEvent: Sendable {
    /// `done` runs of `total` were found in the directory; `pending` will run now.
    case began(total: Int, done: Int, pending: Int)
    /// About twice a second while a cell runs; `eta` covers the rest of the sweep, the deadline
    /// included (``SweepETA/estimate(runSeconds:elapsed:upcoming:deadline:)``).
    case running(SweepRun, total: Int, elapsed: Double, eta: SweepETA?)
    case finished(SweepRun, total: Int, record: SweepRecord, wallSeconds: Double)
    /// Something the user should know that is not a cell's result (an unreadable line, …).
    case notice(String)
    case ended
}

/// Shows a sweep's progress. The sweep calls it from one thread.
public protocol SweepProgress: AnyObject {
    func handle(_ event: SweepEvent)
}

/// On a terminal: one line, redrawn in place, with the cell, elapsed time and ETA
/// (``SweepProgressText/eta(_:)``); failed cells and notices stay on the screen above it.
public final class LiveSweepProgress: SweepProgress {
    private let write: (String) -> Void
    private let width: Int
    private var drawn = false

    public init(width: Int = 100, write: @escaping (String) -> Void = StandardError.write) {
        self.width = max(40, width)
        self.write = write
    }

    public func handle(_ event: SweepEvent) {
        switch event {
        case .began(let total, let done, let pending):
            if done > 0 { permanent("resuming: \(done) of \(total) runs already done, \(pending) to run") }
        case .running(let run, let total, let elapsed, let eta):
            var line = "\(SweepProgressText.position(run, total: total)) \(run.cell.label)"
            line += "  \(SweepProgressText.clock(elapsed))"
            if let eta { line += "  " + SweepProgressText.eta(eta) }
            if line.count > width - 1 { line = String(line.prefix(width - 2)) + "…" }
            write("\r\u{1B}[2K" + line)
            drawn = true
        case .finished(let run, let total, let record, _):
            if record.failure != nil { permanent(SweepProgressText.finished(run, total: total, record: record)) }
        case .notice(let text):
            permanent(text)
        case .ended:
            if drawn { write("\r\u{1B}[2K") }
            drawn = false
        }
    }

    private func permanent(_ text: String) {
        write((drawn ? "\r\u{1B}[2K" : "") + text + "\n")
        drawn = false
    }
}

/// In a pipe or CI: one plain line per finished cell, nothing redrawn, ending with the sweep's
/// ETA as the cell's last `running` event gave it.
public final class LineSweepProgress: SweepProgress {
    private let write: (String) -> Void
    private var eta: SweepETA?

    public init(write: @escaping (String) -> Void = StandardError.write) {
        self.write = write
    }

    public func handle(_ event: SweepEvent) {
        switch event {
        case .began(let total, let done, let pending):
            write(
                done > 0
                    ? "resuming: \(done) of \(total) runs already done, \(pending) to run\n"
                    : "sweep: \(total) runs\n")
        case .finished(let run, let total, let record, _):
            var line = SweepProgressText.finished(run, total: total, record: record)
            if let eta { line += "  [\(SweepProgressText.eta(eta))]" }
            eta = nil
            write(line + "\n")
        case .notice(let text):
            write(text + "\n")
        case .running(_, _, _, let eta):
            self.eta = eta
        case .ended:
            break
        }
    }
}

/// `--quiet`.
public final class SilentSweepProgress: SweepProgress {
    public init() {}
    public func handle(_ event: SweepEvent) {}
}

/// The wording shared by the progress displays.
public enum SweepProgressText {
    /// `cell 3/12` (1-based).
    public static func position(_ run: SweepRun, total: Int) -> String {
        "cell \(run.index + 1)/\(total)"
    }

    /// One line for a finished cell: its figures, or why it failed.
    public static func finished(_ run: SweepRun, total: Int, record: SweepRecord) -> String {
        let head = "\(position(run, total: total)) \(run.cell.label)"
        if let failure = record.failure {
            return "\(head): FAILED: \(failure)"
        }
        guard case .run(let r) = record else { return head }
        return "\(head): \(ReportFormat.number(r.window.throughput)) ticks/s"
            + (r.configuration.rate == nil ? "" : r.window.keptUp ? ", kept up" : ", FELL BEHIND")
            + ", e2e mean \(ReportFormat.millis(r.latency.endToEnd.mean)) ms, p99 \(ReportFormat.millis(r.latency.endToEnd.p99)) ms"
            + (r.noise?.isNoisy() == true ? ", noisy" : "")
    }

    /// `ETA 1:35`, or `ETA 1:12 (budget)` where the deadline ends the sweep before its queued
    /// runs (``SweepETA/boundedByBudget``).
    public static func eta(_ eta: SweepETA) -> String {
        "ETA \(clock(eta.seconds))" + (eta.boundedByBudget ? " (budget)" : "")
    }

    /// `0:07`, `12:30`, `1:02:03`.
    public static func clock(_ seconds: Double) -> String {
        DurationText.clock(seconds: seconds)
    }
}
