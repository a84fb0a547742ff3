import Pipeline

/// `threads`: three dedicated OS threads; a mutex-and-condition FIFO between receiver and
/// processor, a latest-value slot under one lock and one condition. The free-threaded CPython
/// pipeline of the seed.
public struct ThreadsModel: ConcurrencyModel {
    public let name = "threads"
    public let summary = "three OS threads; mutex + condition FIFO, one-lock slot (free-threaded CPython)"

    public init() {}

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let queue = LockedTickQueue(capacity: options.queueCapacity)
        let slot = LockedStateSlot()
        let evaluator = OSThread(name: "tl-evaluator") {
            var stage = stages.evaluator
            BlockingStageLoops.evaluate(&stage, from: slot)
            return stage
        }
        let processor = OSThread(name: "tl-processor") {
            var stage = stages.processor
            BlockingStageLoops.process(&stage, from: queue, to: slot)
            return stage
        }
        let receiver = OSThread(name: "tl-receiver") {
            var stage = stages.receiver
            BlockingStageLoops.receive(&stage, into: queue)
            return stage
        }
        let r = receiver.join(), p = processor.join(), e = evaluator.join()
        return ModelRun(
            stages: PipelineStages(receiver: r.result, processor: p.result, evaluator: e.result),
            cpu: StageCPUTime(receiver: r.cpuSeconds, processor: p.cpuSeconds, evaluator: e.cpuSeconds),
            usage: StageUsage(receiver: r.usage, processor: p.usage, evaluator: e.usage))
    }
}
