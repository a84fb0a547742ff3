import Clocks

/// Latency over a run's time: per interval of the run, how many ticks came, the p50, p99 and
/// maximum of their latency, and the largest receiver lag among them, in memory that stays the
/// same however long the run.
///
/// **The memory bound** is a fixed number of intervals (``capacity``, 128 by default). The
/// intervals start ``standardInitialWidth`` (100 ms) wide from the first tick's stamp; when a
/// stamp falls past the last interval, adjacent pairs are merged (their bins added, their maxima
/// taken) and the width doubles, as often as needed, so a run of any length keeps at most
/// `capacity` intervals, between half and all of them in use, each at most twice as wide as it
/// must be. The merge is exact: an interval keeps its own small histogram, not percentiles that
/// could not be combined.
///
/// **Each interval's histogram** is log-linear, 16 bins per power of two (HdrHistogram's layout at
/// about 1.2 significant digits): a percentile is the highest value of its bin, capped at the
/// interval's exact maximum, so at most 1/16 (6.25 %) above the true value. That is enough for a
/// chart of latency over time; the run's own ``LatencyHistogram`` keeps three digits.
///
/// **On the hot path** a record compares the stamp with the current interval's end, stores the
/// latency in a small buffer inside the value and keeps the largest lag; every
/// ``LatencyHistogram/bufferCapacity`` records the buffer goes into the bins at once, as
/// ``LatencyHistogram`` does (``ProcessingLatency`` feeds a timeline and a histogram from one
/// buffer). The next interval begins when a tick's stamp crosses the boundary:
/// no timer, no thread. A merge (once per doubling of the run's length past 12.8 s) adds the
/// bins of every interval, about 80,000 additions, in the record that crosses it.
///
/// A stamp earlier than the current interval (a stamp from another clock, or out of order)
/// counts in the current interval: intervals only move forward.
public struct LatencyTimeline: Sendable {
    /// The intervals kept at most.
    public static let standardCapacity = 128
    /// The intervals' width until the first merge: 20 intervals in a 2 s cell, 12.8 s before the
    /// first merge.
    public static let standardInitialWidth: Duration = .milliseconds(100)

    /// log2 of the bins per power of two (16).
    @usableFromInline static let subBinBits = 4
    /// Bins of one interval: 32 for the values below 2^5, then 16 per power of two up to an hour.
    @usableFromInline static let binsPerInterval = binIndex(LatencyHistogram.highestTrackable) + 1

    /// The most intervals kept.
    public let capacity: Int
    /// The first interval's start: the first record's stamp; nil before it.
    public private(set) var origin: UInt64?
    /// Every interval's width, nanoseconds.
    public private(set) var widthNanoseconds: UInt64
    /// How many times pairs of intervals were merged (and the width doubled).
    public private(set) var merges = 0

    /// The current interval's index; intervals above it are empty.
    @usableFromInline var current = 0
    /// The current interval's end: a stamp at or past it moves the timeline on. 0 before the
    /// first record, so that the first record starts the timeline.
    @usableFromInline var boundary: UInt64 = 0
    /// The largest receiver lag of the current interval, kept per record (a compare).
    @usableFromInline var currentLagMax: UInt64 = 0
    /// `capacity × binsPerInterval` bin counts, interval by interval.
    @usableFromInline var bins: [UInt32]
    @usableFromInline var counts: [UInt64]
    @usableFromInline var maxima: [UInt64]
    @usableFromInline var lagMaxima: [UInt64]
    /// The records not yet in the current interval's bins.
    @usableFromInline var pending = RecordBuffer()

    /// - Parameters:
    ///   - capacity: the most intervals kept (at least 2, rounded up to an even number, so that
    ///     intervals merge in pairs).
    ///   - initialWidth: the intervals' width until the first merge (at least 1 ns).
    public init(capacity: Int = standardCapacity, initialWidth: Duration = standardInitialWidth) {
        let capacity = max(2, capacity + capacity % 2)
        self.capacity = capacity
        widthNanoseconds = max(1, initialWidth.saturatingNanoseconds)
        bins = Array(repeating: 0, count: capacity * Self.binsPerInterval)
        counts = Array(repeating: 0, count: capacity)
        maxima = Array(repeating: 0, count: capacity)
        lagMaxima = Array(repeating: 0, count: capacity)
    }

    /// The bin of `value` (at most ``LatencyHistogram/highestTrackable``): the value itself below
    /// 32; above, its power of two's 16 bins, past the lower powers' bins.
    @inlinable @inline(__always)
    static func binIndex(_ value: UInt64) -> Int {
        LogLinearBin.index(of: value, subBinBits: subBinBits)
    }

    /// The highest value a bin holds.
    static func highestValue(ofBin index: Int) -> UInt64 {
        let shift = index < 2 << subBinBits ? 0 : (index >> subBinBits) - 1
        let lowest = UInt64(index - (shift << subBinBits)) << UInt64(shift)
        return lowest + (1 << UInt64(shift)) - 1
    }

    /// Records one tick's `latency` in the interval of `stamp` (nanoseconds on the monotonic
    /// clock; the tick's scheduled arrival, so that each interval holds the ticks that came in
    /// it), with the tick's receiver lag.
    @inlinable
    public mutating func record(_ latency: UInt64, at stamp: UInt64, receiverLag: UInt64) {
        if _slowPath(stamp >= boundary) { advance(to: stamp) }
        noteReceiverLag(receiverLag)
        if _slowPath(pending.append(latency)) { flush() }
    }

    /// Keeps `lag` if it is the current interval's largest receiver lag.
    @inlinable @inline(__always)
    mutating func noteReceiverLag(_ lag: UInt64) {
        if lag > currentLagMax { currentLagMax = lag }
    }

    /// Puts the buffered records into the current interval's bins.
    @usableFromInline
    mutating func flush() {
        if pending.count > 0 { insert(pending.take()) }
    }

    /// Puts `records` into the current interval's bins, leaving this timeline's own buffer as
    /// it is.
    @usableFromInline
    mutating func insert(_ records: RecordBuffer) {
        let base = current &* Self.binsPerInterval
        var top = maxima[current]
        records.withRecords { values in
            bins.withUnsafeMutableBufferPointer { bins in
                for recorded in values {
                    let value = Swift.min(recorded, LatencyHistogram.highestTrackable)
                    bins[base &+ Self.binIndex(value)] &+= 1
                    top = Swift.max(top, value)
                }
            }
        }
        maxima[current] = top
        counts[current] &+= UInt64(records.count)
    }

    /// Closes the current interval and moves to the one holding `stamp`, merging pairs until it
    /// fits; the first record starts the timeline at its stamp.
    @usableFromInline
    mutating func advance(to stamp: UInt64) {
        guard let origin else {
            origin = stamp
            boundary = stamp &+ widthNanoseconds
            return
        }
        flush()
        lagMaxima[current] = Swift.max(lagMaxima[current], currentLagMax)
        currentLagMax = 0
        var index = (stamp &- origin) / widthNanoseconds
        while index >= UInt64(capacity) {
            mergePairs()
            index = (stamp &- origin) / widthNanoseconds
        }
        current = Int(index)
        let (end, overflow) = origin.addingReportingOverflow((index &+ 1) &* widthNanoseconds)
        boundary = overflow ? .max : end
    }

    /// Interval `i` becomes intervals `2i` and `2i + 1` together; the width doubles.
    mutating func mergePairs() {
        let half = capacity / 2
        let width = Self.binsPerInterval
        bins.withUnsafeMutableBufferPointer { bins in
            for i in 0..<half {
                let to = i * width, a = 2 * i * width, b = a + width
                for bin in 0..<width { bins[to + bin] = bins[a + bin] &+ bins[b + bin] }
            }
            for bin in (half * width)..<(capacity * width) { bins[bin] = 0 }
        }
        for i in 0..<half {
            counts[i] = counts[2 * i] &+ counts[2 * i + 1]
            maxima[i] = Swift.max(maxima[2 * i], maxima[2 * i + 1])
            lagMaxima[i] = Swift.max(lagMaxima[2 * i], lagMaxima[2 * i + 1])
        }
        for i in half..<capacity {
            counts[i] = 0
            maxima[i] = 0
            lagMaxima[i] = 0
        }
        current /= 2
        widthNanoseconds = widthNanoseconds > UInt64.max / 2 ? .max : widthNanoseconds * 2
        merges += 1
    }

    /// One interval as reported: nanoseconds.
    public struct Interval: Sendable, Hashable {
        /// Ticks recorded in it.
        public var count: UInt64
        /// The interval's latency percentiles (within 6.25 % above) and exact maximum; 0 when empty.
        public var p50: UInt64
        public var p99: UInt64
        public var max: UInt64
        /// The largest receiver lag of its ticks.
        public var receiverLagMax: UInt64
    }

    /// The intervals from the first to the current, empty ones included (so that interval `i`
    /// starts at ``origin`` + `i` × ``widthNanoseconds``); none before the first record.
    public var intervals: [Interval] {
        guard origin != nil else { return [] }
        var timeline = self
        timeline.flush()
        timeline.lagMaxima[timeline.current] = Swift.max(timeline.lagMaxima[timeline.current], timeline.currentLagMax)
        return (0...timeline.current).map { timeline.interval($0) }
    }

    /// Ticks recorded in all.
    public var count: UInt64 { counts.reduce(0, &+) &+ UInt64(pending.count) }

    private func interval(_ index: Int) -> Interval {
        let count = counts[index], largest = maxima[index]
        func percentile(_ p: Double) -> UInt64 {
            guard count > 0 else { return 0 }
            // As LatencyHistogram: the rank just below the percentile, at least 1.
            let wanted = Swift.max(1, UInt64((p.nextDown / 100 * Double(count)).rounded(.up)))
            var seen: UInt64 = 0
            let base = index * Self.binsPerInterval
            for bin in 0..<Self.binsPerInterval where bins[base + bin] > 0 {
                seen &+= UInt64(bins[base + bin])
                if seen >= wanted { return Swift.min(Self.highestValue(ofBin: bin), largest) }
            }
            return largest
        }
        return Interval(
            count: count, p50: percentile(50), p99: percentile(99), max: largest, receiverLagMax: lagMaxima[index])
    }
}
