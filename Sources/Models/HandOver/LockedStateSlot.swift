import Pipeline

/// The `threads` model's latest-value slot: one state, one lock, one condition
/// (`threading.Condition` in the seed). Publishing overwrites; the reader takes the newest.
public final class LockedStateSlot: BlockingStateSlot, @unchecked Sendable {
    // @unchecked Sendable: `state` and `closed` are only touched with `lock` held.
    private let lock = ConditionLock(conditions: 1)
    private var state = BookState.empty
    private var closed = false

    public init() {}

    public func publish(_ newState: BookState) {
        lock.withLock {
            state = newState
            lock.signal()
        }
    }

    public func next(after sequence: UInt64) -> BookState? {
        lock.withLock {
            while state.sequence <= sequence && !closed { lock.wait() }
            return state.sequence > sequence ? state : nil
        }
    }

    public func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }
}
