import Locks
import Pipeline

/// A latest-value slot for a reader that is not a thread or a task but a callback, as on a
/// serial `DispatchQueue`: publishing overwrites the state and, only if the reader has gone
/// idle, calls `wake` once to schedule it again (as a dispatch source coalesces events).
///
/// The reader takes states with ``take(after:)``; an answer of ``Take/idle`` promises exactly
/// one `wake` after the next publish or close, so no state is missed and no wake-up is wasted.
public final class CoalescingStateSlot: Sendable {
    public enum Take: Sendable, Equatable {
        /// The newest state, newer than asked for.
        case state(BookState)
        /// Nothing newer: `wake` will be called after the next publish or close.
        case idle
        /// Closed, and nothing newer.
        case closed
    }

    private struct State {
        var value = BookState.empty
        var closed = false
        var readerIdle = false
    }

    /// A pthread lock, not `Mutex`: the processor and the evaluator contend for it, and
    /// ThreadSanitizer only sees a contended pthread mutex (see ``Locked``).
    private let state = Locked(State())
    private let wake: @Sendable () -> Void

    /// - Parameter wake: schedules the reader; called without any lock held.
    public init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    public func publish(_ newState: BookState) {
        let wakeReader = state.withLock { s in
            s.value = newState
            defer { s.readerIdle = false }
            return s.readerIdle
        }
        if wakeReader { wake() }
    }

    public func close() {
        let wakeReader = state.withLock { s in
            s.closed = true
            defer { s.readerIdle = false }
            return s.readerIdle
        }
        if wakeReader { wake() }
    }

    public func take(after sequence: UInt64) -> Take {
        state.withLock { s in
            if s.value.sequence > sequence { return .state(s.value) }
            if s.closed { return .closed }
            s.readerIdle = true
            return .idle
        }
    }
}
