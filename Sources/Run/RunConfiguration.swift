import MarketData
import Pipeline
import Results

/// Everything that defines one run.
public struct RunConfiguration: Sendable, Hashable, Codable {
    public var model: String
    /// Where ticks come from; `feed` holds the synthetic exchange's settings (rate, duration,
    /// arrivals, clock and seed), which other sources use where they apply.
    public var source: FeedSource = .synthetic
    public var feed: SyntheticFeed.Configuration
    /// Replay speed of a recorded feed (`lobster:`): a multiplier of the recorded pace, nil for
    /// as fast as the receiver takes ticks.
    public var speed: Double? = 1
    /// CPU work per tick in the processor, milliseconds.
    public var procMs: Double
    /// Evaluation time per state, milliseconds.
    public var evalMs: Double
    public var evalKind: EvaluationKind
    public var queueCapacity: Int
    /// For a model that takes a wait strategy (``ModelTunables``); the others ignore it.
    public var waitStrategy: WaitStrategy
    /// Per-tick CSV rows, when set.
    public var tracePath: String?
    /// Where buy and sell decisions go as orders (`--route`); nil: they stay decisions.
    public var route: OrderRouting?
    /// The offered load ρ = rate × proc-ms / 1000 the run was asked for (`--load`), which set
    /// `feed.rate`; nil when it was given a rate. Only recorded: the feed runs at `feed.rate`.
    public var load: Double?

    public init(
        model: String, source: FeedSource = .synthetic, feed: SyntheticFeed.Configuration = .init(),
        procMs: Double = 0.5,
        evalMs: Double = 1, evalKind: EvaluationKind = .wait, queueCapacity: Int = 1 << 16,
        waitStrategy: WaitStrategy = .standard, tracePath: String? = nil, speed: Double? = 1,
        route: OrderRouting? = nil, load: Double? = nil
    ) {
        self.model = model
        self.source = source
        self.feed = feed
        self.procMs = procMs
        self.evalMs = evalMs
        self.evalKind = evalKind
        self.queueCapacity = queueCapacity
        self.waitStrategy = waitStrategy
        self.tracePath = tracePath
        self.speed = speed
        self.route = route
        self.load = load
    }
}
