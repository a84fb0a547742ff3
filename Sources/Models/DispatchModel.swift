import Clocks
import Dispatch
import Locks
import MarketData
import Pipeline
import Synchronization

/// `dispatch`: three serial DispatchQueues, Grand Central Dispatch's way. Nothing blocks a
/// queue: each stage is a callback that runs until it must wait, then schedules itself again.
///
/// - The receiver polls on its queue and sends each batch to the processor's queue as a block
///   (the FIFO is the queue of blocks itself); to wait for the next tick it arms a strict
///   `DispatchSourceTimer` (`asyncAfter` would allow itself 10% and at least 1 ms of leeway).
///   A receiver that finds `queueCapacity` ticks in flight pauses and is resumed by the
///   processor; the backlog stays in the feed.
/// - The processor applies a batch per block and publishes the batch's newest state to a
///   ``CoalescingStateSlot``, which schedules the evaluator on its queue only when it went idle.
/// - The evaluator takes the newest state; its `wait` evaluation arms its own timer.
///
/// Each stage value is kept behind a lock (``Locked``, a pthread mutex) so that the handing of a
/// stage from one worker thread to the next is visible to ThreadSanitizer; only its own serial
/// queue ever takes the lock.
public struct DispatchModel: ConcurrencyModel {
    public let name = "dispatch"
    public let summary = "three serial DispatchQueues; batches sent as blocks, coalescing slot, strict timers (GCD)"

    public init() {}

    public func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let cpuAtStart = ThreadCPUClock.process()
        let usageAtStart = ThreadUsage.process()
        let pipeline = DispatchPipeline(stages, capacity: options.queueCapacity)
        pipeline.start()
        let finished = pipeline.wait()
        // GCD's worker threads come and go: their CPU time and their switches are the process's.
        let cpu = Double(ThreadCPUClock.process() &- cpuAtStart) / 1e9
        return ModelRun(
            stages: finished, cpu: StageCPUTime(shared: cpu, sharedBy: "dispatch worker threads (process CPU)"),
            usage: StageUsage(shared: ThreadUsage.process().since(usageAtStart), workerThreads: pipeline.workerThreads))
    }
}

/// The three stages wired to their queues for one run.
///
/// `@unchecked Sendable` only because Dispatch does not mark `DispatchSourceTimer` Sendable: a
/// dispatch source may be scheduled, resumed and cancelled from any thread (GCD's contract), and
/// every other stored property is Sendable.
final class DispatchPipeline: @unchecked Sendable {
    private let receiverQueue = DispatchQueue(label: "ticklab.receiver")
    private let processorQueue = DispatchQueue(label: "ticklab.processor")
    private let evaluatorQueue = DispatchQueue(label: "ticklab.evaluator")
    private let receiverTimer: any DispatchSourceTimer
    private let evaluatorTimer: any DispatchSourceTimer

    private let receiver: Locked<ReceiverStage>
    private let processor: Locked<ProcessorStage>
    private let evaluator: Locked<EvaluatorStage>
    private let slot: CoalescingStateSlot

    /// Ticks sent to the processor and not yet processed.
    private let inFlight = Atomic<Int>(0)
    private let capacity: Int
    /// The receiver stopped polling because `capacity` ticks were in flight.
    private let receiverPaused = Locked(false)

    private let receiverDone = BlockingCompletion<ReceiverStage>()
    private let processorDone = BlockingCompletion<ProcessorStage>()
    private let evaluatorDone = BlockingCompletion<EvaluatorStage>()
    /// Cleared at the end of the run: it breaks the cycle pipeline → slot → wake-up → pipeline.
    private let wakeTarget: WakeTarget
    /// The worker threads that ran each stage's blocks.
    private let logs = (receiver: WorkerThreadLog(), processor: WorkerThreadLog(), evaluator: WorkerThreadLog())

    /// How many distinct worker threads ran stage work so far.
    var workerThreads: Int { WorkerThreadLog.width([logs.receiver, logs.processor, logs.evaluator]) }

    init(_ stages: PipelineStages, capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        receiver = Locked(stages.receiver)
        processor = Locked(stages.processor)
        evaluator = Locked(stages.evaluator)
        receiverTimer = DispatchSource.makeTimerSource(flags: .strict, queue: receiverQueue)
        evaluatorTimer = DispatchSource.makeTimerSource(flags: .strict, queue: evaluatorQueue)
        let evaluatorQueue = self.evaluatorQueue
        // The slot's wake-up needs `self`, which does not exist yet: go through a box.
        let wakeTarget = WakeTarget()
        slot = CoalescingStateSlot { evaluatorQueue.async { wakeTarget.pipeline?.evaluate() } }
        self.wakeTarget = wakeTarget
        wakeTarget.set(self)
    }

    func start() {
        // Weak: a timer holds its handler, and the pipeline holds its timers.
        receiverTimer.setEventHandler { [weak self] in self?.receive() }
        evaluatorTimer.setEventHandler { [weak self] in self?.evaluate(timerFired: true) }
        receiverTimer.resume()
        evaluatorTimer.resume()
        receiverQueue.async { [self] in receive() }
        evaluatorQueue.async { [self] in evaluate() }
    }

    func wait() -> PipelineStages {
        let stages = PipelineStages(
            receiver: receiverDone.wait(), processor: processorDone.wait(),
            evaluator: evaluatorDone.wait())
        receiverTimer.cancel()
        evaluatorTimer.cancel()
        wakeTarget.set(nil)
        return stages
    }

    // MARK: receiver, on receiverQueue

    private enum ReceiverNext {
        case waitUntil(MonotonicInstant)
        /// An I/O feed (`tcp://`) calls back when it has data or at the deadline.
        case waitingForFeed
        case full
        case finished(ReceiverStage)
    }

    private func receive() {
        logs.receiver.record()
        let next: ReceiverNext = receiver.withLock { stage in
            // An I/O feed reads on an I/O thread of its own and wakes this queue (first call counts).
            stage.prepare(for: .sharedExecutor)
            while true {
                switch stage.receive() {
                case .handOver:
                    let ticks = stage.batch
                    let depth = inFlight.add(ticks.count, ordering: .relaxed).newValue
                    processorQueue.async { [self] in process(ticks) }
                    stage.enqueued(depthAfter: depth)
                    if depth >= capacity { return .full }
                case .wait(let deadline):
                    let woken = stage.notifyWhenReady(until: deadline) { [self] in
                        receiverQueue.async { [self] in receive() }
                    }
                    return woken ? .waitingForFeed : .waitUntil(deadline)
                case .finished:
                    return .finished(stage)
                }
            }
        }
        switch next {
        case .waitUntil(let deadline):
            // A deadline already past is a delay of 0.
            let delay = (deadline - MonotonicInstant.now()).saturatingNanoseconds
            receiverTimer.schedule(
                deadline: .now() + .nanoseconds(Int(delay)), repeating: .never, leeway: .nanoseconds(0))
        case .waitingForFeed:
            break
        case .full:
            // Pause unless the processor made room in the meantime; it resumes a paused receiver.
            let pause = receiverPaused.withLock { paused in
                paused = inFlight.load(ordering: .relaxed) >= capacity
                return paused
            }
            if !pause { receiverQueue.async { [self] in receive() } }
        case .finished(let stage):
            processorQueue.async { [self] in
                slot.close()
                processorDone.complete(processor.withLock { $0 })
            }
            receiverDone.complete(stage)
        }
    }

    // MARK: processor, on processorQueue

    private func process(_ ticks: [ReceivedTick]) {
        logs.processor.record()
        processor.withLock { stage in
            // The newest state of the block only, as the stage loops publish (StatePublishing).
            var newest = BookState.empty
            for tick in ticks { newest = stage.process(tick) }
            if !ticks.isEmpty { slot.publish(newest) }
        }
        let left = inFlight.subtract(ticks.count, ordering: .relaxed).newValue
        if left < capacity {
            let resume = receiverPaused.withLock { paused in
                defer { paused = false }
                return paused
            }
            if resume { receiverQueue.async { [self] in receive() } }
        }
    }

    // MARK: evaluator, on evaluatorQueue

    /// Drives the evaluator's steps until it must wait for a state or for its timer.
    /// - Parameter timerFired: called by the evaluator's timer, which ends a wait; a wake-up
    ///   from the slot while the stage waits for its timer does nothing.
    private func evaluate(timerFired: Bool = false) {
        logs.evaluator.record()
        let closed: EvaluatorStage? = evaluator.withLock { stage in
            // `--route`: an order waits for its acknowledgement on this queue, as synchronous I/O.
            stage.prepare(for: .thread)
            var step = stage.step
            if case .wait = step {
                guard timerFired else { return nil }
                step = stage.waited()
            }
            while true {
                switch step {
                case .pickUp:
                    switch slot.take(after: stage.lastSequence) {
                    case .state(let state): step = stage.pickUp(state)
                    case .idle: return nil
                    case .closed: return stage
                    }
                case .wait(let deadline):
                    let delay = (deadline - MonotonicInstant.now()).saturatingNanoseconds
                    evaluatorTimer.schedule(
                        deadline: .now() + .nanoseconds(Int(delay)), repeating: .never,
                        leeway: .nanoseconds(0))
                    return nil
                case .sendOrder:
                    step = stage.sendOrder()
                }
            }
        }
        if let closed { evaluatorDone.complete(closed) }
    }
}

/// Lets the slot's wake-up closure reach the pipeline that owns the slot.
private final class WakeTarget: Sendable {
    private let target = Locked<DispatchPipeline?>(nil)
    var pipeline: DispatchPipeline? { target.withLock { $0 } }
    func set(_ pipeline: DispatchPipeline?) { target.withLock { $0 = pipeline } }
}
