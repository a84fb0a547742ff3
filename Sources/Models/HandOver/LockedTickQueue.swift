import DequeModule
import Locks
import Pipeline

/// The `threads` model's inbound FIFO: a bounded deque behind one mutex, with a condition for
/// "not empty" and one for "not full" (`queue.Queue` in the seed).
///
/// The consumer takes everything queued at once, so a backlog costs one lock round trip, not
/// one per tick; so does a put that fits.
public final class LockedTickQueue: BlockingTickQueue, Sendable {
    private struct State {
        var items: Deque<ReceivedTick> = []
        var closed = false
    }

    private let state = Locked(State())
    private let notEmpty = Condition()
    private let notFull = Condition()
    private let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public func put(_ ticks: [ReceivedTick]) -> Int {
        if ticks.isEmpty { return state.withLock { $0.items.count } }
        var next = 0
        while true {
            // Appends what fits (everything once closed: a close must not strand the producer),
            // then lets the consumer at it while waiting for room for the rest.
            let depth = state.withLock(when: { $0.items.count < capacity || $0.closed }, waitingOn: notFull) { s in
                while next < ticks.count && (s.items.count < capacity || s.closed) {
                    s.items.append(ticks[next])
                    next += 1
                }
                return s.items.count
            }
            notEmpty.signal()
            if next == ticks.count { return depth }
        }
    }

    public func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        let took = state.withLock(when: { !$0.items.isEmpty || $0.closed }, waitingOn: notEmpty) { s in
            if s.items.isEmpty { return false }
            batch.append(contentsOf: s.items)
            s.items.removeAll(keepingCapacity: true)
            return true
        }
        if took { notFull.signal() }
        return took
    }

    public func close() {
        state.withLock { $0.closed = true }
        notEmpty.broadcast()
        notFull.broadcast()
    }
}
