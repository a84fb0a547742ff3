import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose whole state is one word, so
/// that a seed fixes every number it will give, on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`, from the high word of `next() × bound` (Lemire's multiply-shift,
    /// without the rejection step: the bias is below bound / 2⁶⁴, far under anything a resample
    /// could show). Written out rather than `Int.random(in:using:)` so that the sequence does not
    /// depend on the standard library's implementation.
    ///
    /// - Precondition: `bound` > 0.
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "an index below \(bound) does not exist")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}

/// How an interval of repeats was found.
public enum IntervalMethod: String, Codable, Sendable {
    /// Fewer than `RepeatStatistics.bootstrapMinimumRepeats` repeats: the smallest and largest.
    case minMax = "min-max"
    /// A bootstrap 95% percentile interval of the median.
    case bootstrap95 = "bootstrap-95"
}

/// The median of a cell's repeats with an interval around it.
///
/// Contract: `lower ≤ median ≤ upper`, and both bounds lie within the smallest and largest repeat.
public struct RepeatInterval: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The median of the repeats (the mean of the two middle values for an even count).
    public var median: Double
    /// The lower bound of the interval.
    public var lower: Double
    /// The upper bound of the interval.
    public var upper: Double
    /// How many repeats the figures come from.
    public var repeats: Int
    /// How `lower` and `upper` were found.
    public var method: IntervalMethod

    public init(median: Double, lower: Double, upper: Double, repeats: Int, method: IntervalMethod) {
        self.median = median
        self.lower = lower
        self.upper = upper
        self.repeats = repeats
        self.method = method
    }

    /// True when the two closed intervals share at least one point. Two figures whose intervals
    /// overlap show no measurable difference; only disjoint intervals support "A is faster".
    public func overlaps(_ other: RepeatInterval) -> Bool {
        lower <= other.upper && other.lower <= upper
    }

    /// True when `value` lies in the closed interval.
    public func contains(_ value: Double) -> Bool {
        lower <= value && value <= upper
    }

    /// True when the interval is a single point (all repeats equal, or one repeat).
    public var isPoint: Bool { lower == upper }

    /// `4.2 [3.9–4.8] (n=3, min-max)`.
    public var description: String {
        "\(median) [\(lower)–\(upper)] (n=\(repeats), \(method.rawValue))"
    }
}

/// The median and interval of a cell's repeats.
public enum RepeatStatistics {
    /// From this many repeats on the interval is a bootstrap 95% interval; below it, min–max
    /// (a bootstrap of three or four values mostly resamples the extremes, so min–max says the
    /// same more plainly).
    public static let bootstrapMinimumRepeats = 5
    /// Resamples of a bootstrap: enough that the 2.5% and 97.5% points move by less than the
    /// spacing of the repeats from one seed to another.
    public static let standardResamples = 2_000
    /// The seed of `interval(of:)`, fixed so that the same repeats always give the same interval.
    public static let standardSeed: UInt64 = 0x7469_636b_6c61_6221  // "ticklab!"

    /// The median of `values`: the middle value of the sorted values, or the mean of the two
    /// middle ones for an even count. Nil when `values` is empty or holds a NaN (which has no
    /// place in an order). Infinities are allowed: a missing latency counted as +∞ still lets the
    /// others decide the median.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty, !values.contains(where: \.isNaN) else { return nil }
        return sortedMedian(values.sorted())
    }

    /// The median and interval of a cell's repeats, with the standard seed and resample count.
    ///
    /// Below `bootstrapMinimumRepeats` values the interval is min–max; from there on a bootstrap
    /// 95% percentile interval of the median (`standardResamples` resamples, `standardSeed`), so
    /// the result depends only on the values. Nil when `values` is empty or holds a NaN or an
    /// infinity: a cell with a figure that is not a number has no interval, and a caller should
    /// show it as missing rather than as a number.
    public static func interval(of values: [Double]) -> RepeatInterval? {
        var generator = SplitMix64(seed: standardSeed)
        return interval(of: values, resamples: standardResamples, using: &generator)
    }

    /// As `interval(of:)`, with the resample count and the generator given.
    ///
    /// The bootstrap draws `resamples` samples of `values.count` values with replacement, takes
    /// each one's median, and returns the 2.5% and 97.5% points of those medians (nearest rank).
    /// If resampling noise were to leave the sample median outside that range, the range is
    /// widened to include it, so `lower ≤ median ≤ upper` always holds.
    ///
    /// - Precondition: `resamples` > 0.
    public static func interval(of values: [Double], resamples: Int, using generator: inout SplitMix64)
        -> RepeatInterval?
    {
        precondition(resamples > 0, "a bootstrap needs at least one resample")
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        let sorted = values.sorted()
        let median = sortedMedian(sorted)
        guard sorted.count >= bootstrapMinimumRepeats else {
            return RepeatInterval(
                median: median, lower: sorted[0], upper: sorted[sorted.count - 1], repeats: sorted.count,
                method: .minMax)
        }
        var medians: [Double] = []
        medians.reserveCapacity(resamples)
        var sample = [Double](repeating: 0, count: sorted.count)
        for _ in 0..<resamples {
            for slot in sample.indices { sample[slot] = sorted[generator.index(below: sorted.count)] }
            sample.sort()
            medians.append(sortedMedian(sample))
        }
        medians.sort()
        let lower = nearestRank(medians, quantile: 0.025)
        let upper = nearestRank(medians, quantile: 0.975)
        return RepeatInterval(
            median: median, lower: min(lower, median), upper: max(upper, median), repeats: sorted.count,
            method: .bootstrap95)
    }

    /// The nearest-rank quantile of sorted values: the value at rank ⌈q·n⌉ (at least rank 1).
    ///
    /// - Precondition: `sorted` is not empty and sorted ascending; 0 ≤ `quantile` ≤ 1.
    public static func nearestRank(_ sorted: [Double], quantile: Double) -> Double {
        precondition(!sorted.isEmpty && (0...1).contains(quantile), "a quantile in 0...1 of a non-empty list")
        let rank = max(1, Int((quantile * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    private static func sortedMedian(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        let low = sorted[middle - 1], high = sorted[middle]
        if low == high { return low }
        // (low + high) / 2 overflows for huge values; halves first then. Clamped, because halving
        // a subnormal rounds and the mean must stay between its two values.
        let sum = low + high
        let mean = sum.isFinite || low.isInfinite || high.isInfinite ? sum / 2 : low / 2 + high / 2
        return min(max(mean, low), high)
    }
}
