/// A log-linear histogram of nanosecond latencies, HdrHistogram's layout at three significant
/// digits: values below 2,048 each have a bin of their own; above, every power of two
/// [2^k, 2^(k+1)) is cut into 1,024 equal bins, so a bin is at most 1/1,024 (< 0.1 %) of the
/// values it holds. Values are clamped to ``LatencyHistogram/highestTrackable`` (an hour).
///
/// Written for the hot path: a record stores the value in a small buffer inside the value (no
/// check that the bins' storage is unshared, no bounds check); every ``bufferCapacity`` records
/// the buffer goes into the bins at once, one uniqueness check for all, each a bin index from a
/// leading-zero count and a shift and one increment. About 3 ns a record in a stage, against
/// 6 ns for an unbuffered record (the storage check dominates) and 6–11 ns for hdrhistogram-swift's.
/// The count, the sum (so the mean) and the maximum are exact; the percentiles are the highest
/// value of the bin the percentile falls in (as HdrHistogram reports them), never above the
/// maximum. A value like any other: a copy holds its buffered records too.
public struct LatencyHistogram: Sendable, Hashable {
    /// The largest value kept as it is: an hour in nanoseconds; larger values count as this.
    public static let highestTrackable: UInt64 = 3_600_000_000_000
    /// log2 of the bins per half power of two (1,024): three significant digits.
    @usableFromInline static let subBinBits = 10
    /// Bins: 2,048 for the values below 2^11, then 1,024 for each power of two up to 2^42.
    @usableFromInline static let binCount = binIndex(highestTrackable) + 1

    /// Records held before they go into the bins.
    public static var bufferCapacity: Int { RecordBuffer.capacity }

    @usableFromInline var bins: [UInt64]
    @usableFromInline var recorded: UInt64 = 0
    @usableFromInline var total: UInt64 = 0
    @usableFromInline var largest: UInt64 = 0
    /// The records not yet in the bins, inline in the value.
    @usableFromInline var pending = RecordBuffer()

    /// Values recorded.
    public var count: UInt64 { recorded &+ UInt64(pending.count) }
    /// Their exact sum in nanoseconds (wraps only past 584 years of latency in all).
    public var sum: UInt64 { flushed().total }
    /// The largest value recorded (clamped to an hour), 0 while empty.
    public var max: UInt64 { flushed().largest }

    public init() { bins = Array(repeating: 0, count: Self.binCount) }

    /// The bin of `value` (at most ``highestTrackable``): the value itself below 2,048; above,
    /// the power of two's 1,024 bins, offset past the lower powers' bins.
    @inlinable @inline(__always)
    static func binIndex(_ value: UInt64) -> Int {
        LogLinearBin.index(of: value, subBinBits: subBinBits)
    }

    /// The lowest and highest value a bin holds.
    static func range(ofBin index: Int) -> ClosedRange<UInt64> {
        let shift = index < 2 << subBinBits ? 0 : (index >> subBinBits) - 1
        let lowest = UInt64(index - (shift << subBinBits)) << UInt64(shift)
        return lowest...(lowest + (1 << UInt64(shift)) - 1)
    }

    @inlinable
    public mutating func record(_ value: UInt64) {
        if _slowPath(pending.append(value)) { flush() }
    }

    /// Puts the buffered records into the bins.
    @usableFromInline
    mutating func flush() {
        if pending.count > 0 { insert(pending.take()) }
    }

    /// Puts `records` into the bins, leaving this histogram's own buffer as it is.
    @usableFromInline
    mutating func insert(_ records: RecordBuffer) {
        var sum = total, top = largest
        records.withRecords { values in
            bins.withUnsafeMutableBufferPointer { bins in
                for recorded in values {
                    let value = Swift.min(recorded, Self.highestTrackable)
                    bins[Self.binIndex(value)] &+= 1
                    sum &+= value
                    top = Swift.max(top, value)
                }
            }
        }
        total = sum
        largest = top
        recorded &+= UInt64(records.count)
    }

    /// This histogram with its buffer in the bins.
    func flushed() -> LatencyHistogram {
        var copy = self
        copy.flush()
        return copy
    }

    public static func == (a: LatencyHistogram, b: LatencyHistogram) -> Bool {
        let a = a.flushed(), b = b.flushed()
        return a.recorded == b.recorded && a.total == b.total && a.largest == b.largest && a.bins == b.bins
    }

    public func hash(into hasher: inout Hasher) {
        let flushed = flushed()
        hasher.combine(flushed.recorded)
        hasher.combine(flushed.total)
        hasher.combine(flushed.bins)
    }

    /// Adds `other`'s values.
    public mutating func merge(_ other: LatencyHistogram) {
        let other = other.flushed()
        flush()
        guard other.recorded > 0 else { return }
        for index in bins.indices { bins[index] &+= other.bins[index] }
        recorded &+= other.recorded
        total &+= other.total
        largest = Swift.max(largest, other.largest)
    }

    /// The exact mean, 0 while empty.
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The values at each of `percentiles` (see ``value(atPercentile:)``), the buffer flushed
    /// once for all.
    public func values(atPercentiles percentiles: [Double]) -> [UInt64] {
        let histogram = flushed()
        return percentiles.map { histogram.value(atPercentile: $0) }
    }

    /// The percentile: the highest value of the bin holding the value of rank ⌈`percentile`/100
    /// · count⌉ (at least 1) in sorted order, capped at the maximum; so at or above that value
    /// by at most 1/1,024 of it. 0 while empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard pending.count == 0 else { return flushed().value(atPercentile: percentile) }
        let count = recorded, max = largest
        guard count > 0 else { return 0 }
        // Just below the percentile, as HdrHistogram does: 99.9 % of 1,000 values is rank 999,
        // not the 1,000 that 0.999's rounding up would make it.
        let fraction = Swift.min(Swift.max(percentile.nextDown, 0), 100) / 100
        let wanted = Swift.max(1, UInt64((fraction * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, binCount) in bins.enumerated() where binCount > 0 {
            seen &+= binCount
            if seen >= wanted { return Swift.min(Self.range(ofBin: index).upperBound, max) }
        }
        return max
    }
}

/// The log-linear layout of ``LatencyHistogram`` and ``LatencyTimeline``: with `s` sub-bin bits,
/// each value below 2^(s+1) has a bin of its own; above, the bins of [2^k, 2^(k+1)) are 2^s equal
/// ones, after those of the lower powers: bin (k − s + 1) · 2^s + the value's first s bits after
/// its leading one.
@usableFromInline
enum LogLinearBin {
    /// The bin of `value`, which must be below 2^53 (the histograms clamp at an hour, 2^42).
    ///
    /// Above 2^(s+1), the bin is the value's binary exponent and the first `subBinBits` bits of
    /// its mantissa: the high bits of its `Double`, exact below 2^53, less a constant. One
    /// conversion and a shift, where a leading-zero count (a `bsr` on x86-64's baseline) feeding
    /// a variable shift made the saturated tick a fifth slower (`Benchmarks/MeasurementBenchmarks`).
    @inlinable @inline(__always)
    static func index(of value: UInt64, subBinBits: Int) -> Int {
        let bits = Double(Int64(truncatingIfNeeded: value)).bitPattern
        // The exponent field of 2^k is 1,023 + k: bin (k − s + 1) · 2^s is that less 1,022 + s.
        let logLinear =
            Int(truncatingIfNeeded: bits &>> UInt64(52 &- subBinBits)) &- ((1_022 &+ subBinBits) &<< subBinBits)
        return value < UInt64(2) &<< UInt64(subBinBits) ? Int(truncatingIfNeeded: value) : logLinear
    }
}
