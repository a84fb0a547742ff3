import Clocks
import Locks
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("Receiver stage with a scripted feed")
struct ReceiverStageTests {
    static func bid(_ sequence: UInt64) -> Tick { scriptedTick(sequence, .add(.bid, price: 100, size: 1)) }

    @Test("each poll's ticks are handed over in order, stamped with one received instant per batch")
    func batchesInOrder() {
        let feed = ScriptedFeed([.ticks([Self.bid(1), Self.bid(2)]), .ticks([Self.bid(3)])])
        var stage = ReceiverStage(feed: feed, stop: StopSignal())
        let before = MonotonicClock.now()
        #expect(stage.receive() == .handOver)
        #expect(stage.batch.map(\.tick) == [Self.bid(1), Self.bid(2)])
        let firstReceived = stage.batch[0].received
        #expect(stage.batch.allSatisfy { $0.received == firstReceived })
        #expect(firstReceived >= before)
        #expect(stage.receive() == .handOver)
        #expect(stage.batch.map(\.tick) == [Self.bid(3)])
        #expect(stage.batch[0].received >= firstReceived)
        #expect(stage.receive() == .finished)
        #expect(stage.batch.isEmpty, "a finished poll hands nothing over")
        #expect(stage.metrics.received == 3)
        #expect(stage.metrics.batches == 2)
        #expect(stage.metrics.arrivalToReceived.count == 3)
    }

    @Test("a poll takes at most the batch limit; the rest comes with the next polls", arguments: [1, 2, 3, 7, 8])
    func batchLimit(limit: Int) {
        let ticks = (1...7).map { Self.bid(UInt64($0)) }
        var stage = ReceiverStage(feed: ScriptedFeed([.ticks(ticks)]), stop: StopSignal(), batchLimit: limit)
        var handedOver: [Tick] = []
        var batchSizes: [Int] = []
        while stage.receive() == .handOver {
            handedOver += stage.batch.map(\.tick)
            batchSizes.append(stage.batch.count)
        }
        #expect(handedOver == ticks)
        #expect(batchSizes.allSatisfy { $0 <= limit })
        #expect(batchSizes.count == (ticks.count + limit - 1) / limit)
        #expect(stage.metrics.batches == UInt64(batchSizes.count))
        #expect(stage.metrics.received == 7)
        let feed = stage.feed as? ScriptedFeed
        #expect(feed?.limits.allSatisfy { $0 == limit } == true, "every poll was asked for the limit")
    }

    @Test("the default batch limit is 1024 ticks")
    func defaultLimit() {
        var stage = ReceiverStage(feed: ScriptedFeed([.idle(until: 5)]), stop: StopSignal())
        _ = stage.receive()
        #expect((stage.feed as? ScriptedFeed)?.limits == [1_024])
    }

    @Test("an idle feed's deadline is passed through as the wait, and nothing is handed over")
    func idleDeadline() {
        let feed = ScriptedFeed([.ticks([Self.bid(1)]), .idle(until: 12_345), .idle(until: 99), .ticks([Self.bid(2)])])
        var stage = ReceiverStage(feed: feed, stop: StopSignal())
        #expect(stage.receive() == .handOver)
        #expect(stage.receive() == .wait(until: .init(nanoseconds: 12_345)))
        #expect(stage.batch.isEmpty, "the previous batch is not handed over twice")
        #expect(stage.receive() == .wait(until: .init(nanoseconds: 99)))
        #expect(stage.metrics.batches == 1)
        #expect(stage.receive() == .handOver)
        #expect(stage.batch.map(\.tick.sequence) == [2])
        #expect(stage.metrics.batches == 2 && stage.metrics.received == 2)
    }

    @Test("a finished feed stays finished")
    func finishedStays() {
        var stage = ReceiverStage(feed: ScriptedFeed([.finished, .ticks([Self.bid(1)])]), stop: StopSignal())
        #expect(stage.receive() == .finished)
        #expect(stage.receive() == .finished)
        #expect(stage.metrics.received == 0 && stage.metrics.batches == 0)
    }

    @Test("a stop request stops the feed at the next poll, so ticks still due are not handed over")
    func stopEndsTheFeed() {
        let stop = StopSignal()
        let feed = ScriptedFeed([.ticks([Self.bid(1)]), .ticks([Self.bid(2)]), .idle(until: 7)])
        var stage = ReceiverStage(feed: feed, stop: stop)
        #expect(stage.receive() == .handOver)
        #expect((stage.feed as? ScriptedFeed)?.stopCalls == 0, "no stop before it is requested")
        stop.request()
        #expect(stage.receive() == .finished)
        #expect(stage.batch.isEmpty)
        #expect((stage.feed as? ScriptedFeed)?.stopCalls == 1)
        #expect(stage.metrics.received == 1)
    }

    @Test("the depth after a batch is recorded for each of its ticks")
    func depthAfterBatch() {
        let feed = ScriptedFeed([.ticks([Self.bid(1), Self.bid(2), Self.bid(3)]), .ticks([Self.bid(4)])])
        var stage = ReceiverStage(feed: feed, stop: StopSignal())
        _ = stage.receive()
        stage.enqueued(depthAfter: 3)  // depths 1, 2, 3
        _ = stage.receive()
        stage.enqueued(depthAfter: 2)  // depth 2
        #expect(stage.metrics.depth.samples == 4)
        #expect(stage.metrics.depth.peak == 3)
        #expect(stage.metrics.depth.last == 2)
        #expect(stage.metrics.depth.mean == 2)
    }

    @Test("a scheduled feed waits with the model's sleep, and asks the model to arm its own timer")
    func scheduledFeedWaits() async {
        var stage = ReceiverStage(feed: ScriptedFeed([]), stop: StopSignal())
        stage.prepare(for: .thread)
        var slept: [UInt64] = []
        stage.wait(until: .init(nanoseconds: 42), sleep: { slept.append($0) })
        #expect(slept == [42])
        let sleeper = RecordingSleeper()
        await stage.wait(until: .init(nanoseconds: 43), sleeper: sleeper)
        #expect(sleeper.deadlines == [43])
        let woken = Locked(false)
        let notifies = stage.notifyWhenReady(until: .init(nanoseconds: 44), { woken.withLock { $0 = true } })
        #expect(!notifies, "no readiness: the model arms a timer itself")
        #expect(!woken.withLock { $0 }, "and is never woken")
    }

    @Test("an I/O feed is attached once, to the first host, and waits on its readiness instead of sleeping")
    func ioFeedWaitsOnReadiness() async {
        var stage = ReceiverStage(feed: ScriptedIOFeed([.idle(until: 10)]), stop: StopSignal())
        stage.prepare(for: .sharedExecutor)
        stage.prepare(for: .thread)
        let feed = stage.feed as? ScriptedIOFeed
        #expect(feed?.attachedHosts == ["sharedExecutor"])
        #expect(stage.receive() == .wait(until: .init(nanoseconds: 10)))
        var slept: [UInt64] = []
        stage.wait(until: .init(nanoseconds: 10), sleep: { slept.append($0) })
        #expect(slept.isEmpty, "an I/O feed's receiver does not sleep blind")
        let sleeper = RecordingSleeper()
        await stage.wait(until: .init(nanoseconds: 11), sleeper: sleeper)
        #expect(sleeper.deadlines.isEmpty)
        let woken = Locked(false)
        let notifies = stage.notifyWhenReady(until: .init(nanoseconds: 12), { woken.withLock { $0 = true } })
        #expect(notifies)
        #expect(woken.withLock { $0 }, "the readiness calls the wake back")
        #expect(feed?.readinessAfterAttach.calls == [.waitBlocking(10), .wait(11), .notify(12)])
    }

    @Test("an I/O feed that was never prepared has no readiness: the receiver sleeps")
    func unpreparedIOFeed() {
        let stage = ReceiverStage(feed: ScriptedIOFeed([]), stop: StopSignal())
        var slept: [UInt64] = []
        stage.wait(until: .init(nanoseconds: 5), sleep: { slept.append($0) })
        #expect(slept == [5])
        #expect((stage.feed as? ScriptedIOFeed)?.attachedHosts.isEmpty == true)
    }
}
