import AsyncAlgorithms
import Pipeline
import Synchronization

/// The `tasks` model's inbound FIFO: swift-async-algorithms' `AsyncChannel`, carrying the
/// receiver's batches.
///
/// A channel applies back pressure by rendezvous: `send` suspends until the consumer takes the
/// batch. So the FIFO holds about one batch, and a receiver that is ahead waits in `send`
/// while the backlog stays in the feed (nothing is lost; it shows in the latencies). An
/// `AsyncStream` would not wait, and would buffer a saturated feed without bound.
///
/// The channel cannot tell its depth: ticks put minus ticks taken is counted on the side.
public final class ChannelTickFIFO: AsyncTickQueue {
    private let channel = AsyncChannel<[ReceivedTick]>()
    private let depth = Atomic<Int>(0)

    public init() {}

    public func put(_ ticks: [ReceivedTick]) async -> Int {
        let after = depth.add(ticks.count, ordering: .relaxed).newValue
        await channel.send(ticks)
        return after
    }

    public func take(into batch: inout [ReceivedTick]) async -> Bool {
        var iterator = channel.makeAsyncIterator()
        guard let ticks = await iterator.next() else {
            batch.removeAll(keepingCapacity: true)
            return false
        }
        depth.subtract(ticks.count, ordering: .relaxed)
        batch = ticks
        return true
    }

    public func close() { channel.finish() }

    /// Ticks put and not yet taken.
    public var count: Int { depth.load(ordering: .relaxed) }
}
