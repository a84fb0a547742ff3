/// The processor's latency record: every tick's processing latency (scheduled arrival →
/// processed) in the run's histogram and in its timeline, with the tick's receiver lag.
///
/// The two are fed from one ``RecordBuffer``: a tick costs one store, one compare with the
/// current interval's end and one with its largest lag; every 16 ticks the buffer goes into both
/// the histogram's bins and the current interval's. Before the timeline moves to a later
/// interval the buffer is emptied into the current one, so each interval holds exactly its own
/// ticks. Recording the two separately cost a second buffer, a second count and a second check
/// per tick (`Benchmarks/MeasurementBenchmarks`).
public struct ProcessingLatency: Sendable {
    @usableFromInline var histogram = LatencyRecorder()
    @usableFromInline var intervals: LatencyTimeline
    @usableFromInline var pending = RecordBuffer()

    /// - Parameter timeline: the empty timeline to fill (its capacity and initial width).
    public init(timeline: LatencyTimeline = LatencyTimeline()) {
        intervals = timeline
    }

    /// Records the tick that arrived (was scheduled) at `arrival`, was received at `received`
    /// and processed at `processed` (nanoseconds, one monotonic clock; a later stamp earlier
    /// than an earlier one counts as 0).
    @inlinable
    public mutating func record(arrival: UInt64, received: UInt64, processed: UInt64) {
        if _slowPath(arrival >= intervals.boundary) {
            flush()
            intervals.advance(to: arrival)
        }
        intervals.noteReceiverLag(received >= arrival ? received &- arrival : 0)
        if _slowPath(pending.append(processed >= arrival ? processed &- arrival : 0)) { flush() }
    }

    /// Puts the buffered records into the histogram and the current interval.
    @usableFromInline
    mutating func flush() {
        guard pending.count > 0 else { return }
        let held = pending.take()
        histogram.histogram.insert(held)
        intervals.insert(held)
    }

    private func flushed() -> ProcessingLatency {
        var copy = self
        copy.flush()
        return copy
    }

    /// Ticks recorded.
    public var count: UInt64 { histogram.count &+ UInt64(pending.count) }

    /// The processing latency of every tick recorded.
    public var recorder: LatencyRecorder { flushed().histogram }

    /// The processing latency as reported.
    public var summary: LatencySummary { recorder.summary }

    /// The processing latency over the run's time.
    public var timeline: LatencyTimeline { flushed().intervals }
}
