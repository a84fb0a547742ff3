import Foundation
import Pipeline
import Testing

@Suite("Latency recorder")
struct LatencyRecorderTests {
    @Test("an empty recorder summarises to zeros")
    func empty() {
        let recorder = LatencyRecorder()
        #expect(recorder.count == 0)
        #expect(recorder.summary == LatencySummary())
    }

    @Test("the summary gives count, mean, percentiles and max in milliseconds, to three digits")
    func summary() {
        var recorder = LatencyRecorder()
        // 1 ms, 2 ms, … 1000 ms: the p-th percentile is p * 10 ms.
        for millis in 1...1_000 as ClosedRange<UInt64> { recorder.record(millis * 1_000_000) }
        let summary = recorder.summary
        #expect(summary.count == 1_000)
        // Three significant digits: each figure within 0.1% of the exact value.
        func close(_ value: Double, _ exact: Double) -> Bool { abs(value - exact) <= exact * 0.001 }
        #expect(close(summary.mean, 500.5), "\(summary.mean)")
        #expect(close(summary.p50, 500), "\(summary.p50)")
        #expect(close(summary.p90, 900), "\(summary.p90)")
        #expect(close(summary.p99, 990), "\(summary.p99)")
        #expect(close(summary.p999, 999), "\(summary.p999)")
        #expect(close(summary.max, 1_000), "\(summary.max)")
    }

    @Test("an interval whose end precedes its start counts as zero")
    func backwardsInterval() {
        var recorder = LatencyRecorder()
        recorder.record(from: 500, to: 100)
        recorder.record(from: 100, to: 100)
        #expect(recorder.count == 2)
        #expect(recorder.summary.max == 0)
        recorder.record(from: 1_000, to: 3_000_000)
        #expect(abs(recorder.summary.max - 2.999) <= 2.999 * 0.001)
    }

    @Test("a value above an hour is recorded as an hour, not dropped")
    func clampedAtAnHour() {
        var recorder = LatencyRecorder()
        recorder.record(.max)
        #expect(recorder.count == 1)
        let hourInMillis = 3_600_000.0
        #expect(abs(recorder.summary.max - hourInMillis) <= hourInMillis * 0.001)
    }

    @Test("merging adds the other recorder's values")
    func merge() {
        var a = LatencyRecorder(), b = LatencyRecorder()
        for _ in 0..<3 { a.record(1_000_000) }
        for _ in 0..<2 { b.record(5_000_000) }
        a.merge(b)
        #expect(a.count == 5)
        #expect(b.count == 2, "the merged-in recorder is unchanged")
        #expect(abs(a.summary.mean - 2.6) <= 2.6 * 0.001)
        #expect(abs(a.summary.max - 5) <= 5 * 0.001)
    }

    @Test("a summary survives JSON coding")
    func summaryCoding() throws {
        var recorder = LatencyRecorder()
        recorder.record(42_000)
        let summary = recorder.summary
        let decoded = try JSONDecoder().decode(LatencySummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }
}

@Suite("Depth statistics")
struct DepthStatisticsTests {
    @Test("a batch of n enqueues that leaves depth d records the depths d-n+1 … d")
    func batchDepths() {
        var depth = DepthStatistics()
        depth.recordEnqueue(count: 3, depthAfter: 5)
        #expect(depth.samples == 3)
        #expect(depth.mean == 4)
        #expect(depth.peak == 5)
        #expect(depth.last == 5)
    }

    @Test("an empty batch records nothing")
    func emptyBatch() {
        var depth = DepthStatistics()
        depth.recordEnqueue(count: 0, depthAfter: 9)
        #expect(depth == DepthStatistics())
        #expect(depth.mean == 0)
    }

    @Test(
        "a depth below the batch size (the consumer took some meanwhile) counts the batch as if it filled an empty queue"
    )
    func consumerTookMeanwhile() {
        var depth = DepthStatistics()
        depth.recordEnqueue(count: 4, depthAfter: 1)
        // Depths 1, 2, 3, 4: the batch went in one tick after another.
        #expect(depth.samples == 4)
        #expect(depth.mean == 2.5)
        #expect(depth.last == 1)
        #expect(depth.peak == 1, "the peak is the depth reported, not the reconstructed one")
    }

    @Test(
        "many batches agree with recording every tick's depth one by one",
        arguments: [[(1, 1), (1, 2), (1, 3)], [(5, 5), (2, 3), (10, 12), (1, 1)], [(64, 64), (64, 128), (3, 70)]])
    func agreesWithOneByOne(batches: [(Int, Int)]) {
        var batched = DepthStatistics()
        var oneByOne = DepthStatistics()
        var depths: [Int] = []
        for (count, depthAfter) in batches {
            batched.recordEnqueue(count: count, depthAfter: depthAfter)
            for k in 0..<count {
                let d = depthAfter - count + 1 + k
                oneByOne.recordEnqueue(count: 1, depthAfter: d)
                depths.append(d)
            }
        }
        #expect(batched.samples == oneByOne.samples)
        #expect(batched.mean == oneByOne.mean)
        #expect(batched.mean == Double(depths.reduce(0, +)) / Double(depths.count))
        #expect(batched.last == batches.last!.1)
        #expect(batched.peak == batches.map(\.1).max()!)
    }
}

@Suite("Work accounting")
struct WorkAccountingTests {
    @Test("no work, no mean")
    func none() {
        #expect(WorkAccounting().meanMillis == nil)
        #expect(WorkAccounting().units == 0)
    }

    @Test("the mean is measured nanoseconds per unit, in milliseconds")
    func mean() {
        var work = WorkAccounting()
        work.record(1_000_000)
        work.record(3_000_000)
        #expect(work.units == 2)
        #expect(work.nanos == 4_000_000)
        #expect(work.meanMillis == 2)
    }
}
