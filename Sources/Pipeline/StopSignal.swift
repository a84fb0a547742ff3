import Clocks
import MarketData
import Synchronization

/// A request to end a run early (Ctrl-C), shared by whoever asks and the receiver, which stops
/// the feed; the stages then drain what was received.
public final class StopSignal: Sendable {
    /// The first request's instant, `UInt64.max` before any: one atomic, so that whoever sees
    /// the request also sees its instant. (With a flag set before the instant, a requester
    /// descheduled between the two stores let a run end on the flag and close its window at
    /// the planned end: seen once under ThreadSanitizer on a busy machine.)
    private let at = Atomic<UInt64>(.max)

    public init() {}

    /// Asks the run to stop now; the first request's instant ends the measurement window.
    public func request() {
        _ = at.compareExchange(expected: .max, desired: min(MonotonicClock.now(), .max - 1), ordering: .relaxed)
    }

    public var isRequested: Bool { at.load(ordering: .relaxed) != .max }

    /// When the stop was requested; nil if it was not.
    public var instant: MonotonicInstant? {
        let nanoseconds = instantNanoseconds
        return nanoseconds == .max ? nil : MonotonicInstant(nanoseconds: nanoseconds)
    }

    /// When the stop was requested in monotonic nanoseconds, `UInt64.max` if it was not: the
    /// processor compares it with every tick's stamp.
    var instantNanoseconds: UInt64 { at.load(ordering: .relaxed) }
}
