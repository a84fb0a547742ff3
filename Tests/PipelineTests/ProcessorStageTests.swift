import Clocks
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("Processor stage")
struct ProcessorStageTests {
    static let noWork = Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 1))

    static func stage(
        work: Workload = noWork, stop: StopSignal = StopSignal(), windowEnd: MonotonicInstant = .init(nanoseconds: .max)
    )
        -> ProcessorStage
    {
        ProcessorStage(work: work, stop: stop, windowEnd: windowEnd)
    }

    static func received(_ sequence: UInt64, _ delta: BookDelta, arrival: UInt64 = 0) -> ReceivedTick {
        ReceivedTick(scriptedTick(sequence, delta, arrival: arrival), received: MonotonicClock.now())
    }

    @Test(
        "every sequence that is not the last one plus one is a break; the first break is kept",
        arguments: [
            ([1, 2, 3, 4], 0, nil),
            ([3, 4, 5], 1, (1, 3)),
            ([1, 2, 5, 6, 4], 2, (3, 5)),
            ([1, 1, 2], 1, (2, 1)),  // a repeat breaks once; the next follows it
            ([1, 3, 2, 3], 2, (2, 3)),
        ] as [([UInt64], UInt64, (UInt64, UInt64)?)])
    func sequenceBreaks(sequences: [UInt64], breaks: UInt64, first: (UInt64, UInt64)?) {
        var stage = Self.stage()
        for sequence in sequences { _ = stage.process(Self.received(sequence, .add(.bid, price: 100, size: 1))) }
        #expect(stage.metrics.sequenceBreaks == breaks)
        #expect(stage.metrics.firstSequenceBreak?.expected == first?.0)
        #expect(stage.metrics.firstSequenceBreak?.got == first?.1)
        #expect(stage.metrics.processed == UInt64(sequences.count), "a break does not drop the tick")
    }

    @Test("deltas the book refuses are counted and leave the book as it was")
    func rejectedDeltas() {
        var stage = Self.stage()
        let deltas: [BookDelta] = [
            .add(.bid, price: 100, size: 5),
            .reduce(.bid, price: 100, size: 6),  // more than the level holds
            .delete(.ask, price: 101),  // no such level
            .add(.ask, price: 0, size: 1),  // no such price
            .add(.ask, price: 101, size: 0),  // no size
            .reduce(.bid, price: 100, size: 2),
        ]
        for (index, delta) in deltas.enumerated() { _ = stage.process(Self.received(UInt64(index + 1), delta)) }
        #expect(stage.metrics.rejectedDeltas == 4)
        #expect(stage.metrics.processed == 6)
        #expect(stage.book.levels(.bid) == [PriceLevel(price: 100, size: 3)])
        #expect(stage.book.depth(.ask) == 0)
    }

    @Test("the state carries the tick's sequence and stamps in order arrival ≤ received ≤ processed")
    func stateStamps() {
        var stage = Self.stage()
        let arrival = MonotonicClock.now()
        let item = ReceivedTick(
            scriptedTick(1, .add(.bid, price: 100, size: 1), arrival: arrival), received: MonotonicClock.now())
        let state = stage.process(item)
        let after = MonotonicClock.now()
        #expect(state.sequence == 1)
        #expect(state.arrival == arrival)
        #expect(state.received == item.received)
        #expect(state.arrival <= state.received && state.received <= state.processed && state.processed <= after)
        #expect(stage.metrics.processing.count == 1 && stage.metrics.receivedToProcessed.count == 1)
    }

    @Test("an empty side publishes a zero level and a one-sided book a full imbalance")
    func emptySides() {
        var stage = Self.stage()
        let state = stage.process(Self.received(1, .add(.ask, price: 101, size: 4)))
        #expect(state.bestBid == PriceLevel(price: 0, size: 0))
        #expect(state.bestAsk == PriceLevel(price: 101, size: 4))
        #expect(state.imbalance == -1)
        let empty = stage.process(Self.received(2, .delete(.ask, price: 101)))
        #expect(empty.bestAsk == PriceLevel(price: 0, size: 0))
        #expect(empty.imbalance == 0, "no size on either side: no imbalance")
    }

    @Test("the imbalance is over the best five levels of each side only")
    func imbalanceOverTopFive() {
        var stage = Self.stage()
        var sequence: UInt64 = 0
        var state = BookState.empty
        // Seven bid levels of 1 (the two worst must not count) and one ask level of 15.
        for price: Price in 94...100 {
            sequence += 1
            state = stage.process(Self.received(sequence, .add(.bid, price: price, size: 1)))
        }
        sequence += 1
        state = stage.process(Self.received(sequence, .add(.ask, price: 101, size: 15)))
        #expect(state.bestBid == PriceLevel(price: 100, size: 1))
        #expect(state.bestAsk == PriceLevel(price: 101, size: 15))
        #expect(state.imbalance == (5.0 - 15.0) / 20.0)
    }

    @Test("the work runs over the top ten levels of each side, best first, as price and size pairs")
    func workOverTopTen() {
        let work = Workload(requested: .nanoseconds(300), calibration: .init(nanosPerRound: 1))
        var stage = Self.stage(work: work)
        var sequence: UInt64 = 0
        var state = BookState.empty
        for offset: Price in 0..<12 {
            sequence += 1
            state = stage.process(Self.received(sequence, .add(.bid, price: 100 - offset, size: 1 + offset)))
        }
        for offset: Price in 0..<3 {
            sequence += 1
            state = stage.process(Self.received(sequence, .add(.ask, price: 101 + offset, size: 10 * (1 + offset))))
        }
        // Bids 100, 99, … 91 in slots 0–19; asks 101, 102, 103 from slot 20; zeros elsewhere.
        var values = [Int64](repeating: 0, count: 40)
        for offset in 0..<10 {
            values[2 * offset] = 100 - Int64(offset)
            values[2 * offset + 1] = 1 + Int64(offset)
        }
        for offset in 0..<3 {
            values[20 + 2 * offset] = 101 + Int64(offset)
            values[21 + 2 * offset] = 10 * (1 + Int64(offset))
        }
        let expected = values.withUnsafeBufferPointer { Workload.burn(rounds: 300, over: $0) }
        #expect(state.workResult == expected)
        #expect(stage.metrics.work.units == sequence, "one unit of work per tick")
    }

    @Test("without work the state's work result is zero and no work is accounted")
    func noWork() {
        var stage = Self.stage()
        let state = stage.process(Self.received(1, .add(.bid, price: 100, size: 1)))
        #expect(state.workResult == 0)
        #expect(stage.metrics.work.units == 0)
        #expect(stage.metrics.work.meanMillis == nil)
    }

    @Test("ticks after a stop request are abandoned: applied to the book, outside the window and the figures")
    func stopEndsTheWindow() {
        let stop = StopSignal()
        var stage = Self.stage(stop: stop)
        _ = stage.process(Self.received(1, .add(.bid, price: 100, size: 1)))
        _ = stage.process(Self.received(2, .add(.bid, price: 100, size: 1)))
        stop.request()
        // Until the clock has moved past the stop, so that the next stamp is after it.
        while MonotonicClock.now() <= stop.instant!.nanoseconds {}
        _ = stage.process(Self.received(3, .add(.bid, price: 100, size: 1)))
        #expect(stage.metrics.processed == 2)
        #expect(stage.metrics.abandoned == 1)
        #expect(stage.metrics.processedInWindow == 2)
        #expect(stage.metrics.processing.count == 2)
        #expect(stage.book.bestBid?.size == 3, "an abandoned tick still reaches the book")
    }

    @Test("the window ends at the earlier of its end and the stop")
    func windowEndAndStop() {
        let stop = StopSignal()
        stop.request()
        while MonotonicClock.now() <= stop.instant!.nanoseconds {}
        var stopped = Self.stage(stop: stop, windowEnd: .init(nanoseconds: .max))
        _ = stopped.process(Self.received(1, .add(.bid, price: 100, size: 1)))
        #expect(stopped.metrics.processedInWindow == 0, "a stop before the window's end ends it")

        var open = Self.stage(stop: StopSignal(), windowEnd: .init(nanoseconds: .max))
        let end = MonotonicClock.now()
        var ended = Self.stage(stop: StopSignal(), windowEnd: .init(nanoseconds: end))
        while MonotonicClock.now() <= end {}
        for sequence: UInt64 in 1...3 {
            let item = Self.received(sequence, .add(.bid, price: 100, size: 1))
            _ = open.process(item)
            _ = ended.process(item)
        }
        #expect(open.metrics.processedInWindow == 3)
        #expect(ended.metrics.processed == 3)
        #expect(ended.metrics.processedInWindow == 0, "every tick was processed after the window's end")
    }

    @Test("the book after the ticks is the book that applying the same deltas gives")
    func finalBook() {
        let ticks = alternatingTicks(50)
        var stage = Self.stage()
        var reference = OrderBook()
        for tick in ticks {
            _ = stage.process(ReceivedTick(tick, received: 0))
            reference.applyCounting(tick.delta)
        }
        #expect(stage.book.hasSameLevels(as: reference))
        #expect(stage.metrics.sequenceBreaks == 0 && stage.metrics.rejectedDeltas == 0)
    }
}
