import Formats
import Foundation
import Pipeline
import Report
import Results

/// One `ticklab advise`: its plan run by ``SweepRunner`` (children, calibration, interleaved
/// repeats, noise accounting, progress, Ctrl-C) into a results directory, then the advice on its
/// records.
public struct AdviseSession {
    /// How a session ended.
    public enum Outcome: Sendable {
        /// Every run was made (some may have failed): the advice.
        case advised(AdviceRecord)
        /// A stop request ended the sweep first; the directory holds what ran.
        case interrupted(SweepRunner.Summary)
    }

    public let request: AdviseRequest
    public let plan: SweepPlan
    /// Where the sweep writes; with `keep` false it is removed after the advice is made.
    public let directory: SweepResultsDirectory
    public let keep: Bool
    public let options: SweepRunner.Options
    public let lineup: ReportLineup

    /// - Throws: `InvalidValue` when the budget is too small (``AdvisePlan/make(_:)``).
    public init(
        request: AdviseRequest, directory: String?, options: SweepRunner.Options, lineup: ReportLineup
    ) throws(InvalidValue) {
        self.request = request
        plan = try AdvisePlan.make(request)
        keep = directory != nil
        self.directory = SweepResultsDirectory(
            path: directory ?? NSTemporaryDirectory() + "/ticklab-advise-\(getpid())-\(UUID().uuidString)")
        self.options = options
        self.lineup = lineup
    }

    /// Runs the sweep and makes the advice; with `keep`, writes it beside the results as
    /// `advice.json`.
    public func run(
        machine: MachineInfo, progress: any SweepProgress, stop: StopSignal
    ) throws(SweepResultsDirectory.FileError) -> Outcome {
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory.path) } }
        let started = Date()
        let runner = SweepRunner(
            plan: plan, directory: directory, machine: machine, options: options, lineup: lineup, progress: progress,
            stop: stop)
        let summary = try runner.run()
        if summary.interrupted { return .interrupted(summary) }
        let records = try directory.load().records
        let advice = Advice.record(
            request: request, plan: plan, records: records, lineup: lineup,
            wallSeconds: Date().timeIntervalSince(started), directory: keep ? directory.path : nil)
        if keep {
            let text: String
            do { text = try Advice.json(advice) + "\n" } catch {
                throw SweepResultsDirectory.FileError(description: "cannot encode advice.json: \(error)")
            }
            try SweepResultsDirectory.writeAtomically(
                text, to: directory.path + "/advice.json", using: directory.writing)
        }
        return .advised(advice)
    }
}
