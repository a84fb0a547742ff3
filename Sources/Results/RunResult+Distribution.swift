import Pipeline

extension RunResult {
    /// The processing latency's distribution as a percentile spectrum (schema 3): the value at
    /// each percentile from p50 to p99.99, as HdrHistogram plots it, in milliseconds.
    public struct Spectrum: Sendable, Hashable, Codable {
        /// Ascending, in percent: 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99.
        public var percentiles: [Double]
        /// The value at each percentile, ms (within 0.1 % above the exact value, never above `max`).
        public var milliseconds: [Double]
        /// Ticks in the distribution: a percentile p with 1/(1 − p) above it shows only the maximum.
        public var count: UInt64
        /// The exact maximum, ms.
        public var max: Double

        public init(percentiles: [Double], milliseconds: [Double], count: UInt64, max: Double) {
            self.percentiles = percentiles
            self.milliseconds = milliseconds
            self.count = count
            self.max = max
        }

        /// A recorded spectrum in milliseconds; nil when nothing was recorded.
        public init?(_ spectrum: LatencySpectrum) {
            guard spectrum.count > 0 else { return nil }
            self.init(
                percentiles: spectrum.percentiles, milliseconds: spectrum.nanoseconds.map { Double($0) / 1e6 },
                count: spectrum.count, max: Double(spectrum.max) / 1e6)
        }

        /// The percentiles this many ticks resolve, with their values: those with 1/(1 − p) at most
        /// `count` (p99.9 needs 1,000 ticks), and always the first.
        public var resolved: [(percentile: Double, milliseconds: Double)] {
            zip(percentiles, milliseconds).enumerated().filter { index, pair in
                index == 0 || 100 / (100 - pair.0) <= Double(count) * 1.000_001
            }.map { ($0.element.0, $0.element.1) }
        }
    }

    /// Processing latency and receiver lag over the run's time (schema 3): one entry per interval
    /// from the first tick's scheduled arrival, each holding the ticks that arrived in it.
    ///
    /// Memory is bounded by a fixed number of intervals (`capacity`): they start 100 ms wide and,
    /// whenever the run outgrows them, adjacent pairs merge and the width doubles (`merges` times),
    /// so a long run has coarser intervals, never more of them.
    public struct Timeline: Sendable, Hashable, Codable {
        /// Every interval's width, seconds.
        public var intervalSeconds: Double
        /// Where the first interval starts: seconds from the window's start (the first tick's
        /// scheduled arrival, so 0 for the synthetic feed).
        public var startSeconds: Double
        /// The most intervals the run could keep, and how many times pairs were merged.
        public var capacity: Int
        public var merges: Int
        /// From the first interval to the last that holds a tick; empty intervals in between
        /// have `count` 0 and zero figures.
        public var intervals: [Interval]

        public init(intervalSeconds: Double, startSeconds: Double, capacity: Int, merges: Int, intervals: [Interval]) {
            self.intervalSeconds = intervalSeconds
            self.startSeconds = startSeconds
            self.capacity = capacity
            self.merges = merges
            self.intervals = intervals
        }

        /// A recorded timeline, its start measured from `windowStart` (monotonic ns); nil when it
        /// holds no tick.
        public init?(_ timeline: LatencyTimeline, windowStart: UInt64) {
            guard let origin = timeline.origin else { return nil }
            func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
            self.init(
                intervalSeconds: Double(timeline.widthNanoseconds) / 1e9,
                startSeconds: (Double(origin) - Double(windowStart)) / 1e9, capacity: timeline.capacity,
                merges: timeline.merges,
                intervals: timeline.intervals.map {
                    Interval(
                        count: $0.count, p50: ms($0.p50), p99: ms($0.p99), max: ms($0.max),
                        receiverLagMax: ms($0.receiverLagMax))
                })
        }

        /// One interval's ticks: how many, their processing latency's p50, p99 (each within 6.25 %
        /// above the exact value) and exact maximum, and their largest receiver lag
        /// (arrival→received), ms.
        public struct Interval: Sendable, Hashable, Codable {
            public var count: UInt64
            public var p50: Double
            public var p99: Double
            public var max: Double
            public var receiverLagMax: Double

            public init(count: UInt64, p50: Double, p99: Double, max: Double, receiverLagMax: Double) {
                self.count = count
                self.p50 = p50
                self.p99 = p99
                self.max = max
                self.receiverLagMax = receiverLagMax
            }
        }

        /// Where interval `index` starts, seconds from the window's start.
        public func start(of index: Int) -> Double { startSeconds + Double(index) * intervalSeconds }
    }
}
