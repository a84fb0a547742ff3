import Pipeline
import Testing

@Suite("Latency over a run's time: bounded intervals, merged in pairs")
struct LatencyTimelineTests {
    /// The value at `percentile` of `values` as the histograms define it: rank ⌈p/100 · n⌉ taken
    /// just below the percentile, at least 1.
    static func reference(_ values: [UInt64], _ percentile: Double) -> UInt64 {
        let sorted = values.sorted()
        let rank = max(1, Int((percentile.nextDown / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    @Test("an hour of ticks keeps a bounded number of intervals, whose counts sum to every tick recorded")
    func memoryBound() {
        var timeline = LatencyTimeline()
        let start: UInt64 = 1_000_000_000
        let hour: UInt64 = 3_600_000_000_000
        let spacing: UInt64 = 3_600_000  // 1,000,000 ticks
        var recorded: UInt64 = 0
        var stamp = start
        while stamp < start + hour {
            timeline.record(200_000 + stamp % 7_919, at: stamp, receiverLag: stamp % 1_000)
            recorded += 1
            stamp += spacing
        }
        let intervals = timeline.intervals
        #expect(intervals.count <= LatencyTimeline.standardCapacity)
        #expect(intervals.count > LatencyTimeline.standardCapacity / 2)
        #expect(intervals.reduce(0) { $0 + $1.count } == recorded)
        #expect(timeline.count == recorded)
        // 100 ms × 128 = 12.8 s; an hour needs the width doubled 9 times (51.2 s, 71 intervals).
        #expect(timeline.merges == 9)
        #expect(timeline.widthNanoseconds == 100_000_000 << 9)
        #expect(intervals.count == Int((hour + timeline.widthNanoseconds - 1) / timeline.widthNanoseconds))
        #expect(timeline.origin == start)
    }

    @Test("each interval's count, p50, p99, maximum and lag match its ticks, within the bins' 1/16")
    func intervalsMatchTheirTicks() {
        var timeline = LatencyTimeline(capacity: 16, initialWidth: .milliseconds(10))
        var perInterval: [[UInt64]] = Array(repeating: [], count: 5)
        var lags: [UInt64] = Array(repeating: 0, count: 5)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let origin: UInt64 = 5_000_000_000
        for index in 0..<5 {
            let ticks = 40 + index * 37
            for k in 0..<ticks {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let latency = 1_000 + (state >> 33) % UInt64(50_000 * (index + 1))
                let lag = (state >> 20) % 10_000
                let stamp = origin + UInt64(index) * 10_000_000 + UInt64(k) * 10_000_000 / UInt64(ticks)
                timeline.record(latency, at: stamp, receiverLag: lag)
                perInterval[index].append(latency)
                lags[index] = max(lags[index], lag)
            }
        }
        let intervals = timeline.intervals
        #expect(intervals.count == 5)
        #expect(timeline.merges == 0)
        for (index, interval) in intervals.enumerated() {
            let values = perInterval[index]
            #expect(interval.count == UInt64(values.count))
            #expect(interval.max == values.max())
            #expect(interval.receiverLagMax == lags[index])
            for (reported, percentile) in [(interval.p50, 50.0), (interval.p99, 99.0)] {
                let exact = Self.reference(values, percentile)
                #expect(reported >= exact && reported <= interval.max, "p\(percentile) of interval \(index)")
                #expect(Double(reported) <= Double(exact) * (1 + 1.0 / 16), "p\(percentile) of interval \(index)")
            }
        }
    }

    @Test("merging keeps every tick and each pair's maximum; a gap leaves empty intervals; a late stamp counts now")
    func mergeAndGaps() {
        var timeline = LatencyTimeline(capacity: 4, initialWidth: .nanoseconds(100))
        timeline.record(10, at: 1_000, receiverLag: 1)
        timeline.record(20, at: 1_150, receiverLag: 5)
        // A gap: intervals 2 and 3 hold nothing.
        timeline.record(30, at: 1_350, receiverLag: 2)
        // Earlier than the current interval: counted in it, not in the past.
        timeline.record(40, at: 1_010, receiverLag: 9)
        var intervals = timeline.intervals
        #expect(intervals.map(\.count) == [1, 1, 0, 2])
        #expect(intervals.map(\.max) == [10, 20, 0, 40])
        #expect(intervals.map(\.receiverLagMax) == [1, 5, 0, 9])
        // Past the fourth interval: pairs merge, the width doubles.
        timeline.record(50, at: 1_420, receiverLag: 3)
        intervals = timeline.intervals
        #expect(timeline.merges == 1 && timeline.widthNanoseconds == 200)
        #expect(intervals.map(\.count) == [2, 2, 1])
        #expect(intervals.map(\.max) == [20, 40, 50])
        #expect(intervals.map(\.receiverLagMax) == [5, 9, 3])
        #expect(intervals.reduce(0) { $0 + $1.count } == 5)
    }

    @Test("a stamp hours past the last interval merges as often as needed and lands in the last interval kept")
    func farJump() {
        var timeline = LatencyTimeline(capacity: 8, initialWidth: .milliseconds(1))
        timeline.record(7, at: 0, receiverLag: 0)
        timeline.record(9, at: 7_200_000_000_000, receiverLag: 0)
        let intervals = timeline.intervals
        #expect(intervals.count <= 8 && intervals.count > 4)
        #expect(intervals.first?.count == 1 && intervals.last?.count == 1)
        #expect(intervals.dropFirst().dropLast().allSatisfy { $0.count == 0 })
    }

    @Test("an empty timeline has no origin and no intervals")
    func empty() {
        let timeline = LatencyTimeline()
        #expect(timeline.origin == nil)
        #expect(timeline.intervals.isEmpty)
        #expect(timeline.count == 0)
    }

    @Test("the processor records every processed tick in its timeline, by scheduled arrival")
    func processorRecords() {
        let ticks = 30
        var receiver = ReceiverStage(
            feed: ScriptedFeed(alternatingTicks(ticks).map { .ticks([$0]) }), stop: StopSignal(), batchLimit: 1)
        var processor = ProcessorStage(
            work: Workload(requested: .nanoseconds(0), calibration: Workload.Calibration(nanosPerRound: 1)),
            stop: StopSignal(), windowEnd: .init(nanoseconds: .max))
        while receiver.receive() == .handOver {
            for item in receiver.batch { _ = processor.process(item) }
        }
        let timeline = processor.metrics.processing.timeline
        #expect(timeline.count == UInt64(ticks))
        #expect(timeline.intervals.reduce(0) { $0 + $1.count } == UInt64(ticks))
        // The same latencies as the processing histogram, whose maximum is exact too.
        let largest = timeline.intervals.map(\.max).max() ?? 0
        #expect(Double(largest) / 1e6 == processor.metrics.processing.summary.max)
    }
}
