#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a pthread mutex, with the `withLock` shape of `Synchronization.Mutex`: the
/// project's one lock (``Condition`` is its one condition variable).
///
/// Why not `Mutex`: on Linux a contended `Mutex` waits on a futex inside the Swift runtime,
/// which ThreadSanitizer does not instrument, so it sees no happens-before between two critical
/// sections and reports races that are not there (measured with swiftc 6.3.1 `-sanitize=thread`,
/// `-O` and `-Onone` alike). `pthread_mutex_lock` is intercepted by ThreadSanitizer.
///
/// Why not `NIOLockedValueBox`: it is a pthread mutex too, but one vocabulary is easier to read
/// and the modules below the exchange do not depend on NIO.
///
/// `Locked` is `Sendable` only when `Value` is: the lock orders accesses, but a non-Sendable
/// value (a class reference, say) could still escape `withLock` and be used unlocked.
///
/// A failed pthread call is a programming error (a lock destroyed while held, unlocked by a
/// thread that does not hold it, locked twice by one thread in a debug build): it stops the
/// process with the call's error code.
public final class Locked<Value> {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        checkPThread(pthread_mutexattr_init(&attributes), "pthread_mutexattr_init")
        #if DEBUG
            // A debug build reports a relock by the holder (EDEADLK) and an unlock by another
            // thread (EPERM) instead of hanging or corrupting the lock.
            checkPThread(
                pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK)), "pthread_mutexattr_settype")
        #endif
        checkPThread(pthread_mutex_init(mutex, &attributes), "pthread_mutex_init")
        checkPThread(pthread_mutexattr_destroy(&attributes), "pthread_mutexattr_destroy")
    }

    deinit {
        checkPThread(pthread_mutex_destroy(mutex), "pthread_mutex_destroy")
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value. Do not call `withLock` of the same lock
    /// from `body`: the mutex is not recursive.
    @inlinable
    public func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        return try body(&value)
    }

    @inlinable func lock() { checkPThread(pthread_mutex_lock(mutex), "pthread_mutex_lock") }
    @inlinable func unlock() { checkPThread(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }
}

// @unchecked Sendable: `value` is only touched inside `withLock` (and the waits of
// ``Condition``), between `pthread_mutex_lock` and `pthread_mutex_unlock` of `mutex`, which
// lives in heap memory allocated once in `init` and never moved; and `Value` itself may cross
// threads because it is Sendable.
extension Locked: @unchecked Sendable where Value: Sendable {}

/// Stops the process if a pthread call failed: every failure these types can meet is a
/// programming error, not a condition to recover from.
@inlinable
func checkPThread(_ code: Int32, _ call: StaticString) {
    precondition(code == 0, "\(call) failed with error \(code)")
}
