import Locks
import MarketData
import Models
import OrderBook
import Pipeline
import Synchronization
import TestSupport
import Testing

private func ticks(_ range: ClosedRange<Int>) -> [ReceivedTick] {
    range.map {
        ReceivedTick(
            Tick(sequence: UInt64($0), scheduledArrival: 0, delta: .add(.bid, price: 1, size: 1), kind: .add),
            received: 0)
    }
}

private func state(_ sequence: UInt64) -> BookState {
    var state = BookState.empty
    state.sequence = sequence
    return state
}

private final class WakeCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func wake() { count.add(1, ordering: .relaxed) }
}

@Suite("Coalescing slot (dispatch)")
struct CoalescingStateSlotTests {
    @Test("publishing wakes the reader only after it went idle, and only once")
    func wakesOnceAfterIdle() {
        let wakes = WakeCounter()
        let slot = CoalescingStateSlot { wakes.wake() }
        slot.publish(state(1))
        #expect(wakes.value == 0, "the reader never went idle: no wake-up")
        #expect(slot.take(after: 0) == .state(state(1)))
        #expect(slot.take(after: 1) == .idle)
        slot.publish(state(2))
        slot.publish(state(3))
        #expect(wakes.value == 1, "two publishes after one idle answer: one wake-up")
        #expect(slot.take(after: 1) == .state(state(3)), "the newest state, the one between conflated")
        #expect(slot.take(after: 3) == .idle)
        slot.close()
        #expect(wakes.value == 2, "a close wakes an idle reader")
        #expect(slot.take(after: 3) == .closed)
    }

    @Test("a close does not hide a state the reader has not taken")
    func closeKeepsLastState() {
        let slot = CoalescingStateSlot {}
        slot.publish(state(4))
        slot.close()
        #expect(slot.take(after: 0) == .state(state(4)))
        #expect(slot.take(after: 4) == .closed)
    }
}

@Suite("AsyncChannel FIFO and actor slot (tasks)")
struct TasksHandOverTests {
    @Test("the channel FIFO hands batches over in order, counts its depth, and ends after close")
    func channelFIFO() async {
        let fifo = ChannelTickFIFO()
        let all = ticks(1...100)
        let producer = Task { () -> [Int] in
            var depths: [Int] = []
            for start in stride(from: 0, to: 100, by: 10) {
                depths.append(await fifo.put(Array(all[start..<start + 10])))
            }
            fifo.close()
            return depths
        }
        var got: [UInt64] = []
        var batch: [ReceivedTick] = []
        while await fifo.take(into: &batch) { got += batch.map(\.tick.sequence) }
        let depths = await producer.value
        #expect(got == Array(1...100))
        // A channel is a rendezvous: it holds the batch being sent, and at most the one the
        // consumer has just taken but not yet counted out.
        #expect(depths.allSatisfy { (10...20).contains($0) }, "\(depths)")
        #expect(fifo.count == 0)
    }

    @Test("the actor slot gives the newest state, wakes a waiting reader, and nil once closed")
    func actorSlot() async {
        let slot = ActorStateSlot()
        for sequence in 1...3 as ClosedRange<UInt64> { await slot.publish(state(sequence)) }
        #expect(await slot.next(after: 0)?.sequence == 3)
        let reader = Task { await slot.next(after: 3)?.sequence }
        await Task.yield()
        await slot.publish(state(4))
        #expect(await reader.value == 4)
        let late = Task { await slot.next(after: 4) }
        await slot.close()
        #expect(await late.value == nil)
    }
}

@Suite("Locked (pthread-backed lock)")
struct LockedTests {
    @Test("two threads contending for it lose no update")
    func contended() async throws {
        let counter = Locked((count: 0, log: [Int]()))
        let perThread = 20_000
        let threads = (0..<2).map { id in
            OSThread(name: "test-locked-\(id)") { () -> Void in
                for i in 0..<perThread {
                    counter.withLock { value in
                        value.count += 1
                        // Grow and shrink an array under the lock: a torn update would corrupt it.
                        value.log.append(i)
                        if value.log.count > 64 { value.log.removeAll(keepingCapacity: true) }
                    }
                }
            }
        }
        for thread in threads { _ = await thread.joined() }
        #expect(counter.withLock { $0.count } == 2 * perThread)
    }
}
