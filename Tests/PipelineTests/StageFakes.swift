import Clocks
import Locks
import MarketData
import OrderBook
import Pipeline

// Fakes for the stage and stage-loop tests: a feed that answers from a script, an order route
// that records what it was sent, and a reference FIFO and latest-value slot (an array behind a
// lock), so that the stages can be driven without any model.

/// A tick with arrival 0, so that every received and processed stamp is at or after it.
func scriptedTick(_ sequence: UInt64, _ delta: BookDelta, arrival: UInt64 = 0) -> Tick {
    Tick(sequence: sequence, scheduledArrival: arrival, delta: delta, kind: .add)
}

/// `count` ticks 1…count that add one unit on alternate sides, a valid stream for any book.
func alternatingTicks(_ count: Int) -> [Tick] {
    (1...UInt64(count)).map { sequence in
        let side: Side = sequence.isMultiple(of: 2) ? .ask : .bid
        let price: Price = side == .bid ? 100 - Price(sequence % 7) : 101 + Price(sequence % 7)
        return scriptedTick(sequence, .add(side, price: price, size: 1))
    }
}

/// A feed that answers each poll with the next entry of its script, then `.finished`.
struct ScriptedFeed: TickFeed {
    enum Answer: Sendable, Equatable {
        /// These ticks are due; a poll takes at most its limit of them and leaves the rest for
        /// the next poll.
        case ticks([Tick])
        case idle(until: UInt64)
        case finished
    }

    private(set) var script: [Answer]
    /// The limit of every poll, in order.
    private(set) var limits: [Int] = []
    private(set) var stopCalls = 0

    init(_ script: [Answer]) { self.script = script }

    mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll {
        limits.append(limit)
        guard stopCalls == 0, !script.isEmpty else { return .finished }
        switch script.removeFirst() {
        case .ticks(let ticks):
            let taken = ticks.prefix(limit)
            buffer.append(contentsOf: taken)
            if taken.count < ticks.count { script.insert(.ticks(Array(ticks.dropFirst(limit))), at: 0) }
            return .ticks(count: taken.count)
        case .idle(let until):
            return .idle(until: until)
        case .finished:
            script.insert(.finished, at: 0)
            return .finished
        }
    }

    mutating func stop() { stopCalls += 1 }

    func referenceBook(afterTicks count: UInt64) -> OrderBook? { nil }
}

/// What a ``RecordingReadiness`` was asked.
enum ReadinessCall: Sendable, Equatable {
    case waitBlocking(UInt64)
    case wait(UInt64)
    case notify(UInt64)
}

/// Readiness that returns at once and records each call.
final class RecordingReadiness: FeedReadiness {
    private let recorded = Locked<[ReadinessCall]>([])
    var calls: [ReadinessCall] { recorded.withLock { $0 } }

    func waitBlocking(until deadline: UInt64) { recorded.withLock { $0.append(.waitBlocking(deadline)) } }
    func wait(until deadline: UInt64) async { recorded.withLock { $0.append(.wait(deadline)) } }
    func notify(until deadline: UInt64, _ wake: @escaping @Sendable () -> Void) -> Bool {
        recorded.withLock { $0.append(.notify(deadline)) }
        wake()
        return true
    }
}

/// An I/O feed over a script: remembers every host it was attached to.
struct ScriptedIOFeed: IOFeed {
    var scripted: ScriptedFeed
    let readinessAfterAttach = RecordingReadiness()
    private(set) var attachedHosts: [String] = []
    private(set) var readiness: (any FeedReadiness)?

    init(_ script: [ScriptedFeed.Answer]) { scripted = ScriptedFeed(script) }

    mutating func attach(to host: StageHost) {
        attachedHosts.append(hostName(host))
        readiness = readinessAfterAttach
    }

    mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll {
        scripted.poll(now: now, into: &buffer, limit: limit)
    }

    mutating func stop() { scripted.stop() }

    func referenceBook(afterTicks count: UInt64) -> OrderBook? { nil }
}

/// A host's case name, for comparisons (`StageHost` is not Equatable: it carries a loop).
func hostName(_ host: StageHost) -> String {
    switch host {
    case .thread: "thread"
    case .eventLoop: "eventLoop"
    case .sharedExecutor: "sharedExecutor"
    }
}

/// An order route that answers from a script of outcomes (`.accepted` once it runs out) and
/// records the orders, the hosts it was prepared for and which send was used.
final class RecordingRoute: OrderRoute {
    struct Record: Sendable {
        var outcomes: [OrderOutcome]
        var orders: [RoutedOrder] = []
        var hosts: [String] = []
        var asyncSends = 0
    }

    private let record: Locked<Record>
    var name: String { "recording" }

    init(outcomes: [OrderOutcome] = []) { record = Locked(Record(outcomes: outcomes)) }

    var orders: [RoutedOrder] { record.withLock { $0.orders } }
    var hosts: [String] { record.withLock { $0.hosts } }
    var asyncSends: Int { record.withLock { $0.asyncSends } }

    func prepare(for host: StageHost) { record.withLock { $0.hosts.append(hostName(host)) } }
    func close() {}

    func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome { answer(order) }

    func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome {
        record.withLock { $0.asyncSends += 1 }
        return answer(order)
    }

    private func answer(_ order: RoutedOrder) -> OrderOutcome {
        record.withLock { record in
            record.orders.append(order)
            return record.outcomes.isEmpty ? .accepted : record.outcomes.removeFirst()
        }
    }
}

/// A sleeper that returns at once, records the deadlines and says it runs on `host`.
final class RecordingSleeper: AsyncSleeper {
    private let recorded = Locked<[UInt64]>([])
    let host: StageHost

    init(host: StageHost = .sharedExecutor) { self.host = host }

    var deadlines: [UInt64] { recorded.withLock { $0 } }
    func sleep(until deadline: UInt64) async { recorded.withLock { $0.append(deadline) } }
}

/// The reference FIFO: an unbounded array behind a lock, with a condition for the taker.
final class ReferenceTickQueue: BlockingTickQueue {
    private struct State {
        var ticks: [ReceivedTick] = []
        var closed = false
    }

    private let state = Locked(State())
    private let changed = Condition()

    var isClosed: Bool { state.withLock { $0.closed } }
    var isEmpty: Bool { state.withLock { $0.ticks.isEmpty } }

    func put(_ ticks: [ReceivedTick]) -> Int {
        let depth = state.withLock { state in
            state.ticks.append(contentsOf: ticks)
            return state.ticks.count
        }
        changed.signal()
        return depth
    }

    func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        return state.withLock(when: { !$0.ticks.isEmpty || $0.closed }, waitingOn: changed) { state in
            guard !state.ticks.isEmpty else { return false }
            batch.append(contentsOf: state.ticks)
            state.ticks.removeAll()
            return true
        }
    }

    func close() {
        state.withLock { $0.closed = true }
        changed.broadcast()
    }

}

/// The reference FIFO for async stages: a ``ReferenceTickQueue`` whose take yields instead of
/// blocking while the queue is empty and open.
struct AsyncReferenceTickQueue: AsyncTickQueue {
    let queue = ReferenceTickQueue()

    func put(_ ticks: [ReceivedTick]) async -> Int { queue.put(ticks) }

    func take(into batch: inout [ReceivedTick]) async -> Bool {
        while queue.isEmpty && !queue.isClosed { await Task.yield() }
        return queue.take(into: &batch)
    }

    func close() { queue.close() }
}

/// A queue whose takes hand out the given batches, one per take, then report it closed.
final class BatchScriptQueue: BlockingTickQueue {
    private let batches: Locked<[[ReceivedTick]]>

    init(_ batches: [[ReceivedTick]]) { self.batches = Locked(batches) }

    func put(_ ticks: [ReceivedTick]) -> Int { preconditionFailure("the script queue takes no puts") }

    func take(into batch: inout [ReceivedTick]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        guard let next = batches.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return false }
        batch.append(contentsOf: next)
        return true
    }

    func close() {}
}

/// ``BatchScriptQueue`` for async stages: each take returns the next scripted batch.
struct AsyncBatchScriptQueue: AsyncTickQueue {
    let script: BatchScriptQueue

    init(_ batches: [[ReceivedTick]]) { script = BatchScriptQueue(batches) }

    func put(_ ticks: [ReceivedTick]) async -> Int { preconditionFailure("the script queue takes no puts") }

    func take(into batch: inout [ReceivedTick]) async -> Bool { script.take(into: &batch) }

    func close() {}
}

/// The reference latest-value slot: keeps the newest state, and every state ever published.
final class ReferenceStateSlot: BlockingStateSlot {
    private struct State {
        var newest: BookState?
        var published: [BookState] = []
        var closed = false
    }

    private let state = Locked(State())
    private let changed = Condition()

    var published: [BookState] { state.withLock { $0.published } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func publish(_ state: BookState) {
        self.state.withLock { slot in
            slot.newest = state
            slot.published.append(state)
        }
        changed.broadcast()
    }

    func next(after sequence: UInt64) -> BookState? {
        state.withLock(
            when: { slot in slot.closed || (slot.newest?.sequence ?? 0) > sequence }, waitingOn: changed
        ) { slot in
            guard let newest = slot.newest, newest.sequence > sequence else { return nil }
            return newest
        }
    }

    func close() {
        state.withLock { $0.closed = true }
        changed.broadcast()
    }

    /// True when the slot is open and holds nothing above `sequence`: a `next(after:)` would wait.
    func wouldWait(after sequence: UInt64) -> Bool {
        state.withLock { !$0.closed && ($0.newest?.sequence ?? 0) <= sequence }
    }
}

/// The reference slot for async stages: a ``ReferenceStateSlot`` whose `next` yields instead of
/// blocking while it would wait.
struct AsyncReferenceStateSlot: AsyncStateSlot {
    let slot = ReferenceStateSlot()

    func publish(_ state: BookState) async { slot.publish(state) }

    func next(after sequence: UInt64) async -> BookState? {
        while slot.wouldWait(after: sequence) { await Task.yield() }
        return slot.next(after: sequence)
    }

    func close() async { slot.close() }
}
