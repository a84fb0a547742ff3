// Checkers for the two hand-over protocols (Pipeline/HandOver.swift), in the manner of
// swift-collections' `checkCollection`/`checkSequence`: each function exercises one contract
// against any implementation and records an issue at the caller's source location for every
// violation. Every FIFO and every slot of the models runs through them (HandOverConformanceTests).
//
// Blocking implementations run on two real OS threads; async ones on two tasks. Nothing waits
// for time: each check waits for the other side's progress, bounded by `handOverHangBound`,
// which only a hang reaches.

import Clocks
import Locks
import MarketData
import Models
import OrderBook
import Pipeline
import TestSupport
import Testing

/// How long a checker waits for a producer or consumer before it calls the hand-over hung.
let handOverHangBound: UInt64 = 60_000_000_000

/// A tick whose only meaningful field is its sequence number.
func checkerTick(_ sequence: UInt64) -> ReceivedTick {
    ReceivedTick(
        Tick(sequence: sequence, scheduledArrival: sequence, delta: .add(.bid, price: 1, size: 1), kind: .add),
        received: sequence)
}

/// A state whose every field is derived from `sequence`, so a torn copy (words of two
/// different publishes) is visible: ``isConsistent(_:)``.
func checkerState(_ sequence: UInt64) -> BookState {
    BookState(
        sequence: sequence, arrival: sequence &* 3, received: sequence &* 5, processed: sequence &* 7,
        bestBid: PriceLevel(price: Int64(sequence), size: Int64(sequence) + 1),
        bestAsk: PriceLevel(price: Int64(sequence) + 2, size: Int64(sequence) + 3),
        imbalance: Double(sequence % 1_000) / 1_000, workResult: ~sequence)
}

/// True when `state` is exactly what ``checkerState(_:)`` makes of its sequence.
func isConsistent(_ state: BookState) -> Bool {
    state.sequence == 0 ? state == .empty : state == checkerState(state.sequence)
}

/// The batch sizes a producer puts, in turn: single ticks, small batches, and batches larger
/// than any capacity the tests use, so that puts wait for room part way through a batch.
private let batchSizes = [1, 3, 7, 1, 16, 2, 33, 5]

/// The ticks 1...total cut into batches of ``batchSizes``.
func checkerBatches(total: Int) -> [[ReceivedTick]] {
    var batches: [[ReceivedTick]] = []
    var next = 1, turn = 0
    while next <= total {
        let size = min(batchSizes[turn % batchSizes.count], total - next + 1)
        batches.append((next..<next + size).map { checkerTick(UInt64($0)) })
        next += size
        turn += 1
    }
    return batches
}

// MARK: - Waiting for the other side, bounded against hangs

/// A result one thread or task delivers and another waits for, with a deadline that only a
/// hang reaches: a hung hand-over fails its test instead of hanging the test process.
final class CheckerOutcome<Value: Sendable>: Sendable {
    private let value = Locked<Value?>(nil)
    private let delivered = Condition()
    /// The thread that delivers, joined once it has (ThreadSanitizer reports unjoined threads).
    private let deliverer = Locked<OSThread<Void>?>(nil)

    func join(afterDelivery thread: OSThread<Void>) { deliverer.withLock { $0 = thread } }

    func deliver(_ newValue: Value) {
        value.withLock { $0 = newValue }
        delivered.broadcast()
    }

    /// The delivered value, or nil if none came within ``handOverHangBound``. Blocks the thread.
    func wait() -> Value? {
        let result = value.withLock(
            when: { $0 != nil }, waitingOn: delivered, deadline: MonotonicClock.now() + handOverHangBound
        ) { v, _ in v }
        // A hung thread is left alone: the test fails instead of hanging too.
        if result != nil,
            let thread = deliverer.withLock({ s in
                defer { s = nil }; return s
            })
        {
            _ = thread.join()
        }
        return result
    }

    /// ``wait()`` from async code, on a thread of its own (not blocking the cooperative pool).
    func value() async throws -> Value? {
        try await offPool { self.wait() }
    }
}

/// Runs `body` on a new OS thread; its result arrives in the returned outcome.
func onThread<Value: Sendable>(_ name: String, _ body: @escaping @Sendable () -> Value) -> CheckerOutcome<Value> {
    let outcome = CheckerOutcome<Value>()
    outcome.join(afterDelivery: OSThread(name: name) { outcome.deliver(body()) })
    return outcome
}

/// Runs `body` in a new task; its result arrives in the returned outcome.
func inTask<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> CheckerOutcome<Value> {
    let outcome = CheckerOutcome<Value>()
    Task { outcome.deliver(await body()) }
    return outcome
}

// MARK: - FIFO contracts

/// What a consumer saw: every sequence in the order taken, and whether a take reported the
/// end once and for all.
struct ConsumedTicks: Sendable {
    var sequences: [UInt64] = []
    var emptyBatchTaken = false
}

/// Order preserved, no loss, no duplicates: `consumed` must be exactly 1...total.
private func expectExactlyOnceInOrder(
    _ consumed: ConsumedTicks?, total: Int, _ name: String,
    sourceLocation: SourceLocation
) {
    guard let consumed else {
        Issue.record("\(name): the consumer hung", sourceLocation: sourceLocation)
        return
    }
    #expect(
        !consumed.emptyBatchTaken, "\(name): a take returned true with an empty batch", sourceLocation: sourceLocation)
    let expected = (1...UInt64(total)).map { $0 }
    if consumed.sequences != expected {
        let duplicates = consumed.sequences.count - Set(consumed.sequences).count
        let missing = Set(expected).subtracting(consumed.sequences).count
        let firstOutOfOrder = zip(consumed.sequences, consumed.sequences.dropFirst()).first { $0 >= $1 }
        Issue.record(
            """
            \(name): took \(consumed.sequences.count) of \(total) ticks, \(duplicates) duplicated, \(missing) lost, \
            first out of order: \(firstOutOfOrder.map { "\($0) then \($1)" } ?? "none")
            """, sourceLocation: sourceLocation)
    }
}

/// Checks the ``BlockingTickQueue`` contract: on one thread, that a put reports the depth and
/// that close drains (everything put before the close is taken, then every take reports the
/// end); on a producer and a consumer thread, that `total` ticks put in batches of varying
/// size (larger than `capacity` too) are taken exactly once and in order, and that a close
/// wakes a consumer waiting on an empty queue.
///
/// - Parameter capacity: how many ticks the queue holds without a consumer; nil for a
///   rendezvous that holds none (the one-thread checks are skipped).
func checkBlockingTickQueue(
    _ name: String, capacity: Int?, total: Int = 5_000, make: () -> any BlockingTickQueue,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    if let capacity {
        // One thread: put what fits, close, drain.
        let queue = make()
        let fits = min(capacity, 10)
        let depth = queue.put((1...fits).map { checkerTick(UInt64($0)) })
        #expect(depth == fits, "\(name): depth after \(fits) puts into an empty queue", sourceLocation: sourceLocation)
        queue.close()
        var batch: [ReceivedTick] = []
        var drained = ConsumedTicks()
        while queue.take(into: &batch) {
            if batch.isEmpty { drained.emptyBatchTaken = true; break }
            drained.sequences += batch.map(\.tick.sequence)
        }
        expectExactlyOnceInOrder(drained, total: fits, "\(name), drained after close", sourceLocation: sourceLocation)
        #expect(
            batch.isEmpty, "\(name): the take that reports the end leaves the batch empty",
            sourceLocation: sourceLocation)
        #expect(
            !queue.take(into: &batch), "\(name): a take after the end reports the end again",
            sourceLocation: sourceLocation)
    }

    // Two threads: order, no loss, no duplicates, close after the last put.
    let queue = make()
    let batches = checkerBatches(total: total)
    let producer = onThread("check-producer") { () -> Int in
        var maxDepth = 0
        for batch in batches { maxDepth = max(maxDepth, queue.put(batch)) }
        queue.close()
        return maxDepth
    }
    let consumer = onThread("check-consumer") { () -> ConsumedTicks in
        var consumed = ConsumedTicks()
        var batch: [ReceivedTick] = []
        while queue.take(into: &batch) {
            if batch.isEmpty { consumed.emptyBatchTaken = true }
            consumed.sequences += batch.map(\.tick.sequence)
        }
        return consumed
    }
    let maxDepth = try await producer.value()
    #expect(maxDepth != nil, "\(name): the producer hung", sourceLocation: sourceLocation)
    if let capacity, let maxDepth {
        #expect(
            maxDepth <= capacity, "\(name): a put reported a depth above the capacity", sourceLocation: sourceLocation)
    }
    expectExactlyOnceInOrder(try await consumer.value(), total: total, name, sourceLocation: sourceLocation)

    // A consumer that waits on an empty queue is woken by the close.
    let idle = make()
    let waiting = onThread("check-waiter") { () -> Bool in
        var batch: [ReceivedTick] = []
        return idle.take(into: &batch)
    }
    idle.close()
    let ended = try await waiting.value()
    #expect(
        ended == false,
        "\(name): a consumer waiting on an empty queue ends when it closes (got \(String(describing: ended)))",
        sourceLocation: sourceLocation)
}

/// The ``AsyncTickQueue`` contract, as ``checkBlockingTickQueue(_:capacity:total:make:sourceLocation:)``
/// with a producer task and a consumer task.
func checkAsyncTickQueue(
    _ name: String, capacity: Int?, total: Int = 5_000, make: () -> any AsyncTickQueue,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    if let capacity {
        let queue = make()
        let fits = min(capacity, 10)
        let depth = await queue.put((1...fits).map { checkerTick(UInt64($0)) })
        #expect(depth == fits, "\(name): depth after \(fits) puts into an empty queue", sourceLocation: sourceLocation)
        queue.close()
        var batch: [ReceivedTick] = []
        var drained = ConsumedTicks()
        while await queue.take(into: &batch) {
            if batch.isEmpty { drained.emptyBatchTaken = true; break }
            drained.sequences += batch.map(\.tick.sequence)
        }
        expectExactlyOnceInOrder(drained, total: fits, "\(name), drained after close", sourceLocation: sourceLocation)
        #expect(
            batch.isEmpty, "\(name): the take that reports the end leaves the batch empty",
            sourceLocation: sourceLocation)
        #expect(
            await !queue.take(into: &batch), "\(name): a take after the end reports the end again",
            sourceLocation: sourceLocation)
    }

    let queue = make()
    let batches = checkerBatches(total: total)
    let producer = inTask { () -> Int in
        var maxDepth = 0
        for batch in batches { maxDepth = max(maxDepth, await queue.put(batch)) }
        queue.close()
        return maxDepth
    }
    let consumer = inTask { () -> ConsumedTicks in
        var consumed = ConsumedTicks()
        var batch: [ReceivedTick] = []
        while await queue.take(into: &batch) {
            if batch.isEmpty { consumed.emptyBatchTaken = true }
            consumed.sequences += batch.map(\.tick.sequence)
        }
        return consumed
    }
    let maxDepth = try await producer.value()
    #expect(maxDepth != nil, "\(name): the producer hung", sourceLocation: sourceLocation)
    if let capacity, let maxDepth {
        #expect(
            maxDepth <= capacity, "\(name): a put reported a depth above the capacity", sourceLocation: sourceLocation)
    }
    expectExactlyOnceInOrder(try await consumer.value(), total: total, name, sourceLocation: sourceLocation)

    let idle = make()
    let waiting = inTask { () -> Bool in
        var batch: [ReceivedTick] = []
        return await idle.take(into: &batch)
    }
    idle.close()
    let ended = try await waiting.value()
    #expect(
        ended == false,
        "\(name): a consumer waiting on an empty queue ends when it closes (got \(String(describing: ended)))",
        sourceLocation: sourceLocation)
}

// MARK: - Latest-value slot contracts

/// What a reader saw: the sequences in the order read, and how many states were torn.
struct ReadStates: Sendable {
    var sequences: [UInt64] = []
    var torn = 0
}

/// Conflation: a reader never sees a state older than (or as old as) one it saw, never a torn
/// one, and, after the close, the newest state published before the end.
private func expectConflated(_ read: ReadStates?, newest: UInt64, _ name: String, sourceLocation: SourceLocation) {
    guard let read else {
        Issue.record("\(name): the reader hung", sourceLocation: sourceLocation)
        return
    }
    #expect(read.torn == 0, "\(name): \(read.torn) torn states", sourceLocation: sourceLocation)
    let backwards = zip(read.sequences, read.sequences.dropFirst()).first { $0 >= $1 }
    #expect(
        backwards == nil, "\(name): a state no newer than one seen before: \(String(describing: backwards))",
        sourceLocation: sourceLocation)
    #expect(
        read.sequences.last == newest,
        "\(name): the last state read is \(String(describing: read.sequences.last)), not the newest (\(newest))",
        sourceLocation: sourceLocation)
}

/// Checks the ``BlockingStateSlot`` contract: on one thread, that `next(after:)` gives the
/// newest state (the ones between conflated), the newest again after the close, then nil; on
/// a publisher and a reader thread, conflation over `total` publishes followed by a close; and
/// that a close wakes a reader waiting for a state that never comes.
func checkBlockingStateSlot(
    _ name: String, total: UInt64 = 5_000, make: () -> any BlockingStateSlot,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let slot = make()
    for sequence in 1...3 as ClosedRange<UInt64> { slot.publish(checkerState(sequence)) }
    #expect(
        slot.next(after: 0) == checkerState(3), "\(name): the newest of three publishes", sourceLocation: sourceLocation
    )
    slot.publish(checkerState(4))
    slot.close()
    #expect(
        slot.next(after: 3) == checkerState(4), "\(name): a close does not hide the newest state",
        sourceLocation: sourceLocation)
    #expect(slot.next(after: 4) == nil, "\(name): nil once closed and nothing newer", sourceLocation: sourceLocation)

    let shared = make()
    let publisher = onThread("check-publisher") { () -> Bool in
        for sequence in 1...total { shared.publish(checkerState(sequence)) }
        shared.close()
        return true
    }
    let reader = onThread("check-reader") { () -> ReadStates in
        var read = ReadStates()
        var last: UInt64 = 0
        while let state = shared.next(after: last) {
            if !isConsistent(state) { read.torn += 1 }
            read.sequences.append(state.sequence)
            last = state.sequence
        }
        return read
    }
    #expect(try await publisher.value() == true, "\(name): the publisher hung", sourceLocation: sourceLocation)
    expectConflated(try await reader.value(), newest: total, name, sourceLocation: sourceLocation)

    let idle = make()
    idle.publish(checkerState(1))
    let waiting = onThread("check-waiter") { idle.next(after: 1) == nil }
    idle.close()
    #expect(
        try await waiting.value() == true, "\(name): a reader waiting for a newer state gets nil when the slot closes",
        sourceLocation: sourceLocation)
}

/// The ``AsyncStateSlot`` contract, as ``checkBlockingStateSlot(_:total:make:sourceLocation:)``
/// with a publisher task and a reader task.
func checkAsyncStateSlot(
    _ name: String, total: UInt64 = 5_000, make: () -> any AsyncStateSlot,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let slot = make()
    for sequence in 1...3 as ClosedRange<UInt64> { await slot.publish(checkerState(sequence)) }
    #expect(
        await slot.next(after: 0) == checkerState(3), "\(name): the newest of three publishes",
        sourceLocation: sourceLocation)
    await slot.publish(checkerState(4))
    await slot.close()
    #expect(
        await slot.next(after: 3) == checkerState(4), "\(name): a close does not hide the newest state",
        sourceLocation: sourceLocation)
    #expect(
        await slot.next(after: 4) == nil, "\(name): nil once closed and nothing newer", sourceLocation: sourceLocation)

    let shared = make()
    let publisher = inTask { () -> Bool in
        for sequence in 1...total { await shared.publish(checkerState(sequence)) }
        await shared.close()
        return true
    }
    let reader = inTask { () -> ReadStates in
        var read = ReadStates()
        var last: UInt64 = 0
        while let state = await shared.next(after: last) {
            if !isConsistent(state) { read.torn += 1 }
            read.sequences.append(state.sequence)
            last = state.sequence
        }
        return read
    }
    #expect(try await publisher.value() == true, "\(name): the publisher hung", sourceLocation: sourceLocation)
    expectConflated(try await reader.value(), newest: total, name, sourceLocation: sourceLocation)

    let idle = make()
    await idle.publish(checkerState(1))
    let waiting = inTask { await idle.next(after: 1) == nil }
    await idle.close()
    #expect(
        try await waiting.value() == true, "\(name): a reader waiting for a newer state gets nil when the slot closes",
        sourceLocation: sourceLocation)
}
