import Clocks
import Locks
import Models
import Pipeline
import Results

#if canImport(Glibc)
    import Glibc
#endif

/// Watches a run from a thread of its own: the CPU the process burns in the idle stretch before
/// the first tick, the process's context switches and allocations from the window's start, and
/// the threads alive (sampled from /proc/self/task). Its own CPU, switches and allocations are
/// taken out of what it reports, and its own thread is not counted.
final class CostProbe: Sendable {
    /// What the probe measures, in monotonic nanoseconds.
    struct Plan: Sendable {
        /// The idle stretch: the model's threads are up and the first tick is not yet due. Nil
        /// for a run without one.
        var idle: Range<UInt64>?
        /// The first scheduled arrival: the process's usage is counted from here.
        var windowStart: UInt64
        var sampleInterval: UInt64 = CostProbe.standardSampleInterval
    }

    /// What the probe saw, once it ended.
    struct Findings: Sendable {
        var idle: RunResult.Cost.IdleBurn?
        /// The process's usage at the window's start, and the probe's own from there to its end.
        var processAtWindowStart: ThreadUsage
        var probeSinceWindowStart: ThreadUsage
        var peakThreads: Int
        var createdThreads: Int
        var sampleIntervalMilliseconds: Double
    }

    /// 50 ms: a wake-up that costs ~20 µs of CPU twenty times a second, little enough not to
    /// disturb a run; pool and loop threads live far longer.
    static let standardSampleInterval: UInt64 = 50_000_000

    private let stopped = Locked(false)
    private let changed = Condition()
    private let thread: OSThread<Findings>

    /// Starts the probe. The threads alive now are the baseline "created" is counted against:
    /// read here, on the caller's thread, before the model starts any.
    init(_ plan: Plan) {
        let baseline = Self.liveThreads() ?? []
        let stopped = self.stopped, changed = self.changed
        /// Waits until `deadline` or the stop; true if stopped.
        @Sendable func wait(until deadline: UInt64) -> Bool {
            stopped.withLock(when: { $0 }, waitingOn: changed, deadline: deadline) { value, _ in value }
        }
        thread = OSThread(name: "tl-cost-probe") {
            let me = ThreadIdentity.current()
            var seen = baseline
            var peak = baseline.count
            func sample() {
                guard var alive = Self.liveThreads() else { return }
                alive.remove(me)
                peak = max(peak, alive.count)
                seen.formUnion(alive)
            }
            var idle: RunResult.Cost.IdleBurn?
            var interrupted = false
            if let stretch = plan.idle, !wait(until: stretch.lowerBound) {
                let cpu0 = ThreadCPUClock.process(), own0 = ThreadCPUClock.now(), t0 = MonotonicClock.now()
                sample()
                interrupted = wait(until: stretch.upperBound)
                let cpu1 = ThreadCPUClock.process(), own1 = ThreadCPUClock.now(), t1 = MonotonicClock.now()
                if !interrupted {
                    let burnt = Double((cpu1 &- cpu0) &- min(cpu1 &- cpu0, own1 &- own0)) / 1e9
                    idle = RunResult.Cost.IdleBurn(seconds: Double(t1 &- t0) / 1e9, cpuSeconds: burnt)
                }
            }
            if !interrupted { interrupted = wait(until: plan.windowStart) }
            let processAtStart = ThreadUsage.process()
            let ownAtStart = ThreadUsage.currentThread()
            while !interrupted {
                sample()
                interrupted = wait(until: MonotonicClock.now() + plan.sampleInterval)
            }
            sample()
            seen.remove(me)
            return Findings(
                idle: idle, processAtWindowStart: processAtStart,
                probeSinceWindowStart: ThreadUsage.currentThread().since(ownAtStart), peakThreads: peak,
                createdThreads: seen.subtracting(baseline).count,
                sampleIntervalMilliseconds: Double(plan.sampleInterval) / 1e6)
        }
    }

    /// Stops the probe and returns what it saw.
    func finish() -> Findings {
        stopped.withLock { $0 = true }
        changed.broadcast()
        return thread.join().result
    }

    /// The ids of the process's threads (/proc/self/task); nil where it cannot be read.
    static func liveThreads(directory: String = "/proc/self/task") -> Set<Int32>? {
        #if os(Linux)
            guard let dir = opendir(directory) else { return nil }
            defer { closedir(dir) }
            var ids = Set<Int32>()
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if let id = Int32(name) { ids.insert(id) }
            }
            return ids
        #else
            return nil
        #endif
    }
}
