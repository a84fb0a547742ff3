import Clocks
import Foundation
import Locks
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("Blocking and async stage loops over a reference queue and slot")
struct StageLoopsTests {
    static let noWork = Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 1))

    static func processor() -> ProcessorStage {
        ProcessorStage(work: noWork, stop: StopSignal(), windowEnd: .init(nanoseconds: .max))
    }

    static func evaluator(route: (any OrderRoute)? = nil) -> EvaluatorStage {
        EvaluatorStage(kind: .cpu, work: noWork, route: route)
    }

    /// The ticks in batches of `batch` with an idle answer (deadline = the next batch's first
    /// sequence) between batches.
    static func script(_ ticks: [Tick], batch: Int) -> [ScriptedFeed.Answer] {
        stride(from: 0, to: ticks.count, by: batch).flatMap { start -> [ScriptedFeed.Answer] in
            let chunk = Array(ticks[start..<min(start + batch, ticks.count)])
            return [.ticks(chunk), .idle(until: UInt64(start + batch + 1))]
        }
    }

    static func drain(_ queue: ReferenceTickQueue) -> [ReceivedTick] {
        var all: [ReceivedTick] = []
        var batch: [ReceivedTick] = []
        while queue.take(into: &batch) { all += batch }
        return all
    }

    static func state(_ sequence: UInt64, imbalance: Double = 0) -> BookState {
        var state = BookState.empty
        state.sequence = sequence
        state.imbalance = imbalance
        return state
    }

    @Test("the blocking receiver hands every batch over in order, sleeps at each idle deadline, closes the queue")
    func blockingReceive() {
        let ticks = alternatingTicks(5)
        var stage = ReceiverStage(
            feed: ScriptedFeed([
                .ticks(Array(ticks[0..<3])), .idle(until: 500), .ticks(Array(ticks[3...])), .idle(until: 600),
            ]),
            stop: StopSignal())
        let queue = ReferenceTickQueue()
        var slept: [UInt64] = []
        BlockingStageLoops.receive(&stage, into: queue, sleep: { slept.append($0) })
        #expect(slept == [500, 600])
        #expect(queue.isClosed)
        #expect(Self.drain(queue).map(\.tick) == ticks)
        // Depths 1, 2, 3 after the first batch, 4, 5 after the second.
        #expect(stage.metrics.depth.samples == 5 && stage.metrics.depth.peak == 5 && stage.metrics.depth.mean == 3)
        #expect(stage.metrics.batches == 2)
    }

    @Test("the blocking receiver attaches an I/O feed to its thread and waits on the feed's readiness")
    func blockingReceiveAttaches() {
        var stage = ReceiverStage(feed: ScriptedIOFeed([.idle(until: 9)]), stop: StopSignal())
        var slept: [UInt64] = []
        BlockingStageLoops.receive(&stage, into: ReferenceTickQueue(), sleep: { slept.append($0) })
        let feed = stage.feed as? ScriptedIOFeed
        #expect(feed?.attachedHosts == ["thread"])
        #expect(feed?.readinessAfterAttach.calls == [.waitBlocking(9)])
        #expect(slept.isEmpty)
    }

    @Test("every-tick publishing publishes each state; end-of-batch only the newest of each batch")
    func publishing() {
        let ticks = alternatingTicks(6).map { ReceivedTick($0, received: 0) }
        let batches = [Array(ticks[0..<3]), [ticks[3]], Array(ticks[4..<6])]
        var published: [StatePublishing: [UInt64]] = [:]
        var books: [OrderBook] = []
        for publishing in [StatePublishing.everyTick, .endOfBatch] {
            var stage = Self.processor()
            let slot = ReferenceStateSlot()
            BlockingStageLoops.process(&stage, from: BatchScriptQueue(batches), to: slot, publishing: publishing)
            #expect(slot.isClosed)
            #expect(stage.metrics.processed == 6, "both process every tick")
            published[publishing] = slot.published.map(\.sequence)
            books.append(stage.book)
        }
        #expect(published[.everyTick] == [1, 2, 3, 4, 5, 6])
        #expect(published[.endOfBatch] == [3, 4, 6])
        #expect(books[0].hasSameLevels(as: books[1]))
    }

    @Test("the blocking processor's default is the end of each batch")
    func defaultPublishing() {
        var stage = Self.processor()
        let slot = ReferenceStateSlot()
        let ticks = alternatingTicks(2).map { ReceivedTick($0, received: 0) }
        BlockingStageLoops.process(&stage, from: BatchScriptQueue([ticks]), to: slot)
        #expect(slot.published.map(\.sequence) == [2])
    }

    @Test("the async processor publishes as the blocking one: each state, or by default the newest of each batch")
    func asyncPublishing() async {
        let ticks = alternatingTicks(6).map { ReceivedTick($0, received: 0) }
        let batches = [Array(ticks[0..<3]), [ticks[3]], Array(ticks[4..<6])]
        var published: [StatePublishing: [UInt64]] = [:]
        for publishing in [StatePublishing.everyTick, .endOfBatch] {
            var stage = Self.processor()
            let slot = AsyncReferenceStateSlot()
            await AsyncStageLoops.process(
                &stage, from: AsyncBatchScriptQueue(batches), to: slot, publishing: publishing)
            #expect(slot.slot.isClosed)
            #expect(stage.metrics.processed == 6)
            published[publishing] = slot.slot.published.map(\.sequence)
        }
        #expect(published[.everyTick] == [1, 2, 3, 4, 5, 6])
        #expect(published[.endOfBatch] == [3, 4, 6])
        var stage = Self.processor()
        let slot = AsyncReferenceStateSlot()
        await AsyncStageLoops.process(&stage, from: AsyncBatchScriptQueue(batches), to: slot)
        #expect(slot.slot.published.map(\.sequence) == [3, 4, 6], "the default is the end of each batch")
    }

    @Test("the blocking evaluator takes the newest state, ends when the slot is closed and drained")
    func blockingEvaluate() {
        let slot = ReferenceStateSlot()
        slot.publish(Self.state(2))
        slot.publish(Self.state(5))
        slot.close()
        var stage = Self.evaluator()
        BlockingStageLoops.evaluate(&stage, from: slot)
        #expect(stage.lastSequence == 5)
        #expect(stage.metrics.evaluations == 1 && stage.metrics.conflated == 4)
    }

    @Test("the blocking evaluator sleeps until the wait's deadline, and sends orders on its thread")
    func blockingEvaluateWaitsAndRoutes() {
        let slot = ReferenceStateSlot()
        slot.publish(Self.state(1, imbalance: 1))
        slot.close()
        let route = RecordingRoute()
        var stage = EvaluatorStage(
            kind: .wait, work: Workload(requested: .nanoseconds(1_000), calibration: .init(nanosPerRound: 1)),
            route: route)
        var slept: [UInt64] = []
        let before = MonotonicClock.now()
        BlockingStageLoops.evaluate(&stage, from: slot, sleep: { slept.append($0) })
        #expect(slept.count == 1)
        #expect(slept.allSatisfy { $0 >= before + 1_000 })
        #expect(route.hosts == ["thread"])
        #expect(route.orders.count == 1 && route.asyncSends == 0)
        #expect(stage.metrics.routing.accepted == 1)
    }

    @Test("three threads run the blocking pipeline: every tick processed once, in order, the last one evaluated")
    func blockingPipelineOnThreads() {
        let ticks = alternatingTicks(300)
        let feed = ScriptedFeed(Self.script(ticks, batch: 7))
        let queue = ReferenceTickQueue()
        let slot = ReferenceStateSlot()
        let finished = Locked(0)
        let allFinished = Condition()
        let outcome = Locked<(received: UInt64, processed: UInt64, book: OrderBook?, evaluator: EvaluatorMetrics?)>(
            (0, 0, nil, nil))
        let lastEvaluated = Locked<UInt64>(0)
        func start(_ body: @escaping @Sendable () -> Void) {
            Thread {
                body()
                finished.withLock { $0 += 1 }
                allFinished.signal()
            }.start()
        }
        start {
            var stage = ReceiverStage(feed: feed, stop: StopSignal())
            BlockingStageLoops.receive(&stage, into: queue, sleep: { _ in })
            outcome.withLock { $0.received = stage.metrics.received }
        }
        start {
            var stage = Self.processor()
            BlockingStageLoops.process(&stage, from: queue, to: slot, publishing: .everyTick)
            outcome.withLock {
                $0.processed = stage.metrics.processed; $0.book = stage.book
            }
        }
        start {
            var stage = Self.evaluator()
            BlockingStageLoops.evaluate(&stage, from: slot)
            lastEvaluated.withLock { $0 = stage.lastSequence }
            outcome.withLock { $0.evaluator = stage.metrics }
        }
        // Bounded only against a hang.
        let done = finished.withLock(
            when: { $0 == 3 }, waitingOn: allFinished, deadline: MonotonicClock.now() + 60_000_000_000
        ) { _, ready in ready }
        #expect(done, "the pipeline did not finish")
        guard done else { return }
        var reference = OrderBook()
        for tick in ticks { reference.applyCounting(tick.delta) }
        let result = outcome.withLock { $0 }
        #expect(result.received == 300 && result.processed == 300)
        #expect(slot.published.map(\.sequence) == Array(1...300))
        #expect(result.book?.hasSameLevels(as: reference) == true)
        #expect(lastEvaluated.withLock { $0 } == 300)
        if let evaluator = result.evaluator {
            #expect(evaluator.evaluations + evaluator.conflated == 300)
            #expect(evaluator.decisions.total == evaluator.evaluations)
        }
    }

    @Test("the async loops, one after another: the same ticks, the sleeper's deadlines, its host passed on")
    func asyncLoopsInTurn() async {
        let ticks = alternatingTicks(20)
        let sleeper = RecordingSleeper(host: .thread)
        var receiver = ReceiverStage(feed: ScriptedIOFeed(Self.script(ticks, batch: 8)), stop: StopSignal())
        let queue = AsyncReferenceTickQueue()
        await AsyncStageLoops.receive(&receiver, into: queue, sleeper: sleeper)
        let feed = receiver.feed as? ScriptedIOFeed
        #expect(feed?.attachedHosts == ["thread"])
        #expect(feed?.readinessAfterAttach.calls == [.wait(9), .wait(17), .wait(25)])
        #expect(sleeper.deadlines.isEmpty, "an I/O feed waits on its readiness, not on the sleeper")
        #expect(queue.queue.isClosed)

        var processor = Self.processor()
        let slot = AsyncReferenceStateSlot()
        await AsyncStageLoops.process(&processor, from: queue, to: slot, publishing: .everyTick)
        #expect(slot.slot.isClosed)
        #expect(slot.slot.published.map(\.sequence) == Array(1...20))

        let route = RecordingRoute()
        var evaluator = EvaluatorStage(
            kind: .wait, work: Workload(requested: .nanoseconds(10), calibration: .init(nanosPerRound: 1)), route: route
        )
        await AsyncStageLoops.evaluate(&evaluator, from: slot, sleeper: sleeper)
        #expect(evaluator.lastSequence == 20)
        #expect(evaluator.metrics.evaluations == 1 && evaluator.metrics.conflated == 19)
        #expect(sleeper.deadlines.count == 1, "one wait for the one evaluation")
        #expect(route.hosts == ["thread"])
        #expect(route.orders.count == Int(evaluator.metrics.decisions.orders))
        #expect(route.asyncSends == route.orders.count)
    }

    @Test("the async receiver sleeps with its sleeper for a scheduled feed")
    func asyncReceiveSleeps() async {
        let sleeper = RecordingSleeper()
        var stage = ReceiverStage(
            feed: ScriptedFeed([.idle(until: 3), .ticks(alternatingTicks(2)), .idle(until: 4)]), stop: StopSignal())
        let queue = AsyncReferenceTickQueue()
        await AsyncStageLoops.receive(&stage, into: queue, sleeper: sleeper)
        #expect(sleeper.deadlines == [3, 4])
        #expect(Self.drain(queue.queue).map(\.tick.sequence) == [1, 2])
        #expect(stage.metrics.depth.peak == 2)
    }

    @Test("the async loops side by side as tasks: every tick processed once, in order, the last one evaluated")
    func asyncPipelineAsTasks() async {
        let ticks = alternatingTicks(200)
        let queue = AsyncReferenceTickQueue()
        let slot = AsyncReferenceStateSlot()
        let sleeper = RecordingSleeper()
        let feed = ScriptedFeed(Self.script(ticks, batch: 9))
        async let received: UInt64 = {
            var stage = ReceiverStage(feed: feed, stop: StopSignal())
            await AsyncStageLoops.receive(&stage, into: queue, sleeper: sleeper)
            return stage.metrics.received
        }()
        async let processed: OrderBook = {
            var stage = Self.processor()
            await AsyncStageLoops.process(&stage, from: queue, to: slot, publishing: .everyTick)
            return stage.book
        }()
        async let evaluated: (UInt64, EvaluatorMetrics) = {
            var stage = Self.evaluator()
            await AsyncStageLoops.evaluate(&stage, from: slot, sleeper: sleeper)
            return (stage.lastSequence, stage.metrics)
        }()
        let (receivedCount, book, (last, metrics)) = await (received, processed, evaluated)
        var reference = OrderBook()
        for tick in ticks { reference.applyCounting(tick.delta) }
        #expect(receivedCount == 200)
        #expect(book.hasSameLevels(as: reference))
        #expect(slot.slot.published.map(\.sequence) == Array(1...200))
        #expect(last == 200)
        #expect(metrics.evaluations + metrics.conflated == 200)
        #expect(sleeper.deadlines.count == (200 + 8) / 9, "one sleep per idle answer, after each batch")
    }
}
