/// A value that one thread (or task) delivers once and a blocking thread waits for: how a
/// model's synchronous `run` waits for stage tasks or queue callbacks it started.
public final class BlockingCompletion<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched with `lock` held.
    private let lock = ConditionLock(conditions: 1)
    private var value: Value?

    public init() {}

    /// Delivers the value and wakes the waiter. Call it once.
    public func complete(_ newValue: Value) {
        lock.withLock {
            precondition(value == nil, "a completion was completed twice")
            value = newValue
            lock.broadcast()
        }
    }

    /// Blocks the calling thread until the value is delivered.
    public func wait() -> Value {
        lock.withLock {
            while value == nil { lock.wait() }
            return value!
        }
    }
}
