import Clocks
import Foundation
import Locks

/// Runs blocking work on a thread of its own, so that model runs and blocking sockets never
/// occupy the cooperative pool (the `tasks` model needs it, and tests run on it).
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// Work on a thread of its own, started at once: disturbances of a running pipeline must not
/// wait for a cooperative-pool thread (`Task.sleep` is late when the pool is busy).
public final class Background: Sendable {
    private let finished = Locked<Result<Void, any Error>?>(nil)

    public init(_ body: @escaping @Sendable () throws -> Void) {
        Thread { [self] in
            let result = Result { try body() }
            finished.withLock { $0 = result }
        }.start()
    }

    /// Waits for the work to end and rethrows its error.
    public func join() async throws {
        try await offPool {
            while true {
                if let result = self.finished.withLock({ $0 }) { return try result.get() }
                MonotonicClock.sleep(until: MonotonicClock.now() + 2_000_000)
            }
        }
    }
}

public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "timed out waiting for \(what)" }
    public init(what: String) { self.what = what }
}

/// Blocks the calling thread until `condition` holds, checking every 2 ms; throws after
/// `timeout` s, a bound that only a hang reaches.
public func waitUntil(_ what: String, timeout: Double = 60, _ condition: () -> Bool) throws {
    let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
    while !condition() {
        guard MonotonicClock.now() < deadline else { throw TimedOut(what: what) }
        MonotonicClock.sleep(until: MonotonicClock.now() + 2_000_000)
    }
}

/// Blocks the calling thread for `milliseconds`.
public func sleepHere(_ milliseconds: Int) {
    MonotonicClock.sleep(until: MonotonicClock.now() + UInt64(milliseconds) * 1_000_000)
}
