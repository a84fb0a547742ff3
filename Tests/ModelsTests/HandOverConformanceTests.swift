import Locks
import Models
import Pipeline
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Every FIFO and every latest-value slot of the models, run through the shared checkers of
// HandOverChecker.swift. A new hand-over primitive gets one case here.

/// Small enough that a producer waits for room many times in a run of the checker.
private let smallCapacity = 4

/// Ticks or states per run for primitives whose waits spin (`busy`, `yield`): fewer, because
/// two spinning threads hold both cores of a small machine and slow every test alongside.
private let spinningTotal = 1_000

enum BlockingFIFOKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case locked, spinRingBusy, spinRingYield, spinRingPark, spscRing
    var description: String { rawValue }

    var total: Int { [.spinRingBusy, .spinRingYield, .spscRing].contains(self) ? spinningTotal : 5_000 }

    func make() -> any BlockingTickQueue {
        switch self {
        case .locked: LockedTickQueue(capacity: smallCapacity)
        case .spinRingBusy: SpinRingTickQueue(capacity: smallCapacity, strategy: .busy)
        case .spinRingYield: SpinRingTickQueue(capacity: smallCapacity, strategy: .yield)
        case .spinRingPark: SpinRingTickQueue(capacity: smallCapacity, strategy: .park)
        case .spscRing: SPSCRingTickQueue(capacity: smallCapacity)
        }
    }
}

enum AsyncFIFOKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case asyncFIFO, channel
    var description: String { rawValue }

    /// Nil for the channel: a rendezvous holds nothing without a consumer.
    var capacity: Int? { self == .asyncFIFO ? smallCapacity : nil }

    func make() -> any AsyncTickQueue {
        switch self {
        case .asyncFIFO: AsyncTickFIFO(capacity: smallCapacity)
        case .channel: ChannelTickFIFO()
        }
    }
}

enum BlockingSlotKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case locked, seqlockBusy, seqlockYield, seqlockPark, coalescing
    var description: String { rawValue }

    var total: UInt64 { [.seqlockBusy, .seqlockYield].contains(self) ? UInt64(spinningTotal) : 5_000 }

    func make() -> any BlockingStateSlot {
        switch self {
        case .locked: LockedStateSlot()
        case .seqlockBusy: SeqlockStateSlot(strategy: .busy)
        case .seqlockYield: SeqlockStateSlot(strategy: .yield)
        case .seqlockPark: SeqlockStateSlot(strategy: .park)
        case .coalescing: CoalescingSlotReader()
        }
    }
}

enum AsyncSlotKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case asyncLatest, actor
    var description: String { rawValue }

    func make() -> any AsyncStateSlot {
        switch self {
        case .asyncLatest: AsyncLatestSlot()
        case .actor: ActorStateSlot()
        }
    }
}

/// Serialized: the spinning cases must not spin against each other as well as against the
/// suites that run alongside.
@Suite("Hand-over conformance: every FIFO and slot against the shared checkers", .serialized)
struct HandOverConformanceTests {
    @Test("blocking FIFOs: order, no loss, no duplicates, close and drain", arguments: BlockingFIFOKind.allCases)
    func blockingFIFO(kind: BlockingFIFOKind) async throws {
        try await checkBlockingTickQueue(kind.description, capacity: smallCapacity, total: kind.total, make: kind.make)
    }

    @Test("async FIFOs: order, no loss, no duplicates, close and drain", arguments: AsyncFIFOKind.allCases)
    func asyncFIFO(kind: AsyncFIFOKind) async throws {
        try await checkAsyncTickQueue(kind.description, capacity: kind.capacity, make: kind.make)
    }

    @Test(
        "blocking slots: conflation, newest state before the end, close wakes the reader",
        arguments: BlockingSlotKind.allCases)
    func blockingSlot(kind: BlockingSlotKind) async throws {
        try await checkBlockingStateSlot(kind.description, total: kind.total, make: kind.make)
    }

    @Test(
        "async slots: conflation, newest state before the end, close wakes the reader",
        arguments: AsyncSlotKind.allCases)
    func asyncSlot(kind: AsyncSlotKind) async throws {
        try await checkAsyncStateSlot(kind.description, make: kind.make)
    }
}

// MARK: - Adapters: primitives whose own API is not a hand-over protocol

/// The bare ``SPSCRing`` as a blocking FIFO: a producer that finds it full, or a consumer that
/// finds it empty, yields and tries again (what ``SpinRingTickQueue`` does with its `yield`
/// strategy, without the queue's own code in between).
final class SPSCRingTickQueue: BlockingTickQueue, Sendable {
    private let ring: SPSCRing<ReceivedTick>
    private let closed = Atomic<Bool>(false)

    init(capacity: Int) { ring = SPSCRing(capacity: capacity) }

    func put(_ ticks: [ReceivedTick]) -> Int {
        ticks.withUnsafeBufferPointer { buffer in
            var next = 0
            while next < buffer.count && !closed.load(ordering: .relaxed) {
                let pushed = ring.push(UnsafeBufferPointer(rebasing: buffer[next...]))
                if pushed == 0 { sched_yield() }
                next += pushed
            }
        }
        return ring.countFromProducer
    }

    func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        while true {
            if ring.pop(into: &batch) > 0 { return true }
            // Acquiring: every push before the close is visible after it.
            if closed.load(ordering: .acquiring) { return ring.pop(into: &batch) > 0 }
            sched_yield()
        }
    }

    func close() { closed.store(true, ordering: .releasing) }
}

/// A reader of a ``CoalescingStateSlot`` as a blocking slot: it takes states while there are
/// some and, on ``CoalescingStateSlot/Take/idle``, sleeps until the slot's `wake` — which the
/// slot promises exactly once after the next publish or close.
final class CoalescingSlotReader: BlockingStateSlot, Sendable {
    private let slot: CoalescingStateSlot
    /// Wakes the slot has delivered and the reader has not yet slept for.
    private let pendingWakes: Locked<Int>
    private let woken: Condition

    init() {
        let pendingWakes = Locked(0), woken = Condition()
        slot = CoalescingStateSlot {
            pendingWakes.withLock { $0 += 1 }
            woken.signal()
        }
        self.pendingWakes = pendingWakes
        self.woken = woken
    }

    func publish(_ state: BookState) { slot.publish(state) }
    func close() { slot.close() }

    func next(after sequence: UInt64) -> BookState? {
        while true {
            switch slot.take(after: sequence) {
            case .state(let state): return state
            case .closed: return nil
            case .idle: pendingWakes.withLock(when: { $0 > 0 }, waitingOn: woken) { $0 -= 1 }
            }
        }
    }
}
