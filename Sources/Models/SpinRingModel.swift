import Pipeline

/// `spin-ring`: three dedicated threads connected without locks, in the manner of the LMAX
/// Disruptor: a single-producer single-consumer ring between receiver and processor
/// (``SpinRingTickQueue``) and a seqlock slot between processor and evaluator
/// (``SeqlockStateSlot``). How a thread waits (for ticks, for room, for a state, for an instant)
/// is `--wait`: `busy` spins, `yield` spins through `sched_yield`, `park` spins briefly, then
/// sleeps until the publisher wakes it.
///
/// The receiver hands over at most ``receiveBatchLimit`` ticks at a time and the ring holds at
/// most ``ringCapacity`` (less if `queueCapacity` is smaller): a saturated consumer waits
/// capacity × per-tick time behind a full ring (Little's law), so a short ring keeps the hop
/// short, and the backlog stays in the feed, where it still shows in the latencies.
public struct SpinRingModel: ConcurrencyModel {
    public let name = "spin-ring"
    public let summary = "three threads; lock-free SPSC ring and seqlock slot, --wait busy|yield|park (LMAX Disruptor)"
    public let receiveBatchLimit: Int
    public let ringCapacity: Int

    public init(receiveBatchLimit: Int = 16, ringCapacity: Int = 1_024) {
        self.receiveBatchLimit = receiveBatchLimit
        self.ringCapacity = ringCapacity
    }

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let strategy = options.waitStrategy
        let queue = SpinRingTickQueue(capacity: min(options.queueCapacity, ringCapacity), strategy: strategy)
        let slot = SeqlockStateSlot(strategy: strategy)
        let evaluator = OSThread(name: "tl-evaluator") {
            var stage = stages.evaluator
            BlockingStageLoops.evaluate(&stage, from: slot) { Spinner.wait(until: $0, strategy) }
            return stage
        }
        let processor = OSThread(name: "tl-processor") {
            var stage = stages.processor
            BlockingStageLoops.process(&stage, from: queue, to: slot, publishing: .endOfBatch)
            return stage
        }
        let receiver = OSThread(name: "tl-receiver") {
            var stage = stages.receiver
            BlockingStageLoops.receive(&stage, into: queue) { Spinner.wait(until: $0, strategy) }
            return stage
        }
        let r = receiver.join(), p = processor.join(), e = evaluator.join()
        return ModelRun(
            stages: PipelineStages(receiver: r.result, processor: p.result, evaluator: e.result),
            cpu: StageCPUTime(receiver: r.cpuSeconds, processor: p.cpuSeconds, evaluator: e.cpuSeconds))
    }
}
