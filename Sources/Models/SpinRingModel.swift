import Pipeline

/// `spin-ring`: three dedicated threads connected without locks, in the manner of the LMAX
/// Disruptor: a single-producer single-consumer ring between receiver and processor
/// (``SpinRingTickQueue``) and a seqlock slot between processor and evaluator
/// (``SeqlockStateSlot``). How a thread waits (for ticks, for room, for a state, for an instant)
/// is `--wait`: `busy` spins, `yield` spins through `sched_yield`, `park` spins briefly, then
/// sleeps until the publisher wakes it.
///
/// - Short hand-overs: the receiver passes at most ``receiveBatchLimit`` ticks at a time (every
///   tick of a poll shares one `received` stamp, so the last waits for the whole batch) and the
///   ring holds ``ringCapacity`` (less if `queueCapacity` is smaller): behind a full ring a tick
///   waits capacity × per-tick time (Little's law). The backlog stays in the feed, where it
///   still shows in the latencies. The processor publishes the newest state of each batch
///   (the Disruptor's end-of-batch), not every state.
/// - Cores, as a Disruptor deployment assigns them (``CorePlan``): spinning threads need a core
///   each, so the receiver and the processor are pinned to a core of their own. With a third
///   core the evaluator gets it; with two, the evaluator, which conflates anyway, runs at the
///   lowest priority and takes only the time the tick path leaves. With `busy` or `yield` waits
///   that is almost none: they are meant for a core per thread.
public struct SpinRingModel: ConcurrencyModel {
    public let name = "spin-ring"
    public let summary =
        "three threads; lock-free SPSC ring, seqlock slot, cores pinned, --wait busy|yield|park (Disruptor)"
    public let receiveBatchLimit: Int
    public let ringCapacity: Int
    /// Pin threads and lower the evaluator's priority per ``CorePlan``; false leaves them to the
    /// scheduler (for comparison: see the README).
    public let placesThreads: Bool
    /// How every thread waits: for ticks, for room, for a state, for an instant (`--wait`).
    public let waitStrategy: WaitStrategy

    public init(
        receiveBatchLimit: Int = 8, ringCapacity: Int = 64, placesThreads: Bool = true,
        waitStrategy: WaitStrategy = .standard
    ) {
        precondition(receiveBatchLimit > 0 && ringCapacity > 0)
        self.receiveBatchLimit = receiveBatchLimit
        self.ringCapacity = ringCapacity
        self.placesThreads = placesThreads
        self.waitStrategy = waitStrategy
    }

    /// Takes `--wait`.
    public var tunables: ModelTunables { ModelTunables(waitStrategy: waitStrategy) }

    public func tuned(_ tunables: ModelTunables) -> any ConcurrencyModel {
        SpinRingModel(
            receiveBatchLimit: receiveBatchLimit, ringCapacity: ringCapacity, placesThreads: placesThreads,
            waitStrategy: tunables.waitStrategy ?? waitStrategy)
    }

    /// Which core each stage thread runs on, and the evaluator's niceness.
    public struct CorePlan: Sendable, Hashable {
        public var receiver: Int?
        public var processor: Int?
        public var evaluator: Int?
        public var evaluatorNice: Int32

        public init(receiver: Int?, processor: Int?, evaluator: Int?, evaluatorNice: Int32) {
            self.receiver = receiver
            self.processor = processor
            self.evaluator = evaluator
            self.evaluatorNice = evaluatorNice
        }

        /// The plan for the cores this process may use: a core each for receiver, processor and
        /// evaluator when there are three; with fewer, the tick path keeps its cores (if any)
        /// and the evaluator runs unpinned at the lowest priority.
        public static func forCores(_ cores: [Int]) -> CorePlan {
            switch cores.count {
            case 3...: CorePlan(receiver: cores[0], processor: cores[1], evaluator: cores[2], evaluatorNice: 0)
            case 2: CorePlan(receiver: cores[0], processor: cores[1], evaluator: nil, evaluatorNice: 19)
            default: CorePlan(receiver: nil, processor: nil, evaluator: nil, evaluatorNice: 19)
            }
        }

        static let unplaced = CorePlan(receiver: nil, processor: nil, evaluator: nil, evaluatorNice: 0)
    }

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let strategy = waitStrategy
        let queue = SpinRingTickQueue(capacity: min(options.queueCapacity, ringCapacity), strategy: strategy)
        let slot = SeqlockStateSlot(strategy: strategy)
        let plan = placesThreads ? CorePlan.forCores(ThreadPlacement.allowedCores()) : .unplaced
        let evaluator = OSThread(name: "tl-evaluator") {
            if let core = plan.evaluator { ThreadPlacement.pinCurrentThread(to: core) }
            if plan.evaluatorNice != 0 { ThreadPlacement.setCurrentThreadNice(plan.evaluatorNice) }
            var stage = stages.evaluator
            BlockingStageLoops.evaluate(&stage, from: slot) { Spinner.wait(until: $0, strategy) }
            return stage
        }
        let processor = OSThread(name: "tl-processor") {
            if let core = plan.processor { ThreadPlacement.pinCurrentThread(to: core) }
            var stage = stages.processor
            BlockingStageLoops.process(&stage, from: queue, to: slot)
            return stage
        }
        let receiver = OSThread(name: "tl-receiver") {
            if let core = plan.receiver { ThreadPlacement.pinCurrentThread(to: core) }
            var stage = stages.receiver
            BlockingStageLoops.receive(&stage, into: queue) { Spinner.wait(until: $0, strategy) }
            return stage
        }
        let r = receiver.join(), p = processor.join(), e = evaluator.join()
        return ModelRun(
            stages: PipelineStages(receiver: r.result, processor: p.result, evaluator: e.result),
            cpu: StageCPUTime(receiver: r.cpuSeconds, processor: p.cpuSeconds, evaluator: e.cpuSeconds),
            usage: StageUsage(receiver: r.usage, processor: p.usage, evaluator: e.usage))
    }
}
