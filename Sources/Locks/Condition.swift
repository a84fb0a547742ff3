#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A condition variable for the threads that share one ``Locked`` value: the project's one way
/// for a thread to sleep until another changes guarded state (`threading.Condition`, the
/// classic monitor).
///
/// A thread waits with ``Locked/withLock(when:waitingOn:_:)``: the predicate is checked with the
/// lock held before every wait, so a ``signal()`` that came before the wait is not lost, and a
/// spurious wake-up only re-checks it. A thread that changes what the predicate reads signals
/// after the change (inside or after its own `withLock`; both are correct).
///
/// Use one condition with one lock only: POSIX leaves waits on one condition with two different
/// mutexes undefined. Waits time out on the monotonic clock (`CLOCK_MONOTONIC`, the clock of
/// `MonotonicClock.now()`).
public final class Condition: @unchecked Sendable {
    // @unchecked Sendable: the only stored property is a constant pointer to heap memory
    // allocated once in `init` and freed in `deinit`, and the memory is only touched by
    // pthread condition calls, which are thread-safe by contract.
    @usableFromInline let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        checkPThread(pthread_condattr_init(&attributes), "pthread_condattr_init")
        #if canImport(Glibc)
            checkPThread(pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC), "pthread_condattr_setclock")
        #endif
        checkPThread(pthread_cond_init(condition, &attributes), "pthread_cond_init")
        checkPThread(pthread_condattr_destroy(&attributes), "pthread_condattr_destroy")
    }

    deinit {
        checkPThread(pthread_cond_destroy(condition), "pthread_cond_destroy")
        condition.deallocate()
    }

    /// Wakes one waiting thread, if any. Cheap when none waits (no system call in glibc).
    public func signal() { checkPThread(pthread_cond_signal(condition), "pthread_cond_signal") }

    /// Wakes every waiting thread.
    public func broadcast() { checkPThread(pthread_cond_broadcast(condition), "pthread_cond_broadcast") }

    /// Releases `mutex` (held by the caller), sleeps until signalled, and takes `mutex` again.
    @usableFromInline func wait(releasing mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        checkPThread(pthread_cond_wait(condition, mutex), "pthread_cond_wait")
    }

    /// As ``wait(releasing:)``, but returns by `deadline` (monotonic ns) at the latest; may
    /// return early (spuriously), which the caller's loop re-checks.
    @usableFromInline func wait(releasing mutex: UnsafeMutablePointer<pthread_mutex_t>, deadline: UInt64) {
        #if canImport(Glibc)
            var instant = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            let code = pthread_cond_timedwait(condition, mutex, &instant)
        #else
            let remaining = deadline &- min(deadline, monotonicNanoseconds())
            var interval = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            let code = pthread_cond_timedwait_relative_np(condition, mutex, &interval)
        #endif
        if code != ETIMEDOUT { checkPThread(code, "pthread_cond_timedwait") }
    }
}

extension Locked {
    /// Waits on `condition` until `isReady` holds for the value, then runs `body`, all with the
    /// lock held: the lock is released only while waiting, between two checks of `isReady`.
    ///
    /// - Parameters:
    ///   - isReady: checked with the lock held, before the first wait and after every wake-up;
    ///     must not block.
    ///   - condition: what the threads that make `isReady` true signal. Always the same lock
    ///     for one condition.
    @inlinable
    public func withLock<Result, Failure: Error>(
        when isReady: (borrowing Value) -> Bool,
        waitingOn condition: Condition,
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        while !isReady(value) { condition.wait(releasing: mutex) }
        return try body(&value)
    }

    /// As ``withLock(when:waitingOn:_:)``, but waits no later than `deadline` (monotonic ns,
    /// as `MonotonicClock.now()`): `body` runs with the lock held either way and is told
    /// whether `isReady` holds. When it does not, the deadline has passed: this never gives up
    /// before `deadline`.
    @inlinable
    public func withLock<Result, Failure: Error>(
        when isReady: (borrowing Value) -> Bool,
        waitingOn condition: Condition,
        deadline: UInt64,
        _ body: (inout Value, _ isReady: Bool) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        var ready = isReady(value)
        while !ready && monotonicNanoseconds() < deadline {
            condition.wait(releasing: mutex, deadline: deadline)
            ready = isReady(value)
        }
        return try body(&value, ready)
    }
}

/// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds: the clock of the condition's timed waits,
/// the same as `MonotonicClock.now()` (which this module cannot import).
@usableFromInline
func monotonicNanoseconds() -> UInt64 {
    var instant = timespec()
    clock_gettime(CLOCK_MONOTONIC, &instant)
    return UInt64(instant.tv_sec) &* 1_000_000_000 &+ UInt64(instant.tv_nsec)
}
