#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An OS thread for these tests (the Locks module has no thread type of its own, and the
/// tests must block real threads, not tasks of the cooperative pool).
final class TestThread: Sendable {
    private let handle: pthread_t

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let code = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box)
        precondition(code == 0, "pthread_create failed with error \(code)")
        #if canImport(Glibc)
            handle = thread
        #else
            handle = thread!
        #endif
    }

    func join() {
        let code = pthread_join(handle, nil)
        precondition(code == 0, "pthread_join failed with error \(code)")
    }

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}

/// Monotonic nanoseconds, the clock of ``Locks/Condition``'s deadlines.
func now() -> UInt64 {
    var instant = timespec()
    clock_gettime(CLOCK_MONOTONIC, &instant)
    return UInt64(instant.tv_sec) &* 1_000_000_000 &+ UInt64(instant.tv_nsec)
}

/// A bound that only a hang reaches: no assertion depends on how fast the machine is.
let hangBound: UInt64 = 60_000_000_000
