import Clocks
import Dispatch
import Exchange
import Glibc
import MarketData
import Models
import OrderBook
import Pipeline
import Results
import Run
import TestSupport
import Testing
import Wire
import WireConversions

@testable import ExchangeClient

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// A port on which nothing listens (an exchange that was there and stopped).
func deadPort() throws -> Int {
    let server = try ExchangeServer.start(.init(port: 0, rate: 10))
    let port = server.port
    server.stop()
    return port
}

/// Polls a feed on the calling thread the way a receiver that owns its thread does, until
/// `done` says so or `timeout` passes (a bound against a hang); returns every tick.
func pollFeed(_ feed: inout TCPFeed, timeout: Double = 60, until done: (TCPFeed, [Tick]) -> Bool) -> [Tick] {
    var ticks: [Tick] = []
    var buffer: [Tick] = []
    let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
    while MonotonicClock.now() < deadline, !done(feed, ticks) {
        buffer.removeAll()
        switch feed.poll(now: MonotonicClock.now(), into: &buffer, limit: 256) {
        case .ticks: ticks += buffer
        case .idle(let until):
            // The poll may have made the progress waited for (a disconnect noticed): check before
            // waiting, or the wait lasts until the feed's next deadline (the whole bound, when it
            // backs off for minutes).
            if done(feed, ticks) { return ticks }
            feed.readiness!.waitBlocking(until: min(until, deadline))
        case .finished: return ticks
        }
    }
    return ticks
}

@Suite("TCP feed: pipelines against the exchange", .serialized)
struct TCPFeedTests {
    static let models = ModelCatalog.names

    @Test("a run over TCP survives a forced gap and a forced disconnect; its book is the exchange's", arguments: models)
    func gapAndDisconnect(model: String) async throws {
        try await withExchange(rate: 2_000, seed: 11, heartbeatMs: 20) { server in
            // Each step waits for the previous one to show at the exchange, however slow the run;
            // the run lasts until the last step is done (a fixed duration raced a loaded machine).
            let stop = StopSignal()
            let disturbance = Background {
                defer { sleepHere(300); stop.request() }
                try waitUntil("the subscription") { server.statistics.snapshots >= 1 }
                sleepHere(100)
                server.dropNextDelta()
                try waitUntil("the resubscription after the gap") { server.statistics.snapshots >= 2 }
                sleepHere(100)
                server.disconnectAll()
                try waitUntil("the reconnection") { server.statistics.snapshots >= 3 }
                // Market data after the last recovery (deltas and heartbeats), whatever the speed.
                let sent = server.statistics.framesSent
                try waitUntil("market data after the reconnection", timeout: 120) {
                    server.statistics.framesSent >= sent + 200
                }
            }
            let result = try await run(tcpConfiguration(model, port: server.port, duration: 30), stop: stop)
            try await disturbance.join()
            #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
            let c = result.feedCounters ?? [:]
            #expect(c["gaps", default: 0] >= 1, "\(c)")
            #expect(c["reconnects", default: 0] >= 1, "\(c)")
            #expect(c["disconnects", default: 0] >= 1, "\(c)")
            #expect(c["snapshots", default: 0] >= 3, "initial, after the gap, after the reconnect: \(c)")
            #expect(c["checksum_checks", default: 0] >= 5, "\(c)")
            #expect(c["checksum_mismatches"] == 0)
            #expect(c["decode_errors"] == 0 && c["framing_errors"] == 0)
            #expect(c["bytes", default: 0] > 10_000)
            #expect(
                c["verified_since_last_snapshot", default: 0] >= 1,
                "the book matched a heartbeat after the last recovery")
            // Independently of the feed: the final book is the exchange's market at the last sequence seen.
            let sequence = try #require(c["exchange_sequence"])
            #expect(sequence > 500)
            #expect(result.selfCheck.bookChecksum == hex(SyntheticFeed.replayBook(seed: 11, count: sequence).checksum))
            #expect(result.ticks.received == result.ticks.processed + (result.ticks.abandoned ?? 0))
            // How much of the market the run saw depends on how fast it subscribed and recovered;
            // what holds at any speed: it saw some, and no more than the exchange made.
            #expect(result.ticks.received > 0 && result.ticks.received <= sequence)
            #expect(result.latency.processing.count == result.ticks.processed)
            #expect(result.feedFailure == nil, "reconnections that recovered are a success")
        }
    }

    @Test("malformed frames from the exchange are counted; a broken stream is replaced; the run still passes")
    func malformedFramesFromExchange() async throws {
        try await withExchange(rate: 1_000, heartbeatMs: 20) { server in
            let stop = StopSignal()
            let disturbance = Background {
                defer { sleepHere(300); stop.request() }
                try waitUntil("the subscription") { server.statistics.snapshots >= 1 }
                sleepHere(100)
                var unknown = try FrameEncoder.encode(
                    WireFrame(sequence: 0, sendTime: 0, message: .heartbeat(checksum: 0)))
                unknown[6] = 99
                server.sendToSubscribers(unknown)
                sleepHere(100)
                server.sendToSubscribers([0xFF, 0xFF, 0xFF, 0x7F, 0x54])  // a 2 GiB frame
                try waitUntil("the reconnection") { server.statistics.snapshots >= 2 }
            }
            let result = try await run(tcpConfiguration("threads", port: server.port, duration: 30), stop: stop)
            try await disturbance.join()
            #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
            let c = result.feedCounters ?? [:]
            #expect(c["decode_errors"] == 1, "\(c)")
            #expect(c["framing_errors"] == 1, "\(c)")
            #expect(c["reconnects", default: 0] >= 1, "\(c)")
        }
    }

    @Test("an exchange that is not there is an error that names it, before the run starts")
    func refused() async throws {
        let port = try deadPort()
        await #expect {
            _ = try await run(tcpConfiguration("threads", port: port))
        } throws: { error in
            String(describing: error).contains("cannot connect to tcp://127.0.0.1:\(port): Connection refused")
        }
        #expect(throws: TCPFeed.ConnectError.self) {
            _ = try TCPFeed.connect(
                .init(host: "no.such.host.invalid", port: 9, start: .now(), duration: .nanoseconds(1)))
        }
    }

    @Test("the exchange's goodbye ends the run early, cleanly")
    func goodbyeEndsRun() async throws {
        let server = try ExchangeServer.start(.init(port: 0, rate: 1_000, heartbeatInterval: .milliseconds(20)))
        let stopper = Background {
            try waitUntil("the subscription") { server.statistics.snapshots >= 1 }
            sleepHere(200)
            server.stop()
        }
        // A 120 s feed, a bound against a hang: the run ending before it is the goodbye's doing.
        let result = try await run(tcpConfiguration("event-loop", port: server.port, duration: 120))
        try await stopper.join()
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.feedCounters?["goodbyes"] == 1)
        #expect(result.window.seconds < 120)
        // A goodbye before the end is a failed feed: said, and not kept up.
        let failure = try #require(result.feedFailure)
        #expect(failure.reason.contains("said goodbye"), "\(failure.reason)")
        #expect(!result.window.keptUp)
        let lastData = try #require(failure.lastDataAt)
        #expect(lastData > 0 && lastData <= result.window.seconds + 0.1)
        #expect(abs(lastData + failure.secondsWithoutData - 120) < 0.001, "the rest of the 120 s asked for had no data")
        #expect(SweepRecord.run(result).failure?.contains("the feed failed") == true)
        #expect(SweepRecord.run(result).passedResult == nil)
    }

    @Test("an exchange gone for good: the window ends without a connection, and the feed says it failed")
    func exchangeGoneForGood() async throws {
        try await withExchange(rate: 2_000, heartbeatMs: 20) { server in
            try await offPool {
                var configuration = TCPFeed.Configuration(
                    host: "127.0.0.1", port: server.port, start: .now(), duration: .seconds(120))
                // No reconnection attempt during the test: as far as the feed can tell, the exchange is gone.
                configuration.initialBackoff = .seconds(600)
                configuration.maxBackoff = .seconds(600)
                var feed = try TCPFeed.connect(configuration)
                feed.attach(to: .thread)
                let ticks = pollFeed(&feed) { _, ticks in !ticks.isEmpty }
                #expect(!ticks.isEmpty)
                server.disconnectAll()
                _ = pollFeed(&feed) { feed, _ in feed.counters["disconnects", default: 0] >= 1 }
                #expect(feed.failure == nil, "a lost connection may still come back before the window's end")
                // The window closes now, without the connection back.
                feed = feed.starting(at: .now() - configuration.duration)
                _ = pollFeed(&feed) { _, _ in false }
                let failure = try #require(feed.failure)
                #expect(failure.reason.contains("not re-established before the end of the run"), "\(failure.reason)")
                #expect(failure.lastDataAt != nil)
            }
        }
    }

    @Test("a lost connection that comes back before the window's end is a recovery, not a failure")
    func recoveredConnectionIsNoFailure() async throws {
        try await withExchange(rate: 2_000, heartbeatMs: 20) { server in
            try await offPool {
                let duration: Duration = .seconds(120)
                var feed = try TCPFeed.connect(
                    .init(host: "127.0.0.1", port: server.port, start: .now(), duration: duration))
                feed.attach(to: .thread)
                _ = pollFeed(&feed) { _, ticks in !ticks.isEmpty }
                server.disconnectAll()
                _ = pollFeed(&feed) { feed, _ in
                    feed.counters["reconnects", default: 0] >= 1
                        && feed.counters["verified_since_last_snapshot", default: 0] >= 1
                }
                #expect(feed.counters["reconnects", default: 0] >= 1)
                feed = feed.starting(at: .now() - duration)
                _ = pollFeed(&feed) { _, _ in false }
                #expect(feed.failure == nil, "\(String(describing: feed.failure))")
            }
        }
    }

    @Test("a stop request ends a TCP run and drains what was received", arguments: ["threads", "event-loop"])
    func stopRequest(model: String) async throws {
        try await withExchange(rate: 1_000, heartbeatMs: 20) { server in
            let stop = StopSignal()
            let stopper = Background {
                try waitUntil("the subscription") { server.statistics.snapshots >= 1 }
                sleepHere(200)
                stop.request()
            }
            // A 120 s feed, a bound against a hang: the run ending before it is the stop's doing.
            let result = try await run(tcpConfiguration(model, port: server.port, duration: 120), stop: stop)
            try await stopper.join()
            #expect(result.interrupted)
            #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
            #expect(
                result.ticks.processed + (result.ticks.abandoned ?? 0) == result.ticks.received
                    && result.ticks.received > 0)
            #expect(result.window.seconds < 120)
        }
    }

    @Test("read on the receiver's thread: contiguous ticks across a reconnection, the book equal to the exchange's")
    func directBlocking() async throws {
        try await withExchange(rate: 2_000, seed: 5, heartbeatMs: 20) { server in
            try await offPool {
                var feed = try TCPFeed.connect(
                    .init(host: "127.0.0.1", port: server.port, start: .now(), duration: .seconds(10)))
                feed.attach(to: .thread)
                var ticks = pollFeed(&feed) { _, ticks in ticks.count >= 300 }
                server.disconnectAll()
                ticks += pollFeed(&feed) { feed, _ in
                    feed.counters["reconnects", default: 0] >= 1
                        && feed.counters["verified_since_last_snapshot", default: 0] >= 2
                }
                #expect(ticks.map(\.sequence) == (0..<ticks.count).map { UInt64($0 + 1) })
                var book = OrderBook()
                for tick in ticks { #expect(book.applyCounting(tick.delta) == nil) }
                let sequence = feed.counters["exchange_sequence"]!
                #expect(book.hasSameLevels(as: SyntheticFeed.replayBook(seed: 5, count: sequence)))
                #expect(feed.referenceBook(afterTicks: UInt64(ticks.count)).map { $0.hasSameLevels(as: book) } == true)
                #expect(feed.referenceBook(afterTicks: UInt64(ticks.count) + 1) == nil)
                #expect(feed.selfCheckFailures.isEmpty)
                feed.stop()
                var rest: [Tick] = []
                #expect(feed.poll(now: MonotonicClock.now(), into: &rest, limit: 10) == .finished)
            }
        }
    }

    @Test("read on an I/O thread of the feed's own, woken by callbacks: the same ticks")
    func directCallbacks() async throws {
        try await withExchange(rate: 2_000, seed: 6, heartbeatMs: 20) { server in
            try await offPool {
                var feed = try TCPFeed.connect(
                    .init(host: "127.0.0.1", port: server.port, start: .now(), duration: .seconds(10)))
                feed.attach(to: .sharedExecutor)
                var ticks: [Tick] = []
                var buffer: [Tick] = []
                var callbacks = 0
                let deadline = MonotonicClock.now() + 60_000_000_000  // only a hang reaches it
                while ticks.count < 300, MonotonicClock.now() < deadline {
                    buffer.removeAll()
                    switch feed.poll(now: MonotonicClock.now(), into: &buffer, limit: 64) {
                    case .ticks: ticks += buffer
                    case .idle(let until):
                        let woken = DispatchSemaphoreBox()
                        #expect(feed.readiness!.notify(until: until) { woken.signal() })
                        woken.wait()
                        callbacks += 1
                    case .finished: break
                    }
                }
                #expect(ticks.count >= 300)
                #expect(callbacks > 0)
                #expect(ticks.map(\.sequence) == (0..<ticks.count).map { UInt64($0 + 1) })
                feed.stop()
                var rest: [Tick] = []
                _ = feed.poll(now: MonotonicClock.now(), into: &rest, limit: .max)
            }
        }
    }

    @Test("a silent exchange is dropped after the silence timeout and the feed keeps trying with backoff")
    func silenceAndBackoff() async throws {
        // A listener that accepts and never says a word.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 16)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        try await offPool {
            var configuration = TCPFeed.Configuration(
                host: "127.0.0.1", port: port, start: .now(), duration: .seconds(10))
            configuration.silenceTimeout = .milliseconds(60)
            var feed = try TCPFeed.connect(configuration)
            feed.attach(to: .thread)
            let ticks = pollFeed(&feed) { feed, _ in feed.counters["timeouts", default: 0] >= 2 }
            #expect(ticks.isEmpty)
            let c = feed.counters
            #expect(c["timeouts", default: 0] >= 2)
            #expect(c["reconnects", default: 0] >= 1)
            #expect(c["subscriptions", default: 0] >= 2)
            feed.stop()
        }
    }

    @Test("a feed whose receiver never says where it runs still works, polling every millisecond")
    func unattached() async throws {
        try await withExchange(rate: 1_000, heartbeatMs: 20) { server in
            try await offPool {
                var feed = try TCPFeed.connect(
                    .init(host: "127.0.0.1", port: server.port, start: .now(), duration: .seconds(10)))
                var buffer: [Tick] = []
                var got = 0
                let deadline = MonotonicClock.now() + 60_000_000_000  // only a hang reaches it
                while got < 50, MonotonicClock.now() < deadline {
                    buffer.removeAll()
                    switch feed.poll(now: MonotonicClock.now(), into: &buffer, limit: 64) {
                    case .ticks(let count): got += count
                    case .idle(let until):
                        #expect(until <= MonotonicClock.now() + 1_000_000)
                        MonotonicClock.sleep(until: until)
                    case .finished: break
                    }
                }
                #expect(got >= 50)
                feed.stop()
            }
        }
    }
}

/// A semaphore the tests can capture in a `@Sendable` closure.
final class DispatchSemaphoreBox: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() { semaphore.wait() }
}
