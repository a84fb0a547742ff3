#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a stage thread runs and how much the scheduler favours it: core pinning and niceness,
/// for a model that assigns cores to its stages as a Disruptor deployment does.
///
/// Linux only; elsewhere there is nothing to pin and every call reports `false`.
public enum ThreadPlacement {
    /// The cores the calling thread may run on (its affinity mask, inherited from the process:
    /// `taskset` and cgroup cpusets shrink it), in increasing order.
    public static func allowedCores() -> [Int] {
        #if os(Linux)
            typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return [] }
            let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
            var set = cpu_set_t()
            let ok = withUnsafeMutableBytes(of: &set) { getAffinity(0, $0.count, $0.baseAddress!) } == 0
            guard ok else { return [] }
            return withUnsafeBytes(of: &set) { bytes in
                (0..<bytes.count * 8).filter { bytes[$0 / 8] & (1 << ($0 % 8)) != 0 }
            }
        #else
            return []
        #endif
    }

    /// Restricts the calling thread to one core. False if the system refused (or not Linux).
    @discardableResult
    public static func pinCurrentThread(to core: Int) -> Bool {
        #if os(Linux)
            // `sched_setaffinity` needs _GNU_SOURCE, which Swift's Glibc module does not define:
            // look it up at run time. A pid of 0 is the calling thread.
            typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else { return false }
            var set = cpu_set_t()
            guard core >= 0, core < MemoryLayout<cpu_set_t>.size * 8 else { return false }
            withUnsafeMutableBytes(of: &set) { $0[core / 8] |= UInt8(1 << (core % 8)) }
            let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
            return withUnsafeBytes(of: &set) { setAffinity(0, $0.count, $0.baseAddress!) } == 0
        #else
            return false
        #endif
    }

    /// Sets the calling thread's niceness (0 normal, 19 lowest). On Linux, `setpriority` with
    /// `PRIO_PROCESS` and 0 changes the calling thread only. False if the system refused.
    @discardableResult
    public static func setCurrentThreadNice(_ nice: Int32) -> Bool {
        #if os(Linux)
            return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        #else
            return false
        #endif
    }

    /// The calling thread's niceness.
    public static var currentThreadNice: Int32 {
        #if os(Linux)
            return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
            return 0
        #endif
    }
}
