import CSystemSupport
import Locks
import Pipeline
import Synchronization

/// The process's own count of its heap allocations (CSystemSupport interposes malloc and its
/// kin in the executable and counts every call that hands out memory).
public enum AllocationCounter {
    /// True where allocations are counted: glibc, and no sanitizer that replaces malloc.
    public static var isAvailable: Bool { ticklab_allocation_counter_available() != 0 }

    /// Why the counter is unavailable, one phrase; nil where it counts.
    public static var unavailableReason: String? {
        guard !isAvailable else { return nil }
        #if os(Linux)
            return "a sanitizer (ThreadSanitizer or AddressSanitizer) replaces malloc in this build"
        #else
            return "allocations are counted on Linux with glibc only"
        #endif
    }

    /// Allocations by every thread since the process started; nil where not counted.
    public static func process() -> UInt64? { isAvailable ? ticklab_allocations_of_process() : nil }

    /// Allocations by the calling thread since it started; nil where not counted.
    public static func currentThread() -> UInt64? { isAvailable ? ticklab_allocations_of_thread() : nil }
}

extension ThreadUsage {
    /// The calling thread's context switches (RUSAGE_THREAD) and allocations since it started.
    /// Two system calls' worth: for the ends of a thread's life, not for every tick.
    public static func currentThread() -> ThreadUsage {
        reading(ofThread: true, allocations: AllocationCounter.currentThread())
    }

    /// The whole process's (RUSAGE_SELF), since it started.
    public static func process() -> ThreadUsage {
        reading(ofThread: false, allocations: AllocationCounter.process())
    }

    private static func reading(ofThread: Bool, allocations: UInt64?) -> ThreadUsage {
        var count = ticklab_context_switch_count()
        // getrusage fails only for a bad argument: zeros keep the figures honest (none seen).
        if ticklab_context_switches(ofThread ? 1 : 0, &count) != 0 { count = ticklab_context_switch_count() }
        return ThreadUsage(
            voluntaryContextSwitches: count.voluntary, involuntaryContextSwitches: count.involuntary,
            allocations: allocations)
    }
}

/// The OS threads that ran one stage's work, recorded as the stage resumes: one cached thread
/// id read and one relaxed atomic compare per call, and a lock only when the thread changed.
public final class WorkerThreadLog: Sendable {
    private let last = Atomic<Int32>(0)
    private let seen = Locked<Set<Int32>>([])

    public init() {}

    /// Notes the calling thread as one that ran this stage's work.
    @inline(__always)
    public func record() {
        let thread = ticklab_thread_id()
        guard last.load(ordering: .relaxed) != thread else { return }
        last.store(thread, ordering: .relaxed)
        _ = seen.withLock { $0.insert(thread) }
    }

    /// The threads recorded so far.
    public var threads: Set<Int32> { seen.withLock { $0 } }

    /// How many distinct threads ran the work of any of `logs`.
    public static func width(_ logs: [WorkerThreadLog]) -> Int {
        logs.reduce(into: Set<Int32>()) { $0.formUnion($1.threads) }.count
    }
}

/// An async FIFO that notes, after every suspension, the thread its stage resumed on.
public struct ThreadLoggingTickQueue<Queue: AsyncTickQueue>: AsyncTickQueue {
    public let queue: Queue
    public let log: WorkerThreadLog

    public init(_ queue: Queue, log: WorkerThreadLog) {
        self.queue = queue
        self.log = log
    }

    public func put(_ ticks: [ReceivedTick]) async -> Int {
        let depth = await queue.put(ticks)
        log.record()
        return depth
    }

    public func take(into batch: inout [ReceivedTick]) async -> Bool {
        let more = await queue.take(into: &batch)
        log.record()
        return more
    }

    public func close() { queue.close() }
}

/// An async slot that notes, after every suspension, the thread its stage resumed on.
public struct ThreadLoggingStateSlot<Slot: AsyncStateSlot>: AsyncStateSlot {
    public let slot: Slot
    public let log: WorkerThreadLog

    public init(_ slot: Slot, log: WorkerThreadLog) {
        self.slot = slot
        self.log = log
    }

    public func publish(_ state: BookState) async {
        await slot.publish(state)
        log.record()
    }

    public func next(after sequence: UInt64) async -> BookState? {
        let state = await slot.next(after: sequence)
        log.record()
        return state
    }

    public func close() async { await slot.close() }
}

/// A sleeper that notes the thread its stage woke on.
public struct ThreadLoggingSleeper<Sleeper: AsyncSleeper>: AsyncSleeper {
    public let sleeper: Sleeper
    public let log: WorkerThreadLog

    public init(_ sleeper: Sleeper, log: WorkerThreadLog) {
        self.sleeper = sleeper
        self.log = log
    }

    public var host: StageHost { sleeper.host }

    public func sleep(until deadline: UInt64) async {
        await sleeper.sleep(until: deadline)
        log.record()
    }
}

/// The calling thread's kernel id (gettid), cached per thread.
public enum ThreadIdentity {
    public static func current() -> Int32 { ticklab_thread_id() }
}
