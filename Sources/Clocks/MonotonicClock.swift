#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic time in nanoseconds since an arbitrary origin (boot), the one clock every
/// timestamp of a run is taken from.
///
/// The public API outside the hot path takes ``MonotonicInstant`` and `Duration`; the `UInt64`
/// forms here serve the hot path, whose stamps are nanoseconds (see ``MonotonicInstant``).
public enum MonotonicClock {
    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds: about 20 ns here, cheap enough for every
    /// tick. ``MonotonicInstant/now()`` is the typed reading.
    @inlinable
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Blocks the calling OS thread until `deadline`, at once for a past one. Used by threaded
    /// models; async models wait on their executor's own timer instead.
    public static func sleep(until deadline: MonotonicInstant) {
        sleep(until: deadline.nanoseconds)
    }

    /// Blocks the calling OS thread until `deadline` in monotonic nanoseconds: the hot path's
    /// overload, for deadlines computed from a tick's stamps (a wait strategy's sleep, the
    /// receiver's wait for the next scheduled tick).
    @inlinable
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
