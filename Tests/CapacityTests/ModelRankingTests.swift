import Capacity
import Testing

/// The one ranking the report's verdict and `ticklab advise` share, on made-up evidence whose
/// order is known.
@Suite("Model ranking")
struct ModelRankingTests {
    static let objective = LatencyObjective.standard

    /// Capacity evidence: a knee at `capacity` ticks/s with the repeats' knees spanning
    /// `knees`, meeting the objective when `capacity` > 0.
    static func capacity(
        _ model: String, _ capacity: Double, knees: ClosedRange<Double>? = nil,
        standing: ModelEvidence.Standing? = nil, latencyAtLowest: Double? = nil, cpu: Double? = 2_000,
        pinned: Int = 0, noisy: Int = 0
    ) -> ModelEvidence {
        let knees = knees ?? capacity...capacity
        return ModelEvidence(
            model: model, standing: standing ?? (capacity > 0 ? .meets : .fallsBehind),
            figure: RankedFigure(value: capacity, lower: knees.lowerBound, upper: knees.upperBound, repeats: 3),
            latencyAtLowest: latencyAtLowest, cpuMicrosPerTick: cpu, pinnedCores: pinned, runs: 9, noisyRuns: noisy)
    }

    /// Latency evidence at one rate: a p99 median with the interval of three repeats.
    static func latency(
        _ model: String, _ p99: Double, _ interval: ClosedRange<Double>, standing: ModelEvidence.Standing
    ) -> ModelEvidence {
        ModelEvidence(
            model: model, standing: standing,
            figure: RankedFigure(value: p99, lower: interval.lowerBound, upper: interval.upperBound, repeats: 3),
            cpuMicrosPerTick: 2_000, runs: 3)
    }

    @Test("a clear winner: the most headroom first, measurably ahead")
    func clearWinner() throws {
        let ranking = ModelRanking(
            [Self.capacity("tasks", 250), Self.capacity("threads", 450), Self.capacity("dispatch", 300)],
            basis: .capacity, objective: Self.objective)
        #expect(ranking.ranked.map(\.model) == ["threads", "dispatch", "tasks"])
        #expect(ranking.recommended?.model == "threads")
        #expect(ranking.runnerUp?.model == "dispatch")
        #expect(ranking.nearest == nil)
        let comparison = try #require(ranking.comparison)
        #expect(comparison.overlap == false)
        #expect(comparison.measurable)
        #expect(ranking.confidence.hasPrefix("threads is measurably ahead of dispatch"), "\(ranking.confidence)")
    }

    @Test("equal headroom goes to fewer pinned cores, then less CPU, then the lineup's order; no measurable difference")
    func ties() throws {
        let ranking = ModelRanking(
            [
                Self.capacity("spin-ring", 450, cpu: 1_000, pinned: 2), Self.capacity("tasks", 450, cpu: 2_500),
                Self.capacity("threads", 450, cpu: 2_100), Self.capacity("dispatch", 450, cpu: 2_100),
            ], basis: .capacity, objective: Self.objective)
        #expect(ranking.ranked.map(\.model) == ["threads", "dispatch", "tasks", "spin-ring"])
        let comparison = try #require(ranking.comparison)
        #expect(comparison.overlap == true)
        #expect(!comparison.measurable)
        #expect(ranking.confidence.hasPrefix("no measurable difference on this machine"), "\(ranking.confidence)")
        // threads and dispatch tie on everything: the lineup's order decided, and no reason is given.
        #expect(!ranking.confidence.contains("ranks first on"), "\(ranking.confidence)")
    }

    @Test("overlapping figures: how sure names what put the first ahead, headroom, pinned cores or CPU")
    func tieBreakNamed() {
        let cpu = ModelRanking(
            [Self.capacity("threads", 450, cpu: 431.4), Self.capacity("event-loop", 450, cpu: 336.2)],
            basis: .capacity, objective: Self.objective)
        #expect(cpu.ranked.map(\.model) == ["event-loop", "threads"])
        #expect(
            cpu.confidence.hasSuffix(
                "event-loop ranks first on less CPU per tick at the knee (336 against 431 µs, medians of the repeats)"),
            "\(cpu.confidence)")
        let small = ModelRanking(
            [Self.capacity("threads", 450, cpu: 3.14), Self.capacity("event-loop", 450, cpu: 2.71)],
            basis: .capacity, objective: Self.objective)
        #expect(small.confidence.contains("(2.7 against 3.1 µs"), "\(small.confidence)")
        let pinned = ModelRanking(
            [Self.capacity("spin-ring", 450, cpu: 100, pinned: 2), Self.capacity("threads", 450, cpu: 900)],
            basis: .capacity, objective: Self.objective)
        #expect(pinned.confidence.contains("threads ranks first on pinning fewer cores (0 against 2)"))
        let median = ModelRanking(
            [Self.capacity("tasks", 400, knees: 300...450), Self.capacity("threads", 450, knees: 450...500)],
            basis: .capacity, objective: Self.objective)
        #expect(median.confidence.contains("threads ranks first on a higher median knee"), "\(median.confidence)")
    }

    @Test("overlapping intervals: the higher median ranks first, but there is no measurable difference")
    func overlappingIntervals() throws {
        let capacity = ModelRanking(
            [Self.capacity("tasks", 400, knees: 300...450), Self.capacity("threads", 450, knees: 450...500)],
            basis: .capacity, objective: Self.objective)
        #expect(capacity.ranked.map(\.model) == ["threads", "tasks"])
        #expect(capacity.comparison?.measurable == false)
        #expect(capacity.confidence.contains("no measurable difference on this machine"))

        let latency = ModelRanking(
            [
                Self.latency("tasks", 4.5, 4.3...4.6, standing: .meets),
                Self.latency("threads", 4.1, 4.0...4.4, standing: .meets),
            ], basis: .latency, objective: Self.objective)
        #expect(latency.ranked.map(\.model) == ["threads", "tasks"])
        #expect(latency.comparison?.measurable == false)
        #expect(latency.confidence.contains("no measurable difference on this machine"))
    }

    @Test("all failing: nothing recommended; the nearest is named, kept up before fell behind, lowest tail first")
    func allFailing() throws {
        let ranking = ModelRanking(
            [
                Self.capacity("event-loop", 0, standing: .fallsBehind, latencyAtLowest: 5),
                Self.capacity("tasks", 0, standing: .failsTail, latencyAtLowest: 30),
                Self.capacity("threads", 0, standing: .failsTail, latencyAtLowest: 20),
                ModelEvidence(model: "dispatch", standing: .unmeasured, figure: nil),
            ], basis: .capacity, objective: Self.objective)
        #expect(ranking.recommended == nil)
        #expect(ranking.nearest?.model == "threads")
        #expect(ranking.ranked.map(\.model) == ["threads", "tasks", "event-loop", "dispatch"])
    }

    @Test("a noisy model still ranks by its figures, and how sure says its runs were noisy")
    func noisy() throws {
        let ranking = ModelRanking(
            [Self.capacity("threads", 450, noisy: 2), Self.capacity("tasks", 250)], basis: .capacity,
            objective: Self.objective)
        #expect(ranking.recommended?.model == "threads")
        #expect(ranking.comparison?.noisy == true)
        #expect(ranking.comparison?.measurable == true)
        #expect(ranking.confidence.contains("noisy"), "\(ranking.confidence)")

        let quiet = ModelRanking(
            [Self.capacity("threads", 450), Self.capacity("tasks", 250)], basis: .capacity, objective: Self.objective)
        #expect(!quiet.confidence.contains("noisy"))
    }

    @Test("a model that keeps up but fails its tail ranks after those that meet, before those that fall behind")
    func failsOnlyItsTail() throws {
        let ranking = ModelRanking(
            [
                Self.latency("event-loop", 2, 1.9...2.1, standing: .fallsBehind),
                Self.latency("tasks", 12, 11...13, standing: .failsTail),
                Self.latency("threads", 8, 7.5...8.5, standing: .meets),
            ], basis: .latency, objective: Self.objective)
        #expect(ranking.ranked.map(\.model) == ["threads", "tasks", "event-loop"])
        #expect(ranking.recommended?.model == "threads")
        #expect(ranking.comparison?.onlyFirstMeets == true)
        #expect(ranking.confidence.contains("alone of the first two met p99=10ms"), "\(ranking.confidence)")

        let alone = ModelRanking(
            [Self.latency("tasks", 12, 11...13, standing: .failsTail)], basis: .latency, objective: Self.objective)
        #expect(alone.recommended == nil)
        #expect(alone.nearest?.model == "tasks")
        #expect(alone.comparison == nil)
    }

    @Test("the ranking says in words how it ranked")
    func method() {
        let capacity = ModelRanking.method(basis: .capacity, objective: Self.objective)
        #expect(capacity.contains("meeting p99=10ms and keeping up first"))
        #expect(capacity.contains("headroom"))
        #expect(capacity.contains("CPU per tick"))
        #expect(capacity.contains("no measurable difference on this machine"))
        #expect(ModelRanking.method(basis: .latency, objective: Self.objective).contains("lower median p99"))
    }
}
