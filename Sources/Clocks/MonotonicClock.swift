#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic time in nanoseconds since an arbitrary origin (boot), the one clock every
/// timestamp of a run is taken from.
public enum MonotonicClock {
    /// `clock_gettime(CLOCK_MONOTONIC)`: about 20 ns here, cheap enough for every tick.
    @inlinable
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Blocks the calling OS thread until `deadline` (monotonic ns). Used by threaded models;
    /// async models wait on their executor's own timer instead.
    public static func sleep(until deadline: UInt64) {
        while true {
            let now = Self.now()
            if now >= deadline { return }
            let remaining = deadline - now
            var request = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            var left = timespec()
            _ = nanosleep(&request, &left)
        }
    }
}

/// CPU time consumed by the calling thread, in nanoseconds. A real system call (~360 ns): not
/// for every tick of a hot path.
public enum ThreadCPUClock {
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// CPU time of the whole process, in nanoseconds.
    public static func process() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
