import ArgumentParser
import MarketData
import Models
import Pipeline

/// The synthetic market's options, the same in `run`, `sweep` and `exchange`: one seed and one
/// arrival process give the same ticks in all three.
struct MarketOptions: ParsableArguments {
    static let defaultSeed: UInt64 = 1

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seed of the synthetic market: the same seed gives the same ticks in run, sweep and exchange.",
            default: Self.defaultSeed, valueName: "n"), transform: SeedArgument.parse)
    var seed = Self.defaultSeed

    @Option(help: ArgumentHelp("Arrival process: uniform or poisson.", valueName: "process"))
    var arrivals: ArrivalProcess = .uniform
}

/// How the feed is clocked and how a spin-ring consumer waits, the same in `run` and `sweep`.
struct ClockAndWaitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "'exchange': the exchange runs on its own and a late receiver finds a backlog; 'receiver': the receiver sleeps 1/rate between pulls (the naive generator, which hides backlog).",
            valueName: "clock"))
    var clock: FeedClock = .exchange

    /// Nil when not given: `run` refuses `--wait` for a model that takes no wait strategy.
    @Option(
        help: ArgumentHelp(
            "How a spinning consumer waits: busy, yield or park (default \(WaitStrategy.standard.rawValue)); only for the models that take it: \(ModelCatalog.waitStrategyModels.joined(separator: ", ")).",
            valueName: "strategy"))
    var wait: WaitStrategy?
}
