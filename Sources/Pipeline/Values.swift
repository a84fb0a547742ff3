import MarketData
import OrderBook

/// A tick as the receiver handed it over: the tick and the instant it was taken from the feed.
public struct ReceivedTick: Sendable, Hashable {
    public var tick: Tick
    public var received: UInt64

    @inlinable
    public init(_ tick: Tick, received: UInt64) {
        self.tick = tick
        self.received = received
    }
}

/// What the processor publishes after each tick and the evaluator reads: a small value, so a
/// slot can copy it under a lock or a seqlock.
public struct BookState: Sendable, Hashable {
    public var sequence: UInt64
    public var arrival: UInt64
    public var received: UInt64
    public var processed: UInt64
    public var bestBid: PriceLevel
    public var bestAsk: PriceLevel
    /// (bid size − ask size) / (bid size + ask size) over the top five levels, in [-1, 1].
    public var imbalance: Double
    /// The result of the processor's CPU work: part of the state so the work cannot be dropped.
    public var workResult: UInt64

    public init(
        sequence: UInt64, arrival: UInt64, received: UInt64, processed: UInt64,
        bestBid: PriceLevel, bestAsk: PriceLevel, imbalance: Double, workResult: UInt64
    ) {
        self.sequence = sequence
        self.arrival = arrival
        self.received = received
        self.processed = processed
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.imbalance = imbalance
        self.workResult = workResult
    }

    /// A state before any tick: sequence 0.
    public static let empty = BookState(
        sequence: 0, arrival: 0, received: 0, processed: 0,
        bestBid: PriceLevel(price: 0, size: 0), bestAsk: PriceLevel(price: 0, size: 0),
        imbalance: 0, workResult: 0)
}

/// What the evaluator decided.
public enum Decision: UInt8, Sendable, Hashable, Codable, CaseIterable {
    case buy, sell, hold
}

/// How the evaluator spends `eval-ms`.
public enum EvaluationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A non-blocking wait, the seed's evaluator delay: awaited in async models, a blocking
    /// sleep in threaded ones.
    case wait
    /// Calibrated CPU work.
    case cpu
}
