import Locks

/// A value that one thread (or task) delivers once and a blocking thread waits for: how a
/// model's synchronous `run` waits for stage tasks or queue callbacks it started.
public final class BlockingCompletion<Value: Sendable>: Sendable {
    private let value = Locked<Value?>(nil)
    private let delivered = Condition()

    public init() {}

    /// Delivers the value and wakes the waiter. Call it once.
    public func complete(_ newValue: Value) {
        value.withLock { value in
            precondition(value == nil, "a completion was completed twice")
            value = newValue
        }
        delivered.broadcast()
    }

    /// Blocks the calling thread until the value is delivered.
    public func wait() -> Value {
        value.withLock(when: { $0 != nil }, waitingOn: delivered) { $0! }
    }
}
