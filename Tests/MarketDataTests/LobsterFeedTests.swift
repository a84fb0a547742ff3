import Clocks
import Foundation
import MarketData
import OrderBook
import TestSupport
import Testing

@Suite("LOBSTER feed")
struct LobsterFeedTests {
    /// Writes the fixture (with its orderbook file unless told otherwise) and reads it as a recording.
    static func recording(
        in directory: URL, withOrderBook: Bool = true,
        messages: String = LobsterFixture.messages
    ) throws -> LobsterFeed.Recording {
        let paths = try LobsterFixture.write(
            messages: messages, orderBook: withOrderBook ? LobsterFixture.orderBook : nil,
            in: directory)
        return try LobsterFeed.Recording(messages: paths.messages)
    }

    /// Polls a feed at `now` until it has nothing more due, as a receiver would.
    static func drain(_ feed: inout LobsterFeed, now: UInt64, limit: Int = 1_000) -> (ticks: [Tick], last: FeedPoll) {
        var ticks: [Tick] = []
        while true {
            let poll = feed.poll(now: now, into: &ticks, limit: limit)
            if case .ticks = poll { continue }
            return (ticks, poll)
        }
    }

    @Test("a recording finds its orderbook file by LOBSTER's naming and summarises the whole replay")
    func recordingSummary() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory)
        #expect(recording.orderBookPath == LobsterReplay.orderBookPath(forMessages: recording.messagesPath))
        #expect(recording.levels == 2)
        #expect(recording.statistics.messages == 15)
        #expect(recording.statistics.rowsMatched == 15)
        // 4 opening levels, 10 messages that touch the book, 3 revealed levels adopted.
        #expect(recording.ticks == 4 + 10 + 3)
        #expect(recording.span == 12_000_000 - 1)
    }

    @Test("at recorded pace each message's ticks are due at start + (time − first time) / speed")
    func recordedPace() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory)
        let start: UInt64 = 1_000_000_000
        var feed = try LobsterFeed(recording, speed: 2, duration: .seconds(60), start: .init(nanoseconds: start))
        // Before the start nothing is due; the first message (and the opening) is due at start.
        var early: [Tick] = []
        #expect(feed.poll(now: start - 1, into: &early, limit: 100) == .idle(until: start))
        #expect(early.isEmpty)
        let first = Self.drain(&feed, now: start)
        #expect(first.ticks.count == 5)  // four opening adds and message 1
        #expect(first.ticks.allSatisfy { $0.scheduledArrival == start })
        // Message 2 was recorded 99 999 ns after message 1: at speed 2 it is due 49 999.5 ns later.
        #expect(first.last == .idle(until: start + 50_000))
        var all = first.ticks
        var now = start
        while true {
            let (ticks, last) = Self.drain(&feed, now: now)
            all += ticks
            guard case .idle(let until) = last else {
                #expect(last == .finished)
                break
            }
            #expect(until > now)
            now = until
        }
        #expect(all.count == Int(recording.ticks))
        #expect(all.map(\.sequence) == Array(1...UInt64(all.count)))
        #expect(all.last?.scheduledArrival == start + 6_000_000)  // 11 999 999 ns / 2, rounded
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.scheduledArrival <= $1.scheduledArrival })
        var book = OrderBook()
        for tick in all { #expect(book.applyCounting(tick.delta) == nil) }
        #expect(book.hasSameLevels(as: LobsterFixture.finalBook))
        #expect(feed.referenceBook(afterTicks: UInt64(all.count)).map { $0.hasSameLevels(as: book) } == true)
    }

    @Test("the window of a paced replay is its span at speed plus one mean gap, capped by the duration")
    func scheduleEnd() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory)
        let span = Double(recording.span)
        let paced = try LobsterFeed(recording, speed: 1, duration: .seconds(60), start: .init(nanoseconds: 0))
        #expect(paced.scheduleEnd?.nanoseconds == UInt64((span * 15 / 14).rounded(.up)))
        let faster = try LobsterFeed(recording, speed: 10, duration: .seconds(60), start: .init(nanoseconds: 0))
        #expect(faster.scheduleEnd?.nanoseconds == UInt64((span / 10 * 15 / 14).rounded(.up)))
        let capped = try LobsterFeed(recording, speed: 1, duration: .milliseconds(5), start: .init(nanoseconds: 7))
        #expect(capped.scheduleEnd?.nanoseconds == 5_000_007)
        let fastest = try LobsterFeed(recording, speed: nil, duration: .seconds(60), start: .init(nanoseconds: 0))
        #expect(fastest.scheduleEnd == nil)
    }

    @Test("the duration ends the replay early: messages due from start + duration on are not offered")
    func durationCap() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory)
        // Messages 1–9 are due before 6.5 ms (message 9 at 5.999999 ms), message 10 after.
        var feed = try LobsterFeed(recording, speed: 1, duration: .microseconds(6_500), start: .init(nanoseconds: 0))
        let (ticks, last) = Self.drain(&feed, now: 1_000_000_000)
        #expect(last == .finished)
        #expect(ticks.allSatisfy { $0.scheduledArrival < 6_500_000 })
        #expect(ticks.count == 4 + 5)  // the opening, messages 1, 2, 3 and its reveal, 9
        #expect(
            feed.referenceBook(afterTicks: UInt64(ticks.count)).map { book in
                var replayed = OrderBook()
                for tick in ticks { replayed.applyCounting(tick.delta) }
                return replayed.hasSameLevels(as: book)
            } == true)
    }

    @Test("at max speed every tick is available at once from the start, stamped when it is taken")
    func maxSpeed() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory)
        var feed = try LobsterFeed(recording, speed: nil, duration: .seconds(60), start: .init(nanoseconds: 100))
        var ticks: [Tick] = []
        #expect(feed.poll(now: 99, into: &ticks, limit: 3) == .idle(until: 100))
        #expect(feed.poll(now: 200, into: &ticks, limit: 3) == .ticks(count: 3))
        #expect(feed.poll(now: 300, into: &ticks, limit: 1_000) == .ticks(count: Int(recording.ticks) - 3))
        #expect(feed.poll(now: 400, into: &ticks, limit: 1_000) == .finished)
        #expect(ticks.prefix(3).allSatisfy { $0.scheduledArrival == 200 })
        #expect(ticks.dropFirst(3).allSatisfy { $0.scheduledArrival == 300 })
        #expect(ticks.map(\.sequence) == Array(1...recording.ticks))
    }

    @Test("stop ends the feed at the next poll")
    func stop() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var feed = try LobsterFeed(
            try Self.recording(in: directory), speed: nil, duration: .seconds(60), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        #expect(feed.poll(now: 0, into: &ticks, limit: 2) == .ticks(count: 2))
        feed.stop()
        #expect(feed.poll(now: 0, into: &ticks, limit: 2) == .finished)
        #expect(feed.emitted == 2)
    }

    @Test("the counters report message types, halts, reveals and the rows checked")
    func counters() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var feed = try LobsterFeed(
            try Self.recording(in: directory), speed: nil, duration: .seconds(60), start: .init(nanoseconds: 0))
        _ = Self.drain(&feed, now: 0)
        #expect(
            feed.counters == [
                "messages": 15, "submissions": 3, "cancellations": 1, "deletions": 3, "visible_executions": 3,
                "hidden_executions": 1, "cross_trades": 1, "halts": 1, "quoting_resumptions": 1,
                "trading_resumptions": 1,
                "rejected_messages": 0, "orderbook_file": 1, "read_errors": 0,
                "opening_levels": 4, "revealed_levels": 3, "rows_matched": 15, "rows_mismatched": 0,
            ])
    }

    @Test("without an orderbook file the replay starts empty, says so in its counters, and the refusals show")
    func withoutOrderBook() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try Self.recording(in: directory, withOrderBook: false)
        #expect(recording.orderBookPath == nil)
        #expect(recording.ticks == 10)  // the messages that touch the book, nothing else
        var feed = try LobsterFeed(recording, speed: nil, duration: .seconds(60), start: .init(nanoseconds: 0))
        let (ticks, _) = Self.drain(&feed, now: 0)
        #expect(ticks.count == 10)
        #expect(feed.counters["orderbook_file"] == 0)
        #expect(feed.counters["rows_matched"] == nil)
        // Cancels of levels the empty book never saw are refused, as a processor would refuse them.
        #expect(feed.counters["rejected_messages"]! > 0)
        var book = OrderBook()
        var refused = 0
        for tick in ticks where book.applyCounting(tick.delta) != nil { refused += 1 }
        #expect(UInt64(refused) == feed.counters["rejected_messages"])
        #expect(feed.referenceBook(afterTicks: 10).map { $0.hasSameLevels(as: book) } == true)
    }

    @Test("bad input is reported when the recording is read, before any run")
    func badInputUpFront() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = LobsterFixture.replacing(
            line: 12, in: LobsterFixture.messages, with: "34200.009000000,9,3,300,999800,1")
        #expect(throws: LobsterInputError.self) { _ = try Self.recording(in: directory, messages: bad) }
        do {
            _ = try Self.recording(in: directory, messages: bad)
        } catch let error as LobsterInputError {
            #expect(error.line == 12)
            #expect(error.path.hasSuffix("_message_2.csv"))
        }
        let missing = directory.appendingPathComponent("NONE_2012-06-21_0_1_message_2.csv").path
        #expect(throws: LobsterInputError(path: missing, line: nil, reason: "cannot open it: no such file")) {
            _ = try LobsterFeed.Recording(messages: missing)
        }
    }

    @Test("the reference book is nil when the files are gone, so a run cannot pass unchecked")
    func referenceWithoutFiles() throws {
        let directory = try LobsterFixture.directory()
        let recording = try Self.recording(in: directory)
        try FileManager.default.removeItem(at: directory)
        #expect(LobsterFeed.replayBook(recording, ticks: 3) == nil)
    }
}
