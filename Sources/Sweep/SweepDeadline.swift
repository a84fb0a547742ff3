import Clocks
import Results

/// Where a sweep reads the time for its deadline: the monotonic clock in the program, a clock the
/// test moves in a test (so that no test depends on how long anything really took).
public protocol SweepClock: Sendable {
    /// Seconds since an arbitrary fixed origin; never decreases.
    func now() -> Double
}

/// `CLOCK_MONOTONIC`: wall time that no change of the system's date moves (it keeps counting
/// while the process is stopped, so a sweep stopped past its deadline starts no more runs).
public struct MonotonicSweepClock: SweepClock {
    public init() {}
    public func now() -> Double { Double(MonotonicClock.now()) / 1e9 }
}

/// The instant after which a sweep starts no run (`ticklab advise --budget`).
///
/// The contract: before each run the runner asks ``allows(_:)``; a run whose estimated wall time
/// (``estimatedRunSeconds``: its duration plus a child's start-up, as the plan was fitted with)
/// would end after ``instant`` is not started, and neither is any run after it. A run in progress
/// is never stopped for the deadline (its record would be lost), so a sweep ends at most one
/// run's wall time past the deadline. Because the plan's runs are interleaved repeats
/// (``Interleaving``), the runs cut are the last repeats: repeat 3 of every cell goes before
/// repeat 2 of any, and the cells keep the same number of repeats, give or take one.
public struct SweepDeadline: Sendable {
    public var clock: any SweepClock
    /// The deadline on `clock`, seconds.
    public var instant: Double
    /// A run's expected wall time, seconds, start-up included.
    public var estimatedRunSeconds: @Sendable (SweepRun) -> Double

    public init(clock: any SweepClock, instant: Double, estimatedRunSeconds: @escaping @Sendable (SweepRun) -> Double) {
        self.clock = clock
        self.instant = instant
        self.estimatedRunSeconds = estimatedRunSeconds
    }

    /// A deadline `seconds` from now on `clock`.
    public static func after(
        _ seconds: Double, clock: any SweepClock = MonotonicSweepClock(),
        estimatedRunSeconds: @escaping @Sendable (SweepRun) -> Double
    ) -> SweepDeadline {
        SweepDeadline(clock: clock, instant: clock.now() + seconds, estimatedRunSeconds: estimatedRunSeconds)
    }

    /// Whether `run`, started now, is expected to end by the deadline.
    public func allows(_ run: SweepRun) -> Bool { clock.now() + estimatedRunSeconds(run) <= instant }

    /// Seconds from now to the deadline (negative past it).
    public var secondsLeft: Double { instant - clock.now() }
}
