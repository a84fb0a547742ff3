import Pipeline

/// The `tasks` model's latest-value slot: an actor, the textbook way to share mutable state
/// between tasks. Publishing overwrites the state and resumes the reader if it waits.
///
/// Every call is an actor hop: free when the actor is idle and the caller can switch to it on
/// its own thread, a pool round trip when another task holds it.
public actor ActorStateSlot: AsyncStateSlot {
    private var value = BookState.empty
    private var closed = false
    private var reader: CheckedContinuation<Void, Never>?

    public init() {}

    public func publish(_ state: BookState) {
        value = state
        resumeReader()
    }

    public func next(after sequence: UInt64) async -> BookState? {
        while true {
            if value.sequence > sequence { return value }
            if closed { return nil }
            await withCheckedContinuation { reader = $0 }
        }
    }

    public func close() {
        closed = true
        resumeReader()
    }

    private func resumeReader() {
        let waiting = reader
        reader = nil
        waiting?.resume()
    }
}
