/// Sixteen latencies held inline in a value before they go into a histogram's bins at once.
///
/// The hot path's record is a store and an increment here; the bins (an array, so a uniqueness
/// check and a bounds check per access) are touched once per ``capacity`` records. Shared by
/// ``LatencyHistogram``, ``LatencyTimeline`` and ``ProcessingLatency``, which feeds both from one
/// buffer.
@usableFromInline
struct RecordBuffer: Sendable {
    /// Records held at most. Computed, not stored: a stored `static let` is read through an
    /// accessor with a once-check in the modules that inline ``append(_:)``.
    @inlinable static var capacity: Int { 16 }

    @usableFromInline var slots:
        (
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// The first `count` slots hold records.
    @usableFromInline var count = 0

    @inlinable init() {}

    /// Holds `value`; returns whether the buffer is now full (and must be drained before the
    /// next append).
    @inlinable @inline(__always)
    mutating func append(_ value: UInt64) -> Bool {
        let slot = count
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: value, toByteOffset: slot &* 8, as: UInt64.self) }
        count = slot &+ 1
        return count == Self.capacity
    }

    /// Calls `body` with the held records, in the order they came.
    @inlinable @inline(__always)
    func withRecords<Result>(_ body: (UnsafeBufferPointer<UInt64>) -> Result) -> Result {
        let held = count
        return withUnsafeBytes(of: slots) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt64.self), count: held))
        }
    }

    /// The held records, leaving this buffer empty.
    @inlinable @inline(__always)
    mutating func take() -> RecordBuffer {
        let held = self
        count = 0
        return held
    }
}
