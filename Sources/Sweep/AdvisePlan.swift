import Capacity
import Formats
import Foundation
import Pipeline
import Results

/// What `ticklab advise` is asked: the user's workload, rate and objective, and how long it may
/// take.
public struct AdviseRequest: Sendable, Hashable {
    /// Processor CPU work per tick, ms (0 to 60000).
    public var procMs: Double
    /// Evaluator time per state, ms (0 to 60000), spent as `evalKind` says.
    public var evalMs: Double
    public var evalKind: EvaluationKind
    /// The user's rate in ticks per second.
    public var rate: Double
    public var objective: LatencyObjective
    /// The wall time the whole advice may take, start-up included.
    public var budgetSeconds: Double
    /// The budget as typed, for the error that says it is too small.
    public var budgetText: String
    /// The models to compare, in the lineup's order, and those of them that take `--wait`.
    public var models: [String]
    public var waitStrategyModels: [String]
    public var seed: UInt64

    public init(
        procMs: Double, evalMs: Double, evalKind: EvaluationKind = .wait, rate: Double,
        objective: LatencyObjective = .standard, budgetSeconds: Double = AdvisePlan.standardBudgetSeconds,
        budgetText: String? = nil, models: [String], waitStrategyModels: [String] = [], seed: UInt64 = 1
    ) {
        self.procMs = procMs
        self.evalMs = evalMs
        self.evalKind = evalKind
        self.rate = rate
        self.objective = objective
        self.budgetSeconds = budgetSeconds
        self.budgetText = budgetText ?? DurationText.option(seconds: budgetSeconds)
        self.models = models
        self.waitStrategyModels = waitStrategyModels
        self.seed = seed
    }

    /// The offered load ρ at `rate` ticks per second; nil at proc-ms 0 (no load to speak of).
    public func load(at rate: Double) -> Double? { procMs > 0 ? rate * procMs / 1000 : nil }
}

/// The sweep `ticklab advise` runs: every model at the user's rate and at rates above it (to find
/// each one's headroom), interleaved repeats, cells as long as the budget allows.
public enum AdvisePlan {
    /// Three minutes: the budget for an answer on the lab's 2-core machine.
    public static let standardBudgetSeconds = 180.0
    /// The user's rate times these: 1× is the user's point, the others its headroom.
    public static let multipliers: [Double] = [1, 1.25, 1.5, 2]
    /// A rate whose load would pass this is left out (except the user's own): above ρ 1.2 every
    /// model falls behind, and the cell only drains.
    public static let maximumLoad = 1.2
    /// Repeats when the budget allows: the fewest that give an interval; fewer when it does not.
    public static let standardRepeats = 3
    /// A child's cost beyond its duration: start-up, calibration, the 0.2 s idle stretch of every
    /// run (the cost record's) and exit, on the lab's 2-core machine with a release build
    /// (``SweepPlan/Preset/capacityChildOverheadSeconds`` was measured before the idle stretch).
    public static let childOverheadSeconds = SweepPlan.Preset.capacityChildOverheadSeconds + 0.2
    /// The sweep's own start: the machine's floor (about 1.1 s), the calibration (about 1 s, and
    /// up to two retries 2 s apart on a busy machine) and the first report.
    public static let startUpSeconds = 6.0
    /// The longest cell: beyond it a larger budget buys nothing a full sweep would not do better.
    public static let maximumCellSeconds = 20.0

    /// The shortest cell at `rate`: a second, and at least 100 ticks, so that its p99 is a tick
    /// of its own rather than the worst one.
    public static func minimumCellSeconds(rate: Double) -> Double { max(1, 100 / rate) }

    /// The rates of the ladder: the user's, then each multiple whose load stays at most
    /// ``maximumLoad`` (all of them at proc-ms 0), as canonical texts, ascending.
    public static func rates(for request: AdviseRequest) -> [String] {
        var rates: [String] = []
        for multiplier in multipliers {
            let rate = request.rate * multiplier
            if multiplier > 1, let load = request.load(at: rate), load > maximumLoad + 1e-9 { continue }
            guard rate <= 100_000_000 else { continue }
            let text = NumberText.shortest((rate * 1000).rounded() / 1000)
            if !rates.contains(text) { rates.append(text) }
        }
        return rates
    }

    /// The plan: every model × ``rates(for:)`` at the user's workload and objective, with the most
    /// repeats (up to ``standardRepeats``) whose cells of at least ``minimumCellSeconds(rate:)``
    /// fit the budget (``estimatedSeconds(_:request:)``), and the longest cells that do.
    ///
    /// - Throws: `InvalidValue` for `--budget` when even one repeat of the shortest cells does not
    ///   fit, naming the budget that would.
    public static func make(_ request: AdviseRequest) throws(InvalidValue) -> SweepPlan {
        let minimum = minimumCellSeconds(rate: request.rate)
        for repeats in stride(from: standardRepeats, through: 1, by: -1) {
            let probe = try plan(request, durationSeconds: minimum, repeats: repeats)
            guard estimatedSeconds(probe, request: request) <= request.budgetSeconds else { continue }
            // The estimate is linear in the duration: solve for the longest that fits, then step
            // down to a whole 10 ms that does.
            let perSecond =
                estimatedSeconds(probe, request: request, durationSeconds: 1)
                - estimatedSeconds(probe, request: request, durationSeconds: 0)
            let fixed = estimatedSeconds(probe, request: request, durationSeconds: 0)
            var duration = min(
                maximumCellSeconds, ((request.budgetSeconds - fixed) / perSecond * 100).rounded(.down) / 100)
            duration = max(duration, minimum)
            var fitted = try plan(request, durationSeconds: duration, repeats: repeats)
            while estimatedSeconds(fitted, request: request) > request.budgetSeconds && duration - 0.01 >= minimum {
                duration -= 0.01
                fitted = try plan(request, durationSeconds: duration, repeats: repeats)
            }
            return fitted
        }
        let needed = estimatedSeconds(
            try plan(request, durationSeconds: minimum, repeats: 1), request: request)
        throw InvalidValue(
            option: "--budget", value: request.budgetText,
            allowed: "at least \(Int(needed.rounded(.up)))s here: one run of each of \(request.models.count) models at "
                + "\(rates(for: request).count) rates, each at least \(NumberText.shortest(minimum)) s, with the sweep's start-up"
        )
    }

    /// The plan with a given duration and repeats.
    static func plan(_ request: AdviseRequest, durationSeconds: Double, repeats: Int) throws(InvalidValue) -> SweepPlan
    {
        var lists: [SweepAxis: String] = [:]
        lists[.model] = request.models.joined(separator: ",")
        lists[.rate] = rates(for: request).joined(separator: ",")
        lists[.procMs] = NumberText.shortest(request.procMs)
        lists[.evalMs] = NumberText.shortest(request.evalMs)
        lists[.evalKind] = request.evalKind.rawValue
        return try SweepPlan.make(
            preset: .quick, lists: lists, durationSeconds: durationSeconds, repeats: repeats, seed: request.seed,
            objective: request.objective, models: request.models, waitStrategyModels: request.waitStrategyModels)
    }

    /// How long `plan` takes on the lab's machine: the sweep's start-up and every run's
    /// ``estimatedRunSeconds(_:plan:request:)`` (``SweepPlan/estimatedSeconds(childOverheadSeconds:)``
    /// and the drains).
    public static func estimatedSeconds(
        _ plan: SweepPlan, request: AdviseRequest, durationSeconds: Double? = nil
    ) -> Double {
        var plan = plan
        if let durationSeconds { plan.setup.durationSeconds = durationSeconds }
        let drain = plan.runs.reduce(0.0) { total, run in total + drainSeconds(run.cell, plan: plan, request: request) }
        return startUpSeconds + plan.estimatedSeconds(childOverheadSeconds: childOverheadSeconds) + drain
    }

    /// How long one run of `cell` takes on the lab's machine: its duration, a child's overhead
    /// (``childOverheadSeconds``) and its drain. The deadline (``SweepDeadline``) starts a run
    /// only when this much time is left.
    public static func estimatedRunSeconds(_ cell: SweepCell, plan: SweepPlan, request: AdviseRequest) -> Double {
        plan.setup.durationSeconds + childOverheadSeconds + drainSeconds(cell, plan: plan, request: request)
    }

    /// The drain of a cell offered more than the processor can do: ρ − 1 of the duration after
    /// the window.
    static func drainSeconds(_ cell: SweepCell, plan: SweepPlan, request: AdviseRequest) -> Double {
        let load = Double(cell[.rate]).flatMap(request.load(at:)) ?? 0
        return max(0, load - 1) * plan.setup.durationSeconds
    }
}
