import DequeModule
import Locks
import Pipeline

/// An async bounded FIFO with one waiting continuation per side (`asyncio.Queue` in the seed).
///
/// A consumer that finds ticks takes them all without suspending; one that finds none parks a
/// continuation the next put resumes. On a single-threaded executor the mutex is never
/// contended; it is there so the same type is correct on any executor.
public final class AsyncTickFIFO: AsyncTickQueue {
    private struct State: Sendable {
        var items: Deque<ReceivedTick> = []
        var closed = false
        var consumer: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }

    /// A pthread mutex, not `Mutex`: ThreadSanitizer cannot see the latter contended (``Locked``).
    private let state = Locked(State())
    private let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public func put(_ ticks: [ReceivedTick]) async -> Int {
        var next = 0
        while true {
            let (depth, consumer, done) = state.withLock { s in
                while next < ticks.count, s.items.count < capacity || s.closed {
                    s.items.append(ticks[next]); next += 1
                }
                let consumer = s.consumer
                s.consumer = nil
                return (s.items.count, consumer, next == ticks.count)
            }
            consumer?.resume()
            if done { return depth }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.items.count < capacity || s.closed { return true }
                    s.producer = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    public func take(into batch: inout [ReceivedTick]) async -> Bool {
        batch.removeAll(keepingCapacity: true)
        while true {
            let (got, closed, producer) = state.withLock { s in
                if s.items.isEmpty { return (false, s.closed, CheckedContinuation<Void, Never>?.none) }
                batch.append(contentsOf: s.items)
                s.items.removeAll(keepingCapacity: true)
                let producer = s.producer
                s.producer = nil
                return (true, s.closed, producer)
            }
            producer?.resume()
            if got { return true }
            if closed { return false }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if !s.items.isEmpty || s.closed { return true }
                    s.consumer = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    public func close() {
        let (consumer, producer) = state.withLock { s in
            s.closed = true
            defer { s.consumer = nil; s.producer = nil }
            return (s.consumer, s.producer)
        }
        consumer?.resume()
        producer?.resume()
    }
}
