/// A latency distribution in nanoseconds, recorded into a ``LatencyHistogram``: constant memory
/// however long the run, three significant digits up to an hour, count, sum and maximum exact.
public struct LatencyRecorder: Sendable {
    @usableFromInline var histogram = LatencyHistogram()

    public init() {}

    @inlinable
    public mutating func record(_ nanos: UInt64) {
        histogram.record(nanos)
    }

    /// Records `later − earlier`, zero if the clock reads went backwards (they cannot with a
    /// monotonic clock, but a stamp may be missing).
    @inlinable
    public mutating func record(from earlier: UInt64, to later: UInt64) {
        record(later >= earlier ? later &- earlier : 0)
    }

    public var count: UInt64 { histogram.count }

    public mutating func merge(_ other: LatencyRecorder) { histogram.merge(other.histogram) }

    public var summary: LatencySummary {
        let h = histogram.flushed()
        guard h.count > 0 else { return LatencySummary() }
        func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
        return LatencySummary(
            count: h.count, mean: h.mean / 1e6,
            p50: ms(h.value(atPercentile: 50)), p90: ms(h.value(atPercentile: 90)),
            p99: ms(h.value(atPercentile: 99)), p999: ms(h.value(atPercentile: 99.9)), max: ms(h.max))
    }
}

/// A latency distribution as reported: milliseconds.
public struct LatencySummary: Sendable, Hashable, Codable {
    public var count: UInt64 = 0
    public var mean: Double = 0
    public var p50: Double = 0
    public var p90: Double = 0
    public var p99: Double = 0
    public var p999: Double = 0
    public var max: Double = 0

    public init() {}

    public init(count: UInt64, mean: Double, p50: Double, p90: Double, p99: Double, p999: Double, max: Double) {
        self.count = count
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }
}

/// Inbound queue depth, sampled at every enqueue (the depth right after the tick went in).
public struct DepthStatistics: Sendable, Hashable {
    public private(set) var peak = 0
    public private(set) var last = 0
    public private(set) var samples: UInt64 = 0
    private var sum: UInt64 = 0

    public init() {}

    /// Records `count` enqueues that left the queue `depthAfter` deep: depths
    /// `depthAfter − count + 1 … depthAfter`.
    public mutating func recordEnqueue(count: Int, depthAfter: Int) {
        guard count > 0 else { return }
        let n = UInt64(count)
        let d = UInt64(max(depthAfter, count))
        sum &+= n &* d &- n &* (n &- 1) / 2
        samples &+= n
        if depthAfter > peak { peak = depthAfter }
        last = depthAfter
    }

    public var mean: Double { samples == 0 ? 0 : Double(sum) / Double(samples) }
}

/// CPU work accounting: what was asked against what the thread CPU clock saw.
public struct WorkAccounting: Sendable, Hashable {
    public private(set) var units: UInt64 = 0
    public private(set) var nanos: UInt64 = 0

    public init() {}

    public mutating func record(_ spent: UInt64) {
        units &+= 1
        nanos &+= spent
    }

    /// Mean measured milliseconds per unit of work, nil when none ran.
    public var meanMillis: Double? { units == 0 ? nil : Double(nanos) / Double(units) / 1e6 }
}
