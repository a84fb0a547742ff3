import Clocks
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("Stage logic")
struct StageTests {
    static let calibration = Workload.Calibration(nanosPerRound: 1)

    static func tick(_ sequence: UInt64, _ delta: BookDelta, arrival: UInt64 = 100, received: UInt64 = 200)
        -> ReceivedTick
    {
        ReceivedTick(Tick(sequence: sequence, scheduledArrival: arrival, delta: delta, kind: .add), received: received)
    }

    @Test("the processor applies deltas in order, counts refusals and sequence breaks, and publishes features")
    func processor() {
        var stage = ProcessorStage(
            work: Workload(requested: .nanoseconds(0), calibration: Self.calibration),
            stop: StopSignal(), windowEnd: .init(nanoseconds: .max))
        var state = stage.process(Self.tick(1, .add(.bid, price: 99, size: 30)))
        state = stage.process(Self.tick(2, .add(.ask, price: 101, size: 10)))
        #expect(state.sequence == 2)
        #expect(state.bestBid == PriceLevel(price: 99, size: 30))
        #expect(state.bestAsk == PriceLevel(price: 101, size: 10))
        #expect(state.imbalance == 0.5)
        #expect(state.arrival == 100 && state.received == 200 && state.processed >= 200)
        _ = stage.process(Self.tick(3, .reduce(.ask, price: 500, size: 1)))
        #expect(stage.metrics.rejectedDeltas == 1)
        _ = stage.process(Self.tick(5, .delete(.ask, price: 101)))
        #expect(stage.metrics.sequenceBreaks == 1)
        #expect(stage.metrics.firstSequenceBreak! == (4, 5))
        #expect(stage.metrics.processed == 4 && stage.metrics.processedInWindow == 4)
        #expect(stage.book.bestAsk == nil)
        #expect(stage.metrics.processing.count == 4)
    }

    @Test("after a stop request the processor abandons ticks: into the book, not through the work or the figures")
    func abandonsAfterStop() {
        let stop = StopSignal()
        // A workload that would take a second per tick: abandoned ticks must not run it.
        var stage = ProcessorStage(
            work: Workload(requested: .nanoseconds(1_000_000_000), calibration: Self.calibration),
            stop: stop, windowEnd: .init(nanoseconds: .max))
        stop.request()
        _ = stage.process(Self.tick(1, .add(.bid, price: 99, size: 30)))
        let state = stage.process(Self.tick(2, .add(.ask, price: 101, size: 10)))
        #expect(state.sequence == 2)
        #expect(stage.metrics.abandoned == 2)
        #expect(stage.metrics.processed == 0 && stage.metrics.processedInWindow == 0)
        #expect(stage.metrics.processing.count == 0 && stage.metrics.work.units == 0)
        #expect(
            stage.book.bestBid == PriceLevel(price: 99, size: 30)
                && stage.book.bestAsk == PriceLevel(price: 101, size: 10))
    }

    @Test("ticks processed after the window's end are not counted in it")
    func window() {
        var stage = ProcessorStage(
            work: Workload(requested: .nanoseconds(0), calibration: Self.calibration),
            stop: StopSignal(), windowEnd: .init(nanoseconds: 0))
        _ = stage.process(Self.tick(1, .add(.bid, price: 1, size: 1)))
        #expect(stage.metrics.processed == 1 && stage.metrics.processedInWindow == 0)
    }

    @Test("the evaluator counts conflated states and decides from the imbalance")
    func evaluator() {
        var stage = EvaluatorStage(
            kind: .wait, work: Workload(requested: .nanoseconds(3_000_000), calibration: Self.calibration))
        #expect(stage.waitDuration == .milliseconds(3))
        #expect(stage.step == .pickUp)
        var state = BookState.empty
        state.sequence = 4
        state.imbalance = 0.9
        guard case .wait(let deadline) = stage.pickUp(state) else { Issue.record("expected a wait"); return }
        #expect(stage.step == .wait(until: deadline))
        #expect(stage.waited() == .pickUp)
        #expect(stage.metrics.decisions == DecisionCounts(buy: 1))
        #expect(stage.metrics.conflated == 3)
        state.sequence = 5
        state.imbalance = -0.9
        _ = stage.pickUp(state)
        #expect(stage.waited() == .pickUp)
        #expect(stage.metrics.decisions == DecisionCounts(buy: 1, sell: 1))
        state.sequence = 9
        state.imbalance = 0
        _ = stage.pickUp(state)
        #expect(stage.waited() == .pickUp)
        #expect(stage.metrics.conflated == 6)
        #expect(stage.metrics.evaluations == 3)
        #expect(stage.metrics.decisions == DecisionCounts(buy: 1, sell: 1, hold: 1))
        #expect(stage.metrics.decisions[.hold] == 1 && stage.metrics.decisions.orders == 2)
        #expect(stage.metrics.endToEnd.count == 3)
    }

    @Test("a cpu evaluator has no wait and measures its work")
    func cpuEvaluator() {
        var stage = EvaluatorStage(
            kind: .cpu, work: Workload(requested: .nanoseconds(100_000), calibration: Self.calibration))
        #expect(stage.waitDuration == nil)
        var state = BookState.empty
        state.sequence = 1
        #expect(stage.pickUp(state) == .pickUp)
        // The digest folds the signal with the book's (zero) work result: non-zero only if the
        // work produced a signal.
        #expect(stage.metrics.digest != 0)
        #expect(stage.metrics.work.units == 1)
        #expect(stage.metrics.decisions.total == 1)
    }

    @Test("a routed decision asks for its order to be sent before the next state, a hold does not")
    func routedEvaluator() {
        var stage = EvaluatorStage(
            kind: .cpu, work: Workload(requested: .nanoseconds(0), calibration: Self.calibration),
            route: AcceptingRoute())
        var state = BookState.empty
        state.sequence = 1
        state.imbalance = 0.9
        #expect(stage.pickUp(state) == .sendOrder)
        #expect(stage.sendOrder(sleep: { _ in }) == .pickUp)
        state.sequence = 2
        state.imbalance = 0
        #expect(stage.pickUp(state) == .pickUp)
        #expect(stage.metrics.routing.orders == 1 && stage.metrics.routing.accepted == 1)
    }

    @Test("the receiver stamps ticks, records its lag and the queue depth")
    func receiver() {
        let feed = SyntheticFeed(.init(seed: 1, rate: 1_000, duration: .milliseconds(1)), start: .init(nanoseconds: 0))
        var stage = ReceiverStage(feed: feed, stop: StopSignal())
        #expect(stage.receive() == .handOver)
        #expect(stage.batch.count == 1)
        #expect(stage.batch[0].received >= stage.batch[0].tick.scheduledArrival)
        stage.enqueued(depthAfter: 3)
        #expect(stage.metrics.depth.peak == 3)
        #expect(stage.receive() == .finished)
        #expect(stage.metrics.received == 1)
    }

    @Test("a stop request finishes the receiver")
    func receiverStop() {
        let stop = StopSignal()
        let feed = SyntheticFeed(
            .init(seed: 1, rate: 1, duration: .seconds(1_000)), start: .init(nanoseconds: .max / 2))
        var stage = ReceiverStage(feed: feed, stop: stop)
        if case .wait = stage.receive() {} else { Issue.record("expected a wait") }
        stop.request()
        #expect(stage.receive() == .finished)
        #expect(stop.instant != nil)
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("depth statistics: peak, mean and last over batched enqueues")
    func depth() {
        var depth = DepthStatistics()
        depth.recordEnqueue(count: 1, depthAfter: 1)  // 1
        depth.recordEnqueue(count: 3, depthAfter: 4)  // 2, 3, 4
        depth.recordEnqueue(count: 1, depthAfter: 1)  // 1
        #expect(depth.peak == 4)
        #expect(depth.last == 1)
        #expect(depth.samples == 5)
        #expect(depth.mean == 11.0 / 5.0)
    }

    @Test("latency summaries are in milliseconds, percentiles within HdrHistogram's precision")
    func latency() {
        var recorder = LatencyRecorder()
        for ms in 1...100 { recorder.record(UInt64(ms) * 1_000_000) }
        let s = recorder.summary
        #expect(s.count == 100)
        #expect(abs(s.mean - 50.5) < 0.1)
        #expect(abs(s.p50 - 50) < 0.1)
        #expect(abs(s.p99 - 99) < 0.1)
        #expect(abs(s.max - 100) < 0.1)
        recorder.record(from: 10, to: 5)
        #expect(recorder.count == 101)
    }

    @Test("an empty recorder summarises to zeros")
    func empty() {
        #expect(LatencyRecorder().summary == LatencySummary())
    }
}

@Suite("Workload")
struct WorkloadTests {
    @Test("a request becomes rounds through the calibration; zero means no work")
    func rounds() {
        let calibration = Workload.Calibration(nanosPerRound: 2)
        #expect(Workload(requested: .nanoseconds(1_000_000), calibration: calibration).rounds == 500_000)
        #expect(Workload(requested: .nanoseconds(0), calibration: calibration).isEmpty)
        #expect(Workload(requested: .nanoseconds(1), calibration: calibration).rounds == 1)
    }

    @Test("the work depends on its input and is deterministic")
    func deterministic() {
        let a: [Int64] = [1, 2, 3], b: [Int64] = [1, 2, 4]
        let ra = a.withUnsafeBufferPointer { Workload.burn(rounds: 1_000, over: $0) }
        let ra2 = a.withUnsafeBufferPointer { Workload.burn(rounds: 1_000, over: $0) }
        let rb = b.withUnsafeBufferPointer { Workload.burn(rounds: 1_000, over: $0) }
        #expect(ra == ra2 && ra != rb)
    }

    @Test("calibrated work costs roughly what was asked (wide margin: shared machines, sanitizers)")
    func calibrated() {
        let calibration = Workload.Calibration.measure(trials: 3, trialDuration: .milliseconds(5))
        let work = Workload(requested: .nanoseconds(5_000_000), calibration: calibration)
        let values: [Int64] = Array(1...40)
        var spent: [UInt64] = []
        for _ in 0..<5 {
            let t0 = ThreadCPUClock.now()
            blackHole(values.withUnsafeBufferPointer { work.run(over: $0) })
            spent.append(ThreadCPUClock.now() - t0)
        }
        let median = Double(spent.sorted()[2])
        #expect(median > 2_500_000 && median < 10_000_000, "5 ms of work took \(median / 1e6) ms of CPU")
    }
}

/// An order route that accepts every order at once.
private final class AcceptingRoute: OrderRoute {
    var name: String { "accepting" }
    func prepare(for host: StageHost) {}
    func close() {}
    func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome { .accepted }
    func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome { .accepted }
}
