import Clocks
import Locks
import MarketData
import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `TaskExecutor` backed by one dedicated OS thread: a job queue, a mutex and a condition.
///
/// Tasks that prefer it (`Task(executorPreference:)`) run every partial task on its thread and
/// never on the cooperative pool, so a CPU-bound task on one executor cannot starve a task on
/// another. It also keeps timers, fired by its own thread (a timed condition wait): a task
/// pinned here that sleeps with `Task.sleep` would need a pool thread to wake, and be late when
/// the pool is busy; ``DedicatedThreadSleeper`` waits on this executor's own clock instead.
///
/// Call ``shutdown()`` once no task needs the executor any more: it runs what is queued, ends
/// the thread and returns the CPU time the thread consumed.
public final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var timers: [Timer] = []
        /// Counts enqueues, schedules and the shutdown: the idle thread sleeps until it moves
        /// (or the earliest timer is due), so a new timer earlier than the one it waits for
        /// wakes it to recompute its deadline.
        var changes: UInt64 = 0
        var stopping = false
        var thread: OSThread<Void>?
    }

    private struct Timer {
        var deadline: UInt64
        var fire: @Sendable () -> Void
    }

    private let state: Locked<State>
    /// Signalled on every change of `state` the thread must react to.
    private let changed = Condition()

    /// Starts the executor's thread, named `name` (15 characters are kept).
    public init(name: String) {
        var initial = State()
        initial.jobs.reserveCapacity(64)
        state = Locked(initial)
        let started = OSThread(name: name) { [self] in runLoop() }
        state.withLock { $0.thread = started }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { s in
            precondition(!s.stopping || s.thread != nil, "a job was enqueued on an executor that was shut down")
            s.jobs.append(job)
            s.changes &+= 1
        }
        // No system call unless the thread waits (glibc checks for waiters first).
        changed.signal()
    }

    /// Calls `fire` on the executor's thread at `deadline` (monotonic ns) or as soon after as
    /// the thread is free.
    public func schedule(at deadline: UInt64, _ fire: @escaping @Sendable () -> Void) {
        state.withLock { s in
            s.timers.append(Timer(deadline: deadline, fire: fire))
            s.changes &+= 1
        }
        changed.signal()
    }

    /// Runs what is queued, ends the thread and returns its CPU seconds. Timers not yet due are
    /// dropped. Call it once, when no task will enqueue here any more.
    @discardableResult
    public func shutdown() -> Double { shutdownMeasured().cpuSeconds }

    /// As ``shutdown()``, and also returns the thread's context switches and allocations (nil
    /// when it was shut down before).
    public func shutdownMeasured() -> (cpuSeconds: Double, usage: ThreadUsage?) {
        let thread = state.withLock { s in
            s.stopping = true
            s.changes &+= 1
            defer { s.thread = nil }
            return s.thread
        }
        changed.signal()
        guard let ended = thread?.join() else { return (0, nil) }
        return (ended.cpuSeconds, ended.usage)
    }

    private func runLoop() {
        let executor = asUnownedTaskExecutor()
        var running: [UnownedJob] = []
        running.reserveCapacity(64)
        var due: [Timer] = []
        while true {
            // Take the queued jobs and the due timers; if there are none, learn when to wake.
            let (stop, seen, nextDeadline) = state.withLock { s -> (Bool, UInt64, UInt64?) in
                if !s.timers.isEmpty {
                    let now = MonotonicClock.now()
                    var i = 0
                    while i < s.timers.count {
                        if s.timers[i].deadline <= now { due.append(s.timers.removeUnordered(at: i)) } else { i += 1 }
                    }
                }
                swap(&s.jobs, &running)
                let idle = running.isEmpty && due.isEmpty
                return (idle && s.stopping, s.changes, idle ? s.timers.lazy.map(\.deadline).min() : nil)
            }
            if !running.isEmpty || !due.isEmpty {
                // Several timers may be due at once (the thread was busy): earliest first.
                due.sort { $0.deadline < $1.deadline }
                for timer in due { timer.fire() }
                due.removeAll(keepingCapacity: true)
                for job in running { job.runSynchronously(on: executor) }
                running.removeAll(keepingCapacity: true)
                continue
            }
            if stop { break }
            if let nextDeadline {
                state.withLock(when: { $0.changes != seen }, waitingOn: changed, deadline: nextDeadline) { _, _ in }
            } else {
                state.withLock(when: { $0.changes != seen }, waitingOn: changed) { _ in }
            }
        }
    }
}

extension Array {
    /// Removes the element at `index` by moving the last one into its place: O(1), order lost.
    fileprivate mutating func removeUnordered(at index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}

/// Waits on a ``DedicatedThreadExecutor``'s own timer: the task resumes on the executor's
/// thread without any cooperative-pool thread involved.
public struct DedicatedThreadSleeper: AsyncSleeper {
    public let executor: DedicatedThreadExecutor

    public init(_ executor: DedicatedThreadExecutor) { self.executor = executor }

    public func sleep(until deadline: UInt64) async {
        guard deadline > MonotonicClock.now() else { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            executor.schedule(at: deadline) { continuation.resume() }
        }
    }
}
