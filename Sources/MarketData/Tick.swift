import OrderBook

/// What happened at the exchange, before it is reduced to a book delta. Kept for features
/// (trade counts) and for traces; the book only sees the delta.
public enum EventKind: UInt8, Sendable, Hashable, Codable, CaseIterable {
    case add = 0
    case cancel = 1
    case trade = 2
}

/// One market-data message: a contiguous sequence number, the book event it carries and the
/// time the exchange scheduled it to arrive.
///
/// `scheduledArrival` is a monotonic-clock instant in nanoseconds: every latency of a run is
/// measured from it, so a receiver that falls behind cannot hide its delay. It stays `UInt64`
/// where other public time is a `MonotonicInstant`: nanoseconds only inside the hot path and the
/// schema (see `MonotonicInstant`).
public struct Tick: Sendable, Hashable {
    /// 1, 2, 3, … without gaps.
    public var sequence: UInt64
    public var scheduledArrival: UInt64
    public var delta: BookDelta
    public var kind: EventKind

    @inlinable
    public init(sequence: UInt64, scheduledArrival: UInt64, delta: BookDelta, kind: EventKind) {
        self.sequence = sequence
        self.scheduledArrival = scheduledArrival
        self.delta = delta
        self.kind = kind
    }
}
