import Locks
import Pipeline

/// An async latest-value slot (`asyncio.Event` plus a shared variable in the seed): publishing
/// overwrites the state and resumes the reader if it is waiting.
public final class AsyncLatestSlot: AsyncStateSlot {
    private struct State: Sendable {
        var value = BookState.empty
        var closed = false
        var reader: CheckedContinuation<Void, Never>?
    }

    /// A pthread mutex, not `Mutex`: ThreadSanitizer cannot see the latter contended (``Locked``).
    private let state = Locked(State())

    public init() {}

    public func publish(_ newState: BookState) {
        let reader = state.withLock { s in
            s.value = newState
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume()
    }

    public func next(after sequence: UInt64) async -> BookState? {
        while true {
            let (value, closed) = state.withLock { ($0.value, $0.closed) }
            if value.sequence > sequence { return value }
            if closed { return nil }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.value.sequence > sequence || s.closed { return true }
                    s.reader = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    public func close() {
        let reader = state.withLock { s in
            s.closed = true
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume()
    }
}
