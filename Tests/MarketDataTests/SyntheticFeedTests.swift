import Clocks
import MarketData
import OrderBook
import PropertyBased
import TestSupport
import Testing

@Suite("Synthetic market and feed", .ownThread)
struct SyntheticFeedTests {
    /// Drains a feed as a receiver would, at the instants given.
    static func drain(_ feed: inout SyntheticFeed, at instants: [UInt64], limit: Int = 10_000) -> [Tick] {
        var ticks: [Tick] = []
        for now in instants { _ = feed.poll(now: now, into: &ticks, limit: limit) }
        return ticks
    }

    @Test("the same seed gives the same ticks, another seed other ticks")
    func determinism() {
        let configuration = SyntheticFeed.Configuration(seed: 42, rate: 1_000, duration: .seconds(1))
        var a = SyntheticFeed(configuration, start: .init(nanoseconds: 0))
        var b = SyntheticFeed(configuration, start: .init(nanoseconds: 0))
        let ticksA = Self.drain(&a, at: [2_000_000_000])
        let ticksB = Self.drain(&b, at: [2_000_000_000])
        #expect(ticksA.count == 1_000)
        #expect(ticksA == ticksB)
        var c = SyntheticFeed(
            SyntheticFeed.Configuration(seed: 43, rate: 1_000, duration: .seconds(1)), start: .init(nanoseconds: 0))
        #expect(Self.drain(&c, at: [2_000_000_000]).map(\.delta) != ticksA.map(\.delta))
    }

    @Test("events do not depend on when the receiver polls")
    func eventsIndependentOfPolling() {
        let configuration = SyntheticFeed.Configuration(seed: 9, rate: 10_000, duration: .milliseconds(100))
        var eager = SyntheticFeed(configuration, start: .init(nanoseconds: 0))
        var late = SyntheticFeed(configuration, start: .init(nanoseconds: 0))
        let polledOften = Self.drain(
            &eager, at: stride(from: 0, through: 200_000_000, by: 50_000).map { UInt64($0) }, limit: 3)
        let polledOnce = Self.drain(&late, at: [200_000_000])
        #expect(polledOften == polledOnce)
    }

    @Test("sequence numbers are contiguous from 1 and arrivals follow the schedule")
    func contiguousAndScheduled() {
        var feed = SyntheticFeed(.init(seed: 1, rate: 200, duration: .seconds(1)), start: .init(nanoseconds: 5_000))
        let ticks = Self.drain(&feed, at: [10_000_000_000])
        #expect(ticks.map(\.sequence) == Array(1...200))
        #expect(ticks.first?.scheduledArrival == 5_000)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1.scheduledArrival - $0.scheduledArrival == 5_000_000 })
        #expect(
            SyntheticFeed.scheduledCount(.init(seed: 1, rate: 200, duration: .seconds(1)), by: .seconds(1)) == 200)
    }

    @Test("the exchange clock leaves a backlog for a late receiver and finishes at the end of the schedule")
    func exchangeClockBacklog() {
        var feed = SyntheticFeed(.init(seed: 1, rate: 1_000, duration: .seconds(1)), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        #expect(feed.poll(now: 0, into: &ticks, limit: 100) == .ticks(count: 1))
        #expect(feed.poll(now: 500_000, into: &ticks, limit: 100) == .idle(until: 1_000_000))
        // 100 ms late: everything scheduled since is waiting.
        #expect(feed.poll(now: 100_000_000, into: &ticks, limit: 1_000) == .ticks(count: 100))
        #expect(ticks.count == 101)
        #expect(feed.poll(now: 5_000_000_000, into: &ticks, limit: 10_000) == .ticks(count: 899))
        #expect(feed.poll(now: 5_000_000_000, into: &ticks, limit: 10_000) == .finished)
    }

    @Test("the receiver clock hands out one tick per pull and sleeps 1/rate after it")
    func receiverClock() {
        var feed = SyntheticFeed(
            .init(seed: 1, rate: 1_000, duration: .seconds(1), clock: .receiver), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        #expect(feed.poll(now: 0, into: &ticks, limit: 100) == .ticks(count: 1))
        // A receiver busy for 50 ms is offered nothing in between: the naive generator's omission.
        #expect(feed.poll(now: 50_000_000, into: &ticks, limit: 100) == .idle(until: 51_000_000))
        #expect(feed.poll(now: 51_000_000, into: &ticks, limit: 100) == .ticks(count: 1))
        #expect(ticks.map(\.scheduledArrival) == [0, 51_000_000])
    }

    @Test("Poisson arrivals average the rate and are reproducible")
    func poisson() {
        let configuration = SyntheticFeed.Configuration(
            seed: 5, rate: 1_000, duration: .seconds(10), arrivals: .poisson)
        var feed = SyntheticFeed(configuration, start: .init(nanoseconds: 0))
        let ticks = Self.drain(&feed, at: [20_000_000_000], limit: 100_000)
        #expect(abs(ticks.count - 10_000) < 400)
        #expect(SyntheticFeed.scheduledCount(configuration, by: .seconds(10)) == UInt64(ticks.count))
        let gaps = zip(ticks, ticks.dropFirst()).map { $1.scheduledArrival - $0.scheduledArrival }
        #expect(Set(gaps).count > 100, "Poisson gaps vary")
    }

    @Test("saturation offers whatever the receiver asks for until the window closes")
    func saturation() {
        var feed = SyntheticFeed(.init(seed: 1, rate: nil, duration: .nanoseconds(1_000)), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        #expect(feed.poll(now: 10, into: &ticks, limit: 64) == .ticks(count: 64))
        #expect(ticks.allSatisfy { $0.scheduledArrival == 10 })
        #expect(feed.poll(now: 2_000, into: &ticks, limit: 64) == .finished)
    }

    @Test("stop ends the feed")
    func stop() {
        var feed = SyntheticFeed(.init(seed: 1, rate: 1_000, duration: .seconds(1)), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        feed.stop()
        #expect(feed.poll(now: 10_000_000, into: &ticks, limit: 64) == .finished)
        #expect(ticks.isEmpty)
    }

    @Test(
        "every event is valid, the book keeps ten levels a side, and the market has adds, cancels and trades",
        arguments: [1, 2, 3, 99] as [UInt64])
    func marketShape(seed: UInt64) {
        var market = SyntheticMarket(seed: seed)
        var book = OrderBook()
        var kinds: [EventKind: Int] = [:]
        var shallowAfterOpening = 0
        for i in 0..<50_000 {
            let event = market.next()
            #expect(book.applyCounting(event.delta) == nil)
            kinds[event.kind, default: 0] += 1
            if i > 100, book.depth(.bid) < 10 || book.depth(.ask) < 10 { shallowAfterOpening += 1 }
            if let bid = book.bestBid, let ask = book.bestAsk { #expect(bid.price < ask.price) }
        }
        #expect(book.rejectedCount == 0)
        #expect(shallowAfterOpening < 2_500, "the book fell under ten levels a side \(shallowAfterOpening) times")
        #expect(
            kinds[.add, default: 0] > 10_000 && kinds[.cancel, default: 0] > 5_000 && kinds[.trade, default: 0] > 2_000)
        #expect(book.hasSameLevels(as: market.referenceBook))
    }

    @Test("the mid walks")
    func midWalks() {
        var market = SyntheticMarket(seed: 3)
        var mids: Set<Int64> = []
        for _ in 0..<100_000 {
            _ = market.next()
            if let bid = market.referenceBook.bestBid, let ask = market.referenceBook.bestAsk {
                mids.insert((bid.price + ask.price) / 2)
            }
        }
        #expect(mids.count > 20)
    }

    @Test("replayBook equals the book of a consumer of the same ticks")
    func replay() async {
        await propertyCheck(count: 20, input: Gen.int(in: 1...100_000), Gen.int(in: 0...3_000)) { seed, count in
            var market = SyntheticMarket(seed: UInt64(seed))
            var book = OrderBook()
            for _ in 0..<count { book.applyCounting(market.next().delta) }
            #expect(SyntheticFeed.replayBook(seed: UInt64(seed), count: UInt64(count)).hasSameLevels(as: book))
        }
    }

    @Test(
        "feed sources parse and print back",
        arguments: ["synthetic", "lobster:/tmp/a_message_10.csv", "tcp://127.0.0.1:9000", "tcp://[::1]:9000"])
    func feedSourceRoundTrip(text: String) throws {
        #expect(try FeedSource(parsing: text).description == text)
    }

    @Test(
        "bad feed sources are refused",
        arguments: ["", "tcp://host", "tcp://:80", "tcp://h:0", "tcp://h:70000", "lobster:", "file.csv"])
    func feedSourceErrors(text: String) {
        #expect(throws: FeedSource.ParseError.self) { try FeedSource(parsing: text) }
    }
}

@Suite("tcp:// addresses")
struct ExchangeAddressTests {
    @Test(
        "an address prints back as it was parsed",
        arguments: ["tcp://127.0.0.1:9000", "tcp://[::1]:1", "tcp://exchange.local:65535"])
    func roundTrip(text: String) throws {
        #expect(try ExchangeAddress(parsing: text).description == text)
    }

    @Test(
        "a bad address names what is wrong",
        arguments: [
            ("127.0.0.1:9000", "does not start with tcp://"),
            ("tcp://host", "the port is missing"),
            ("tcp://[::1]", "the port is missing"),
            ("tcp://[::1:9000", "no closing bracket"),
            ("tcp://::1:9000", "in brackets: tcp://[::1]:9000"),
            ("tcp://h:0", "the port '0' is not a number from 1 to 65535"),
            ("tcp://h:x", "the port 'x' is not a number from 1 to 65535"),
            ("tcp://:80", "the host is missing"),
        ])
    func errors(text: String, problem: String) {
        let error = #expect(throws: ExchangeAddress.ParseError.self) { try ExchangeAddress(parsing: text) }
        #expect(error?.problem.contains(problem) == true, "\(String(describing: error))")
    }
}
