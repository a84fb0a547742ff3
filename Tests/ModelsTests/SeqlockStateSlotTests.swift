import Clocks
import MarketData
import Models
import OrderBook
import Pipeline
import Synchronization
import TestSupport
import Testing

/// A state whose every field is a function of its sequence, so a torn copy (words from two
/// publishes) is detectable.
private func state(_ sequence: UInt64) -> BookState {
    BookState(
        sequence: sequence, arrival: sequence &* 3, received: sequence &* 5, processed: sequence &* 7,
        bestBid: PriceLevel(
            price: Price(truncatingIfNeeded: sequence &* 11), size: Size(truncatingIfNeeded: sequence &* 13)),
        bestAsk: PriceLevel(
            price: Price(truncatingIfNeeded: sequence &* 17), size: Size(truncatingIfNeeded: sequence &* 19)),
        imbalance: Double(sequence % 1_000) / 1_000, workResult: sequence ^ 0x5A5A_5A5A_5A5A_5A5A)
}

@Suite("Seqlock slot")
struct SeqlockStateSlotTests {
    @Test("it gives the newest state, waits for a newer one, and nil once closed and drained")
    func semantics() async throws {
        let slot = SeqlockStateSlot(strategy: .park)
        #expect(slot.read().state == .empty)
        for sequence in 1...5 as ClosedRange<UInt64> { slot.publish(state(sequence)) }
        #expect(slot.next(after: 0) == state(5))
        #expect(slot.next(after: 4) == state(5))
        let reader = OSThread(name: "test-reader") { slot.next(after: 5) }
        try await offPool { MonotonicClock.sleep(until: MonotonicClock.now() + 5_000_000) }
        slot.publish(state(6))
        #expect(await reader.joined().result == state(6))
        slot.publish(state(7))
        slot.close()
        #expect(slot.next(after: 6) == state(7), "a close does not hide the last state")
        #expect(slot.next(after: 7) == nil)
    }

    @Test("a reader waiting when the slot closes gets nil", arguments: WaitStrategy.allCases)
    func closeWakesReader(strategy: WaitStrategy) async throws {
        let slot = SeqlockStateSlot(strategy: strategy)
        slot.publish(state(1))
        let reader = OSThread(name: "test-reader") { slot.next(after: 1) }
        try await offPool { MonotonicClock.sleep(until: MonotonicClock.now() + 2_000_000) }
        slot.close()
        #expect(await reader.joined().result == nil)
    }

    @Test("concurrent reads never see a torn state, and sequences never go back", arguments: WaitStrategy.allCases)
    func noTornReads(strategy: WaitStrategy) async throws {
        let slot = SeqlockStateSlot(strategy: strategy)
        let publishes: UInt64 = 30_000
        let reader = OSThread(name: "test-reader") { () -> (torn: Int, backwards: Int, reads: Int) in
            var torn = 0, backwards = 0, reads = 0
            var last: UInt64 = 0
            while let seen = slot.next(after: last) {
                reads += 1
                if seen != state(seen.sequence) { torn += 1 }
                if seen.sequence <= last { backwards += 1 }
                last = seen.sequence
            }
            return (torn, backwards, reads)
        }
        let writer = OSThread(name: "test-writer") { () -> Void in
            for sequence in 1...publishes { slot.publish(state(sequence)) }
            slot.close()
        }
        _ = await writer.joined()
        let result = await reader.joined().result
        #expect(result.torn == 0)
        #expect(result.backwards == 0)
        #expect(result.reads >= 1)
        #expect(slot.read().state == state(publishes))
    }
}

@Suite("Parker")
struct ParkerTests {
    @Test("an unpark before the park is not lost: the park returns at once")
    func unparkFirst() async throws {
        let parker = Parker()
        let flag = Flag()
        let sleeper = OSThread(name: "test-parker") { () -> Bool in
            while !flag.isSet { parker.park { flag.isSet } }
            return true
        }
        flag.set()
        parker.unpark()
        #expect(await sleeper.joined().result)
    }

    @Test("a thousand park/unpark hand-shakes lose no wake-up")
    func noLostWakeUps() async throws {
        let parker = Parker()
        let counter = Counter()
        let rounds = 1_000
        let waiter = OSThread(name: "test-parker") { () -> Int in
            var seen = 0
            while seen < rounds {
                let now = counter.value
                if now > seen { seen = now; continue }
                parker.park { counter.value > seen }
            }
            return seen
        }
        for _ in 0..<rounds {
            counter.increment()
            parker.unpark()
        }
        #expect(await waiter.joined().result == rounds)
    }
}

private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func increment() { count.add(1, ordering: .releasing) }
}
