import Locks
import Synchronization

/// Where a spinning thread sleeps once spinning has gone on long enough (the `park` wait
/// strategy), and how the thread that publishes work wakes it: the publisher pays for a
/// system call only when the waiter really sleeps.
///
/// The hand-shake is Dekker's: the waiter announces itself, then re-checks its condition; the
/// publisher publishes, then looks for a waiter. Sequentially consistent fences between the
/// write and the read on each side guarantee that at least one of them sees the other, so a
/// wake-up is never lost. A wake-up may be spurious: ``park(unless:)`` returns and the caller
/// re-checks, as with any condition variable.
public final class Parker: Sendable {
    private let sleeping = Atomic<Bool>(false)
    /// Set by ``unpark()``, consumed by the park it wakes.
    private let permit = Locked(false)
    private let permitted = Condition()

    public init() {}

    /// Sleeps until ``unpark()`` is called, unless `ready` (checked after announcing the sleep)
    /// says the wait is over. The caller re-checks its condition on return.
    public func park(unless ready: () -> Bool) {
        sleeping.store(true, ordering: .relaxed)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if !ready() {
            permit.withLock(when: { $0 }, waitingOn: permitted) { $0 = false }
        }
        sleeping.store(false, ordering: .relaxed)
    }

    /// Wakes the waiter if it sleeps. Call it after publishing what the waiter waits for.
    public func unpark() {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        guard sleeping.load(ordering: .relaxed) else { return }
        permit.withLock { $0 = true }
        permitted.signal()
    }
}
