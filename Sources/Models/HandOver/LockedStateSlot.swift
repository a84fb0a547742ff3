import Locks
import Pipeline

/// The `threads` model's latest-value slot: one state, one lock, one condition
/// (`threading.Condition` in the seed). Publishing overwrites; the reader takes the newest.
public final class LockedStateSlot: BlockingStateSlot, Sendable {
    private struct State {
        var value = BookState.empty
        var closed = false
    }

    private let state = Locked(State())
    /// Signalled on every publish and on close.
    private let changed = Condition()

    public init() {}

    public func publish(_ newState: BookState) {
        state.withLock { $0.value = newState }
        changed.signal()
    }

    public func next(after sequence: UInt64) -> BookState? {
        state.withLock(when: { $0.value.sequence > sequence || $0.closed }, waitingOn: changed) { s in
            s.value.sequence > sequence ? s.value : nil
        }
    }

    public func close() {
        state.withLock { $0.closed = true }
        changed.broadcast()
    }
}
