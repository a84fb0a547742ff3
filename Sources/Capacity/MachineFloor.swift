import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How late a thread wakes from a sleep until a deadline on this machine.
///
/// Every latency the lab measures includes at least one such wake-up (a stage waiting for work, the
/// exchange waiting for a tick's arrival time), so a latency below `p99Nanoseconds` is the
/// machine's, not the model's.
public struct WakeUpLateness: Hashable, Codable, Sendable {
    /// How long each sleep was asked to last, in nanoseconds.
    public var sleepNanoseconds: UInt64
    /// How many sleeps were timed.
    public var samples: Int
    /// Median lateness (woken − deadline), in nanoseconds.
    public var p50Nanoseconds: UInt64
    /// 99th percentile of lateness (nearest rank), in nanoseconds.
    public var p99Nanoseconds: UInt64
    /// The latest wake-up, in nanoseconds.
    public var maxNanoseconds: UInt64
    /// The measuring thread's timer slack in nanoseconds, when it could be read (Linux, measured on
    /// the main thread; the kernel may wake a sleeper up to this much late on purpose, 50 µs by
    /// default; the lab's stage threads ask for 1 ns).
    public var timerSlackNanoseconds: UInt64?

    public init(
        sleepNanoseconds: UInt64, samples: Int, p50Nanoseconds: UInt64, p99Nanoseconds: UInt64, maxNanoseconds: UInt64,
        timerSlackNanoseconds: UInt64?
    ) {
        self.sleepNanoseconds = sleepNanoseconds
        self.samples = samples
        self.p50Nanoseconds = p50Nanoseconds
        self.p99Nanoseconds = p99Nanoseconds
        self.maxNanoseconds = maxNanoseconds
        self.timerSlackNanoseconds = timerSlackNanoseconds
    }
}

/// What one read of the monotonic clock costs on this machine. Every latency is a difference of
/// two reads, and every tick takes several, so this is the smallest difference that means anything
/// and part of the measurement's own cost per tick.
public struct ClockReadCost: Hashable, Codable, Sendable {
    /// How many timed batches there were.
    public var batches: Int
    /// How many clock reads each batch made.
    public var readsPerBatch: Int
    /// The median over batches of a batch's time ÷ its reads, in nanoseconds.
    public var medianNanosecondsPerRead: Double
    /// The fastest batch's time per read, in nanoseconds.
    public var minNanosecondsPerRead: Double
    /// The slowest batch's time per read, in nanoseconds.
    public var maxNanosecondsPerRead: Double

    public init(
        batches: Int, readsPerBatch: Int, medianNanosecondsPerRead: Double, minNanosecondsPerRead: Double,
        maxNanosecondsPerRead: Double
    ) {
        self.batches = batches
        self.readsPerBatch = readsPerBatch
        self.medianNanosecondsPerRead = medianNanosecondsPerRead
        self.minNanosecondsPerRead = minNanosecondsPerRead
        self.maxNanosecondsPerRead = maxNanosecondsPerRead
    }
}

/// The machine's floor: what the machine itself adds to every latency, measured here and now.
public struct MachineFloor: Hashable, Codable, Sendable {
    public var wakeUp: WakeUpLateness
    public var clockRead: ClockReadCost
    /// What the lab's own measurement (the stamps and histogram records of one tick) costs; nil
    /// when it was not measured.
    public var measurement: MeasurementCost? = nil

    public init(wakeUp: WakeUpLateness, clockRead: ClockReadCost, measurement: MeasurementCost? = nil) {
        self.wakeUp = wakeUp
        self.clockRead = clockRead
        self.measurement = measurement
    }
}

/// The measurement's own cost per tick: every tick is stamped at each stage and each of its
/// latencies recorded in a histogram, and that time is spent on the hot path.
public struct MeasurementCost: Hashable, Codable, Sendable {
    /// Clock reads and histogram records one tick costs, as the pipeline makes them.
    public var clockReadsPerTick: Int
    public var recordsPerTick: Int
    /// How many ticks' worth were timed.
    public var ticks: Int
    /// The median over batches of the time per tick, and the fastest and slowest batch, in ns.
    public var medianNanosecondsPerTick: Double
    public var minNanosecondsPerTick: Double
    public var maxNanosecondsPerTick: Double

    public init(
        clockReadsPerTick: Int, recordsPerTick: Int, ticks: Int, medianNanosecondsPerTick: Double,
        minNanosecondsPerTick: Double, maxNanosecondsPerTick: Double
    ) {
        self.clockReadsPerTick = clockReadsPerTick
        self.recordsPerTick = recordsPerTick
        self.ticks = ticks
        self.medianNanosecondsPerTick = medianNanosecondsPerTick
        self.minNanosecondsPerTick = minNanosecondsPerTick
        self.maxNanosecondsPerTick = maxNanosecondsPerTick
    }
}

/// Measures the machine's floor on the calling thread. The figures depend on the machine and on
/// what else runs on it; nothing about them is guaranteed except their shape (counts as asked,
/// p50 ≤ p99 ≤ max, nothing negative).
public enum FloorMeasurement {
    /// Sleeps of the default wake-up measurement: 2,000 sleeps of 1 ms take about 2.2 s and put
    /// 20 samples beyond the p99.
    public static let standardSleeps = 2_000
    /// Each sleep asks for 1 ms: long enough that the CPU goes idle (the case of a stage waiting
    /// for the next tick), short enough to take many samples.
    public static let standardSleepNanoseconds: UInt64 = 1_000_000
    /// Batches of the clock-read measurement; the median of an odd count is one batch's figure.
    public static let standardBatches = 31
    /// Reads per batch: about 0.3 ms of reads at 20-30 ns each, so the two reads that time a batch
    /// are lost in it, yet short against a scheduler time slice, so that on a busy machine most
    /// batches run unpreempted and the median is the read's cost rather than a neighbour's.
    public static let standardReadsPerBatch = 10_000

    /// Both measurements with the given number of sleeps and the defaults otherwise.
    public static func measure(sleeps: Int = standardSleeps) -> MachineFloor {
        MachineFloor(wakeUp: wakeUpLateness(sleeps: sleeps), clockRead: clockReadCost())
    }

    /// Sleeps `sleeps` times until a deadline `sleepNanoseconds` after the previous wake-up
    /// (`clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` on Linux; a relative `nanosleep` until the
    /// deadline elsewhere) and summarises how late each wake-up was. A deadline comes from the
    /// previous wake-up, not a fixed grid, so one late wake-up does not make the next ones late.
    ///
    /// - Precondition: `sleeps` > 0, `sleepNanoseconds` > 0.
    public static func wakeUpLateness(sleeps: Int, sleepNanoseconds: UInt64 = standardSleepNanoseconds)
        -> WakeUpLateness
    {
        precondition(sleeps > 0 && sleepNanoseconds > 0, "at least one sleep of more than 0 ns")
        var lateness: [UInt64] = []
        lateness.reserveCapacity(sleeps)
        for _ in 0..<sleeps {
            let deadline = monotonicNanoseconds() &+ sleepNanoseconds
            sleep(until: deadline)
            let woken = monotonicNanoseconds()
            // A clock that reads the deadline itself is 0 late; before it cannot happen (the
            // sleep returns only at or after the deadline) but would count as 0, not wrap.
            lateness.append(woken >= deadline ? woken - deadline : 0)
        }
        lateness.sort()
        return WakeUpLateness(
            sleepNanoseconds: sleepNanoseconds, samples: lateness.count,
            p50Nanoseconds: nearestRank(lateness, 0.5), p99Nanoseconds: nearestRank(lateness, 0.99),
            maxNanoseconds: lateness[lateness.count - 1], timerSlackNanoseconds: timerSlack())
    }

    /// Times `batches` loops of `readsPerBatch` reads of `CLOCK_MONOTONIC` and gives the cost per
    /// read: median, fastest and slowest batch.
    ///
    /// - Precondition: `batches` > 0, `readsPerBatch` > 0.
    public static func clockReadCost(batches: Int = standardBatches, readsPerBatch: Int = standardReadsPerBatch)
        -> ClockReadCost
    {
        precondition(batches > 0 && readsPerBatch > 0, "at least one batch of one read")
        var perRead: [Double] = []
        var sink: UInt64 = 0
        for _ in 0..<batches {
            let start = monotonicNanoseconds()
            for _ in 0..<readsPerBatch { sink &+= monotonicNanoseconds() }
            let end = monotonicNanoseconds()
            perRead.append(Double(end &- start) / Double(readsPerBatch))
        }
        // The reads are calls into the vDSO that the optimiser cannot drop; keeping their sum
        // alive documents that the loop's work is used.
        withExtendedLifetime(sink) {}
        perRead.sort()
        let median =
            perRead.count % 2 == 1
            ? perRead[perRead.count / 2]
            : (perRead[perRead.count / 2 - 1] + perRead[perRead.count / 2]) / 2
        return ClockReadCost(
            batches: batches, readsPerBatch: readsPerBatch, medianNanosecondsPerRead: median,
            minNanosecondsPerRead: perRead[0], maxNanosecondsPerRead: perRead[perRead.count - 1])
    }

    /// `CLOCK_MONOTONIC` in nanoseconds.
    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// The nearest-rank quantile of sorted, non-empty values: the value at rank ⌈q·n⌉ (≥ 1).
    static func nearestRank(_ sorted: [UInt64], _ quantile: Double) -> UInt64 {
        let rank = max(1, Int((quantile * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    private static func sleep(until deadline: UInt64) {
        #if os(Linux)
            var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            // clock_nanosleep returns the error number itself; EINTR (a signal) means sleep again
            // until the same deadline.
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
        #else
            while true {
                let now = monotonicNanoseconds()
                guard now < deadline else { return }
                var remaining = timespec(
                    tv_sec: Int((deadline - now) / 1_000_000_000), tv_nsec: Int((deadline - now) % 1_000_000_000))
                _ = nanosleep(&remaining, nil)
            }
        #endif
    }

    /// Asks for `nanoseconds` of timer slack on the calling thread, as the lab's stage threads do
    /// (1 ns), so that the wake-up floor is the one they see rather than the default 50 µs.
    /// Works on Linux on the main thread only (by writing /proc/self/timerslack_ns, which is the
    /// thread-group leader's; prctl is variadic and out of Swift's reach). Returns whether it took.
    @discardableResult
    public static func requestTimerSlack(nanoseconds: UInt64) -> Bool {
        #if os(Linux)
            guard Thread.isMainThread, nanoseconds > 0,
                (try? "\(nanoseconds)".write(toFile: "/proc/self/timerslack_ns", atomically: false, encoding: .utf8))
                    != nil
            else { return false }
            return timerSlack() == nanoseconds
        #else
            return false
        #endif
    }

    /// Gives the process's main thread back the kernel's default timer slack (writing 0 to
    /// /proc/self/timerslack_ns), after ``requestTimerSlack(nanoseconds:)``: threads and child
    /// processes started later inherit the slack of the thread that starts them. Linux only.
    public static func restoreDefaultTimerSlack() {
        #if os(Linux)
            try? "0".write(toFile: "/proc/self/timerslack_ns", atomically: false, encoding: .utf8)
        #endif
    }

    /// The calling thread's timer slack, readable on Linux only for the main thread
    /// (/proc/self/timerslack_ns is the thread-group leader's); nil otherwise.
    private static func timerSlack() -> UInt64? {
        #if os(Linux)
            guard Thread.isMainThread,
                let text = try? String(contentsOfFile: "/proc/self/timerslack_ns", encoding: .utf8)
            else { return nil }
            return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        #else
            return nil
        #endif
    }
}
