import Pipeline

/// `task-executors`: the same async stage code as `event-loop` and `tasks`, but each stage's
/// task prefers a ``DedicatedThreadExecutor`` of its own: async/await ergonomics with thread
/// isolation. A CPU-bound stage occupies its own thread only, as in `threads`; no stage ever
/// runs on the cooperative pool.
///
/// The FIFO and the slot are the async ones of `event-loop`: a resumed continuation is enqueued
/// on the waiting task's preferred executor, so a hand-over is a cross-thread wake-up (a
/// condition signal), not a hop through the pool. Waits use the executor's own timer
/// (`Task.sleep` needs a pool thread to wake, and is late when the pool is busy).
public struct TaskExecutorsModel: ConcurrencyModel {
    public let name = "task-executors"
    public let summary = "three tasks, each pinned to its own thread by a task-executor preference; async FIFO and slot"

    public init() {}

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let receiverExecutor = DedicatedThreadExecutor(name: "tl-receiver")
        let processorExecutor = DedicatedThreadExecutor(name: "tl-processor")
        let evaluatorExecutor = DedicatedThreadExecutor(name: "tl-evaluator")
        let fifo = AsyncTickFIFO(capacity: options.queueCapacity)
        let slot = AsyncLatestSlot()
        // Which threads resumed each stage: one each, unless a hand-over leaked onto the pool.
        let logs = (receiver: WorkerThreadLog(), processor: WorkerThreadLog(), evaluator: WorkerThreadLog())

        let evaluator = BlockingCompletion<EvaluatorStage>()
        let processor = BlockingCompletion<ProcessorStage>()
        let receiver = BlockingCompletion<ReceiverStage>()
        Task(executorPreference: evaluatorExecutor) {
            logs.evaluator.record()
            var stage = stages.evaluator
            await AsyncStageLoops.evaluate(
                &stage, from: ThreadLoggingStateSlot(slot, log: logs.evaluator),
                sleeper: ThreadLoggingSleeper(DedicatedThreadSleeper(evaluatorExecutor), log: logs.evaluator))
            evaluator.complete(stage)
        }
        Task(executorPreference: processorExecutor) {
            logs.processor.record()
            var stage = stages.processor
            await AsyncStageLoops.process(
                &stage, from: ThreadLoggingTickQueue(fifo, log: logs.processor),
                to: ThreadLoggingStateSlot(slot, log: logs.processor))
            processor.complete(stage)
        }
        Task(executorPreference: receiverExecutor) {
            logs.receiver.record()
            var stage = stages.receiver
            await AsyncStageLoops.receive(
                &stage, into: ThreadLoggingTickQueue(fifo, log: logs.receiver),
                sleeper: ThreadLoggingSleeper(DedicatedThreadSleeper(receiverExecutor), log: logs.receiver))
            receiver.complete(stage)
        }
        let finished = PipelineStages(
            receiver: receiver.wait(), processor: processor.wait(), evaluator: evaluator.wait())
        let r = receiverExecutor.shutdownMeasured(), p = processorExecutor.shutdownMeasured()
        let e = evaluatorExecutor.shutdownMeasured()
        return ModelRun(
            stages: finished,
            cpu: StageCPUTime(receiver: r.cpuSeconds, processor: p.cpuSeconds, evaluator: e.cpuSeconds),
            usage: StageUsage(
                receiver: r.usage, processor: p.usage, evaluator: e.usage,
                workerThreads: WorkerThreadLog.width([logs.receiver, logs.processor, logs.evaluator])))
    }
}
