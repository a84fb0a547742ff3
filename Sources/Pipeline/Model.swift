import MarketData

/// A concurrency model: how the three stages wait, wake and hand over.
///
/// A model receives the stages ready to run, runs them to completion (the receiver until its
/// feed finishes, the processor until the inbound queue is closed and drained, the evaluator
/// until the slot is closed and its newest state evaluated) and returns them with the metrics
/// they recorded. It never changes what a stage does with a tick.
public protocol ConcurrencyModel: Sendable {
    /// The name used by `--model`.
    var name: String { get }
    /// One line on what runs the stages and what the hand-overs are made of.
    var summary: String { get }
    /// The most ticks the receiver takes from the feed in one poll (and so hands over at once).
    /// Every tick of a poll is stamped with one `received` instant, so the last tick of a batch
    /// waits for the processing of the whole batch: a model whose hand-over is cheap per batch
    /// and per tick alike (a lock-free ring) passes small batches to keep its hop short.
    var receiveBatchLimit: Int { get }
    /// The settings this model takes beyond ``ModelOptions``, with the values it runs with; nil
    /// for the ones it does not take (the command line refuses those). None by default.
    var tunables: ModelTunables { get }
    /// This model with the values of `tunables` for the settings it takes (nil keeps its own);
    /// values for settings it does not take are ignored.
    func tuned(_ tunables: ModelTunables) -> any ConcurrencyModel
    /// Runs the pipeline and blocks the calling thread until it has drained. Call it from a
    /// thread of your own, not from the cooperative pool.
    func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun
}

extension ConcurrencyModel {
    /// 1024: a late receiver's backlog moves in a few large hand-overs, bounding what one poll
    /// of a saturated feed holds in memory.
    public var receiveBatchLimit: Int { 1_024 }

    public var tunables: ModelTunables { ModelTunables() }

    public func tuned(_ tunables: ModelTunables) -> any ConcurrencyModel { self }
}

/// Settings that only some models take: a model declares the ones it takes in
/// ``ConcurrencyModel/tunables``, and a run is recorded with those (and only those).
public struct ModelTunables: Sendable, Hashable {
    /// How a spinning consumer waits (`--wait`).
    public var waitStrategy: WaitStrategy?

    public init(waitStrategy: WaitStrategy? = nil) {
        self.waitStrategy = waitStrategy
    }
}

/// The three stages of a run, as a model receives them.
public struct PipelineStages: Sendable {
    public var receiver: ReceiverStage
    public var processor: ProcessorStage
    public var evaluator: EvaluatorStage

    public init(receiver: ReceiverStage, processor: ProcessorStage, evaluator: EvaluatorStage) {
        self.receiver = receiver
        self.processor = processor
        self.evaluator = evaluator
    }
}

/// Settings every model uses; the ones only some take are ``ModelTunables``.
public struct ModelOptions: Sendable, Hashable {
    /// Capacity of the inbound queue: a receiver that fills it waits (the feed keeps the
    /// backlog, so nothing is lost and the backlog still shows in the latencies).
    public var queueCapacity: Int

    public init(queueCapacity: Int = 1 << 16) {
        self.queueCapacity = queueCapacity
    }
}

/// How a thread waits for work in a lock-free model, in the Disruptor's vocabulary.
public enum WaitStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Spin on the sequence: lowest latency, one core burnt per waiting stage.
    case busy
    /// Spin, yielding the core to the scheduler between checks.
    case yield
    /// Spin briefly, then park on a futex until woken.
    case park

    /// The default of `--wait`: `park`. Measured on the 2-core lab machine, it is the only one of
    /// the three that keeps up at the heavy setting (4 ms processing, 20 ms CPU evaluation) and
    /// keeps the light setting's tail short, because a parked thread leaves its core to the
    /// others; in saturation its spin phase keeps the hop as short as the others'.
    public static let standard: WaitStrategy = .park
}

/// What a model returns: the stages, as they ended, and the CPU each consumed.
public struct ModelRun: Sendable {
    public var stages: PipelineStages
    public var cpu: StageCPUTime
    /// Context switches and allocations per stage thread, and the threads that ran stage work;
    /// empty for a model that does not measure them.
    public var usage: StageUsage

    public init(stages: PipelineStages, cpu: StageCPUTime, usage: StageUsage = StageUsage()) {
        self.stages = stages
        self.cpu = cpu
        self.usage = usage
    }
}

/// Context switches and heap allocations of one thread or of the process, over a stretch of its
/// life (a reading taken since it started, or the difference of two readings).
public struct ThreadUsage: Sendable, Hashable, Codable {
    /// The thread gave up its core because it waited (a lock, a condition, a sleep, I/O).
    public var voluntaryContextSwitches: UInt64
    /// The scheduler took the core away (the time slice ran out, a higher priority woke).
    public var involuntaryContextSwitches: UInt64
    /// Calls that handed out heap memory (malloc and its kin); nil where the process cannot
    /// count them (off glibc, or under a sanitizer that replaces malloc).
    public var allocations: UInt64?

    public init(voluntaryContextSwitches: UInt64, involuntaryContextSwitches: UInt64, allocations: UInt64? = nil) {
        self.voluntaryContextSwitches = voluntaryContextSwitches
        self.involuntaryContextSwitches = involuntaryContextSwitches
        self.allocations = allocations
    }

    /// What happened between `earlier` and this reading (of the same thread, or both of the
    /// process); a counter that went backwards counts 0.
    public func since(_ earlier: ThreadUsage) -> ThreadUsage {
        func delta(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : 0 }
        return ThreadUsage(
            voluntaryContextSwitches: delta(voluntaryContextSwitches, earlier.voluntaryContextSwitches),
            involuntaryContextSwitches: delta(involuntaryContextSwitches, earlier.involuntaryContextSwitches),
            allocations: allocations.flatMap { now in earlier.allocations.map { delta(now, $0) } })
    }
}

/// What a model's threads did besides computing, per stage where a stage owns a thread (the
/// thread's whole life), or in `shared` for the threads stages share, as ``StageCPUTime``.
public struct StageUsage: Sendable, Hashable, Codable {
    public var receiver: ThreadUsage?
    public var processor: ThreadUsage?
    public var evaluator: ThreadUsage?
    public var shared: ThreadUsage?
    /// The distinct OS threads that ran stage work (a pool's real width); nil where the model
    /// did not record them.
    public var workerThreads: Int?

    public init(
        receiver: ThreadUsage? = nil, processor: ThreadUsage? = nil, evaluator: ThreadUsage? = nil,
        shared: ThreadUsage? = nil, workerThreads: Int? = nil
    ) {
        self.receiver = receiver
        self.processor = processor
        self.evaluator = evaluator
        self.shared = shared
        self.workerThreads = workerThreads
    }
}

/// CPU seconds per stage: a stage's own thread CPU clock where it owns a thread; where stages
/// share threads (one event loop, a pool), the shared threads' total in `shared`.
public struct StageCPUTime: Sendable, Hashable, Codable {
    public var receiver: Double?
    public var processor: Double?
    public var evaluator: Double?
    public var shared: Double?
    /// What `shared` covers, e.g. "event loop thread".
    public var sharedBy: String?

    public init(
        receiver: Double? = nil, processor: Double? = nil, evaluator: Double? = nil,
        shared: Double? = nil, sharedBy: String? = nil
    ) {
        self.receiver = receiver
        self.processor = processor
        self.evaluator = evaluator
        self.shared = shared
        self.sharedBy = sharedBy
    }
}
