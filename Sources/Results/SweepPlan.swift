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
        /// Every model × proc-ms 0.5, 2, 5 × eval-ms 1, 50, wait, 200 ticks/s, 5 s per cell:
        /// a few minutes on two cores.
        case quick
        /// The seed's protocol: 200 ticks/s, 60 s per cell, proc-ms 0.5…5 × eval-ms 1, 10, 50.
        case seed

        /// The preset's values for `axis`; `models` are the models that exist.
        public func values(of axis: SweepAxis, models: [String]) -> [String] {
            switch (self, axis) {
            case (_, .model): models
            case (_, .rate): ["200"]
            case (_, .evalKind): ["wait"]
            case (_, .routeRttMs): ["none"]
            case (.quick, .procMs): ["0.5", "2", "5"]
            case (.quick, .evalMs): ["1", "50"]
            case (.seed, .procMs): ["0.5", "1", "2", "3", "4", "5"]
            case (.seed, .evalMs): ["1", "10", "50"]
            }
        }

        public var durationSeconds: Double {
            switch self {
            case .quick: 5
            case .seed: 60
            }
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
        public func runArguments(takingWaitStrategy: Bool) -> [String] {
            [
                "--duration", DurationText.option(seconds: durationSeconds), "--seed", String(seed),
                "--arrivals", arrivals.rawValue, "--clock", clock.rawValue,
            ]
                + (takingWaitStrategy ? ["--wait", waitStrategy.rawValue] : [])
        }

        /// True when a record ran with these settings (durations compare to a nanosecond, the
        /// resolution the child parses them at).
        public func matches(_ parameters: RunResult.Parameters) -> Bool {
            abs(parameters.durationSeconds - durationSeconds) < 1e-6 && parameters.seed == seed
                && parameters.arrivals == arrivals.rawValue && parameters.clock == clock.rawValue
                && (parameters.waitStrategy == nil || parameters.waitStrategy == waitStrategy.rawValue)
                && parameters.feed == "synthetic"
        }
    }

    /// One value per axis, in `SweepAxis.allCases` order.
    public var dimensions: [Dimension]
    public var setup: Setup
    /// Runs per cell; the report shows their median and spread.
    public var repeats: Int
    /// The models that take `--wait`, as the catalogue declares them (the sweep does not know the
    /// models). Not coded: machine.json keeps its shape, and each record says its wait strategy.
    public var waitStrategyModels: Set<String>
    /// The latency objective capacity is judged against (`--slo`); nil in plans made before
    /// there was one, which the report reads as ``LatencyObjective/standard``.
    public var objective: LatencyObjective?

    private enum CodingKeys: String, CodingKey {
        case dimensions, setup, repeats, objective
    }

    public init(
        dimensions: [Dimension], setup: Setup, repeats: Int = 1, waitStrategyModels: Set<String> = [],
        objective: LatencyObjective? = nil
    ) {
        self.objective = objective
        self.dimensions = SweepAxis.allCases.map { axis in
            dimensions.first { $0.axis == axis } ?? Dimension(axis: axis, values: axis.neutralValue.map { [$0] } ?? [])
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
            objective: try container.decodeIfPresent(LatencyObjective.self, forKey: .objective))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dimensions, forKey: .dimensions)
        try container.encode(setup, forKey: .setup)
        try container.encode(repeats, forKey: .repeats)
        try container.encodeIfPresent(objective, forKey: .objective)
    }

    /// Equal when machine.json records them alike (dimensions, setup, repeats): which models
    /// take `--wait` comes from the catalogue of the program that runs the plan.
    public static func == (a: SweepPlan, b: SweepPlan) -> Bool {
        a.dimensions == b.dimensions && a.setup == b.setup && a.repeats == b.repeats && a.objective == b.objective
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dimensions)
        hasher.combine(setup)
        hasher.combine(repeats)
        hasher.combine(objective)
    }

    /// True when the model of `cell` takes `--wait`.
    public func takesWaitStrategy(_ cell: SweepCell) -> Bool { waitStrategyModels.contains(cell[.model]) }

    /// Builds a plan from a preset and the options given explicitly, checking every value.
    /// - Parameters:
    ///   - lists: comma-separated values per axis, as typed; they replace the preset's.
    ///   - models: the models that exist (the preset takes all of them).
    ///   - waitStrategyModels: the ones of them that take `--wait`.
    public static func make(
        preset: Preset = .quick, lists: [SweepAxis: String] = [:], durationSeconds: Double? = nil,
        repeats: Int = 1, seed: UInt64 = 1, arrivals: ArrivalProcess = .uniform,
        clock: FeedClock = .exchange, waitStrategy: WaitStrategy = .standard,
        models: [String], waitStrategyModels: [String] = []
    ) throws(InvalidOption) -> SweepPlan {
        var dimensions: [Dimension] = []
        for axis in SweepAxis.allCases {
            let values: [String]
            if let list = lists[axis] {
                values = try parseList(list, axis: axis, models: models)
            } else {
                values = preset.values(of: axis, models: models)
            }
            dimensions.append(Dimension(axis: axis, values: values))
        }
        guard (1...1_000).contains(repeats) else {
            throw InvalidOption(option: "--repeats", value: String(repeats), allowed: "a whole number from 1 to 1000")
        }
        let setup = Setup(
            durationSeconds: durationSeconds ?? preset.durationSeconds, seed: seed,
            arrivals: arrivals, clock: clock, waitStrategy: waitStrategy)
        return SweepPlan(
            dimensions: dimensions, setup: setup, repeats: repeats,
            waitStrategyModels: Set(waitStrategyModels))
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

    /// Every combination of the axes' values, models changing fastest.
    public var cells: [SweepCell] {
        var cells = [SweepCell(values: [:])]
        for axis in SweepAxis.nesting {
            let values = self.values(of: axis)
            cells = cells.flatMap { cell in
                values.map { value in
                    var next = cell
                    next.values[axis] = value
                    return next
                }
            }
        }
        return cells
    }

    /// Every run in the order the sweep makes them: the whole matrix once, then again for each
    /// repeat, so an interrupted sweep has covered as much of the matrix as it could.
    public var runs: [SweepRun] {
        let cells = self.cells
        return (0..<repeats).flatMap { repetition in
            cells.enumerated().map { offset, cell in
                SweepRun(cell: cell, repetition: repetition, index: repetition * cells.count + offset)
            }
        }
    }

    /// The arguments of `ticklab` that run one cell and print its record.
    public func childArguments(for cell: SweepCell) -> [String] {
        var arguments = ["run", "--json"]
        for axis in SweepAxis.allCases {
            if let value = cell.values[axis] { arguments += axis.runArguments(value) }
        }
        return arguments + setup.runArguments(takingWaitStrategy: takesWaitStrategy(cell))
    }

    /// The cell a record belongs to, nil when it ran with other settings or values.
    public func cell(of parameters: RunResult.Parameters) -> SweepCell? {
        guard setup.matches(parameters) else { return nil }
        let cell = SweepCell(parameters: parameters)
        for axis in SweepAxis.allCases where !values(of: axis).contains(cell.values[axis] ?? "") { return nil }
        return cell
    }

    /// Every setting of the plan as the option of `ticklab sweep` that sets it and its value as
    /// typed: the axes' lists, `--duration`, `--repeats`, `--seed`, `--arrivals`, `--clock` and
    /// `--wait`.
    public var settings: [(option: String, value: String)] {
        // A plan decoded from an older machine.json may lack an axis added since: it ran at the
        // axis's neutral value.
        SweepAxis.allCases.map { axis in
            let values = values(of: axis)
            return (axis.sweepOption, values.isEmpty ? axis.neutralValue ?? "" : values.joined(separator: ","))
        } + [
            ("--duration", DurationText.option(seconds: setup.durationSeconds)), ("--repeats", String(repeats)),
            ("--seed", String(setup.seed)), ("--arrivals", setup.arrivals.rawValue), ("--clock", setup.clock.rawValue),
            ("--wait", setup.waitStrategy.rawValue),
        ]
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
            words += [axis.sweepOption, values(of: axis).joined(separator: ",")]
        }
        words += [
            "--duration", DurationText.option(seconds: setup.durationSeconds), "--repeats", String(repeats),
            "--seed", String(setup.seed), "--arrivals", setup.arrivals.rawValue, "--clock", setup.clock.rawValue,
            "--wait", setup.waitStrategy.rawValue,
        ]
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
    /// routing, goes unsaid).
    public var label: String {
        SweepAxis.allCases.compactMap { axis in values[axis].flatMap { $0 == "none" ? nil : axis.label($0) } }
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
