#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex, with the `withLock` shape of `Synchronization.Mutex`.
///
/// Why not `Mutex`: on Linux a contended `Mutex` waits on a futex inside the Swift runtime,
/// which ThreadSanitizer does not instrument, so it sees no happens-before between two critical
/// sections and reports races that are not there (measured with swiftc 6.3.1 `-sanitize=thread`,
/// `-O` and `-Onone` alike). `pthread_mutex_lock` is intercepted by ThreadSanitizer. Use this
/// type for state that two threads contend for; `Mutex` is fine where there is no contention.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched between `pthread_mutex_lock` and
    // `pthread_mutex_unlock` of `mutex`, heap memory allocated once and never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body(&valueStorage)
    }

    @usableFromInline func lock() { pthread_mutex_lock(mutex) }
    @usableFromInline func unlock() { pthread_mutex_unlock(mutex) }
    @usableFromInline var valueStorage: Value {
        _read { yield value }
        _modify { yield &value }
    }
}
