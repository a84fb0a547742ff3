import Capacity
import Formats
import Foundation
import MarketData
import Pipeline

/// What a sweep runs: the values of every axis, the settings all cells share, and how often
/// each cell repeats.
public struct SweepPlan: Sendable, Hashable, Codable {
    /// A value an option does not allow, said so that the user can fix it.
    /// A bad option or list item, worded as every command words it.
    public typealias InvalidOption = InvalidValue

    /// The values of one axis, in the order given.
    public struct Dimension: Sendable, Hashable, Codable {
        public var axis: SweepAxis
        public var values: [String]

        public init(axis: SweepAxis, values: [String]) {
            self.axis = axis
            self.values = values
        }
    }

    /// Ready-made matrices; explicit options override their values.
    public enum Preset: String, Sendable, CaseIterable, Codable {
        /// Every model × proc-ms 0.5, 4 × evaluations 1:wait, 50:wait, 20:cpu (pairs, not a
        /// product), 200 ticks/s, 2 s per cell, three repeats.
        ///
        /// The 20 ms CPU evaluation is the seed's CPU-heavy one: beside the two waits it shows the
        /// event loop's receiver lag (one thread computes the evaluation while ticks wait to be
        /// received) and the threaded models' answer to it. proc-ms 4 at 200 ticks/s is load
        /// ρ 0.8, the seed's high load; 0.5 the light one.
        ///
        /// With the catalogue's baseline it also runs the event loop at proc-ms 4, 20:cpu once
        /// more on the naive receiver clock (``receiverClockCells(baseline:)``): the seed's "async
        /// throughput falls off sharply", beside the honest clock's latency.
        ///
        /// How long: 6 models × 2 proc-ms × 3 evaluations = 36 cells, and the receiver-clock cell,
        /// × 3 repeats = 111 runs, each its 2 s plus about 0.35 s of a child's start-up,
        /// calibration and exit on the lab's 2-core machine (release build): 111 × 2.35 s ≈ 261 s,
        /// about 4.5 minutes with the sweep's one calibration. A third proc-ms (0.5, 2, 4) would be
        /// 162 runs × 2.35 s ≈ 6.3 minutes.
        case quick
        /// The seed's protocol: 200 ticks/s, 60 s per cell, proc-ms 0.5…5 × eval-ms 1, 10, 50.
        case seed
        /// Capacity (issue 10): every model at proc-ms 4 (so ρ = 1 is 250 ticks/s), offered loads
        /// 0.1, 0.3, 0.5, 0.8, 0.9, 1, 1.1, 1.2 (dense where the curves turn up), at two
        /// evaluation settings (a light 1 ms wait; the seed's CPU-heavy 20 ms of CPU), three
        /// repeats interleaved, ``capacityDurationSeconds`` per cell: 6 × 8 × 2 × 3 = 288 runs,
        /// and two more repeats of each step whose repeats split on the objective
        /// (``extraRepeats``), judged against processing p99 ≤ 50 ms (``objective``).
        ///
        /// How long it takes, measured on the lab's 2-core machine with a release build: a child
        /// costs ``capacityChildOverheadSeconds`` beyond its duration, and a cell above ρ = 1
        /// drains its backlog after the window (about (ρ − 1) × 2 s), so the preset takes about
        /// 288 × 2.5 s + a minute ≈ 13 minutes (two runs of 306 runs, 18 of them extra repeats,
        /// took 12 min 28 s and 12 min 29 s, 2026-12-02). A ladder with 1.05 as well (324 runs
        /// and their extra repeats, ≈ 15 minutes) left too little of the 15 minutes for a machine
        /// that is not quite quiet.
        case capacity

        /// How long each capacity cell offers ticks. At 250 ticks/s that is 500 ticks at ρ = 1,
        /// five beyond the p99; chosen so that the whole preset fits 15 minutes on two cores with
        /// the measured child overhead.
        public static let capacityDurationSeconds = 2.0
        /// A child's cost beyond its duration: start-up, calibration (0.23 s of CPU) and exit.
        /// Measured with a release build on the lab's 2-core machine (`time ticklab run --json
        /// --load 0.1 --proc-ms 4 --duration 100ms`: 0.44-0.61 s wall, with the other cores'
        /// users building at a load average of 7-10), so an upper figure for a quiet machine.
        public static let capacityChildOverheadSeconds = 0.5
        /// A child's cost beyond its duration on the lab's 2-core machine when the sweep has it to
        /// itself (release build, no other users building): what the quick preset's estimate counts.
        public static let quickChildOverheadSeconds = 0.35

        /// The capacity preset's loads: eight from 0.1 to 1.2, a step of 0.1 from 0.8 to 1.2.
        ///
        /// No 0.95: a step is a claim of resolution, and this machine cannot resolve 0.05 near
        /// ρ 1. The work per tick drifts by 1-2% between sweeps (the calibration and the cells'
        /// measured ÷ requested CPU say so) and a 2 s cell's p99 is one tick in a hundred, so at
        /// 0.95 the verdict flipped between quiet sweeps; with it in the ladder, five sweeps of
        /// 2026-12-02 put 23 knees (of 120 pairs of knees) more than one step apart at p99 ≤ 50 ms,
        /// without it 4. 0.3 takes its place, where the event loop's CPU-heavy knee lies.
        public static let capacityLoads = ["0.1", "0.3", "0.5", "0.8", "0.9", "1", "1.1", "1.2"]

        /// The preset's values for `axis`; `models` are the models that exist. The capacity preset
        /// lists here the distinct eval-ms and eval-kind values of its ``evaluations``; the quick
        /// preset the product it had before its pairs (eval-ms 1, 50, the wait kind), which an
        /// explicit `--eval-ms` or `--eval-kind` list completes as it always did.
        public func values(of axis: SweepAxis, models: [String]) -> [String] {
            switch (self, axis) {
            case (_, .model): models
            case (.capacity, .rate): [SweepAxis.derivedRate]
            case (_, .rate): ["200"]
            case (.capacity, .load): Self.capacityLoads
            case (_, .load): ["none"]
            case (.capacity, .evalKind): ["wait", "cpu"]
            case (_, .evalKind): ["wait"]
            case (_, .routeRttMs): ["none"]
            case (_, .clock): [FeedClock.exchange.rawValue]
            case (.quick, .procMs): ["0.5", "4"]
            case (.quick, .evalMs): ["1", "50"]
            case (.seed, .procMs): ["0.5", "1", "2", "3", "4", "5"]
            case (.seed, .evalMs): ["1", "10", "50"]
            case (.capacity, .procMs): ["4"]
            case (.capacity, .evalMs): ["1", "20"]
            }
        }

        /// The preset's evaluation settings as pairs, nil where it runs the product of its
        /// eval-ms and eval-kind values.
        public var evaluations: [Evaluation]? {
            switch self {
            case .seed: nil
            case .quick:
                [
                    Evaluation(evalMs: "1", evalKind: "wait"), Evaluation(evalMs: "50", evalKind: "wait"),
                    Evaluation(evalMs: "20", evalKind: "cpu"),
                ]
            case .capacity: [Evaluation(evalMs: "1", evalKind: "wait"), Evaluation(evalMs: "20", evalKind: "cpu")]
            }
        }

        public var durationSeconds: Double {
            switch self {
            case .quick: 2
            case .seed: 60
            case .capacity: Self.capacityDurationSeconds
            }
        }

        /// The latency objective unless `--slo` says otherwise: ``LatencyObjective/standard``
        /// (p99 ≤ 10 ms), and p99 ≤ 50 ms for the capacity preset.
        ///
        /// Why 50 ms there: an objective gives a stable knee only where it crosses the steep blade
        /// of the hockey stick, not its noisy flat part. At proc-ms 4 with the 20 ms CPU evaluation
        /// sharing the two cores, the threaded models' processing p99 wanders between 6 and 60 ms
        /// from ρ 0.5 to 0.95 (2 s cells, one tick in a hundred is the p99) and reaches 50-130 ms
        /// at ρ 1 and 180-550 ms at 1.1, where the queue grows (three preset runs on the lab's
        /// 2-core machine, 2026-12-02). Judged at 20 ms, two of three pairs of runs put knees two
        /// or more steps apart (ρ 0.5 against 0.9 or 0.95), on noise alone; at 50 ms the knees of
        /// the CPU-heavy setting agreed within one step in all three pairs, and two later quiet
        /// runs of this preset agreed on 11 of their 12 knees. 50 ms is twelve ticks' work: it
        /// passes a wait behind a burst and fails once a queue grows.
        public var objective: LatencyObjective {
            switch self {
            case .quick, .seed: .standard
            case .capacity: LatencyObjective(percentile: .p99, boundMilliseconds: 50)
            }
        }

        /// Runs per cell unless `--repeats` says otherwise: three where the report compares
        /// models by the interval of their repeats, one for the seed's long cells.
        public var repeats: Int {
            switch self {
            case .quick, .capacity: 3
            case .seed: 1
            }
        }

        /// More repeats for a ladder step whose repeats disagree (``SweepPlan/extraRepeats``)
        /// unless `--extra-repeats` says otherwise: two for the capacity preset, whose knees are
        /// the verdict, none for the others.
        ///
        /// Why two: in four capacity runs on the lab's 2-core machine (2026-12-02) 13 to 23 of the
        /// 96 cells were split at or below their ladder's first unanimous failure; two more repeats
        /// of each make their medians of five for 26-46 more runs, one to two minutes of the
        /// preset's fifteen.
        public var extraRepeats: Int {
            switch self {
            case .capacity: 2
            case .quick, .seed: 0
            }
        }
    }

    /// One evaluation setting, an eval-ms and an eval-kind that run together (`--evaluations
    /// 1:wait,20:cpu`): a plan that holds a list of them runs each pair, not the product of the
    /// eval-ms and eval-kind values. Canonical texts, as the axes hold them; coded as `"1:wait"`.
    public struct Evaluation: Sendable, Hashable, Codable, CustomStringConvertible {
        public var evalMs: String
        public var evalKind: String

        public init(evalMs: String, evalKind: String) {
            self.evalMs = evalMs
            self.evalKind = evalKind
        }

        /// The pair a cell is at.
        public init(_ cell: SweepCell) { self.init(evalMs: cell[.evalMs], evalKind: cell[.evalKind]) }

        /// `1:wait`.
        public var description: String { "\(evalMs):\(evalKind)" }

        /// Reads `MS:KIND` (`20:cpu`), each part checked as its axis checks it.
        public init(parsing text: String) throws(InvalidOption) {
            let text = text.trimmingCharacters(in: .whitespaces)
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw InvalidOption(option: "--evaluations", value: text, allowed: Self.allowed)
            }
            do {
                self.init(
                    evalMs: try SweepAxis.evalMs.value(parsing: String(parts[0]), models: []),
                    evalKind: try SweepAxis.evalKind.value(parsing: String(parts[1]), models: []))
            } catch {
                throw InvalidOption(option: "--evaluations", value: text, allowed: "\(Self.allowed) (\(error.allowed))")
            }
        }

        static let allowed = "pairs of EVAL-MS:EVAL-KIND, comma-separated, e.g. 1:wait,20:cpu"

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            do { try self.init(parsing: text) } catch {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: error.description))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    /// The settings every cell shares; a record belongs to the plan only if it ran with them.
    /// Coded as the options' values (`"uniform"`, `"exchange"`, `"park"`), as machine.json holds them.
    public struct Setup: Sendable, Hashable, Codable {
        public var durationSeconds: Double
        public var seed: UInt64
        public var arrivals: ArrivalProcess
        public var clock: FeedClock
        /// Passed to the children of the models that take it (``SweepPlan/waitStrategyModels``),
        /// and only their records carry it.
        public var waitStrategy: WaitStrategy

        public init(
            durationSeconds: Double, seed: UInt64 = 1, arrivals: ArrivalProcess = .uniform,
            clock: FeedClock = .exchange, waitStrategy: WaitStrategy = .standard
        ) {
            self.durationSeconds = durationSeconds
            self.seed = seed
            self.arrivals = arrivals
            self.clock = clock
            self.waitStrategy = waitStrategy
        }

        /// The child's options for these settings; `--wait` only for a model that takes it.
        /// - Parameter cellClock: the clock of a cell that runs on another (one of the plan's
        ///   ``SweepPlan/extraCells``); nil for this setup's.
        public func runArguments(takingWaitStrategy: Bool, cellClock: String? = nil) -> [String] {
            [
                "--duration", DurationText.option(seconds: durationSeconds), "--seed", String(seed),
                "--arrivals", arrivals.rawValue, "--clock", cellClock ?? clock.rawValue,
            ]
                + (takingWaitStrategy ? ["--wait", waitStrategy.rawValue] : [])
        }

        /// True when a record ran with these settings (durations compare to a nanosecond, the
        /// resolution the child parses them at). The clock is the cell's (``SweepAxis/clock``):
        /// ``SweepPlan/cell(of:)`` checks it.
        public func matches(_ parameters: RunResult.Parameters) -> Bool {
            abs(parameters.durationSeconds - durationSeconds) < 1e-6 && parameters.seed == seed
                && parameters.arrivals == arrivals.rawValue
                && (parameters.waitStrategy == nil || parameters.waitStrategy == waitStrategy.rawValue)
                && parameters.feed == "synthetic"
        }
    }

    /// One value per axis, in `SweepAxis.allCases` order.
    public var dimensions: [Dimension]
    /// The evaluation settings as pairs (`--evaluations`), each run as one: the eval-ms and
    /// eval-kind dimensions then list the distinct values of the pairs, and ``cells`` takes the
    /// pairs instead of their product. Nil (and absent from machine.json) for the product.
    public var evaluations: [Evaluation]?
    public var setup: Setup
    /// Runs per cell; the report shows their median and spread.
    public var repeats: Int
    /// The models that take `--wait`, as the catalogue declares them (the sweep does not know the
    /// models). Not coded: machine.json keeps its shape, and each record says its wait strategy.
    public var waitStrategyModels: Set<String>
    /// The latency objective capacity is judged against (`--slo`); nil in plans made before
    /// there was one, which the report reads as ``LatencyObjective/standard``.
    public var objective: LatencyObjective?
    /// Repeats beyond ``repeats`` for each cell on which a capacity knee may turn: a step of a
    /// load or rate ladder whose repeats disagree on the objective
    /// (``KneeFinder/splitSteps(of:objective:)``), run after every cell has its ``repeats``.
    /// 0 for none; absent from machine.json when 0.
    public var extraRepeats: Int
    /// Cells run besides the product, each with a value for every axis: cells of the product run
    /// again on the naive receiver clock (`--receiver-clock`; the quick preset's event loop at
    /// its heavy CPU setting), so that the report can set what the naive generator hides beside
    /// the honest clock. Empty (and absent from machine.json) for most plans.
    public var extraCells: [SweepCell]

    private enum CodingKeys: String, CodingKey {
        case dimensions, setup, repeats, objective, evaluations, extraRepeats, extraCells
    }

    /// - Parameters:
    ///   - evaluations: pairs to run instead of the product of the eval-ms and eval-kind
    ///     dimensions (which should list the pairs' values, as `make` makes them).
    ///   - extraCells: cells run besides the product (``extraCells``).
    ///
    /// The clock dimension is always the setup's clock: the product runs at it.
    public init(
        dimensions: [Dimension], setup: Setup, repeats: Int = 1, waitStrategyModels: Set<String> = [],
        objective: LatencyObjective? = nil, evaluations: [Evaluation]? = nil, extraRepeats: Int = 0,
        extraCells: [SweepCell] = []
    ) {
        self.objective = objective
        self.extraRepeats = extraRepeats
        self.evaluations = evaluations
        self.extraCells = extraCells
        self.dimensions = SweepAxis.allCases.map { axis in
            if axis == .clock { return Dimension(axis: axis, values: [setup.clock.rawValue]) }
            return dimensions.first { $0.axis == axis }
                ?? Dimension(axis: axis, values: axis.neutralValue.map { [$0] } ?? [])
        }
        self.setup = setup
        self.repeats = repeats
        self.waitStrategyModels = waitStrategyModels
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            dimensions: try container.decode([Dimension].self, forKey: .dimensions),
            setup: try container.decode(Setup.self, forKey: .setup),
            repeats: try container.decode(Int.self, forKey: .repeats),
            objective: try container.decodeIfPresent(LatencyObjective.self, forKey: .objective),
            evaluations: try container.decodeIfPresent([Evaluation].self, forKey: .evaluations),
            extraRepeats: try container.decodeIfPresent(Int.self, forKey: .extraRepeats) ?? 0,
            extraCells: try container.decodeIfPresent([[String: String]].self, forKey: .extraCells)?.map {
                SweepCell(
                    values: Dictionary(
                        uniqueKeysWithValues: $0.compactMap { key, value in
                            SweepAxis(rawValue: key).map { ($0, value) }
                        }))
            } ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dimensions, forKey: .dimensions)
        try container.encode(setup, forKey: .setup)
        try container.encode(repeats, forKey: .repeats)
        try container.encodeIfPresent(objective, forKey: .objective)
        try container.encodeIfPresent(evaluations, forKey: .evaluations)
        if extraRepeats > 0 { try container.encode(extraRepeats, forKey: .extraRepeats) }
        if !extraCells.isEmpty {
            let coded = extraCells.map {
                Dictionary(uniqueKeysWithValues: $0.values.map { ($0.key.rawValue, $0.value) })
            }
            try container.encode(coded, forKey: .extraCells)
        }
    }

    /// Equal when machine.json records them alike (dimensions, setup, repeats, objective,
    /// evaluations, extra repeats): which models take `--wait` comes from the catalogue of the program that runs
    /// the plan.
    public static func == (a: SweepPlan, b: SweepPlan) -> Bool {
        a.dimensions == b.dimensions && a.setup == b.setup && a.repeats == b.repeats && a.objective == b.objective
            && a.evaluations == b.evaluations && a.extraRepeats == b.extraRepeats && a.extraCells == b.extraCells
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dimensions)
        hasher.combine(setup)
        hasher.combine(repeats)
        hasher.combine(objective)
        hasher.combine(evaluations)
        hasher.combine(extraRepeats)
        hasher.combine(extraCells)
    }

    /// True when the model of `cell` takes `--wait`.
    public func takesWaitStrategy(_ cell: SweepCell) -> Bool { waitStrategyModels.contains(cell[.model]) }

    /// Builds a plan from a preset and the options given explicitly, checking every value.
    ///
    /// A plan sweeps rates or loads: an explicit `--rate` list makes a rate plan and an explicit
    /// `--load` list a load plan whatever the preset, and both together are refused. So are
    /// `--evaluations` together with `--eval-ms` or `--eval-kind`; either of those two replaces a
    /// preset's pairs with the product of the lists (the preset's values for the one not given).
    /// - Parameters:
    ///   - lists: comma-separated values per axis, as typed; they replace the preset's.
    ///   - evaluations: `1:wait,20:cpu`, as typed: evaluation settings run as pairs.
    ///   - repeats: runs per cell; nil for the preset's (``Preset/repeats``).
    ///   - extraRepeats: more runs of a split ladder step; nil for the preset's
    ///     (``Preset/extraRepeats``).
    ///   - objective: the latency objective (`--slo`); nil for the preset's (``Preset/objective``).
    ///   - models: the models that exist (the preset takes all of them).
    ///   - waitStrategyModels: the ones of them that take `--wait`.
    ///   - receiverClock: `MODEL:PROC-MS:EVAL-MS:EVAL-KIND` cells of the product to run again on
    ///     the receiver clock, comma-separated, or `none`, as typed (`--receiver-clock`); nil for
    ///     the preset's (``Preset/receiverClockCells(baseline:)``, kept where the product has them).
    ///   - baseline: the model every other is compared with (the catalogue's), which the quick
    ///     preset's receiver-clock cell runs; nil: no preset receiver-clock cell.
    public static func make(
        preset: Preset = .quick, lists: [SweepAxis: String] = [:], evaluations: String? = nil,
        durationSeconds: Double? = nil, repeats: Int? = nil, extraRepeats: Int? = nil, seed: UInt64 = 1,
        arrivals: ArrivalProcess = .uniform,
        clock: FeedClock = .exchange, waitStrategy: WaitStrategy = .standard,
        objective: LatencyObjective? = nil, models: [String], waitStrategyModels: [String] = [],
        receiverClock: String? = nil, baseline: String? = nil
    ) throws(InvalidOption) -> SweepPlan {
        var values: [SweepAxis: [String]] = [:]
        for axis in SweepAxis.allCases {
            if let list = lists[axis] {
                values[axis] = try parseList(list, axis: axis, models: models)
            } else {
                values[axis] = preset.values(of: axis, models: models)
            }
        }
        let loads = values[.load] ?? []
        if loads.contains("none") && loads != ["none"] {
            throw InvalidOption(
                option: "--load", value: lists[.load] ?? "", allowed: "loads, or 'none' alone (a sweep of rates)")
        }
        let explicitLoad = lists[.load] != nil && loads != ["none"]
        if explicitLoad, let rates = lists[.rate] {
            throw InvalidOption(
                option: "--load", value: lists[.load] ?? "",
                allowed: "together with --rate \(rates): a load sets each cell's rate (load × 1000 / proc-ms); "
                    + "give --load or --rate, not both")
        }
        if lists[.rate] != nil {
            values[.load] = ["none"]
        } else if explicitLoad {
            values[.rate] = [SweepAxis.derivedRate]
        }
        if values[.load] != ["none"] {
            try checkLoads(values[.load] ?? [], procMs: values[.procMs] ?? [], procMsList: lists[.procMs])
        }

        var pairs: [Evaluation]?
        if let evaluations {
            if lists[.evalMs] != nil || lists[.evalKind] != nil {
                let given = [(SweepAxis.evalMs, lists[.evalMs]), (.evalKind, lists[.evalKind])]
                    .compactMap { axis, list in list.map { "\(axis.sweepOption) \($0)" } }.joined(separator: " ")
                throw InvalidOption(
                    option: "--evaluations", value: evaluations,
                    allowed: "together with \(given): each pair sets both eval-ms and eval-kind; "
                        + "give the pairs or the lists, not both")
            }
            pairs = try parseEvaluations(evaluations)
        } else if lists[.evalMs] == nil && lists[.evalKind] == nil {
            pairs = preset.evaluations
        }
        if let pairs {
            values[.evalMs] = distinct(pairs.map(\.evalMs))
            values[.evalKind] = distinct(pairs.map(\.evalKind))
        }

        let repeats = repeats ?? preset.repeats
        guard (1...1_000).contains(repeats) else {
            throw InvalidOption(option: "--repeats", value: String(repeats), allowed: "a whole number from 1 to 1000")
        }
        let extraRepeats = extraRepeats ?? preset.extraRepeats
        guard (0...1_000).contains(extraRepeats) else {
            throw InvalidOption(
                option: "--extra-repeats", value: String(extraRepeats), allowed: "a whole number from 0 to 1000")
        }
        let setup = Setup(
            durationSeconds: durationSeconds ?? preset.durationSeconds, seed: seed,
            arrivals: arrivals, clock: clock, waitStrategy: waitStrategy)
        var plan = SweepPlan(
            dimensions: SweepAxis.allCases.map { Dimension(axis: $0, values: values[$0] ?? []) }, setup: setup,
            repeats: repeats, waitStrategyModels: Set(waitStrategyModels), objective: objective ?? preset.objective,
            evaluations: pairs, extraRepeats: extraRepeats)
        plan.extraCells = try receiverClockCells(
            receiverClock, preset: preset, baseline: baseline, models: models, product: plan)
        return plan
    }

    /// Refuses a load at proc-ms 0 (no processing to utilise: no rate offers a load) and a load
    /// whose rate would pass what `--rate` allows.
    private static func checkLoads(_ loads: [String], procMs: [String], procMsList: String?) throws(InvalidOption) {
        if procMs.contains("0") {
            throw InvalidOption(
                option: "--proc-ms", value: procMsList ?? procMs.joined(separator: ","),
                allowed: "a proc-ms of 0 with --load: a load has no meaning without processing to utilise; "
                    + "sweep proc-ms 0 with a --rate ladder (up to max) instead")
        }
        for load in loads {
            for proc in procMs where derivedRate(load: load, procMs: proc) == nil {
                throw InvalidOption(
                    option: "--load", value: load,
                    allowed:
                        "with --proc-ms \(proc): it makes a rate above 1e8 ticks per second, more than --rate allows")
            }
        }
    }

    /// The rate, canonical text, that offers `load` at `procMs` (ρ × 1000 / proc-ms, as
    /// `ticklab run --load` works it out); nil when the two make no rate `--rate` allows (proc-ms
    /// 0, or above 1e8 ticks per second).
    public static func derivedRate(load: String, procMs: String) -> String? {
        guard let load = Double(load), let procMs = Double(procMs),
            let rate = try? OfferedLoad.ticksPerSecond(utilisation: load, processingMilliseconds: procMs),
            rate <= 100_000_000
        else { return nil }
        return NumberText.shortest(rate)
    }

    /// Splits `1:wait,20:cpu` and checks every pair, dropping repeats, keeping the order given.
    static func parseEvaluations(_ list: String) throws(InvalidOption) -> [Evaluation] {
        var pairs: [Evaluation] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            if item.trimmingCharacters(in: .whitespaces).isEmpty {
                throw InvalidOption(option: "--evaluations", value: list, allowed: Evaluation.allowed)
            }
            let pair = try Evaluation(parsing: String(item))
            if !pairs.contains(pair) { pairs.append(pair) }
        }
        return pairs
    }

    private static func distinct(_ values: [String]) -> [String] {
        values.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Splits `a,b,c`, checks every item and drops repeats, keeping the order given.
    static func parseList(_ list: String, axis: SweepAxis, models: [String]) throws(InvalidOption) -> [String] {
        var values: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingCharacters(in: .whitespaces)
            if item.isEmpty {
                throw InvalidOption(
                    option: axis.sweepOption, value: list, allowed: "a comma-separated list without empty items")
            }
            let value = try axis.value(parsing: item, models: models)
            if !values.contains(value) { values.append(value) }
        }
        return values
    }

    public func values(of axis: SweepAxis) -> [String] {
        dimensions.first { $0.axis == axis }?.values ?? []
    }

    /// True when the plan sweeps offered loads (`--load`): each cell's rate derives from its
    /// load and proc-ms.
    public var sweepsLoad: Bool { values(of: .load) != ["none"] && !values(of: .load).isEmpty }

    /// Every combination of the axes' values, models changing fastest, then the ``extraCells``.
    /// With ``evaluations`` the pairs take the place of the eval-kind × eval-ms product (at
    /// eval-kind's place in the nesting); in a load plan each cell's rate is the one its load and
    /// proc-ms make.
    public var cells: [SweepCell] {
        var cells = [SweepCell(values: [:])]
        for axis in SweepAxis.nesting {
            let settings: [[SweepAxis: String]]
            if let evaluations, axis == .evalKind || axis == .evalMs {
                guard axis == .evalKind else { continue }
                settings = evaluations.map { [.evalKind: $0.evalKind, .evalMs: $0.evalMs] }
            } else {
                settings = values(of: axis).map { [axis: $0] }
            }
            cells = cells.flatMap { cell in
                settings.map { setting in
                    var next = cell
                    next.values.merge(setting) { $1 }
                    return next
                }
            }
        }
        let extra = extraCells.filter { !cells.contains($0) }
        guard sweepsLoad else { return cells + extra }
        return cells.map { cell in
            var cell = cell
            // A decoded plan may hold a load no rate offers; such a cell keeps the placeholder
            // (its child, given --load, says why it cannot run).
            cell.values[.rate] = Self.derivedRate(load: cell[.load], procMs: cell[.procMs]) ?? SweepAxis.derivedRate
            return cell
        } + extra
    }

    /// How long the sweep takes at least: every run's duration plus `childOverheadSeconds` (a
    /// child's start-up, calibration and exit). Leaves out the sweep's own calibration and the
    /// time a cell that fell behind takes to drain its backlog after the window.
    public func estimatedSeconds(childOverheadSeconds: Double) -> Double {
        Double(runs.count) * (setup.durationSeconds + childOverheadSeconds)
    }

    /// Every run in the order the sweep makes them: the whole matrix once, then again for each
    /// repeat (``Interleaving``'s round-robin), so that a noisy minute falls on every model's
    /// repeats rather than on one model, and an interrupted sweep has covered as much of the
    /// matrix as it could.
    public var runs: [SweepRun] {
        Interleaving.order(cells: cells, repeats: repeats).enumerated().map { index, run in
            SweepRun(cell: run.cell, repetition: run.repeatIndex, index: index)
        }
    }

    /// The arguments of `ticklab` that run one cell and print its record. A cell at a load gets
    /// `--load` and no `--rate`: the child works out the rate and records both. The clock comes
    /// with the shared settings, the cell's own where it has one (`--clock receiver` for a
    /// receiver-clock cell).
    public func childArguments(for cell: SweepCell) -> [String] {
        var arguments = ["run", "--json"]
        let atLoad = cell[.load] != "none" && cell.values[.load] != nil
        for axis in SweepAxis.allCases where !(axis == .rate && atLoad) && axis != .clock {
            if let value = cell.values[axis] { arguments += axis.runArguments(value) }
        }
        return arguments
            + setup.runArguments(takingWaitStrategy: takesWaitStrategy(cell), cellClock: cell.values[.clock])
    }

    /// The cell a record belongs to, nil when it ran with other settings or values. In a load
    /// plan the record's rate must be the one its load and proc-ms make; with ``evaluations`` its
    /// eval-ms and eval-kind must be one of the pairs.
    public func cell(of parameters: RunResult.Parameters) -> SweepCell? {
        guard setup.matches(parameters) else { return nil }
        let cell = SweepCell(parameters: parameters)
        if extraCells.contains(cell) { return cell }
        let sweepsLoad = self.sweepsLoad
        for axis in SweepAxis.allCases {
            if axis == .rate && sweepsLoad {
                guard cell[.rate] == Self.derivedRate(load: cell[.load], procMs: cell[.procMs]) else { return nil }
            } else if !values(of: axis).contains(cell.values[axis] ?? "") {
                return nil
            }
        }
        if let evaluations, !evaluations.contains(Evaluation(cell)) { return nil }
        return cell
    }

    /// Every setting of the plan as the option of `ticklab sweep` that sets it and its value as
    /// typed: the axes' lists (`--rate from-load` in a load plan, `--load none` in a rate plan),
    /// `--evaluations` (the pairs, or `eval-ms×eval-kind` for the product), `--slo`, `--duration`,
    /// `--repeats`, `--extra-repeats`, `--seed`, `--arrivals`, `--clock` and `--wait`.
    public var settings: [(option: String, value: String)] {
        // A plan decoded from an older machine.json may lack an axis added since (it ran at the
        // axis's neutral value), its evaluations (the product) and its objective (the standard).
        // The clock axis is the setup's clock, said once as --clock.
        let axes: [(option: String, value: String)] = SweepAxis.allCases.filter { $0 != .clock }.map { axis in
            let values = values(of: axis)
            return (axis.sweepOption, values.isEmpty ? axis.neutralValue ?? "" : values.joined(separator: ","))
        }
        let evaluation: [(option: String, value: String)] = [
            ("--evaluations", evaluations.map { $0.map(\.description).joined(separator: ",") } ?? "eval-ms×eval-kind"),
            ("--slo", (objective ?? .standard).description),
        ]
        let shared: [(option: String, value: String)] = [
            ("--duration", DurationText.option(seconds: setup.durationSeconds)), ("--repeats", String(repeats)),
            ("--extra-repeats", String(extraRepeats)), ("--seed", String(setup.seed)),
            ("--arrivals", setup.arrivals.rawValue), ("--clock", setup.clock.rawValue),
            ("--wait", setup.waitStrategy.rawValue), ("--receiver-clock", receiverClockText ?? "none"),
        ]
        return axes + evaluation + shared
    }

    /// A setting that differs between the plan a sweep was made with and this one.
    public struct Difference: Sendable, Hashable {
        public var option: String
        public var recorded: String
        public var requested: String
    }

    /// The settings in which this plan differs from `recorded` (the plan of an existing sweep),
    /// in the order of `settings`. `--wait` counts only when either plan runs a model that takes
    /// it (this plan's ``waitStrategyModels``: machine.json does not record them).
    public func differences(from recorded: SweepPlan) -> [Difference] {
        let waitMatters = (values(of: .model) + recorded.values(of: .model)).contains(
            where: waitStrategyModels.contains)
        return zip(recorded.settings, settings).compactMap { old, new in
            guard old.value != new.value, new.option != "--wait" || waitMatters else { return nil }
            return Difference(option: new.option, recorded: old.value, requested: new.value)
        }
    }

    /// The full command that runs this plan again, every value spelled out (a preset may change
    /// between versions and "all models" grows).
    public func command(out directory: String?) -> [String] {
        var words = ["ticklab", "sweep"]
        for axis in SweepAxis.allCases where axis.neutralValue == nil || values(of: axis) != [axis.neutralValue!] {
            if axis == .rate && sweepsLoad || axis == .clock { continue }
            if evaluations != nil && (axis == .evalMs || axis == .evalKind) { continue }
            words += [axis.sweepOption, values(of: axis).joined(separator: ",")]
        }
        if let evaluations { words += ["--evaluations", evaluations.map(\.description).joined(separator: ",")] }
        words += ["--slo", (objective ?? .standard).description]
        words += [
            "--duration", DurationText.option(seconds: setup.durationSeconds), "--repeats", String(repeats),
            "--extra-repeats", String(extraRepeats), "--seed", String(setup.seed), "--arrivals",
            setup.arrivals.rawValue, "--clock", setup.clock.rawValue,
            "--wait", setup.waitStrategy.rawValue,
        ]
        if let receiverClockText { words += ["--receiver-clock", receiverClockText] }
        if let directory { words += ["--out", directory] }
        return words
    }
}

/// One point of the matrix: a value for every axis.
public struct SweepCell: Sendable, Hashable {
    public var values: [SweepAxis: String]

    public init(values: [SweepAxis: String]) { self.values = values }

    /// The cell a record's parameters describe.
    public init(parameters: RunResult.Parameters) {
        values = Dictionary(uniqueKeysWithValues: SweepAxis.allCases.map { ($0, $0.value(in: parameters)) })
    }

    public subscript(axis: SweepAxis) -> String { values[axis] ?? "" }

    /// `threads, 200 ticks/s, proc 2 ms, eval 50 ms, wait kind` (an axis at `none`, such as no
    /// routing, or at its neutral value, such as the exchange clock, goes unsaid).
    public var label: String {
        SweepAxis.allCases.compactMap { axis in
            values[axis].flatMap { axis.isSaid($0) ? axis.label($0) : nil }
        }
        .joined(separator: ", ")
    }

    /// `proc-ms=2 eval-ms=50 …`: a stable key, for matching and for the progress lines.
    public var key: String {
        SweepAxis.allCases.compactMap { axis in values[axis].map { "\(axis.rawValue)=\($0)" } }.joined(separator: " ")
    }
}

/// One run of a cell: its position in the plan (0-based) and which repeat it is.
public struct SweepRun: Sendable, Hashable {
    public var cell: SweepCell
    public var repetition: Int
    public var index: Int

    public init(cell: SweepCell, repetition: Int, index: Int) {
        self.cell = cell
        self.repetition = repetition
        self.index = index
    }
}

/// Quotes a word for a POSIX shell when it needs it, so a printed command can be pasted.
public enum ShellQuoting {
    public static func quote(_ word: String) -> String {
        let safe = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,=:+@%")
        if !word.isEmpty && word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
