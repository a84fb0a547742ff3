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

        let evaluator = BlockingCompletion<EvaluatorStage>()
        let processor = BlockingCompletion<ProcessorStage>()
        let receiver = BlockingCompletion<ReceiverStage>()
        Task(executorPreference: evaluatorExecutor) {
            var stage = stages.evaluator
            await AsyncStageLoops.evaluate(&stage, from: slot, sleeper: DedicatedThreadSleeper(evaluatorExecutor))
            evaluator.complete(stage)
        }
        Task(executorPreference: processorExecutor) {
            var stage = stages.processor
            await AsyncStageLoops.process(&stage, from: fifo, to: slot)
            processor.complete(stage)
        }
        Task(executorPreference: receiverExecutor) {
            var stage = stages.receiver
            await AsyncStageLoops.receive(&stage, into: fifo, sleeper: DedicatedThreadSleeper(receiverExecutor))
            receiver.complete(stage)
        }
        let finished = PipelineStages(
            receiver: receiver.wait(), processor: processor.wait(), evaluator: evaluator.wait())
        return ModelRun(
            stages: finished,
            cpu: StageCPUTime(
                receiver: receiverExecutor.shutdown(), processor: processorExecutor.shutdown(),
                evaluator: evaluatorExecutor.shutdown()))
    }
}
