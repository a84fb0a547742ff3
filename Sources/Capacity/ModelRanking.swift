import Foundation

/// A figure a ranking compares models by: the value it ranks on and the interval its repeats
/// span, whose overlap with another's is "no measurable difference".
public struct RankedFigure: Hashable, Codable, Sendable {
    /// What the ranking orders by (a capacity in ticks per second, or a latency in milliseconds).
    public var value: Double
    /// The interval of the repeats, in the unit of `value`: `lower ≤ upper`.
    public var lower: Double
    public var upper: Double
    /// How many repeats the interval comes from.
    public var repeats: Int

    public init(value: Double, lower: Double, upper: Double, repeats: Int) {
        self.value = value
        self.lower = min(lower, upper)
        self.upper = max(lower, upper)
        self.repeats = repeats
    }

    /// The median and interval of repeats (``RepeatInterval``).
    public init(_ interval: RepeatInterval) {
        self.init(value: interval.median, lower: interval.lower, upper: interval.upper, repeats: interval.repeats)
    }

    /// True when the two closed intervals share a point.
    public func overlaps(_ other: RankedFigure) -> Bool { lower <= other.upper && other.lower <= upper }
}

/// What one model showed at one setting, as the ranking weighs it.
public struct ModelEvidence: Hashable, Codable, Sendable {
    /// How a model stands against the objective.
    public enum Standing: String, Hashable, Codable, Sendable {
        /// Kept up and met the objective (on a ladder: it has a knee).
        case meets
        /// Kept up, but its percentile is over the objective's bound: it fails its tail.
        case failsTail = "fails-tail"
        /// Did not keep up with the offered rate.
        case fallsBehind = "falls-behind"
        /// No run measured it.
        case unmeasured
    }

    public var model: String
    public var standing: Standing
    /// The figure of the ranking's basis: capacity (the knee's rate, higher is better; 0 without a
    /// knee) with the spread of the repeats' knees, or the objective's percentile (lower is
    /// better) with the interval of its repeats. Nil when not measured.
    public var figure: RankedFigure?
    /// On a ladder, the objective's percentile at its lowest step: how near a model without a
    /// knee came, so that the nearest failing model ranks first among the failing. Nil: not used.
    public var latencyAtLowest: Double?
    /// Median CPU µs per processed tick (at the knee, on a ladder); nil when not measured.
    public var cpuMicrosPerTick: Double?
    /// Cores the model pins to stage threads of its own (they serve no other process).
    public var pinnedCores: Int
    /// Runs behind the evidence, and how many of them others made noisy.
    public var runs: Int
    public var noisyRuns: Int

    public init(
        model: String, standing: Standing, figure: RankedFigure?, latencyAtLowest: Double? = nil,
        cpuMicrosPerTick: Double? = nil, pinnedCores: Int = 0, runs: Int = 0, noisyRuns: Int = 0
    ) {
        self.model = model
        self.standing = standing
        self.figure = figure
        self.latencyAtLowest = latencyAtLowest
        self.cpuMicrosPerTick = cpuMicrosPerTick
        self.pinnedCores = pinnedCores
        self.runs = runs
        self.noisyRuns = noisyRuns
    }

    public var meets: Bool { standing == .meets }
    /// Kept up with the offered rate (whether or not its tail met the objective).
    public var keptUp: Bool { standing == .meets || standing == .failsTail }
}

/// The one ranking of models: the report's verdict and `ticklab advise` both order models with
/// it, so that they cannot disagree on the same records.
///
/// The order, which ``method`` says in words:
/// 1. meeting the objective (and keeping up) first, then keeping up but failing the tail, then
///    falling behind, then not measured;
/// 2. headroom: on a ladder the higher capacity (the knee's rate), at one rate the lower
///    percentile; among models without a knee, the lower percentile at the ladder's lowest step;
/// 3. fewer pinned cores, then less CPU per tick;
/// 4. the order the evidence was given in (the lineup's).
///
/// The order always names a first model; whether it is measurably ahead of the second is
/// ``comparison``: the figures' intervals overlap ("no measurable difference on this machine")
/// or not.
public struct ModelRanking: Hashable, Sendable {
    /// What the figures are.
    public enum Basis: String, Hashable, Codable, Sendable {
        /// Capacity on a ladder of offered rates or loads: higher is better.
        case capacity
        /// The objective's percentile at one rate: lower is better.
        case latency
    }

    /// How the first two models compare.
    public struct Comparison: Hashable, Sendable {
        /// Whether their figures' intervals overlap; nil when either has no figure.
        public var overlap: Bool?
        /// Both figures come from two or more repeats.
        public var bothRepeated: Bool
        /// The first kept up and the second did not.
        public var onlyFirstKeptUp: Bool
        /// The first met the objective and the second did not.
        public var onlyFirstMeets: Bool
        /// Either of the two had a noisy run.
        public var noisy: Bool

        /// The first is measurably ahead: it alone met the objective or kept up, or both were
        /// repeated and their intervals do not overlap.
        public var measurable: Bool {
            onlyFirstMeets || onlyFirstKeptUp || (bothRepeated && overlap == false)
        }
    }

    public let basis: Basis
    public let objective: LatencyObjective
    /// Every model, best first.
    public let ranked: [ModelEvidence]

    /// - Parameter evidence: one per model, in the lineup's order (the last tie-break).
    public init(_ evidence: [ModelEvidence], basis: Basis, objective: LatencyObjective) {
        self.basis = basis
        self.objective = objective
        ranked = evidence.enumerated().sorted { a, b in
            Self.precedes(a.element, b.element, basis: basis) ?? (a.offset < b.offset)
        }.map(\.element)
    }

    /// Whether `a` ranks before `b`; nil when nothing tells them apart.
    static func precedes(_ a: ModelEvidence, _ b: ModelEvidence, basis: Basis) -> Bool? {
        func tier(_ e: ModelEvidence) -> Int {
            switch e.standing {
            case .meets: 0
            case .failsTail: 1
            case .fallsBehind: 2
            case .unmeasured: 3
            }
        }
        if tier(a) != tier(b) { return tier(a) < tier(b) }
        switch basis {
        case .capacity:
            let x = a.figure?.value ?? 0, y = b.figure?.value ?? 0
            if x != y { return x > y }
            if !a.meets {
                let p = a.latencyAtLowest ?? .infinity, q = b.latencyAtLowest ?? .infinity
                if p != q { return p < q }
            }
        case .latency:
            let x = a.figure?.value ?? .infinity, y = b.figure?.value ?? .infinity
            if x != y { return x < y }
        }
        if a.pinnedCores != b.pinnedCores { return a.pinnedCores < b.pinnedCores }
        let c = a.cpuMicrosPerTick ?? .infinity, d = b.cpuMicrosPerTick ?? .infinity
        if c != d { return c < d }
        return nil
    }

    /// The model to choose: the first, when it meets the objective.
    public var recommended: ModelEvidence? { ranked.first.flatMap { $0.meets ? $0 : nil } }
    /// The model after the first; nil with a single model.
    public var runnerUp: ModelEvidence? { ranked.count >= 2 ? ranked[1] : nil }
    /// The model nearest to meeting the objective when none does: the first.
    public var nearest: ModelEvidence? { recommended == nil ? ranked.first : nil }

    /// The first two models compared; nil with fewer than two.
    public var comparison: Comparison? {
        guard ranked.count >= 2 else { return nil }
        let a = ranked[0], b = ranked[1]
        var overlap: Bool?
        if let x = a.figure, let y = b.figure { overlap = x.overlaps(y) }
        return Comparison(
            overlap: overlap, bothRepeated: (a.figure?.repeats ?? 0) >= 2 && (b.figure?.repeats ?? 0) >= 2,
            onlyFirstKeptUp: a.keptUp && !b.keptUp, onlyFirstMeets: a.meets && !b.meets,
            noisy: a.noisyRuns > 0 || b.noisyRuns > 0)
    }

    /// How the ranking ranked, in words.
    public var method: String { Self.method(basis: basis, objective: objective) }

    /// How a ranking on `basis` against `objective` ranks, in words.
    public static func method(basis: Basis, objective: LatencyObjective) -> String {
        let headroom =
            switch basis {
            case .capacity:
                "then headroom: the higher capacity, the highest offered rate at which the median of the repeats "
                    + "still kept up and met it (the knee)"
            case .latency:
                "then headroom: the lower median \(objective.percentile.rawValue) of processing latency over the repeats"
            }
        let interval =
            switch basis {
            case .capacity: "the repeats' knees, each repeat's ladder taken alone,"
            case .latency: "the intervals of the repeats"
            }
        return "Ranked by meeting \(objective) and keeping up first (then keeping up but failing the tail, then "
            + "falling behind); \(headroom); then fewer pinned cores and less CPU per tick. Where \(interval) of the "
            + "first two overlap, there is no measurable difference on this machine."
    }

    /// How sure the first place is, in words: `no measurable difference on this machine: …`.
    public var confidence: String {
        guard let comparison, ranked.count >= 2 else { return "the only model measured" }
        let a = ranked[0].model, b = ranked[1].model
        var text: String
        if comparison.onlyFirstMeets {
            text = "\(a) alone of the first two met \(objective)"
        } else if comparison.onlyFirstKeptUp {
            text = "\(a) alone of the first two kept up"
        } else if !comparison.bothRepeated || comparison.overlap == nil {
            text = "one run each: no interval to judge by"
        } else if comparison.overlap == true {
            text = "no measurable difference on this machine between \(a) and \(b): their \(figureName) overlap"
            if let reason = tieBreak { text += "; \(a) ranks first on \(reason)" }
        } else {
            text = "\(a) is measurably ahead of \(b): their \(figureName) do not overlap"
        }
        if comparison.noisy {
            text += " (some of their runs were noisy: others took cores while they ran, so this is less sure)"
        }
        return text
    }

    /// What put the first model ahead of the second when their figures overlap: the figure's
    /// median, else fewer pinned cores, else less CPU per tick (on a ladder, at each model's
    /// knee, where ``ModelEvidence/cpuMicrosPerTick`` is taken); nil when nothing did (the
    /// lineup's order).
    var tieBreak: String? {
        guard ranked.count >= 2 else { return nil }
        let a = ranked[0], b = ranked[1]
        if let x = a.figure?.value, let y = b.figure?.value, x != y {
            return basis == .capacity ? "a higher median knee" : "a lower median \(objective.percentile.rawValue)"
        }
        if a.pinnedCores != b.pinnedCores {
            return "pinning fewer cores (\(a.pinnedCores) against \(b.pinnedCores))"
        }
        if let c = a.cpuMicrosPerTick, let d = b.cpuMicrosPerTick, c != d {
            let place = basis == .capacity ? " at the knee" : ""
            return "less CPU per tick\(place) (\(Self.micros(c)) against \(Self.micros(d)) µs, medians of the repeats)"
        }
        return nil
    }

    /// Whole microseconds, or tenths below 10.
    static func micros(_ value: Double) -> String {
        value >= 10 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
    }

    private var figureName: String {
        switch basis {
        case .capacity: "repeats' knees"
        case .latency: "intervals of \(objective.percentile.rawValue)"
        }
    }
}
