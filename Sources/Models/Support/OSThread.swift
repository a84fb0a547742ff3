import CSystemSupport
import Clocks
import Locks
import MarketData
import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated OS thread that runs one closure and hands back its result, the CPU time the
/// thread consumed and its context switches and allocations.
///
/// Threads are created from this plain type rather than from top-level code: a `pthread_create`
/// closure written at top level inherits MainActor isolation and traps at run time.
public final class OSThread<Result: Sendable>: Sendable {
    private let handle: pthread_t
    private let outcome: Outcome

    private final class Outcome: Sendable {
        let value = Locked<(result: Result, cpuNanos: UInt64, usage: ThreadUsage)?>(nil)
    }

    /// Starts `body` on a new thread named `name` (at most 15 characters are kept).
    public init(name: String, _ body: @escaping @Sendable () -> Result) {
        let outcome = Outcome()
        self.outcome = outcome
        self.handle = startThread(name: name) {
            let usage0 = ThreadUsage.currentThread()
            let cpu0 = ThreadCPUClock.now()
            let result = body()
            // Read before the thread exits: its CPU clock and its counters die with it.
            let cpu = ThreadCPUClock.now() &- cpu0
            let usage = ThreadUsage.currentThread().since(usage0)
            outcome.value.withLock { $0 = (result, cpu, usage) }
        }
    }

    /// Waits for the thread to end and returns its result, its CPU seconds, and its context
    /// switches and allocations while it ran `body`.
    public func join() -> (result: Result, cpuSeconds: Double, usage: ThreadUsage) {
        let code = pthread_join(handle, nil)
        precondition(code == 0, "pthread_join failed with error \(code)")
        let value = outcome.value.withLock { $0 }!
        return (value.result, Double(value.cpuNanos) / 1e9, value.usage)
    }
}

private final class ThreadStart: Sendable {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

private func startThread(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
    var thread = pthread_t()
    let context = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
    let rc = pthread_create(&thread, nil, threadEntry, context)
    precondition(rc == 0, "pthread_create failed with \(rc)")
    return thread
}

private func threadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
    // 1 ns timer slack: the default 50 µs would make every timed wait of a stage that late.
    ticklab_set_timer_slack(1)
    ticklab_set_thread_name(start.name)
    start.body()
    return nil
}
