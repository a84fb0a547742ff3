import DequeModule
import Pipeline

/// The `threads` model's inbound FIFO: a bounded deque behind one mutex, with a condition for
/// "not empty" and one for "not full" (`queue.Queue` in the seed).
///
/// The consumer takes everything queued at once, so a backlog costs one lock round trip, not
/// one per tick.
public final class LockedTickQueue: BlockingTickQueue, @unchecked Sendable {
    // @unchecked Sendable: `items` and `closed` are only touched with `lock` held.
    private let lock = ConditionLock(conditions: 2)
    private var items: Deque<ReceivedTick> = []
    private var closed = false
    private let capacity: Int
    private static let notEmpty = 0, notFull = 1

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public func put(_ ticks: [ReceivedTick]) -> Int {
        lock.withLock {
            for tick in ticks {
                while items.count >= capacity && !closed {
                    lock.signal(Self.notEmpty)
                    lock.wait(Self.notFull)
                }
                items.append(tick)
            }
            lock.signal(Self.notEmpty)
            return items.count
        }
    }

    public func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        return lock.withLock {
            while items.isEmpty && !closed { lock.wait(Self.notEmpty) }
            if items.isEmpty { return false }
            batch.append(contentsOf: items)
            items.removeAll(keepingCapacity: true)
            lock.signal(Self.notFull)
            return true
        }
    }

    public func close() {
        lock.withLock {
            closed = true
            lock.broadcast(Self.notEmpty)
            lock.broadcast(Self.notFull)
        }
    }
}
