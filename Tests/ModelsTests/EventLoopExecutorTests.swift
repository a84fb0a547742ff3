import Clocks
import MarketData
import Models
import NIOCore
import NIOPosix
import Pipeline
import TestSupport
import Testing

@Suite("Event-loop executor and primitives")
struct EventLoopExecutorTests {
    @Test("tasks that prefer the loop's executor run on the loop thread, across suspensions")
    func pinned() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let sleeper = EventLoopSleeper(loop: loop)
        let onLoop = await Task(executorPreference: executor) { () -> [Bool] in
            var seen = [loop.inEventLoop]
            await sleeper.sleep(until: MonotonicClock.now() + 1_000_000)
            seen.append(loop.inEventLoop)
            await Task.yield()
            seen.append(loop.inEventLoop)
            return seen
        }.value
        #expect(onLoop == [true, true, true])
        try await group.shutdownGracefully()
    }

    @Test("the loop sleeper waits at least until the deadline, and not much longer at rest")
    func sleeper() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let sleeper = EventLoopSleeper(loop: loop)
        // Pinned to the loop, as in the model: a task on the pool would measure the pool's
        // backlog (other tests keep it busy), not the timer.
        let late = await Task(executorPreference: EventLoopTaskExecutor(loop)) { () -> UInt64 in
            let deadline = MonotonicClock.now() + 5_000_000
            await sleeper.sleep(until: deadline)
            let now = MonotonicClock.now()
            return now >= deadline ? now - deadline : .max
        }.value
        #expect(late < 500_000_000, "woke \(late / 1_000_000) ms late (UInt64.max: early)")
        try await group.shutdownGracefully()
    }

    @Test("the async FIFO hands ticks over in order, in batches, and drains after close")
    func fifo() async throws {
        let fifo = AsyncTickFIFO(capacity: 8)
        let ticks = (1...100).map {
            ReceivedTick(
                Tick(sequence: UInt64($0), scheduledArrival: 0, delta: .add(.bid, price: 1, size: 1), kind: .add),
                received: 0)
        }
        let producer = Task {
            for chunk in stride(from: 0, to: 100, by: 10) { _ = await fifo.put(Array(ticks[chunk..<chunk + 10])) }
            fifo.close()
        }
        var got: [UInt64] = []
        var batch: [ReceivedTick] = []
        while await fifo.take(into: &batch) {
            #expect(batch.count <= 10 + 8)
            got += batch.map(\.tick.sequence)
        }
        await producer.value
        #expect(got == Array(1...100))
    }

    @Test("the async slot gives the newest state and nil once closed")
    func slot() async {
        let slot = AsyncLatestSlot()
        var state = BookState.empty
        for sequence in 1...5 as ClosedRange<UInt64> { state.sequence = sequence; slot.publish(state) }
        #expect(await slot.next(after: 0)?.sequence == 5)
        let waiter = Task { await slot.next(after: 5)?.sequence }
        state.sequence = 6
        slot.publish(state)
        #expect(await waiter.value == 6)
        slot.close()
        #expect(await slot.next(after: 6) == nil)
    }
}
