import Foundation

/// What one repeat of a cell showed, as far as capacity is concerned.
public struct RepeatOutcome: Hashable, Codable, Sendable {
    /// Whether the run kept up with the offered rate (the lab's own verdict of the run).
    public var keptUp: Bool
    /// The latency percentile the objective names, in milliseconds; nil when the run measured
    /// none (no tick processed), which counts as over any bound.
    public var latencyMilliseconds: Double?
    /// Ticks per second the run processed.
    public var throughput: Double

    public init(keptUp: Bool, latencyMilliseconds: Double?, throughput: Double) {
        self.keptUp = keptUp
        self.latencyMilliseconds = latencyMilliseconds
        self.throughput = throughput
    }
}

/// One step of a ladder of offered loads and the repeats run at it.
public struct LoadStep: Hashable, Codable, Sendable {
    /// The offered rate in ticks per second (finite, above 0). Steps are ordered by it.
    public var ticksPerSecond: Double
    /// The offered load ρ = rate × proc-ms / 1000, or nil on a rate ladder (`--proc-ms 0`, where
    /// a load has no meaning). A saturation (`max`) cell has no offered rate and is no step: its
    /// throughput is the model's ceiling, to be shown beside the knee, not on the ladder.
    public var load: Double?
    /// The repeats' outcomes, in any order.
    public var repeats: [RepeatOutcome]

    public init(ticksPerSecond: Double, load: Double?, repeats: [RepeatOutcome]) {
        self.ticksPerSecond = ticksPerSecond
        self.load = load
        self.repeats = repeats
    }
}

/// Why a step does not meet the objective.
public struct StepFailure: Hashable, Codable, Sendable {
    /// Fewer than a strict majority of the repeats kept up.
    public var notKeptUp: Bool
    /// The median latency across repeats is over the bound (or no repeat measured one).
    public var latencyOverObjective: Bool

    public init(notKeptUp: Bool, latencyOverObjective: Bool) {
        self.notKeptUp = notKeptUp
        self.latencyOverObjective = latencyOverObjective
    }
}

/// The verdict on one step: the medians of its repeats against the objective.
public struct StepVerdict: Hashable, Codable, Sendable {
    public var ticksPerSecond: Double
    public var load: Double?
    /// How many repeats the step had.
    public var repeats: Int
    /// How many of them kept up.
    public var keptUpRepeats: Int
    /// The median of the repeats' latencies in milliseconds, where a repeat without a latency
    /// counts as +∞. Nil when that median is not a number a run measured: the step has no
    /// repeats, or at least half of them measured none (kept nil rather than +∞, which JSON
    /// cannot hold).
    public var medianLatencyMilliseconds: Double?
    /// The median of the repeats' throughputs; nil for a step without repeats.
    public var medianThroughput: Double?
    /// Nil when the step meets the objective; why not, otherwise. A step without repeats is
    /// neither: see `isMeasured`.
    public var failure: StepFailure?

    /// Whether any repeat ran at this step.
    public var isMeasured: Bool { repeats > 0 }
    /// Whether the step meets the objective: a strict majority of its repeats kept up, and the
    /// median latency is at most the bound.
    public var meets: Bool { isMeasured && failure == nil }
}

/// Where a model's latency curve crosses the objective, and how sure that is.
public struct KneeResult: Hashable, Codable, Sendable {
    /// The objective the steps were judged against.
    public var objective: LatencyObjective
    /// Every measured and unmeasured step, ascending by rate (steps of equal rate merged).
    public var steps: [StepVerdict]
    /// The knee: the highest step that meets the objective below the first failing step. Nil
    /// when the lowest measured step already fails (or there is no measured step).
    public var knee: StepVerdict?
    /// The first (lowest) step that fails, with its reasons in `failure`; nil when none fails.
    public var firstFailure: StepVerdict?
    /// Steps above `firstFailure` that meet the objective again: the curve is not monotone (noise,
    /// or a model that behaves better under more load). The knee does not move up for them, but a
    /// reader should be warned that the ladder's answer is less certain.
    public var passingAboveFirstFailure: [StepVerdict]

    /// The capacity in ticks per second: the knee's offered rate; nil when there is no knee.
    public var capacityTicksPerSecond: Double? { knee?.ticksPerSecond }
    /// True when every measured step meets the objective: the ladder never found the limit, so
    /// the capacity is a lower bound (print it as "≥").
    public var metAtEveryLoad: Bool { knee != nil && firstFailure == nil }
    /// True when a step above the first failure passes again.
    public var isNonMonotone: Bool { !passingAboveFirstFailure.isEmpty }
}

/// Finds the knee of a latency-against-load curve.
public enum KneeFinder {
    /// The knee of `steps` against `objective`.
    ///
    /// Each step is judged on the medians of its repeats: it meets the objective when a strict
    /// majority of its repeats kept up (a tie fails: half the repeats falling behind is no
    /// evidence of keeping up) and the median of their latencies is at most the bound (a repeat
    /// without a latency counts as +∞).
    ///
    /// The steps are sorted by offered rate (the ladder may be given in any order, with gaps);
    /// steps with the same rate are one step with all their repeats; steps without repeats are
    /// listed but neither meet nor fail, so they do not break the walk up the ladder.
    ///
    /// Rule on a non-monotone curve (meets at 0.9, fails at 1.0, meets at 1.05): the knee is the
    /// highest meeting step below the first failing one, and the meeting steps above it are
    /// reported in `passingAboveFirstFailure`. Claiming 1.05 would mean trusting one lucky step
    /// over the failure beneath it; the conservative answer is what an engineer can defend, and
    /// the warning says that more repeats there would tell.
    ///
    /// - Precondition: every step's `ticksPerSecond` is finite and above 0.
    public static func knee(of steps: [LoadStep], objective: LatencyObjective) -> KneeResult {
        precondition(
            steps.allSatisfy { $0.ticksPerSecond.isFinite && $0.ticksPerSecond > 0 },
            "a step of a ladder offers a finite rate above 0")
        let verdicts = merged(steps).map { verdict(on: $0, objective: objective) }

        var knee: StepVerdict?
        var firstFailure: StepVerdict?
        var passingAbove: [StepVerdict] = []
        for step in verdicts where step.isMeasured {
            if firstFailure == nil {
                if step.meets { knee = step } else { firstFailure = step }
            } else if step.meets {
                passingAbove.append(step)
            }
        }
        return KneeResult(
            objective: objective, steps: verdicts, knee: knee, firstFailure: firstFailure,
            passingAboveFirstFailure: passingAbove)
    }

    /// The steps of a ladder whose repeats disagree, and on which the knee may turn: some repeats
    /// meet the objective on their own (kept up, latency within the bound) and some do not, at or
    /// below the first step where every repeat fails. Ascending by rate, steps of equal rate merged.
    ///
    /// These are the steps where a median of three is a coin's throw: on the lab's 2-core machine
    /// a model near ρ 0.9 stalls in some 2 s windows and not in others, and two sweeps' knees
    /// drifted two steps apart on one such step. More repeats there (`--extra-repeats`) buy a
    /// steadier median for a few percent of the sweep's time; steps every repeat agrees on, and
    /// steps above a unanimous failure, cannot move the knee and get none.
    ///
    /// - Precondition: every step's `ticksPerSecond` is finite and above 0.
    public static func splitSteps(of steps: [LoadStep], objective: LatencyObjective) -> [LoadStep] {
        precondition(
            steps.allSatisfy { $0.ticksPerSecond.isFinite && $0.ticksPerSecond > 0 },
            "a step of a ladder offers a finite rate above 0")
        func meets(_ outcome: RepeatOutcome) -> Bool {
            guard outcome.keptUp, let latency = outcome.latencyMilliseconds, !latency.isNaN else { return false }
            return objective.isMet(byMilliseconds: latency)
        }
        var split: [LoadStep] = []
        for step in merged(steps) where !step.repeats.isEmpty {
            let meeting = step.repeats.filter(meets).count
            if meeting == 0 { break }
            if meeting < step.repeats.count { split.append(step) }
        }
        return split
    }

    /// Steps of equal rate merged into one with all their repeats, ascending by rate.
    private static func merged(_ steps: [LoadStep]) -> [LoadStep] {
        var merged: [Double: LoadStep] = [:]
        for step in steps {
            if var existing = merged[step.ticksPerSecond] {
                existing.repeats += step.repeats
                existing.load = existing.load ?? step.load
                merged[step.ticksPerSecond] = existing
            } else {
                merged[step.ticksPerSecond] = step
            }
        }
        return merged.values.sorted { $0.ticksPerSecond < $1.ticksPerSecond }
    }

    /// The verdict on one step (see `knee(of:objective:)` for the rule).
    public static func verdict(on step: LoadStep, objective: LatencyObjective) -> StepVerdict {
        let keptUp = step.repeats.filter(\.keptUp).count
        // A NaN latency is no measurement either: +∞ like a missing one.
        let latencies = step.repeats.map { outcome in
            outcome.latencyMilliseconds.flatMap { $0.isNaN ? nil : $0 } ?? .infinity
        }
        let medianLatency = RepeatStatistics.median(latencies).flatMap { $0.isFinite ? $0 : nil }
        let medianThroughput = RepeatStatistics.median(step.repeats.map(\.throughput).filter(\.isFinite))
        var failure: StepFailure?
        if !step.repeats.isEmpty {
            let notKeptUp = keptUp * 2 <= step.repeats.count
            let over = !(medianLatency.map(objective.isMet(byMilliseconds:)) ?? false)
            if notKeptUp || over { failure = StepFailure(notKeptUp: notKeptUp, latencyOverObjective: over) }
        }
        return StepVerdict(
            ticksPerSecond: step.ticksPerSecond, load: step.load, repeats: step.repeats.count, keptUpRepeats: keptUp,
            medianLatencyMilliseconds: medianLatency, medianThroughput: medianThroughput, failure: failure)
    }
}

extension KneeResult: CustomStringConvertible {
    /// One line for a report or a log, e.g. `capacity 225 ticks/s at ρ 0.9 (p99=10ms); first
    /// fails at ρ 1: p99 12.5 ms over the objective; meets again at ρ 1.05 (non-monotone)`.
    public var description: String {
        var text: String
        if let knee {
            let load = knee.load.map { " at ρ \(Self.number($0))" } ?? ""
            text =
                "capacity \(metAtEveryLoad ? "≥ " : "")\(Self.number(knee.ticksPerSecond)) ticks/s\(load) (\(objective))"
        } else if firstFailure != nil {
            text = "no capacity: the lowest load already fails \(objective)"
        } else {
            text = "no capacity: nothing measured"
        }
        if let failure = firstFailure, let reasons = failure.failure {
            var why: [String] = []
            if reasons.notKeptUp { why.append("kept up in \(failure.keptUpRepeats) of \(failure.repeats) repeats") }
            if reasons.latencyOverObjective {
                let latency = failure.medianLatencyMilliseconds.map { "\(Self.number($0)) ms" } ?? "none measured"
                why.append("\(objective.percentile.rawValue) \(latency) over the objective")
            }
            text += "; first fails at \(Self.position(failure)): \(why.joined(separator: ", "))"
        }
        if isNonMonotone {
            text +=
                "; meets again at \(passingAboveFirstFailure.map(Self.position).joined(separator: ", ")) (non-monotone)"
        }
        return text
    }

    private static func position(_ step: StepVerdict) -> String {
        step.load.map { "ρ \(number($0))" } ?? "\(number(step.ticksPerSecond)) ticks/s"
    }

    private static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        let text = "\(rounded)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
