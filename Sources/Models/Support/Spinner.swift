import Clocks
import MarketData
import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One wait of a lock-free stage, by ``WaitStrategy``: call ``idle(parker:until:)`` each time
/// the awaited condition is found false.
///
/// - `busy`: return at once and check again; the core never leaves the thread.
/// - `yield`: give the core to the scheduler (`sched_yield`) between checks.
/// - `park`: check `spinLimit` times, then sleep on the ``Parker`` until the publisher wakes it.
struct Spinner {
    let strategy: WaitStrategy
    private var spins = 0
    /// Checks before a `park` waiter sleeps: a few microseconds of spinning, so that a stream
    /// of work never pays for a sleep and a wake-up.
    static let spinLimit = 2_000

    init(_ strategy: WaitStrategy) { self.strategy = strategy }

    mutating func idle(parker: Parker, until ready: () -> Bool) {
        switch strategy {
        case .busy:
            break
        case .yield:
            sched_yield()
        case .park:
            if spins < Self.spinLimit {
                spins += 1
            } else {
                spins = 0
                parker.park(unless: ready)
            }
        }
    }

    /// Waits for a monotonic instant: spinning on the clock (`busy`), yielding between reads of
    /// the clock (`yield`) or sleeping (`park`).
    static func wait(until deadline: UInt64, _ strategy: WaitStrategy) {
        switch strategy {
        case .busy:
            while MonotonicClock.now() < deadline {}
        case .yield:
            while MonotonicClock.now() < deadline { sched_yield() }
        case .park:
            MonotonicClock.sleep(until: deadline)
        }
    }
}
