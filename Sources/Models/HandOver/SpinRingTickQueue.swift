import Pipeline
import Synchronization

/// The `spin-ring` model's inbound FIFO: an ``SPSCRing`` of ticks with a wait strategy. The
/// receiver publishes each batch with one store; the processor takes everything published.
///
/// With the `park` strategy each publish is followed by a fence and a look at the other side's
/// ``Parker``, and a system call only if that side sleeps; `busy` and `yield` skip both.
public final class SpinRingTickQueue: BlockingTickQueue, Sendable {
    private let ring: SPSCRing<ReceivedTick>
    private let closed = Atomic<Bool>(false)
    private let strategy: WaitStrategy
    private let parks: Bool
    /// The processor sleeps here when the ring is empty.
    private let consumerParker = Parker()
    /// The receiver sleeps here when the ring is full.
    private let producerParker = Parker()

    /// - Parameter capacity: rounded up to a power of two.
    public init(capacity: Int, strategy: WaitStrategy) {
        ring = SPSCRing(capacity: capacity)
        self.strategy = strategy
        parks = strategy == .park
    }

    public var capacity: Int { ring.capacity }

    public func put(_ ticks: [ReceivedTick]) -> Int {
        ticks.withUnsafeBufferPointer { buffer in
            var next = 0
            var spinner = Spinner(strategy)
            while true {
                let pushed = ring.push(UnsafeBufferPointer(rebasing: buffer[next...]))
                if pushed > 0 {
                    next += pushed
                    if parks { consumerParker.unpark() }
                }
                if next == buffer.count { break }
                if closed.load(ordering: .relaxed) { break }
                spinner.idle(parker: producerParker) { ring.hasRoom || closed.load(ordering: .relaxed) }
            }
        }
        return ring.countFromProducer
    }

    public func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        var spinner = Spinner(strategy)
        while true {
            if ring.pop(into: &batch) > 0 {
                if parks { producerParker.unpark() }
                return true
            }
            if closed.load(ordering: .acquiring) {
                // Everything published before the close is visible now: drain it.
                return ring.pop(into: &batch) > 0
            }
            spinner.idle(parker: consumerParker) { ring.hasElements || closed.load(ordering: .relaxed) }
        }
    }

    public func close() {
        closed.store(true, ordering: .releasing)
        consumerParker.unpark()
        producerParker.unpark()
    }
}
