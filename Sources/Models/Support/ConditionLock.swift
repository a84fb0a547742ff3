#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with condition variables: the classic monitor, as `threading.Condition` in
/// the seed's threaded pipeline.
///
/// `@unchecked Sendable`: the mutex and conditions live in heap memory allocated once and never
/// moved; every access to the state a caller guards goes through ``withLock(_:)`` or a wait,
/// which hold the mutex.
public final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let conditionCount: Int

    public init(conditions count: Int = 1) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        conditions = .allocate(capacity: count)
        conditionCount = count
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        for i in 0..<count { pthread_cond_init(conditions + i, &attributes) }
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        for i in 0..<conditionCount { pthread_cond_destroy(conditions + i) }
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    @inlinable
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits on condition `index`; the mutex must be held, and is held again on return.
    public func wait(_ index: Int = 0) { pthread_cond_wait(conditions + index, mutex) }

    /// Wakes one waiter of condition `index`.
    public func signal(_ index: Int = 0) { pthread_cond_signal(conditions + index) }

    /// Wakes every waiter of condition `index`.
    public func broadcast(_ index: Int = 0) { pthread_cond_broadcast(conditions + index) }
}
