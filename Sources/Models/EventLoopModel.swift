import CSystemSupport
import Clocks
import MarketData
import NIOCore
import NIOPosix
import Pipeline

/// `event-loop`: the three stages as Swift tasks that all run on one thread, a SwiftNIO
/// event loop, with an async FIFO and an async latest-value slot. The asyncio pipeline of the
/// seed: while one stage computes, the others cannot run, not even to take a tick.
///
/// The tasks are pinned to the loop with a task-executor preference (an actor on the loop would
/// bounce every resumption through the global pool, ~31 µs a hand-over), and they wait with the
/// loop's own timer: `Task.sleep` needs a pool thread to wake and is late when the pool is busy.
public struct EventLoopModel: ConcurrencyModel {
    public let name = "event-loop"
    public let summary = "three tasks on one SwiftNIO event loop thread; async FIFO and slot (asyncio)"

    public init() {}

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let fifo = AsyncTickFIFO(capacity: options.queueCapacity)
        let slot = AsyncLatestSlot()
        let sleeper = EventLoopSleeper(loop: loop)

        let (cpuAtStart, usageAtStart) = try loop.submit {
            ticklab_set_timer_slack(1)
            return (ThreadCPUClock.now(), ThreadUsage.currentThread())
        }.wait()
        // One thread by construction: the log shows that no stage work left it.
        let log = WorkerThreadLog()
        let done = loop.makePromise(of: PipelineStages.self)
        Task(executorPreference: executor) {
            let evaluator = Task(executorPreference: executor) {
                log.record()
                var stage = stages.evaluator
                await AsyncStageLoops.evaluate(
                    &stage, from: ThreadLoggingStateSlot(slot, log: log),
                    sleeper: ThreadLoggingSleeper(sleeper, log: log))
                return stage
            }
            let processor = Task(executorPreference: executor) {
                var stage = stages.processor
                await AsyncStageLoops.process(
                    &stage, from: ThreadLoggingTickQueue(fifo, log: log), to: ThreadLoggingStateSlot(slot, log: log))
                return stage
            }
            let receiver = Task(executorPreference: executor) {
                var stage = stages.receiver
                await AsyncStageLoops.receive(
                    &stage, into: ThreadLoggingTickQueue(fifo, log: log),
                    sleeper: ThreadLoggingSleeper(sleeper, log: log))
                return stage
            }
            done.succeed(
                PipelineStages(
                    receiver: await receiver.value, processor: await processor.value,
                    evaluator: await evaluator.value))
        }
        let finished = try done.futureResult.wait()
        let (cpuAtEnd, usageAtEnd) = try loop.submit { (ThreadCPUClock.now(), ThreadUsage.currentThread()) }.wait()
        return ModelRun(
            stages: finished,
            cpu: StageCPUTime(shared: Double(cpuAtEnd &- cpuAtStart) / 1e9, sharedBy: "event loop thread"),
            usage: StageUsage(shared: usageAtEnd.since(usageAtStart), workerThreads: WorkerThreadLog.width([log])))
    }
}

/// A `TaskExecutor` that runs every job on one NIO event loop: tasks that prefer it never leave
/// the loop's thread.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) { self.loop = loop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Waits on the loop's own timer (0.02 ms median lateness here, against ~1 s for `Task.sleep`
/// when the cooperative pool is busy).
public struct EventLoopSleeper: AsyncSleeper {
    public let loop: any EventLoop

    public init(loop: any EventLoop) { self.loop = loop }

    /// I/O feeds and order routes read their sockets on this same loop, as asyncio does.
    public var host: StageHost { .eventLoop(loop) }

    public func sleep(until deadline: UInt64) async {
        let now = MonotonicClock.now()
        guard deadline > now else { return }
        try? await loop.scheduleTask(in: .nanoseconds(Int64(deadline - now))) {}.futureResult.get()
    }
}
