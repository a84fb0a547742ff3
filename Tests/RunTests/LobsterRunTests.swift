import Foundation
import MarketData
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// `ticklab run --feed lobster:…` end to end: recordings written by the tests replay through
/// real models and pass the run's self-check.
@Suite("LOBSTER runs", .serialized)
struct LobsterRunTests {
    static let calibration = testCalibration

    /// The hand-made level-2 day of the LOBSTER tests (``LobsterFixture``): all seven event
    /// types, a halt and both resumptions, the bid side emptied and rebuilt, and three levels
    /// revealed from beyond the visible depth.
    static let fixtureMessages = LobsterFixture.messages
    static let fixtureOrderBook = LobsterFixture.orderBook

    /// A longer level-3 recording: `count` messages 1 ms apart over three prices a side (so the
    /// whole book is always visible), from a fixed seed.
    static func longRecording(count: Int) -> (messages: String, orderBook: String) {
        var random = SeededRandom(seed: 5)
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        var messages: [String] = []
        var rows: [String] = []
        var id: Int64 = 1
        for i in 0..<count {
            let buy = random.next() & 1 == 0
            let price: Int64 =
                buy ? 999_900 - Int64(random.next() % 3) * 100 : 1_000_100 + Int64(random.next() % 3) * 100
            var side = buy ? bids : asks
            let resting = side[price] ?? 0
            let type: LobsterEventType
            let size: Int64
            if resting > 0, random.next() % 3 == 0 {
                type = random.next() & 1 == 0 ? .cancellation : .visibleExecution
                size = 1 + Int64(random.next() % UInt64(resting))
                side[price] = resting - size == 0 ? nil : resting - size
            } else {
                type = .submission
                size = 1 + Int64(random.next() % 200)
                side[price] = resting + size
            }
            if buy { bids = side } else { asks = side }
            let message = LobsterMessage(
                time: 34_200_000_000_000 + Int64(i) * 1_000_000, type: type, orderID: id,
                size: size, price: price, isBuy: buy)
            id += 1
            messages.append(message.csvLine)
            let row = LobsterOrderBookRow(
                levels: 3,
                asks: asks.sorted { $0.key < $1.key }.map { LobsterLevel(price: $0.key, size: $0.value) },
                bids: bids.sorted { $0.key > $1.key }.map { LobsterLevel(price: $0.key, size: $0.value) })
            rows.append(row.csvLine)
        }
        return (messages.joined(separator: "\n") + "\n", rows.joined(separator: "\n") + "\n")
    }

    /// Writes a message file and its orderbook file with LOBSTER's names; returns the message
    /// file's path and removes the folder when `body` is done.
    static func withRecording<T>(
        messages: String, orderBook: String?, levels: Int,
        _ body: (String) async throws -> T
    ) async throws -> T {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try LobsterFixture.write(messages: messages, orderBook: orderBook, levels: levels, in: directory)
        return try await body(paths.messages)
    }

    static func configuration(_ model: String, messages: String, speed: Double?, duration: Double = 10)
        -> RunConfiguration
    {
        RunConfiguration(
            model: model, source: .lobster(messages: messages),
            feed: SyntheticFeed.Configuration(duration: .nanoseconds(UInt64(duration * 1e9))),
            procMs: 0.05, evalMs: 0.1, queueCapacity: 4_096, speed: speed)
    }

    /// Runs on a thread of its own: model runs block, and must not occupy the cooperative pool.
    static func run(_ configuration: RunConfiguration) async throws -> RunResult {
        try await offPool { try LabRun.run(configuration, calibration: calibration) }
    }

    @Test(
        "the fixture replays through each model and passes the self-check, at pace and as fast as possible",
        arguments: ["threads", "event-loop"], [2.0, nil] as [Double?])
    func fixtureReplays(model: String, speed: Double?) async throws {
        let result = try await Self.withRecording(
            messages: Self.fixtureMessages, orderBook: Self.fixtureOrderBook, levels: 2
        ) {
            try await Self.run(Self.configuration(model, messages: $0, speed: speed))
        }
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        // Four opening adds, ten messages that touch the book, three revealed levels.
        #expect(result.ticks.received == 17 && result.ticks.processed == 17)
        #expect(result.ticks.rejectedDeltas == 0)
        let counters = try #require(result.feedCounters)
        #expect(counters["messages"] == 15 && counters["rows_matched"] == 15 && counters["rows_mismatched"] == 0)
        #expect(counters["halts"] == 1 && counters["hidden_executions"] == 1 && counters["cross_trades"] == 1)
        #expect(counters["revealed_levels"] == 3)
        #expect(result.configuration.feed.hasPrefix("lobster:"))
        // The window is the recording's, not the 10 s duration: 12 ms at speed 2 plus one gap,
        // or as long as the run took to drain.
        #expect(result.window.seconds > 0 && result.window.seconds < 2, "window \(result.window.seconds) s")
    }

    @Test("a longer recording replays at ten times its pace under both models", arguments: ["threads", "event-loop"])
    func pacedReplayKeepsUp(model: String) async throws {
        let recording = Self.longRecording(count: 400)
        let result = try await Self.withRecording(
            messages: recording.messages, orderBook: recording.orderBook, levels: 3
        ) {
            try await Self.run(Self.configuration(model, messages: $0, speed: 10))
        }
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.ticks.processed == result.ticks.received)
        #expect(result.feedCounters?["rows_matched"] == 400)
        // 399 ms of recording at speed 10, plus one mean gap: a 40 ms window, 10 000 ticks/s
        // offered. (Whether a 40 ms window keeps up depends on the machine's load: not asserted.)
        #expect(abs(result.window.seconds - 0.04) < 0.001, "window \(result.window.seconds) s")
        #expect(abs(result.window.offeredRate - 10_000) < 100, "offered \(result.window.offeredRate) ticks/s")
        #expect(result.latency.processing.count == 400)
    }

    @Test("the duration cuts a long recording short")
    func durationCutsShort() async throws {
        let recording = Self.longRecording(count: 400)
        let result = try await Self.withRecording(
            messages: recording.messages, orderBook: recording.orderBook, levels: 3
        ) {
            try await Self.run(Self.configuration("threads", messages: $0, speed: 1, duration: 0.1))
        }
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        // Messages are 1 ms apart: those due in the first 100 ms, plus the opening adds.
        #expect(result.ticks.received > 90 && result.ticks.received < 120, "\(result.ticks.received) ticks")
        #expect(abs(result.window.seconds - 0.1) < 0.01)
    }

    @Test("without the orderbook file the replay still checks itself; its refusals are counted, not fatal")
    func withoutOrderBook() async throws {
        let result = try await Self.withRecording(messages: Self.fixtureMessages, orderBook: nil, levels: 2) {
            try await Self.run(Self.configuration("threads", messages: $0, speed: nil))
        }
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.ticks.received == 10)
        #expect(result.ticks.rejectedDeltas == 5)
        #expect(result.feedCounters?["orderbook_file"] == 0)
        #expect(result.feedCounters?["rejected_messages"] == 5)
    }

    @Test("a bad row fails the run before it starts, naming the file and line")
    func badRow() async throws {
        let bad = Self.fixtureMessages.replacingOccurrences(
            of: "34200.009000000,4,3,300", with: "34200.009000000,4,3,3x0")
        do {
            _ = try await Self.withRecording(messages: bad, orderBook: Self.fixtureOrderBook, levels: 2) {
                try await Self.run(Self.configuration("threads", messages: $0, speed: nil))
            }
            Issue.record("the run should have failed")
        } catch let failure as LabRun.Failure {
            let text = String(describing: failure)
            #expect(text.hasSuffix("_message_2.csv, line 12: column 4 (size) is '3x0': expected an integer"), "\(text)")
        }
        do {
            _ = try await Self.run(Self.configuration("threads", messages: "/nonexistent/TEST_message_2.csv", speed: 1))
            Issue.record("the run should have failed")
        } catch let failure as LabRun.Failure {
            #expect(String(describing: failure) == "/nonexistent/TEST_message_2.csv: cannot open it: no such file")
        }
    }
}

@Suite("LOBSTER feed self-check")
struct LobsterFeedSelfCheckTests {
    @Test("a replay whose file changed under it fails the run's self-check, naming the line")
    func readFailureFailsTheSelfCheck() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticklab-lobster-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("T_message_2.csv").path
        try LobsterRunTests.fixtureMessages.write(toFile: path, atomically: true, encoding: .utf8)
        let recording = try LobsterFeed.Recording(messages: path, orderBook: nil)
        var feed = try LobsterFeed(recording, speed: nil, duration: .seconds(10), start: .init(nanoseconds: 0))
        #expect(feed.selfCheckFailures.isEmpty)
        // The file is replaced by one with a bad third row after the recording was checked.
        let broken = LobsterRunTests.fixtureMessages.replacingOccurrences(
            of: "34200.001,4,1,150", with: "34200.001,4,1,x")
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        feed = try LobsterFeed(recording, speed: nil, duration: .seconds(10), start: .init(nanoseconds: 0))
        var ticks: [Tick] = []
        while case .ticks = feed.poll(now: 0, into: &ticks, limit: 100) {}
        #expect(ticks.count == 2)
        #expect(feed.counters["read_errors"] == 1)
        #expect(
            feed.selfCheckFailures == [
                "the LOBSTER replay stopped after 2 ticks: \(path), line 3: column 4 (size) is 'x': expected an integer"
            ])
    }
}
