/// An instant of ``MonotonicClock``: nanoseconds since its arbitrary origin (boot).
///
/// Time in the public API is typed: `MonotonicInstant` for instants, `Duration` for spans.
/// Raw `UInt64` nanoseconds remain only inside the hot path and the schema: the stamps a tick
/// carries through the pipeline (`Tick.scheduledArrival`, `BookState`'s arrival, received and
/// processed), the latency recorders, and the JSON a run writes. There a conversion per tick
/// would cost, and the unit is fixed by the schema. ``nanoseconds`` and
/// `Duration.saturatingNanoseconds` cross between the two.
///
/// Arithmetic saturates instead of wrapping or trapping: an instant moved before the clock's
/// origin is the origin, one moved beyond `UInt64.max` nanoseconds (584 years) is that.
public struct MonotonicInstant: Comparable, Hashable, Sendable {
    /// Nanoseconds since the clock's origin, as the hot path and the schema carry them.
    public var nanoseconds: UInt64

    @inlinable
    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The clock's reading now: `clock_gettime(CLOCK_MONOTONIC)`.
    @inlinable
    public static func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: MonotonicClock.now())
    }

    /// This instant moved by `duration` (back for a negative one), saturating at the clock's
    /// origin and at `UInt64.max` nanoseconds.
    @inlinable
    public func advanced(by duration: Duration) -> MonotonicInstant {
        if duration < .zero {
            let back = (Duration.zero - duration).saturatingNanoseconds
            return MonotonicInstant(nanoseconds: nanoseconds >= back ? nanoseconds - back : 0)
        }
        let (sum, overflow) = nanoseconds.addingReportingOverflow(duration.saturatingNanoseconds)
        return MonotonicInstant(nanoseconds: overflow ? .max : sum)
    }

    /// The span from this instant to `other`: negative when `other` is earlier.
    @inlinable
    public func duration(to other: MonotonicInstant) -> Duration {
        other - self
    }

    @inlinable
    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// `instant` moved forward by `duration` (see ``advanced(by:)``).
    @inlinable
    public static func + (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        instant.advanced(by: duration)
    }

    /// `instant` moved back by `duration` (see ``advanced(by:)``).
    @inlinable
    public static func - (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        instant.advanced(by: .zero - duration)
    }

    /// The span from `rhs` to `lhs`: negative when `lhs` is the earlier.
    @inlinable
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        lhs >= rhs
            ? .nanoseconds(lhs.nanoseconds - rhs.nanoseconds)
            : .zero - .nanoseconds(rhs.nanoseconds - lhs.nanoseconds)
    }
}

extension Duration {
    /// This span in whole nanoseconds, for the hot path and the schema: a fraction of a
    /// nanosecond is dropped, a negative span is 0, and one longer than `UInt64.max`
    /// nanoseconds (584 years) is `UInt64.max`.
    @inlinable
    public var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        // Both components carry the span's sign.
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return carry ? .max : total
    }
}
