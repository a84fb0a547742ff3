#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Clocks
import MarketData
import Pipeline

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
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `timers`, `idle`, `stopping` and `thread` are only touched
    // with `mutex` held; the mutex and condition live in heap memory allocated once in `init`
    // and freed in `deinit`, after the thread was joined.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [UnownedJob] = []
    private var timers: [Timer] = []
    /// The thread waits on the condition: only then does an enqueue pay for a signal.
    private var idle = false
    private var stopping = false
    private var thread: OSThread<Void>?

    private struct Timer {
        var deadline: UInt64
        var fire: @Sendable () -> Void
    }

    /// Starts the executor's thread, named `name` (15 characters are kept).
    public init(name: String) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        jobs.reserveCapacity(64)
        let started = OSThread(name: name) { [self] in runLoop() }
        pthread_mutex_lock(mutex)
        thread = started
        pthread_mutex_unlock(mutex)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(mutex)
        precondition(!stopping || thread != nil, "a job was enqueued on an executor that was shut down")
        jobs.append(job)
        let wake = idle
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(condition) }
    }

    /// Calls `fire` on the executor's thread at `deadline` (monotonic ns) or as soon after as
    /// the thread is free.
    public func schedule(at deadline: UInt64, _ fire: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        timers.append(Timer(deadline: deadline, fire: fire))
        let wake = idle
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(condition) }
    }

    /// Runs what is queued, ends the thread and returns its CPU seconds. Timers not yet due are
    /// dropped. Call it once, when no task will enqueue here any more.
    @discardableResult
    public func shutdown() -> Double {
        pthread_mutex_lock(mutex)
        stopping = true
        let thread = self.thread
        self.thread = nil
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
        return thread?.join().cpuSeconds ?? 0
    }

    private func runLoop() {
        let executor = asUnownedTaskExecutor()
        var running: [UnownedJob] = []
        running.reserveCapacity(64)
        var due: [Timer] = []
        pthread_mutex_lock(mutex)
        while true {
            if !timers.isEmpty {
                let now = MonotonicClock.now()
                var i = 0
                while i < timers.count {
                    if timers[i].deadline <= now { due.append(timers.removeUnordered(at: i)) } else { i += 1 }
                }
            }
            if !jobs.isEmpty || !due.isEmpty {
                swap(&jobs, &running)
                pthread_mutex_unlock(mutex)
                // Several timers may be due at once (the thread was busy): earliest first.
                due.sort { $0.deadline < $1.deadline }
                for timer in due { timer.fire() }
                due.removeAll(keepingCapacity: true)
                for job in running { job.runSynchronously(on: executor) }
                running.removeAll(keepingCapacity: true)
                pthread_mutex_lock(mutex)
                continue
            }
            if stopping { break }
            idle = true
            if let next = timers.lazy.map(\.deadline).min() {
                var deadline = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
                _ = pthread_cond_timedwait(condition, mutex, &deadline)
            } else {
                pthread_cond_wait(condition, mutex)
            }
            idle = false
        }
        pthread_mutex_unlock(mutex)
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
