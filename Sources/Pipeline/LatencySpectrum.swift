/// A latency distribution as a percentile spectrum, as HdrHistogram plots it: the value at each of
/// a fixed list of percentiles from the median into the far tail, nanoseconds.
public struct LatencySpectrum: Sendable, Hashable {
    /// p50 to p99.99: each step a little further into the tail, about evenly spaced on the
    /// 1/(1 − p) axis the spectrum is drawn on.
    public static let standardPercentiles: [Double] = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]

    /// Ascending, in percent.
    public var percentiles: [Double]
    /// The value at each percentile (``LatencyHistogram/value(atPercentile:)``): at or above the
    /// exact one by at most 1/1,024 of it, never above the maximum.
    public var nanoseconds: [UInt64]
    /// Values in the distribution: a percentile p above 1 − 1/count says no more than the maximum.
    public var count: UInt64
    /// The exact maximum.
    public var max: UInt64

    public init(percentiles: [Double], nanoseconds: [UInt64], count: UInt64, max: UInt64) {
        self.percentiles = percentiles
        self.nanoseconds = nanoseconds
        self.count = count
        self.max = max
    }
}

extension LatencyRecorder {
    /// The recorded distribution at `percentiles` (ascending, in percent).
    public func spectrum(percentiles: [Double] = LatencySpectrum.standardPercentiles) -> LatencySpectrum {
        let histogram = histogram.flushed()
        return LatencySpectrum(
            percentiles: percentiles, nanoseconds: histogram.values(atPercentiles: percentiles),
            count: histogram.count, max: histogram.max)
    }
}
