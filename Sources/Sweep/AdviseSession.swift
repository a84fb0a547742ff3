import Formats
import Foundation
import Pipeline
import Report
import Results

/// One `ticklab advise`: its plan run by ``SweepRunner`` (children, calibration, interleaved
/// repeats, noise accounting, progress, Ctrl-C) into a results directory, then the advice on its
/// records.
///
/// The budget is a deadline (``SweepDeadline``): start + budget on ``clock``. No run is started
/// that by ``AdvisePlan/estimatedRunSeconds(_:plan:request:)`` would end after it; a run in
/// progress is never stopped, so the advice ends at most one run past the budget.
public struct AdviseSession: Sendable {
    /// How a session ended.
    public enum Outcome: Sendable {
        /// Every run was made (some may have failed): the advice.
        case advised(AdviceRecord)
        /// A stop request ended the sweep first; the directory holds what ran.
        case interrupted(SweepRunner.Summary)
        /// The deadline came before one model had run at every rate: nothing to rank.
        case outOfBudget(OutOfBudget)
    }

    /// A budget that ran out before any model could be judged.
    public struct OutOfBudget: Sendable {
        /// The advice on what ran (every model "not measured within the budget"); nil when no
        /// run started at all.
        public var advice: AdviceRecord?
        public var madeRuns: Int
        public var plannedRuns: Int
        /// The budget that would have fit one repeat here: the time spent so far plus the
        /// estimate of the first repeat's runs that did not start.
        public var neededSeconds: Double
    }

    public let request: AdviseRequest
    public let plan: SweepPlan
    /// Where the sweep writes; with `keep` false it is removed after the advice is made.
    public let directory: SweepResultsDirectory
    public let keep: Bool
    public let options: SweepRunner.Options
    public let lineup: ReportLineup
    /// The clock of the deadline and of the wall time the advice reports.
    public let clock: any SweepClock

    /// - Throws: `InvalidValue` when the budget is too small (``AdvisePlan/make(_:)``).
    public init(
        request: AdviseRequest, directory: String?, options: SweepRunner.Options, lineup: ReportLineup,
        clock: any SweepClock = MonotonicSweepClock()
    ) throws(InvalidValue) {
        self.clock = clock
        self.request = request
        plan = try AdvisePlan.make(request)
        keep = directory != nil
        self.directory = SweepResultsDirectory(
            path: directory ?? NSTemporaryDirectory() + "/ticklab-advise-\(getpid())-\(UUID().uuidString)")
        self.options = options
        self.lineup = lineup
    }

    /// Runs the sweep within the budget and makes the advice; with `keep`, writes it beside the
    /// results as `advice.json`.
    public func run(
        machine: MachineInfo, progress: any SweepProgress, stop: StopSignal
    ) throws(SweepResultsDirectory.FileError) -> Outcome {
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory.path) } }
        let started = clock.now()
        var options = self.options
        let (plan, request) = (self.plan, self.request)
        options.deadline = SweepDeadline(clock: clock, instant: started + request.budgetSeconds) { run in
            AdvisePlan.estimatedRunSeconds(run.cell, plan: plan, request: request)
        }
        let runner = SweepRunner(
            plan: plan, directory: directory, machine: machine, options: options, lineup: lineup, progress: progress,
            stop: stop)
        let summary = try runner.run()
        if summary.interrupted { return .interrupted(summary) }
        let records = try directory.load().records
        let spent = clock.now() - started
        if summary.ran == 0 && summary.skippedByDeadline > 0 {
            return .outOfBudget(
                OutOfBudget(
                    advice: nil, madeRuns: 0, plannedRuns: summary.total,
                    neededSeconds: neededSeconds(spent: spent, records: records)))
        }
        let advice = Advice.record(
            request: request, plan: plan, records: records, lineup: lineup, wallSeconds: spent,
            directory: keep ? directory.path : nil, skippedRuns: summary.skippedByDeadline)
        if keep {
            let text: String
            do { text = try Advice.json(advice) + "\n" } catch {
                throw SweepResultsDirectory.FileError(description: "cannot encode advice.json: \(error)")
            }
            try SweepResultsDirectory.writeAtomically(
                text, to: directory.path + "/advice.json", using: directory.writing)
        }
        if advice.measuredNone {
            return .outOfBudget(
                OutOfBudget(
                    advice: advice, madeRuns: advice.sweep.madeRuns, plannedRuns: advice.sweep.plannedRuns,
                    neededSeconds: neededSeconds(spent: spent, records: records)))
        }
        return .advised(advice)
    }

    /// The budget one repeat would have needed: `spent` plus the estimates of the cells that have
    /// no record yet, rounded up to a whole second.
    func neededSeconds(spent: Double, records: [SweepRecord]) -> Double {
        let done = SweepRunner.counted(plan, records: records, retryFailed: false).done
        let missing = plan.cells.filter { (done[$0] ?? 0) == 0 }.reduce(0.0) {
            $0 + AdvisePlan.estimatedRunSeconds($1, plan: plan, request: request)
        }
        return max(request.budgetSeconds + 1, (spent + missing).rounded(.up))
    }
}
