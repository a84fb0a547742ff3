import Clocks
import MarketData
import Synchronization

/// A request to end a run early (Ctrl-C), shared by whoever asks and the receiver, which stops
/// the feed; the stages then drain what was received.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    private let at = Atomic<UInt64>(.max)

    public init() {}

    /// Asks the run to stop now; the first request's instant ends the measurement window.
    public func request() {
        if requested.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            at.store(MonotonicClock.now(), ordering: .relaxed)
        }
    }

    public var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// When the stop was requested; nil if it was not.
    public var instant: MonotonicInstant? {
        let nanoseconds = instantNanoseconds
        return nanoseconds == .max ? nil : MonotonicInstant(nanoseconds: nanoseconds)
    }

    /// When the stop was requested in monotonic nanoseconds, `UInt64.max` if it was not: the
    /// processor compares it with every tick's stamp.
    var instantNanoseconds: UInt64 { at.load(ordering: .relaxed) }
}
