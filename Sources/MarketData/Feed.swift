import Clocks
import OrderBook

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a feed's ticks are scheduled in time.
public enum ArrivalProcess: String, Sendable, Hashable, Codable, CaseIterable {
    /// Evenly spaced, `1/rate` apart.
    case uniform
    /// Exponential gaps with mean `1/rate`: bursts and lulls, as real markets have.
    case poisson
}

/// Whose clock decides when a tick exists.
public enum FeedClock: String, Sendable, Hashable, Codable, CaseIterable {
    /// The exchange runs on its own: a tick scheduled at `t` can be taken from `t` on, and a
    /// late receiver finds a backlog. The honest one.
    case exchange
    /// The receiver sleeps `1/rate` between pulls, as a naive generator does: when the
    /// pipeline is slow, fewer ticks are offered and nobody notices (coordinated omission).
    case receiver
}

/// The answer of a feed when the receiver asks it for ticks.
public enum FeedPoll: Sendable, Equatable {
    /// `count` ticks were appended to the buffer.
    case ticks(count: Int)
    /// Nothing is due yet: ask again at this monotonic instant (ns).
    case idle(until: UInt64)
    /// The feed has no more ticks.
    case finished
}

/// A source of ticks the receiver polls.
///
/// A feed never blocks: it says when its next tick will be due, and the concurrency model
/// decides how to wait for that instant (a blocking sleep, an event-loop timer, …).
public protocol TickFeed: Sendable {
    /// Appends every tick due at `now`, at most `limit` of them, to `buffer`.
    mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll
    /// Ends the feed early (Ctrl-C): the next poll answers `.finished`.
    mutating func stop()
    /// The book a correct sequential consumer holds after the first `count` ticks this feed
    /// delivered: what a run's final book is checked against. Nil if the feed cannot tell.
    func referenceBook(afterTicks count: UInt64) -> OrderBook?
    /// Feed-specific counters for the report (gaps, reconnects, bytes, …); empty by default.
    var counters: [String: UInt64] { get }
    /// The end of the measurement window when the feed's own schedule decides it (a recording
    /// shorter than `--duration`); nil when the window is `--duration` long.
    var scheduleEnd: MonotonicInstant? { get }
    /// Why the feed's source failed for good before the end of the window (an exchange that said
    /// goodbye, a connection that never came back); nil when the feed delivered to the end or
    /// was stopped. A run whose feed failed is not a measurement of the whole window.
    var failure: FeedFailure? { get }
}

/// How a feed's source failed: what happened and when data last came.
public struct FeedFailure: Sendable, Hashable {
    /// One sentence, e.g. "the exchange said goodbye".
    public var reason: String
    /// When the feed last received anything from its source; nil if never.
    public var lastDataAt: MonotonicInstant?

    public init(reason: String, lastDataAt: MonotonicInstant?) {
        self.reason = reason
        self.lastDataAt = lastDataAt
    }
}

/// A feed that can tell whether what it delivered is right beyond the final book (a feed that
/// compares its book with an exchange's checksums, or a replay with the recorded book).
public protocol SelfCheckingFeed: TickFeed {
    /// One sentence per problem found; empty when all is well. Failures fail the run's self-check.
    var selfCheckFailures: [String] { get }
}

extension TickFeed {
    public var counters: [String: UInt64] { [:] }
    public var scheduleEnd: MonotonicInstant? { nil }
    public var failure: FeedFailure? { nil }
}

/// The embedded exchange: ``SyntheticMarket`` events at a configured rate.
public struct SyntheticFeed: TickFeed {
    public struct Configuration: Sendable, Hashable, Codable {
        public var seed: UInt64
        /// Ticks per second; nil means as fast as the receiver takes them (saturation).
        public var rate: Double?
        /// How long the exchange offers ticks.
        public var duration: Duration
        public var arrivals: ArrivalProcess
        public var clock: FeedClock

        public init(
            seed: UInt64 = 1, rate: Double? = 200, duration: Duration = .seconds(10),
            arrivals: ArrivalProcess = .uniform, clock: FeedClock = .exchange
        ) {
            self.seed = seed
            self.rate = rate
            self.duration = duration
            self.arrivals = arrivals
            self.clock = clock
        }
    }

    public let configuration: Configuration
    /// The first scheduled arrival; the measurement window is `[start, start + duration]`.
    public let start: MonotonicInstant
    /// The window's end in nanoseconds, as the ticks' stamps are compared with it at each poll.
    private let endNanoseconds: UInt64
    private var market: SyntheticMarket
    private var gaps: SeededRandom
    /// When the next tick becomes available (exchange clock) or may be pulled (receiver clock).
    private var nextDue: UInt64
    private var stopped = false
    private var sleepBeforeNext = false
    public private(set) var emitted: UInt64 = 0

    public init(_ configuration: Configuration, start: MonotonicInstant) {
        precondition(configuration.rate.map { $0 > 0 && $0.isFinite } ?? true, "rate must be positive")
        self.configuration = configuration
        self.start = start
        self.market = SyntheticMarket(seed: configuration.seed)
        self.gaps = SeededRandom(seed: configuration.seed ^ 0x6172_7269_7661_6C73)
        self.nextDue = start.nanoseconds
        self.endNanoseconds = (start + configuration.duration).nanoseconds
    }

    /// The end of the measurement window: `start + duration`.
    public var end: MonotonicInstant { MonotonicInstant(nanoseconds: endNanoseconds) }

    public mutating func stop() { stopped = true }

    public mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll {
        if stopped { return .finished }
        guard let rate = configuration.rate else {
            // Saturation: everything is due now, the window closes at `end`.
            if now >= endNanoseconds { return .finished }
            for _ in 0..<limit { emit(at: now, into: &buffer) }
            return .ticks(count: limit)
        }
        switch configuration.clock {
        case .exchange:
            var count = 0
            while count < limit, nextDue <= now, nextDue < endNanoseconds {
                emit(at: nextDue, into: &buffer)
                count += 1
                nextDue &+= gap(rate: rate)
            }
            if count > 0 { return .ticks(count: count) }
            return nextDue < endNanoseconds ? .idle(until: nextDue) : .finished
        case .receiver:
            // The naive generator stamps a tick when it makes it, then sleeps 1/rate.
            // The sleep starts after the hand-over, at the next poll.
            if now >= endNanoseconds { return .finished }
            if sleepBeforeNext {
                sleepBeforeNext = false
                nextDue = now &+ gap(rate: rate)
            }
            if now < nextDue { return .idle(until: nextDue) }
            emit(at: now, into: &buffer)
            sleepBeforeNext = true
            return .ticks(count: 1)
        }
    }

    private mutating func emit(at arrival: UInt64, into buffer: inout [Tick]) {
        let event = market.next()
        emitted += 1
        buffer.append(Tick(sequence: emitted, scheduledArrival: arrival, delta: event.delta, kind: event.kind))
    }

    private mutating func gap(rate: Double) -> UInt64 {
        let mean = 1e9 / rate
        switch configuration.arrivals {
        case .uniform:
            return UInt64(mean.rounded())
        case .poisson:
            return UInt64((-mean * log1p(-gaps.unit())).rounded())
        }
    }

    /// How many ticks the exchange clock schedules in `[start, start + elapsed]` for this
    /// configuration (replays the arrival process; nil for the receiver clock and saturation,
    /// where the receiver decides what is offered).
    public static func scheduledCount(_ configuration: Configuration, by elapsed: Duration) -> UInt64? {
        guard configuration.clock == .exchange, configuration.rate != nil else { return nil }
        var feed = SyntheticFeed(configuration, start: MonotonicInstant(nanoseconds: 0))
        let length = configuration.duration.saturatingNanoseconds
        let horizon = min(elapsed.saturatingNanoseconds, length)
        var count: UInt64 = 0
        while feed.nextDue <= horizon && feed.nextDue < length {
            count += 1
            feed.nextDue &+= feed.gap(rate: configuration.rate!)
        }
        return count
    }

    public func referenceBook(afterTicks count: UInt64) -> OrderBook? {
        Self.replayBook(seed: configuration.seed, count: count)
    }

    /// The book a sequential consumer of the first `count` ticks of this feed ends with: the
    /// reference a run's final book is checked against.
    public static func replayBook(seed: UInt64, count: UInt64) -> OrderBook {
        var market = SyntheticMarket(seed: seed)
        var book = OrderBook()
        for _ in 0..<count { book.applyCounting(market.next().delta) }
        return book
    }
}
