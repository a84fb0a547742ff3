import Clocks
import MarketData
import Pipeline

/// `tasks`: what "just use async/await" gives. The three stages are plain Swift tasks on the
/// default global executor, the cooperative pool, which has one thread per core (two here);
/// the FIFO is an `AsyncChannel`, the slot an actor, waits are `Task.sleep`.
///
/// Nothing here works around the pool's nature, on purpose: a CPU-bound processor and a
/// CPU-bound evaluator can occupy every pool thread, and then the receiver's `Task.sleep`
/// cannot wake, however late its ticks are. The arrival→received segment shows it.
public struct TasksModel: ConcurrencyModel {
    public let name = "tasks"
    public let summary =
        "three tasks on the cooperative pool; AsyncChannel FIFO, actor slot, Task.sleep (just async/await)"

    public init() {}

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let fifo = ChannelTickFIFO()
        let slot = ActorStateSlot()
        let sleeper = TaskSleeper()
        // Which pool threads resumed each stage: the pool's real width in this run.
        let logs = (receiver: WorkerThreadLog(), processor: WorkerThreadLog(), evaluator: WorkerThreadLog())
        let evaluator = BlockingCompletion<EvaluatorStage>()
        let processor = BlockingCompletion<ProcessorStage>()
        let receiver = BlockingCompletion<ReceiverStage>()

        // The pool's threads are shared by the whole process: their CPU time is the process's,
        // less the calling thread's, which only waits.
        let cpuAtStart = ThreadCPUClock.process()
        let usageAtStart = ThreadUsage.process()
        Task {
            logs.evaluator.record()
            var stage = stages.evaluator
            await AsyncStageLoops.evaluate(
                &stage, from: ThreadLoggingStateSlot(slot, log: logs.evaluator),
                sleeper: ThreadLoggingSleeper(sleeper, log: logs.evaluator))
            evaluator.complete(stage)
        }
        Task {
            logs.processor.record()
            var stage = stages.processor
            await AsyncStageLoops.process(
                &stage, from: ThreadLoggingTickQueue(fifo, log: logs.processor),
                to: ThreadLoggingStateSlot(slot, log: logs.processor))
            processor.complete(stage)
        }
        Task {
            logs.receiver.record()
            var stage = stages.receiver
            await AsyncStageLoops.receive(
                &stage, into: ThreadLoggingTickQueue(fifo, log: logs.receiver),
                sleeper: ThreadLoggingSleeper(sleeper, log: logs.receiver))
            receiver.complete(stage)
        }
        let finished = PipelineStages(
            receiver: receiver.wait(), processor: processor.wait(), evaluator: evaluator.wait())
        let cpu = Double(ThreadCPUClock.process() &- cpuAtStart) / 1e9
        return ModelRun(
            stages: finished, cpu: StageCPUTime(shared: cpu, sharedBy: "cooperative pool (process CPU)"),
            usage: StageUsage(
                shared: ThreadUsage.process().since(usageAtStart),
                workerThreads: WorkerThreadLog.width([logs.receiver, logs.processor, logs.evaluator])))
    }
}

/// `Task.sleep`: it needs a pool thread to wake, so it is as late as the pool is busy.
public struct TaskSleeper: AsyncSleeper {
    public init() {}

    public func sleep(until deadline: UInt64) async {
        let now = MonotonicClock.now()
        guard deadline > now else { return }
        try? await Task.sleep(nanoseconds: deadline - now)
    }
}
