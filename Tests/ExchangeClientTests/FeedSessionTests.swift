import MarketData
import OrderBook
import PropertyBased
import TestSupport
import Testing
import Wire
import WireConversions

@testable import ExchangeClient

/// Frames as the exchange sends them for a synthetic market of `seed`: its deltas numbered from
/// 1, snapshots and heartbeats of its book at any point.
struct ExchangeScript {
    var market: SyntheticMarket
    var book = OrderBook()
    var sequence: UInt64 = 0
    var clock: UInt64 = 1_000_000

    init(seed: UInt64) { market = SyntheticMarket(seed: seed) }

    mutating func delta() -> WireFrame {
        let event = market.next()
        book.applyCounting(event.delta)
        sequence += 1
        clock += 1_000
        return WireFrame(sequence: sequence, sendTime: clock, message: .delta(WireDelta(event.delta, kind: event.kind)))
    }

    mutating func deltas(_ count: Int) -> [WireFrame] { (0..<count).map { _ in delta() } }

    var snapshot: WireFrame { WireFrame(sequence: sequence, sendTime: clock, message: .snapshot(WireSnapshot(book))) }
    var heartbeat: WireFrame {
        WireFrame(sequence: sequence, sendTime: clock, message: .heartbeat(checksum: book.checksum))
    }
}

extension FeedSession {
    /// Handles the frames; returns the actions that were not `.none`.
    mutating func feed(_ frames: [WireFrame], at now: UInt64 = 10_000_000) -> [Action] {
        frames.map { handle($0, at: now) }.filter { $0 != .none }
    }

    /// Every pending tick.
    mutating func drain() -> [Tick] {
        var ticks: [Tick] = []
        _ = takeTicks(into: &ticks, limit: .max)
        return ticks
    }
}

/// The book a consumer holds after applying `ticks` to `start`.
func apply(_ ticks: [Tick], to start: OrderBook = OrderBook()) -> OrderBook {
    var book = start
    for tick in ticks { book.applyCounting(tick.delta) }
    return book
}

@Suite("Feed session: frames to contiguous ticks")
struct FeedSessionTests {
    @Test("a snapshot then deltas become ticks numbered 1, 2, 3, … that rebuild the exchange's book")
    func snapshotThenDeltas() {
        var exchange = ExchangeScript(seed: 3)
        _ = exchange.deltas(50)
        var session = FeedSession()
        #expect(session.feed([exchange.snapshot]) == [])
        let snapshotTicks = session.drain()
        #expect(snapshotTicks.count == exchange.book.depth(.bid) + exchange.book.depth(.ask))
        #expect(snapshotTicks.map(\.sequence) == Array(1...UInt64(snapshotTicks.count)))
        #expect(apply(snapshotTicks).hasSameLevels(as: exchange.book))
        #expect(session.feed(exchange.deltas(200)) == [])
        let ticks = snapshotTicks + session.drain()
        #expect(ticks.map(\.sequence) == Array(1...UInt64(ticks.count)))
        #expect(apply(ticks).hasSameLevels(as: exchange.book))
        #expect(session.book.hasSameLevels(as: exchange.book))
        #expect(session.exchangeSequence == 250)
        #expect(session.counters.snapshots == 1 && session.counters.deltas == 200 && session.counters.gaps == 0)
        #expect(session.counters.snapshotTicks == UInt64(snapshotTicks.count))
    }

    @Test("deltas before the first snapshot, or already in it, are stale and dropped")
    func staleFrames() {
        var exchange = ExchangeScript(seed: 4)
        let early = exchange.deltas(10)
        var session = FeedSession()
        #expect(session.feed(early) == [])
        #expect(session.drain().isEmpty)
        #expect(session.counters.staleFrames == 10)
        _ = session.feed([exchange.snapshot])
        let replayed = early.last!  // sequence 10, already in the snapshot
        #expect(session.feed([replayed]) == [])
        #expect(session.counters.staleFrames == 11)
        #expect(session.book.hasSameLevels(as: exchange.book))
    }

    @Test("a missing sequence number asks for a snapshot, drops deltas until it comes, then catches up")
    func gapRecovery() {
        var exchange = ExchangeScript(seed: 5)
        var session = FeedSession()
        _ = exchange.deltas(30)
        _ = session.feed([exchange.snapshot] + exchange.deltas(20))
        var delivered = session.drain()
        _ = exchange.delta()  // lost on the way
        #expect(session.feed(exchange.deltas(5)) == [.resubscribe(.gap)])
        #expect(session.counters.gaps == 1)
        #expect(!session.synchronized)
        #expect(session.counters.staleFrames == 4, "the deltas after the gap wait for the snapshot")
        _ = exchange.deltas(7)
        _ = session.feed([exchange.snapshot] + exchange.deltas(10))
        delivered += session.drain()
        #expect(delivered.map(\.sequence) == Array(1...UInt64(delivered.count)))
        #expect(apply(delivered).hasSameLevels(as: exchange.book))
        #expect(session.synchronized)
        #expect(session.feed([exchange.heartbeat]) == [])
        #expect(session.counters.checksumChecks == 1 && session.counters.checksumMismatches == 0)
    }

    @Test("a heartbeat ahead of the last delta is a gap at the end of the stream")
    func trailingGap() {
        var exchange = ExchangeScript(seed: 6)
        var session = FeedSession()
        _ = session.feed([exchange.snapshot] + exchange.deltas(5))
        _ = exchange.delta()
        #expect(session.feed([exchange.heartbeat]) == [.resubscribe(.gap)])
        #expect(session.counters.gaps == 1)
    }

    @Test("a heartbeat whose checksum disagrees asks for a snapshot, which repairs the book")
    func checksumMismatch() {
        var exchange = ExchangeScript(seed: 8)
        var session = FeedSession()
        _ = session.feed([exchange.snapshot] + exchange.deltas(40))
        #expect(session.feed([exchange.heartbeat]) == [])
        #expect(session.verifiedSinceSnapshot == 1)
        let wrong = WireFrame(
            sequence: exchange.sequence, sendTime: 0, message: .heartbeat(checksum: exchange.book.checksum ^ 1))
        #expect(session.feed([wrong]) == [.resubscribe(.checksumMismatch)])
        #expect(session.counters.checksumMismatches == 1)
        _ = session.feed([exchange.snapshot])
        #expect(session.book.hasSameLevels(as: exchange.book))
        #expect(session.verifiedSinceSnapshot == 0)
    }

    @Test("after a reconnection the snapshot turns the delivered book into the exchange's, whatever it was")
    func reconnectionDiff() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 1...1_000_000), Gen.int(in: 0...300), Gen.int(in: 0...300))
        { seed, before, missed in
            var exchange = ExchangeScript(seed: seed)
            var session = FeedSession()
            _ = session.feed([exchange.snapshot] + exchange.deltas(before))
            var delivered = session.drain()
            session.connectionLost()
            _ = exchange.deltas(missed)  // while disconnected
            _ = session.feed([exchange.snapshot] + exchange.deltas(25))
            delivered += session.drain()
            #expect(delivered.map(\.sequence) == (0..<delivered.count).map { UInt64($0 + 1) })
            #expect(apply(delivered).hasSameLevels(as: exchange.book))
            #expect(session.counters.snapshotMismatches == 0)
            #expect(session.counters.rejectedDeltas == 0)
        }
    }

    @Test("a snapshot that empties a side deletes every level of it")
    func emptiedSide() {
        var session = FeedSession()
        let full = WireSnapshot(
            bids: [WireLevel(price: 10, size: 5), WireLevel(price: 9, size: 7)], asks: [WireLevel(price: 11, size: 3)])
        _ = session.feed([WireFrame(sequence: 1, sendTime: 0, message: .snapshot(full))])
        let empty = WireSnapshot(bids: [], asks: [WireLevel(price: 11, size: 1), WireLevel(price: 12, size: 4)])
        _ = session.feed([WireFrame(sequence: 9, sendTime: 0, message: .snapshot(empty))])
        let ticks = session.drain()
        #expect(
            ticks.suffix(4).map(\.delta) == [
                .delete(.bid, price: 10), .delete(.bid, price: 9),
                .reduce(.ask, price: 11, size: 2), .add(.ask, price: 12, size: 4),
            ])
        #expect(session.book.depth(.bid) == 0)
        #expect(session.book.hasSameLevels(as: empty.book))
    }

    @Test("ticks leave in batches of at most the limit, oldest first")
    func limits() {
        var exchange = ExchangeScript(seed: 9)
        var session = FeedSession()
        _ = session.feed([exchange.snapshot] + exchange.deltas(100))
        var buffer: [Tick] = []
        #expect(session.takeTicks(into: &buffer, limit: 30) == 30)
        #expect(session.pendingCount == 70)
        #expect(session.takeTicks(into: &buffer, limit: 1_000) == 70)
        #expect(buffer.map(\.sequence) == Array(1...100))
        #expect(session.takeTicks(into: &buffer, limit: 10) == 0)
    }

    @Test("goodbye ends the feed; frames meant for the exchange are counted, not applied")
    func goodbyeAndUnexpected() {
        var session = FeedSession()
        #expect(
            session.feed([
                WireFrame(sequence: 1, sendTime: 0, message: .subscribe(.initial)),
                WireFrame(sequence: 1, sendTime: 0, message: .orderCancel(WireCancel(clientOrderID: 1, clientTime: 0))),
            ]) == [])
        #expect(session.counters.unexpectedFrames == 2)
        #expect(session.feed([WireFrame(sequence: 0, sendTime: 0, message: .goodbye)]) == [.finish])
        #expect(session.counters.goodbyes == 1)
    }

    @Test("send times map onto our clock: as they are on one host, shifted for another, never after receipt")
    func clockAlignment() {
        var exchange = ExchangeScript(seed: 10)
        var same = FeedSession()
        _ = same.handle(exchange.snapshot, at: exchange.clock + 500)
        let d = exchange.delta()
        _ = same.handle(d, at: exchange.clock + 200)
        #expect(same.drain().last!.scheduledArrival == exchange.clock)
        #expect(same.counters.foreignClock == 0)

        var exchange2 = ExchangeScript(seed: 10)
        exchange2.clock = 500_000_000_000  // another host's boot time
        _ = exchange2.deltas(5)
        var other = FeedSession()
        let now: UInt64 = 7_000_000_000
        _ = other.handle(exchange2.snapshot, at: now)
        _ = other.handle(exchange2.delta(), at: now + 5_000)
        let arrivals = other.drain().map(\.scheduledArrival)
        #expect(other.counters.foreignClock == 1)
        #expect(arrivals.first == now)
        #expect(arrivals.last == now + 1_000, "the exchange's 1 µs between frames is kept")
        // A send time after the receipt is clamped to the receipt.
        var ahead = FeedSession()
        _ = ahead.handle(
            WireFrame(
                sequence: 0, sendTime: 1_000_500,
                message: .snapshot(WireSnapshot(bids: [WireLevel(price: 5, size: 1)], asks: []))), at: 1_000_000)
        #expect(ahead.drain().first?.scheduledArrival == 1_000_000)
    }

    @Test("counters are reported under stable names")
    func counterNames() {
        let names = Set(FeedCounters().dictionary.keys)
        for name in [
            "gaps", "snapshots", "reconnects", "bytes", "frames", "decode_errors", "framing_errors",
            "checksum_checks", "checksum_mismatches", "timeouts", "connect_failures",
        ] {
            #expect(names.contains(name), "\(name)")
        }
    }
}
