import Clocks
import MarketData
import Models
import Pipeline
import PropertyBased
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One step of a single-threaded scenario against the ring and a plain array as reference.
private enum RingStep: Sendable, CustomStringConvertible {
    case push(Int)
    case pop(limit: Int)
    case tryPush
    case tryPop

    var description: String {
        switch self {
        case .push(let n): "push \(n)"
        case .pop(let limit): "pop ≤\(limit)"
        case .tryPush: "tryPush"
        case .tryPop: "tryPop"
        }
    }
}

private func ringSteps() -> Generator<RingStep, some Sequence & SendableMetatype> {
    zip(Gen.int(in: 0...3), Gen.int(in: 0...40)).map { code, n in
        switch code {
        case 0: RingStep.push(n)
        case 1: RingStep.pop(limit: n)
        case 2: RingStep.tryPush
        default: RingStep.tryPop
        }
    }
}

@Suite("SPSC ring", .ownThread)
struct SPSCRingTests {
    @Test(
        "capacity is rounded up to a power of two, at least 2",
        arguments: [(1, 2), (2, 2), (3, 4), (16, 16), (17, 32), (1_000, 1_024)])
    func capacity(requested: Int, expected: Int) {
        #expect(SPSCRing<Int>(capacity: requested).capacity == expected)
    }

    @Test("any sequence of pushes and pops behaves like a bounded FIFO")
    func agreesWithReference() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...40), ringSteps().array(of: 1...200)) {
            requested, steps in
            let ring = SPSCRing<Int>(capacity: requested)
            var reference: [Int] = []
            var next = 0
            var taken: [Int] = []
            for step in steps {
                switch step {
                case .push(let n):
                    let values = Array(next..<next + n)
                    let pushed = values.withUnsafeBufferPointer { ring.push($0) }
                    let fits = min(n, ring.capacity - reference.count)
                    #expect(pushed == fits, "\(step)")
                    reference += values.prefix(pushed)
                    next += pushed
                case .pop(let limit):
                    taken.removeAll()
                    let popped = ring.pop(into: &taken, limit: limit)
                    let expected = Array(reference.prefix(limit))
                    #expect(popped == expected.count && taken == expected, "\(step)")
                    reference.removeFirst(expected.count)
                case .tryPush:
                    let pushed = ring.tryPush(next)
                    #expect(pushed == (reference.count < ring.capacity), "\(step)")
                    if pushed { reference.append(next); next += 1 }
                case .tryPop:
                    #expect(ring.tryPop() == reference.first, "\(step)")
                    if !reference.isEmpty { reference.removeFirst() }
                }
                #expect(ring.countFromProducer == reference.count)
                #expect(ring.hasElements == !reference.isEmpty)
                #expect(ring.hasRoom == (reference.count < ring.capacity))
            }
        }
    }

    @Test("elements left in the ring are released with it")
    func releasesWhatIsLeft() {
        final class Counter: Sendable { let released = Atomic<Int>(0) }
        final class Tracked: Sendable {
            let counter: Counter
            init(_ counter: Counter) { self.counter = counter }
            deinit { counter.released.add(1, ordering: .relaxed) }
        }
        let counter = Counter()
        do {
            let ring = SPSCRing<Tracked>(capacity: 4)
            for _ in 0..<3 { #expect(ring.tryPush(Tracked(counter))) }
            #expect(ring.tryPop() != nil)  // released at once
            #expect(counter.released.load(ordering: .relaxed) == 1)
        }
        #expect(counter.released.load(ordering: .relaxed) == 3)
    }

    @Test("a producer and a consumer thread move every element once, in order, across wrap-arounds")
    func twoThreads() async throws {
        let total = 100_000
        let ring = SPSCRing<Int>(capacity: 64)
        let producer = OSThread(name: "test-producer") { () -> Int in
            var next = 0
            var chunk: [Int] = []
            var fullRounds = 0
            while next < total {
                let n = min(1 + next % 37, total - next)
                chunk = Array(next..<next + n)
                var sent = 0
                while sent < n {
                    let pushed = chunk.withUnsafeBufferPointer { ring.push(UnsafeBufferPointer(rebasing: $0[sent...])) }
                    // Yield rather than spin: other suites run alongside (under ThreadSanitizer too).
                    if pushed == 0 { fullRounds += 1; sched_yield() }
                    sent += pushed
                }
                next += n
            }
            return fullRounds
        }
        let consumer = OSThread(name: "test-consumer") { () -> Bool in
            var expected = 0
            var batch: [Int] = []
            var inOrder = true
            while expected < total {
                batch.removeAll(keepingCapacity: true)
                if ring.pop(into: &batch, limit: 1 + expected % 53) == 0 { sched_yield() }
                for value in batch {
                    if value != expected { inOrder = false }
                    expected += 1
                }
            }
            return inOrder && !ring.hasElements
        }
        _ = await producer.joined()
        #expect(await consumer.joined().result)
    }
}

@Suite("Spin-ring FIFO")
struct SpinRingTickQueueTests {
    static func ticks(_ range: ClosedRange<Int>) -> [ReceivedTick] {
        range.map {
            ReceivedTick(
                Tick(sequence: UInt64($0), scheduledArrival: 0, delta: .add(.bid, price: 1, size: 1), kind: .add),
                received: 0)
        }
    }

    @Test(
        "every wait strategy hands ticks over in order through a tiny ring, and drains after close",
        arguments: WaitStrategy.allCases)
    func handOver(strategy: WaitStrategy) async throws {
        let queue = SpinRingTickQueue(capacity: 4, strategy: strategy)
        let total = 5_000
        let all = Self.ticks(1...total)
        let producer = OSThread(name: "test-producer") { () -> Int in
            var maxDepth = 0
            var start = 0
            while start < total {
                let end = min(total, start + 1 + start % 11)
                maxDepth = max(maxDepth, queue.put(Array(all[start..<end])))
                start = end
            }
            queue.close()
            return maxDepth
        }
        let consumer = OSThread(name: "test-consumer") { () -> [UInt64] in
            var got: [UInt64] = []
            var batch: [ReceivedTick] = []
            while queue.take(into: &batch) {
                got += batch.map(\.tick.sequence)
            }
            return got
        }
        let maxDepth = await producer.joined().result
        let got = await consumer.joined().result
        #expect(got == (1...UInt64(total)).map { $0 })
        #expect(maxDepth >= 0 && maxDepth <= queue.capacity)
    }

    @Test("a parked consumer is woken by the next put, every time")
    func parkedConsumerWakes() async throws {
        let queue = SpinRingTickQueue(capacity: 16, strategy: .park)
        let rounds = 20
        let consumer = OSThread(name: "test-consumer") { () -> Int in
            var received = 0
            var batch: [ReceivedTick] = []
            while queue.take(into: &batch) { received += batch.count }
            return received
        }
        try await offPool {
            for round in 1...rounds {
                // Long enough for the consumer to spin out and park (a few µs), short for a test.
                MonotonicClock.sleep(until: MonotonicClock.now() + 2_000_000)
                _ = queue.put(Self.ticks(round...round))
            }
            queue.close()
        }
        #expect(await consumer.joined().result == rounds)
    }

    @Test("a producer parked on a full ring is woken when the consumer makes room")
    func parkedProducerWakes() async throws {
        let queue = SpinRingTickQueue(capacity: 2, strategy: .park)
        let producer = OSThread(name: "test-producer") { () -> Int in
            _ = queue.put(Self.ticks(1...10))
            queue.close()
            return 10
        }
        let got = try await offPool { () -> [UInt64] in
            var got: [UInt64] = []
            var batch: [ReceivedTick] = []
            while queue.take(into: &batch) {
                got += batch.map(\.tick.sequence)
                MonotonicClock.sleep(until: MonotonicClock.now() + 1_000_000)
            }
            return got
        }
        _ = await producer.joined()
        #expect(got == Array(1...10))
    }
}
