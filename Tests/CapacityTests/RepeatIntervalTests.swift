import Capacity
import Foundation
import PropertyBased
import TestSupport
import Testing

/// The reference median: sort, take the middle one or the mean of the middle two, computed the
/// plain way (no care for overflow: the generated values are small).
private func referenceMedian(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Repeats' figures as they come: latencies or throughputs, with ties (rounded to a grid) so that
/// equal values are common.
private let figures = Gen.double(in: 0...500).map { ($0 * 4).rounded() / 4 }

@Suite(.ownThread) struct RepeatIntervalTests {
    @Test func theMedianIsTheSortedMiddle() async throws {
        await propertyCheck(count: 60, input: figures.array(of: 1...40)) { values in
            #expect(RepeatStatistics.median(values) == referenceMedian(values), "\(values)")
        }
        #expect(RepeatStatistics.median([]) == nil)
        #expect(RepeatStatistics.median([3, .nan]) == nil)
        #expect(RepeatStatistics.median([1, 2, .infinity]) == 2)
        #expect(RepeatStatistics.median([4, 1, 3, 2]) == 2.5)
        let huge = try #require(RepeatStatistics.median([.greatestFiniteMagnitude, .greatestFiniteMagnitude / 2]))
        #expect(huge.isFinite && huge > .greatestFiniteMagnitude / 2 && huge < .greatestFiniteMagnitude)
        // Halving subnormals rounds; the mean must stay between its two values.
        let tiny = Double.leastNonzeroMagnitude
        #expect(RepeatStatistics.median([tiny, tiny]) == tiny)
        #expect(RepeatStatistics.median([tiny, 2 * tiny]).map { $0 >= tiny && $0 <= 2 * tiny } == true)
    }

    @Test func theIntervalContainsTheMedianAndLiesWithinMinMax() async {
        await propertyCheck(count: 30, input: figures.array(of: 1...25)) { values in
            let interval = try #require(RepeatStatistics.interval(of: values))
            #expect(interval.median == referenceMedian(values))
            #expect(interval.lower <= interval.median && interval.median <= interval.upper, "\(interval) of \(values)")
            #expect(interval.lower >= values.min()! && interval.upper <= values.max()!, "\(interval) of \(values)")
            #expect(interval.repeats == values.count)
            #expect(interval.method == (values.count >= 5 ? .bootstrap95 : .minMax))
        }
    }

    @Test func belowFiveRepeatsTheIntervalIsMinToMax() async {
        await propertyCheck(count: 200, input: figures.array(of: 1...4)) { values in
            let interval = try #require(RepeatStatistics.interval(of: values))
            #expect(interval.lower == values.min() && interval.upper == values.max())
            #expect(interval.method == .minMax)
        }
        let three = RepeatStatistics.interval(of: [4.1, 3.9, 4.8])
        #expect(three == RepeatInterval(median: 4.1, lower: 3.9, upper: 4.8, repeats: 3, method: .minMax))
    }

    @Test func aBootstrapOfEqualValuesIsAPoint() async {
        await propertyCheck(count: 30, input: figures, Gen.int(in: 5...30)) { value, count in
            let interval = try #require(RepeatStatistics.interval(of: Array(repeating: value, count: count)))
            #expect(interval.isPoint && interval.median == value && interval.lower == value)
            #expect(interval.method == .bootstrap95)
        }
    }

    @Test func theBootstrapIsDeterministicForASeed() async {
        await propertyCheck(count: 20, input: figures.array(of: 5...20), Gen.uint64()) { values, seed in
            var first = SplitMix64(seed: seed)
            var second = SplitMix64(seed: seed)
            let a = RepeatStatistics.interval(of: values, resamples: 500, using: &first)
            let b = RepeatStatistics.interval(of: values, resamples: 500, using: &second)
            #expect(a == b)
            // And the standard call depends on the values only, not on their order.
            #expect(RepeatStatistics.interval(of: values) == RepeatStatistics.interval(of: values.reversed()))
        }
    }

    @Test func theBootstrapIsNarrowerThanMinMaxWhenTheExtremesAreRare() throws {
        // Nineteen repeats near 10 and one outlier: the median's interval must not reach the outlier.
        let values = (0..<19).map { 10 + Double($0) / 100 } + [90]
        let interval = try #require(RepeatStatistics.interval(of: values))
        #expect(interval.method == .bootstrap95)
        #expect(interval.upper < 11 && interval.lower >= 10, "\(interval)")
    }

    @Test func notANumberHasNoInterval() {
        #expect(RepeatStatistics.interval(of: []) == nil)
        #expect(RepeatStatistics.interval(of: [1, .nan, 2]) == nil)
        #expect(RepeatStatistics.interval(of: [1, .infinity, 2, 3, 4]) == nil)
    }

    @Test func overlapIsSymmetricAndMatchesTheClosedIntervals() async {
        let bound = Gen.double(in: 0...10).map { ($0 * 2).rounded() / 2 }
        await propertyCheck(count: 400, input: bound, bound, bound, bound) { a1, a2, b1, b2 in
            let a = RepeatInterval(
                median: (a1 + a2) / 2, lower: min(a1, a2), upper: max(a1, a2), repeats: 3, method: .minMax)
            let b = RepeatInterval(
                median: (b1 + b2) / 2, lower: min(b1, b2), upper: max(b1, b2), repeats: 3, method: .minMax)
            // Reference: some point of one lies in the other (the ends suffice for closed intervals).
            let shared = a.contains(b.lower) || a.contains(b.upper) || b.contains(a.lower) || b.contains(a.upper)
            #expect(a.overlaps(b) == shared, "\(a) vs \(b)")
            #expect(a.overlaps(b) == b.overlaps(a))
            #expect(a.overlaps(a))
        }
        let low = RepeatInterval(median: 2, lower: 1, upper: 3, repeats: 3, method: .minMax)
        let touching = RepeatInterval(median: 4, lower: 3, upper: 5, repeats: 3, method: .minMax)
        let apart = RepeatInterval(median: 5, lower: 3.5, upper: 6, repeats: 3, method: .minMax)
        #expect(low.overlaps(touching))
        #expect(!low.overlaps(apart))
    }

    @Test func splitMixMatchesItsReferenceSequence() {
        // The first outputs for seed 1234567, from the reference C implementation (Vigna).
        var generator = SplitMix64(seed: 1_234_567)
        let outputs = (0..<3).map { _ in generator.next() }
        #expect(outputs == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    @Test func indicesStayBelowTheirBound() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...1_000)) { seed, bound in
            var generator = SplitMix64(seed: seed)
            for _ in 0..<50 {
                let index = generator.index(below: bound)
                #expect(index >= 0 && index < bound)
            }
        }
    }

    @Test func intervalsAreCodable() throws {
        let interval = RepeatInterval(median: 4.1, lower: 3.9, upper: 4.8, repeats: 3, method: .minMax)
        let data = try JSONEncoder().encode(interval)
        #expect(try JSONDecoder().decode(RepeatInterval.self, from: data) == interval)
        #expect(String(decoding: data, as: UTF8.self).contains("\"min-max\""))
    }
}
