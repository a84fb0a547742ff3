import Histogram
import Pipeline
import PropertyBased
import Testing

/// Values spread over every power of two a latency can have: a random exponent (0…42) and
/// random low bits, so that each bin size of the histogram is exercised.
private let latencies = zip(Gen.int(in: 0...42), Gen.uint64()).array(of: 1...400)

private func values(_ raw: [(Int, UInt64)]) -> [UInt64] {
    raw.map { exponent, bits in min(bits >> UInt64(63 - exponent), LatencyHistogram.highestTrackable) }
}

/// The exact percentile of `sorted`: the value at rank ⌈p/100 · n⌉ (at least 1), the rank the
/// histogram looks for.
private func exactPercentile(_ sorted: [UInt64], _ percentile: Double) -> UInt64 {
    let rank = max(1, Int((percentile.nextDown / 100 * Double(sorted.count)).rounded(.up)))
    return sorted[min(rank, sorted.count) - 1]
}

private let percentiles: [Double] = [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100]

@Suite("Latency histogram")
struct LatencyHistogramTests {
    @Test("percentiles are the exact ones of a sorted array, or above them by at most 1/1024 (three digits)")
    func percentilesAgreeWithASortedArray() async {
        await propertyCheck(count: 300, input: latencies) { raw in
            let recorded = values(raw)
            var histogram = LatencyHistogram()
            for value in recorded { histogram.record(value) }
            let sorted = recorded.sorted()
            for p in percentiles {
                let exact = exactPercentile(sorted, p)
                let value = histogram.value(atPercentile: p)
                #expect(value >= exact && value - exact <= exact / 1_024, "p\(p): \(value) against \(exact)")
            }
        }
    }

    @Test("count, sum, mean and maximum are exact")
    func exactMoments() async {
        await propertyCheck(count: 200, input: latencies) { raw in
            let recorded = values(raw)
            var histogram = LatencyHistogram()
            for value in recorded { histogram.record(value) }
            let sum = recorded.reduce(0, +)
            #expect(histogram.count == UInt64(recorded.count))
            #expect(histogram.sum == sum)
            #expect(histogram.mean == Double(sum) / Double(recorded.count))
            #expect(histogram.max == recorded.max()!)
        }
    }

    @Test("the percentiles agree with HdrHistogram's at three significant digits")
    func agreesWithHdrHistogram() async {
        await propertyCheck(count: 100, input: latencies) { raw in
            var histogram = LatencyHistogram()
            var hdr = Histogram<UInt64>(
                lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestTrackable,
                numberOfSignificantValueDigits: .three)
            for value in values(raw) {
                histogram.record(value)
                hdr.record(value)
            }
            for p in percentiles {
                let ours = histogram.value(atPercentile: p), theirs = hdr.valueAtPercentile(p)
                let larger = max(ours, theirs), smaller = min(ours, theirs)
                #expect(larger - smaller <= larger / 1_000, "p\(p): \(ours) against HdrHistogram's \(theirs)")
            }
        }
    }

    @Test("merging two histograms is recording both sets of values into one")
    func mergeIsConcatenation() async {
        await propertyCheck(count: 100, input: latencies, latencies) { first, second in
            var a = LatencyHistogram(), b = LatencyHistogram(), both = LatencyHistogram()
            for value in values(first) {
                a.record(value)
                both.record(value)
            }
            for value in values(second) {
                b.record(value)
                both.record(value)
            }
            a.merge(b)
            #expect(a == both)
        }
    }

    @Test("values below 2,048 are exact, larger ones clamp at an hour, an empty histogram reads zero")
    func edges() {
        var histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 50) == 0 && histogram.mean == 0 && histogram.max == 0)
        for value: UInt64 in 0..<2_048 { histogram.record(value) }
        #expect(histogram.value(atPercentile: 50) == 1_023)
        #expect(histogram.value(atPercentile: 100) == 2_047)
        var clamped = LatencyHistogram()
        clamped.record(.max)
        #expect(clamped.max == LatencyHistogram.highestTrackable)
        #expect(clamped.value(atPercentile: 99) == LatencyHistogram.highestTrackable)
    }

    @Test("a copy is a value: recording into one leaves the other as it was")
    func copyOnWrite() {
        var original = LatencyHistogram()
        original.record(5_000)
        var copy = original
        copy.record(7_000)
        #expect(original.count == 1 && copy.count == 2)
        #expect(original.max == 5_000 && copy.max == 7_000)
    }
}
