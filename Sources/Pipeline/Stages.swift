import Clocks
import MarketData
import OrderBook

// The stage logic, written once. Each stage is a value owned by whatever runs it (a thread, a
// task, a serial queue); a model only decides how stages wait, wake and hand over. Nothing in
// this file blocks, sleeps or synchronises.

/// What the receiver asks its model to do next.
public enum ReceiverStep: Sendable, Equatable {
    /// ``ReceiverStage/batch`` holds fresh ticks: hand them to the processor, then report the
    /// queue depth with ``ReceiverStage/enqueued(depthAfter:)``.
    case handOver
    /// Nothing is due: wait until this instant, then call ``ReceiverStage/receive()`` again.
    case wait(until: MonotonicInstant)
    /// The feed is finished or the run was stopped: close the inbound queue.
    case finished
}

/// Takes every available tick from the feed, stamps it received, and hands it over in order.
public struct ReceiverStage: Sendable {
    /// The feed, owned by the receiver; after the run it answers the self-check's questions.
    public private(set) var feed: any TickFeed
    private let stop: StopSignal
    private let batchLimit: Int
    private var raw: [Tick] = []
    /// The ticks of the last ``ReceiverStep/handOver``, stamped and in sequence order.
    public private(set) var batch: [ReceivedTick] = []
    public private(set) var metrics = ReceiverMetrics()
    /// What to wait on between polls when the feed is an ``IOFeed``; nil for scheduled feeds.
    private var readiness: (any FeedReadiness)?
    private var prepared = false
    /// The poll's and the receipt's stamps.
    private var clock = StampClock()

    /// - Parameter batchLimit: the most ticks taken in one poll: bounds the batch a late receiver
    ///   hands over at once (and so the memory a saturated feed can claim).
    public init(feed: any TickFeed, stop: StopSignal, batchLimit: Int = 1_024) {
        self.feed = feed
        self.stop = stop
        self.batchLimit = batchLimit
        raw.reserveCapacity(batchLimit)
        batch.reserveCapacity(batchLimit)
    }

    /// Tells an I/O feed where the receiver runs, so that it reads its socket there (blocking on
    /// the receiver's thread, or on the model's event loop). The shared loops call it; a model
    /// with a receive loop of its own calls it once before the first ``receive()``. Only the
    /// first call counts.
    public mutating func prepare(for host: StageHost) {
        guard !prepared else { return }
        prepared = true
        guard var io = feed as? any IOFeed else { return }
        io.attach(to: host)
        readiness = io.readiness
        feed = io
    }

    /// Waits after ``ReceiverStep/wait(until:)``, blocking the thread: until `deadline` with
    /// `sleep` for a scheduled feed; until data or `deadline` for an I/O feed.
    /// - Parameter sleep: a wait strategy's sleep, given the deadline in monotonic nanoseconds.
    public func wait(until deadline: MonotonicInstant, sleep: (UInt64) -> Void = MonotonicClock.sleep(until:)) {
        if let readiness {
            readiness.waitBlocking(until: deadline.nanoseconds)
        } else {
            sleep(deadline.nanoseconds)
        }
    }

    /// Waits after ``ReceiverStep/wait(until:)`` without blocking the executor: the sleeper for a
    /// scheduled feed, data or deadline for an I/O feed.
    public func wait(until deadline: MonotonicInstant, sleeper: some AsyncSleeper) async {
        if let readiness {
            await readiness.wait(until: deadline.nanoseconds)
        } else {
            await sleeper.sleep(until: deadline.nanoseconds)
        }
    }

    /// For callback-driven models: calls `wake` once when an I/O feed may have data or at
    /// `deadline`, and returns true; returns false (and never calls `wake`) when the model must
    /// arm its own timer for `deadline` (a scheduled feed, or one attached to a thread).
    public func notifyWhenReady(until deadline: MonotonicInstant, _ wake: @escaping @Sendable () -> Void) -> Bool {
        readiness?.notify(until: deadline.nanoseconds, wake) ?? false
    }

    /// Polls the feed once.
    public mutating func receive() -> ReceiverStep {
        if stop.isRequested { feed.stop() }
        raw.removeAll(keepingCapacity: true)
        batch.removeAll(keepingCapacity: true)
        let poll = feed.poll(now: clock.now(), into: &raw, limit: batchLimit)
        switch poll {
        case .ticks:
            let received = clock.now()
            for tick in raw {
                batch.append(ReceivedTick(tick, received: received))
                metrics.arrivalToReceived.record(from: tick.scheduledArrival, to: received)
            }
            metrics.received &+= UInt64(raw.count)
            metrics.batches &+= 1
            return .handOver
        case .idle(let until):
            return .wait(until: MonotonicInstant(nanoseconds: until))
        case .finished:
            return .finished
        }
    }

    /// Records the inbound queue depth right after the last batch went in.
    public mutating func enqueued(depthAfter: Int) {
        metrics.depth.recordEnqueue(count: batch.count, depthAfter: depthAfter)
    }
}

/// What the receiver measured.
public struct ReceiverMetrics: Sendable {
    public var received: UInt64 = 0
    public var batches: UInt64 = 0
    public var arrivalToReceived = LatencyRecorder()
    public var depth = DepthStatistics()
    public init() {}
}

/// Applies ticks to the order book it alone owns, in sequence order, runs the CPU workload over
/// the book and produces the state the evaluator reads.
public struct ProcessorStage: Sendable {
    public private(set) var book = OrderBook()
    private let work: Workload
    private let stop: StopSignal
    /// The window's end in nanoseconds, as every processed stamp is compared with it.
    private let windowEnd: UInt64
    private var expectedSequence: UInt64 = 1
    private let trace: TraceWriter?
    public private(set) var metrics = ProcessorMetrics()
    /// The processed stamp.
    private var clock = StampClock()

    /// - Parameter windowEnd: the end of the measurement window; a stop request ends it earlier.
    public init(work: Workload, stop: StopSignal, windowEnd: MonotonicInstant, trace: TraceWriter? = nil) {
        self.work = work
        self.stop = stop
        self.windowEnd = windowEnd.nanoseconds
        self.trace = trace
    }

    /// Processes one tick and returns the state to publish.
    ///
    /// After a stop request a tick is abandoned rather than worked through: its delta still goes
    /// into the book (a microsecond; the book stays a replay of every received tick, as the
    /// self-check expects), but the workload, the trace and the latency figures are skipped, and
    /// it is counted in ``ProcessorMetrics/abandoned``, not in `processed`. So a stop ends a run
    /// whatever its backlog.
    public mutating func process(_ item: ReceivedTick) -> BookState {
        let tick = item.tick
        if tick.sequence != expectedSequence {
            metrics.recordSequenceBreak(expected: expectedSequence, got: tick.sequence)
        }
        expectedSequence = tick.sequence &+ 1
        if book.applyCounting(tick.delta) != nil { metrics.rejectedDeltas &+= 1 }
        let abandoned = stop.isRequested
        var imbalance = 0.0
        var result: UInt64 = 0
        if abandoned {
            metrics.abandoned &+= 1
        } else {
            // Features first, then the work over the book; its result goes into the state.
            let bidSize = book.withLevels(.bid) { Self.topSize($0) }
            let askSize = book.withLevels(.ask) { Self.topSize($0) }
            result = work.isEmpty ? 0 : runWork()
            let total = bidSize + askSize
            imbalance = total == 0 ? 0 : Double(bidSize - askSize) / Double(total)
        }
        let processed = clock.now()
        let state = BookState(
            sequence: tick.sequence, arrival: tick.scheduledArrival, received: item.received, processed: processed,
            bestBid: book.bestBid ?? PriceLevel(price: 0, size: 0),
            bestAsk: book.bestAsk ?? PriceLevel(price: 0, size: 0),
            imbalance: imbalance, workResult: result)
        if abandoned { return state }
        metrics.processing.record(arrival: tick.scheduledArrival, received: item.received, processed: processed)
        metrics.receivedToProcessed.record(from: item.received, to: processed)
        metrics.processed &+= 1
        if processed <= min(windowEnd, stop.instantNanoseconds) { metrics.processedInWindow &+= 1 }
        trace?.processed(state)
        return state
    }
}

extension ProcessorStage {
    /// Total size of the best five levels of a side (levels are stored best last).
    @inline(__always)
    static func topSize(_ levels: UnsafeBufferPointer<PriceLevel>) -> Size {
        var total: Size = 0
        for level in levels.suffix(5) { total += level.size }
        return total
    }

    /// The workload over the top ten levels of each side (prices and sizes), timed on the
    /// thread CPU clock for the accuracy report.
    mutating func runWork() -> UInt64 {
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 40) { values in
            values.initialize(repeating: 0)
            var n = 0
            for side in Side.allCases {
                book.withLevels(side) { levels in
                    for level in levels.suffix(10).reversed() {
                        values[n] = level.price
                        values[n + 1] = level.size
                        n += 2
                    }
                }
                n = 20
            }
            let cpu0 = ThreadCPUClock.now()
            let result = work.run(over: UnsafeBufferPointer(values))
            metrics.work.record(ThreadCPUClock.now() &- cpu0)
            return result
        }
    }
}

/// What the processor measured.
public struct ProcessorMetrics: Sendable {
    public var processed: UInt64 = 0
    public var processedInWindow: UInt64 = 0
    /// Ticks taken after a stop request: applied to the book, not worked through.
    public var abandoned: UInt64 = 0
    public var rejectedDeltas: UInt64 = 0
    public var sequenceBreaks: UInt64 = 0
    /// The first break, for the self-check's message.
    public var firstSequenceBreak: (expected: UInt64, got: UInt64)?
    /// Processing latency, in all and over the run's time (by scheduled arrival), with the
    /// receiver lag of each interval.
    public var processing = ProcessingLatency()
    public var receivedToProcessed = LatencyRecorder()
    public var work = WorkAccounting()
    public init() {}

    mutating func recordSequenceBreak(expected: UInt64, got: UInt64) {
        sequenceBreaks &+= 1
        if firstSequenceBreak == nil { firstSequenceBreak = (expected, got) }
    }
}

/// What the evaluator asks its model to do next. Every model drives the same sequence: take a
/// state (``EvaluatorStage/pickUp(_:)``), wait if asked (``EvaluatorStage/waited()``), send the
/// order if asked (``EvaluatorStage/sendOrder(sleep:)``), and again; the stage thinks and decides
/// on its own, and traps on a call out of turn, so no model can skip or reorder a step.
public enum EvaluatorStep: Sendable, Equatable {
    /// Ready for a state: take one newer than ``EvaluatorStage/lastSequence`` from the slot and
    /// pass it to ``EvaluatorStage/pickUp(_:)``; a closed, drained slot ends the evaluator.
    case pickUp
    /// The `wait` evaluation: wait until this instant, then call ``EvaluatorStage/waited()``.
    case wait(until: MonotonicInstant)
    /// The decision made an order (`--route`): send it with ``EvaluatorStage/sendOrder(sleep:)``
    /// or ``EvaluatorStage/sendOrder(sleeper:)``.
    case sendOrder
}

/// Waits for a state newer than the last it evaluated, takes the newest (the ones in between
/// are conflated), spends the evaluation time and decides.
public struct EvaluatorStage: Sendable {
    /// Where the stage is in its sequence; what ``step`` tells the model.
    private enum Phase: Sendable {
        case ready
        case waiting(Evaluation, until: MonotonicInstant)
        case sending(RoutedOrder)
    }

    private let kind: EvaluationKind
    private let work: Workload
    private let requestedNanos: UInt64
    private let trace: TraceWriter?
    /// Where buy and sell decisions go as orders (`--route`); nil: decisions stay decisions.
    public let route: (any OrderRoute)?
    /// The sequence of the last state evaluated (0 before the first).
    public private(set) var lastSequence: UInt64 = 0
    public private(set) var metrics = EvaluatorMetrics()
    private var phase = Phase.ready
    private var ordersMade: UInt64 = 0
    /// The pick-up, decision and acknowledgement stamps.
    private var clock = StampClock()

    public init(kind: EvaluationKind, work: Workload, trace: TraceWriter? = nil, route: (any OrderRoute)? = nil) {
        self.kind = kind
        self.work = work
        self.requestedNanos = work.requestedNanoseconds
        self.trace = trace
        self.route = route
    }

    /// Tells the order route where the evaluator runs, so that it connects and waits there. The
    /// shared loops call it; a model with an evaluate loop of its own calls it before the first
    /// state when it routes.
    public func prepare(for host: StageHost) {
        route?.prepare(for: host)
    }

    /// What the model must do next; ``EvaluatorStep/pickUp`` before the first state.
    public var step: EvaluatorStep {
        switch phase {
        case .ready: .pickUp
        case .waiting(_, let deadline): .wait(until: deadline)
        case .sending: .sendOrder
        }
    }

    /// How long the evaluator waits per state (the `wait` kind), nil when the evaluation is CPU
    /// work, done inside ``pickUp(_:)``.
    public var waitDuration: Duration? { waitNanoseconds.map { .nanoseconds($0) } }

    /// ``waitDuration`` in nanoseconds, as it is added to each pick-up stamp.
    private var waitNanoseconds: UInt64? { kind == .wait && requestedNanos > 0 ? requestedNanos : nil }

    /// Takes a state (at ``EvaluatorStep/pickUp`` only): stamps the pick-up and counts the states
    /// it skipped; then, for the `wait` kind, asks for the wait, else thinks and decides.
    public mutating func pickUp(_ state: BookState) -> EvaluatorStep {
        guard case .ready = phase else { preconditionFailure("the evaluator was handed a state at \(step)") }
        let picked = clock.now()
        precondition(state.sequence > lastSequence, "the evaluator was handed an old state")
        metrics.conflated &+= state.sequence - lastSequence - 1
        lastSequence = state.sequence
        metrics.evaluations &+= 1
        var evaluation = Evaluation(state: state, picked: picked, signal: 0)
        if let wait = waitNanoseconds {
            let deadline = MonotonicInstant(nanoseconds: picked &+ wait)
            phase = .waiting(evaluation, until: deadline)
            return .wait(until: deadline)
        }
        think(&evaluation)
        return decide(evaluation)
    }

    /// Ends the wait of ``EvaluatorStep/wait(until:)`` (only then) and decides.
    public mutating func waited() -> EvaluatorStep {
        guard case .waiting(let evaluation, _) = phase else { preconditionFailure("the evaluator waited at \(step)") }
        return decide(evaluation)
    }

    /// Sends the decision's order (at ``EvaluatorStep/sendOrder`` only) and blocks the thread
    /// until it is acknowledged.
    public mutating func sendOrder(sleep: (UInt64) -> Void = MonotonicClock.sleep(until:)) -> EvaluatorStep {
        let (order, route) = takeOrder()
        let outcome = route.sendAndWait(order, sleep: sleep)
        acknowledged(order, outcome, at: clock.now())
        return .pickUp
    }

    /// Sends the decision's order (at ``EvaluatorStep/sendOrder`` only) and awaits its
    /// acknowledgement without blocking the executor.
    public mutating func sendOrder(sleeper: some AsyncSleeper) async -> EvaluatorStep {
        let (order, route) = takeOrder()
        let outcome = await route.send(order, sleeper: sleeper)
        acknowledged(order, outcome, at: clock.now())
        return .pickUp
    }

    /// Spends the evaluation as CPU work (the `cpu` kind); nothing for the `wait` kind.
    private mutating func think(_ evaluation: inout Evaluation) {
        guard kind == .cpu, !work.isEmpty else { return }
        let s = evaluation.state
        let values: [Int64] = [
            s.bestBid.price, s.bestBid.size, s.bestAsk.price, s.bestAsk.size,
            Int64(s.imbalance * 1e6), Int64(bitPattern: s.workResult),
        ]
        let cpu0 = ThreadCPUClock.now()
        evaluation.signal = values.withUnsafeBufferPointer { work.run(over: $0) }
        metrics.work.record(ThreadCPUClock.now() &- cpu0)
    }

    /// Stamps the decision, records the evaluated tick's latencies and asks for the order's
    /// sending when the decision made one.
    private mutating func decide(_ evaluation: Evaluation) -> EvaluatorStep {
        let decided = clock.now()
        let s = evaluation.state
        let decision: Decision = s.imbalance > 0.25 ? .buy : s.imbalance < -0.25 ? .sell : .hold
        metrics.decisions[decision] &+= 1
        phase = .ready
        if route != nil, decision != .hold { phase = .sending(makeOrder(decision, s, decided: decided)) }
        metrics.digest = (metrics.digest ^ evaluation.signal ^ s.workResult) &* 0x0000_0100_0000_01B3
        metrics.endToEnd.record(from: s.arrival, to: decided)
        metrics.reaction.record(from: s.arrival, to: evaluation.picked)
        metrics.processedToPicked.record(from: s.processed, to: evaluation.picked)
        metrics.pickedToDecided.record(from: evaluation.picked, to: decided)
        trace?.decided(s, picked: evaluation.picked, decided: decided, decision: decision)
        return step
    }

    private mutating func takeOrder() -> (RoutedOrder, any OrderRoute) {
        guard case .sending(let order) = phase, let route else {
            preconditionFailure("the evaluator sent an order at \(step)")
        }
        phase = .ready
        return (order, route)
    }

    private mutating func makeOrder(_ decision: Decision, _ s: BookState, decided: UInt64) -> RoutedOrder {
        ordersMade &+= 1
        let buy = decision == .buy
        let near = buy ? s.bestAsk.price : s.bestBid.price
        let far = buy ? s.bestBid.price : s.bestAsk.price
        return RoutedOrder(
            id: ordersMade, side: buy ? .bid : .ask,
            price: near > 0 ? near : far > 0 ? far : 1, size: 1, decided: decided)
    }

    private mutating func acknowledged(_ order: RoutedOrder, _ outcome: OrderOutcome, at acked: UInt64) {
        metrics.routing.orders &+= 1
        switch outcome {
        case .accepted:
            metrics.routing.accepted &+= 1
            metrics.routing.decidedToAcked.record(from: order.decided, to: acked)
        case .rejected(let reason):
            metrics.routing.rejected &+= 1
            metrics.routing.decidedToAcked.record(from: order.decided, to: acked)
            if metrics.routing.firstProblem == nil {
                metrics.routing.firstProblem = "order \(order.id) rejected: \(reason)"
            }
        case .failed(let reason):
            metrics.routing.failed &+= 1
            if metrics.routing.firstProblem == nil {
                metrics.routing.firstProblem = "order \(order.id) failed: \(reason)"
            }
        }
    }
}

/// One evaluation in flight, between its pick-up and its decision.
struct Evaluation: Sendable {
    var state: BookState
    var picked: UInt64
    var signal: UInt64
}

/// How many decisions of each kind the evaluator made.
public struct DecisionCounts: Sendable, Hashable {
    public var buy: UInt64 = 0
    public var sell: UInt64 = 0
    public var hold: UInt64 = 0

    public init(buy: UInt64 = 0, sell: UInt64 = 0, hold: UInt64 = 0) {
        self.buy = buy
        self.sell = sell
        self.hold = hold
    }

    public subscript(decision: Decision) -> UInt64 {
        get {
            switch decision {
            case .buy: buy
            case .sell: sell
            case .hold: hold
            }
        }
        set {
            switch decision {
            case .buy: buy = newValue
            case .sell: sell = newValue
            case .hold: hold = newValue
            }
        }
    }

    /// Buy and sell decisions: the ones that become orders with `--route`.
    public var orders: UInt64 { buy &+ sell }
    public var total: UInt64 { buy &+ sell &+ hold }
}

/// What the evaluator measured.
public struct EvaluatorMetrics: Sendable {
    public var evaluations: UInt64 = 0
    public var conflated: UInt64 = 0
    public var decisions = DecisionCounts()
    /// Folds every work result and signal, so that no work is dead code.
    public var digest: UInt64 = 0
    public var endToEnd = LatencyRecorder()
    public var reaction = LatencyRecorder()
    public var processedToPicked = LatencyRecorder()
    public var pickedToDecided = LatencyRecorder()
    public var work = WorkAccounting()
    /// Orders and acknowledgements with `--route`.
    public var routing = RoutingMetrics()
    public init() {}
}
