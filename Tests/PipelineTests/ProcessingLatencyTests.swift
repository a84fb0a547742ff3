import Pipeline
import PropertyBased
import Testing

/// Ticks as (gap to the previous arrival, processing latency, receiver lag), nanoseconds: gaps
/// from none to past a whole timeline (so intervals close, skip and merge in pairs), latencies
/// over many powers of two, lags that may exceed the latency (a stamp from another clock).
private let ticks = zip(
    Gen.uint64(in: 0...40_000_000), Gen.uint64(in: 0...5_000_000_000), Gen.uint64(in: 0...20_000_000)
)
.array(of: 0...400)

@Suite("Processing latency: one buffer for the histogram and the timeline")
struct ProcessingLatencyTests {
    /// Records `ticks` into a ProcessingLatency and, the reference, into a histogram and a
    /// timeline of their own.
    static func both(_ ticks: [(UInt64, UInt64, UInt64)]) -> (ProcessingLatency, LatencyRecorder, LatencyTimeline) {
        let empty = LatencyTimeline(capacity: 8, initialWidth: .milliseconds(10))
        var combined = ProcessingLatency(timeline: empty)
        var histogram = LatencyRecorder()
        var timeline = empty
        var arrival: UInt64 = 1_000_000_000
        for (gap, latency, lag) in ticks {
            arrival += gap
            combined.record(arrival: arrival, received: arrival + lag, processed: arrival + latency)
            histogram.record(latency)
            timeline.record(latency, at: arrival, receiverLag: lag)
        }
        return (combined, histogram, timeline)
    }

    @Test("the histogram and the timeline are those of recording each separately")
    func matchesSeparateRecords() async {
        await propertyCheck(count: 60, input: ticks) { ticks in
            let (combined, histogram, timeline) = Self.both(ticks)
            #expect(combined.count == UInt64(ticks.count))
            #expect(combined.recorder.summary == histogram.summary)
            #expect(combined.recorder.spectrum() == histogram.spectrum())
            #expect(combined.timeline.intervals == timeline.intervals)
            #expect(combined.timeline.origin == timeline.origin)
            #expect(combined.timeline.widthNanoseconds == timeline.widthNanoseconds)
            #expect(combined.timeline.merges == timeline.merges)
        }
    }

    @Test("a stamp earlier than its arrival counts as zero, in the histogram and the lag")
    func backwardsStampsCountAsZero() {
        var latency = ProcessingLatency()
        latency.record(arrival: 5_000, received: 4_000, processed: 3_000)
        #expect(latency.recorder.summary.max == 0)
        #expect(latency.timeline.intervals.map(\.receiverLagMax) == [0])
        #expect(latency.timeline.intervals.map(\.count) == [1])
    }

    @Test("reading it flushes a copy: the value keeps recording where it was")
    func readingDoesNotDisturb() {
        var latency = ProcessingLatency()
        for k in 0..<5 { latency.record(arrival: 1_000 + UInt64(k), received: 1_100, processed: 2_000) }
        #expect(latency.count == 5 && latency.timeline.count == 5 && latency.recorder.count == 5)
        for k in 0..<20 { latency.record(arrival: 2_000 + UInt64(k), received: 2_100, processed: 3_000) }
        #expect(latency.count == 25 && latency.timeline.intervals.reduce(0) { $0 + $1.count } == 25)
    }
}
