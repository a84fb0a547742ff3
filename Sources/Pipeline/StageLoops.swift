import Clocks
import MarketData

/// The stage loops for models whose stages each block an OS thread (`threads`, `spin-ring`).
public enum BlockingStageLoops {
    /// Receives until the feed finishes, then closes the queue.
    public static func receive(
        _ stage: inout ReceiverStage, into queue: some BlockingTickQueue,
        sleep: (UInt64) -> Void = MonotonicClock.sleep(until:)
    ) {
        stage.prepare(for: .thread)
        while true {
            switch stage.receive() {
            case .handOver: stage.enqueued(depthAfter: queue.put(stage.batch))
            case .wait(let deadline): stage.wait(until: deadline, sleep: sleep)
            case .finished: queue.close(); return
            }
        }
    }

    /// Processes until the queue is closed and drained, then closes the slot.
    /// - Parameter publishing: `.endOfBatch` publishes only the newest state of each batch taken
    ///   from the queue, as a Disruptor handler does on its `endOfBatch` flag: the states before
    ///   it would be conflated anyway, and the slot's cache lines cross to the evaluator's core
    ///   once per batch instead of once per tick.
    public static func process(
        _ stage: inout ProcessorStage, from queue: some BlockingTickQueue,
        to slot: some BlockingStateSlot, publishing: StatePublishing = .endOfBatch
    ) {
        var batch: [ReceivedTick] = []
        batch.reserveCapacity(1_024)
        while queue.take(into: &batch) {
            switch publishing {
            case .everyTick:
                for tick in batch { slot.publish(stage.process(tick)) }
            case .endOfBatch:
                var newest = BookState.empty
                for tick in batch { newest = stage.process(tick) }
                slot.publish(newest)
            }
        }
        slot.close()
    }

    /// Evaluates until the slot is closed and its newest state evaluated.
    public static func evaluate(
        _ stage: inout EvaluatorStage, from slot: some BlockingStateSlot,
        sleep: (UInt64) -> Void = MonotonicClock.sleep(until:)
    ) {
        stage.prepare(for: .thread)
        var step = stage.step
        while true {
            switch step {
            case .pickUp:
                guard let state = slot.next(after: stage.lastSequence) else { return }
                step = stage.pickUp(state)
            case .wait(let deadline):
                sleep(deadline.nanoseconds)
                step = stage.waited()
            case .sendOrder:
                step = stage.sendOrder(sleep: sleep)
            }
        }
    }
}

/// When the processor publishes to the latest-value slot.
///
/// Every model publishes at the end of each batch (the loops' default): the evaluator reads only
/// the newest state, so the states before it in a batch would be conflated whichever model ran;
/// publishing them costs a hand-over each (an `await` on an actor, a lock and a signal) and
/// nothing else. At a rate the pipeline keeps up with a batch is one tick, so the two are the
/// same; at saturation, measured on the lab's 2-core machine (2026-12-02, release, loaded),
/// `tasks` went from 1.0–1.3 to 3.8–4.8 M ticks/s and its hop p50 from 0.33 to 0.07 ms.
public enum StatePublishing: Sendable, Hashable {
    /// After every tick.
    case everyTick
    /// After the last tick of each batch taken from the inbound queue.
    case endOfBatch
}

/// The same loops for models whose stages are Swift tasks (`event-loop`, `tasks`,
/// `task-executors`).
public enum AsyncStageLoops {
    public static func receive(
        _ stage: inout ReceiverStage, into queue: some AsyncTickQueue,
        sleeper: some AsyncSleeper
    ) async {
        stage.prepare(for: sleeper.host)
        while true {
            switch stage.receive() {
            case .handOver: stage.enqueued(depthAfter: await queue.put(stage.batch))
            case .wait(let deadline): await stage.wait(until: deadline, sleeper: sleeper)
            case .finished: queue.close(); return
            }
        }
    }

    /// Processes until the queue is closed and drained, then closes the slot; `publishing` as for
    /// ``BlockingStageLoops/process(_:from:to:publishing:)``. Here `.endOfBatch` also saves an
    /// `await` on the slot for every tick of a batch but its last.
    public static func process(
        _ stage: inout ProcessorStage, from queue: some AsyncTickQueue,
        to slot: some AsyncStateSlot, publishing: StatePublishing = .endOfBatch
    ) async {
        var batch: [ReceivedTick] = []
        batch.reserveCapacity(1_024)
        while await queue.take(into: &batch) {
            switch publishing {
            case .everyTick:
                for tick in batch { await slot.publish(stage.process(tick)) }
            case .endOfBatch:
                var newest = BookState.empty
                for tick in batch { newest = stage.process(tick) }
                await slot.publish(newest)
            }
        }
        await slot.close()
    }

    public static func evaluate(
        _ stage: inout EvaluatorStage, from slot: some AsyncStateSlot,
        sleeper: some AsyncSleeper
    ) async {
        stage.prepare(for: sleeper.host)
        var step = stage.step
        while true {
            switch step {
            case .pickUp:
                guard let state = await slot.next(after: stage.lastSequence) else { return }
                step = stage.pickUp(state)
            case .wait(let deadline):
                await sleeper.sleep(until: deadline.nanoseconds)
                step = stage.waited()
            case .sendOrder:
                step = await stage.sendOrder(sleeper: sleeper)
            }
        }
    }
}
