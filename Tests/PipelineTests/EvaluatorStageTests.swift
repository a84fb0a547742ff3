import Clocks
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("Evaluator stage and its steps")
struct EvaluatorStageTests {
    static let calibration = Workload.Calibration(nanosPerRound: 1)

    static func waiting(_ nanos: UInt64, route: (any OrderRoute)? = nil) -> EvaluatorStage {
        EvaluatorStage(
            kind: .wait, work: Workload(requested: .nanoseconds(nanos), calibration: calibration), route: route)
    }

    static func thinking(_ nanos: UInt64 = 0, route: (any OrderRoute)? = nil) -> EvaluatorStage {
        EvaluatorStage(
            kind: .cpu, work: Workload(requested: .nanoseconds(nanos), calibration: calibration), route: route)
    }

    static func state(
        _ sequence: UInt64, imbalance: Double = 0, bid: PriceLevel = PriceLevel(price: 99, size: 1),
        ask: PriceLevel = PriceLevel(price: 101, size: 1)
    ) -> BookState {
        let now = MonotonicClock.now()
        return BookState(
            sequence: sequence, arrival: now, received: now, processed: now, bestBid: bid, bestAsk: ask,
            imbalance: imbalance, workResult: 0)
    }

    @Test("a wait evaluation: pick up, wait until the pick-up plus the wait, then decide")
    func waitSequence() {
        var stage = Self.waiting(5_000_000)
        #expect(stage.step == .pickUp)
        let before = MonotonicClock.now()
        let step = stage.pickUp(Self.state(1))
        let after = MonotonicClock.now()
        guard case .wait(let deadline) = step else {
            Issue.record("expected a wait, got \(step)")
            return
        }
        #expect(deadline.nanoseconds >= before + 5_000_000 && deadline.nanoseconds <= after + 5_000_000)
        #expect(stage.step == step, "the step is asked again until the model waited")
        #expect(stage.metrics.decisions.total == 0, "no decision before the wait ended")
        #expect(stage.waited() == .pickUp)
        #expect(stage.step == .pickUp)
        #expect(stage.metrics.decisions.total == 1)
        #expect(stage.lastSequence == 1)
    }

    @Test("a wait kind asked for no time, and the cpu kind, decide at pick-up")
    func decideAtPickUp() {
        var idle = Self.waiting(0)
        #expect(idle.waitDuration == nil)
        #expect(idle.pickUp(Self.state(1)) == .pickUp)
        #expect(idle.metrics.decisions.total == 1)
        var cpu = Self.thinking(1_000)
        #expect(cpu.waitDuration == nil)
        #expect(cpu.pickUp(Self.state(1)) == .pickUp)
        #expect(cpu.metrics.work.units == 1)
        #expect(idle.metrics.work.units == 0, "a wait evaluation does no work")
    }

    @Test(
        "buy above an imbalance of 0.25, sell below -0.25, hold in between",
        arguments: [
            (1.0, Decision.buy), (0.26, .buy), (0.25, .hold), (0, .hold), (-0.25, .hold), (-0.26, .sell), (-1, .sell),
        ])
    func thresholds(imbalance: Double, decision: Decision) {
        var stage = Self.thinking()
        _ = stage.pickUp(Self.state(1, imbalance: imbalance))
        var expected = DecisionCounts()
        expected[decision] = 1
        #expect(stage.metrics.decisions == expected)
    }

    @Test("the states skipped between two pick-ups are counted as conflated")
    func conflation() {
        var stage = Self.thinking()
        var conflated: [UInt64] = []
        for sequence: UInt64 in [1, 2, 3, 10, 11, 20] {
            _ = stage.pickUp(Self.state(sequence))
            conflated.append(stage.metrics.conflated)
            #expect(stage.lastSequence == sequence)
        }
        #expect(conflated == [0, 0, 0, 6, 6, 14])
        #expect(stage.metrics.evaluations == 6)
        #expect(stage.metrics.evaluations + stage.metrics.conflated == stage.lastSequence)
    }

    @Test("every evaluation records its four latencies once")
    func latencies() {
        var stage = Self.waiting(1)
        for sequence: UInt64 in 1...4 {
            _ = stage.pickUp(Self.state(sequence))
            _ = stage.waited()
        }
        let metrics = stage.metrics
        #expect(metrics.endToEnd.count == 4 && metrics.reaction.count == 4)
        #expect(metrics.processedToPicked.count == 4 && metrics.pickedToDecided.count == 4)
        #expect(metrics.evaluations == 4 && metrics.decisions.hold == 4)
    }

    @Test("decision counts: subscript, orders and total")
    func decisionCounts() {
        var counts = DecisionCounts()
        for decision in Decision.allCases { #expect(counts[decision] == 0) }
        counts[.buy] = 3
        counts[.sell] += 2
        counts[.hold] = 7
        #expect(counts == DecisionCounts(buy: 3, sell: 2, hold: 7))
        #expect(counts.orders == 5)
        #expect(counts.total == 12)
        #expect(Set([counts, DecisionCounts(buy: 3, sell: 2, hold: 7), DecisionCounts()]).count == 2)
    }

    @Test("a routed buy is a marketable bid at the best ask, a sell an ask at the best bid, ids counting up")
    func routedOrders() {
        let route = RecordingRoute()
        var stage = Self.thinking(route: route)
        #expect(stage.pickUp(Self.state(1, imbalance: 0.9)) == .sendOrder)
        #expect(stage.step == .sendOrder)
        #expect(stage.sendOrder(sleep: { _ in }) == .pickUp)
        #expect(stage.pickUp(Self.state(2, imbalance: 0)) == .pickUp, "a hold makes no order")
        #expect(stage.pickUp(Self.state(3, imbalance: -0.9)) == .sendOrder)
        #expect(stage.sendOrder(sleep: { _ in }) == .pickUp)
        let orders = route.orders
        #expect(orders.map(\.id) == [1, 2])
        #expect(orders.map(\.side) == [.bid, .ask])
        #expect(orders.map(\.price) == [101, 99])
        #expect(orders.allSatisfy { $0.size == 1 })
        #expect(orders[0].decided <= orders[1].decided)
        #expect(stage.metrics.routing.orders == 2 && stage.metrics.routing.accepted == 2)
        #expect(stage.metrics.routing.decidedToAcked.count == 2)
        #expect(stage.metrics.routing.firstProblem == nil)
    }

    @Test("an order's price falls back to the other side's best, then to 1")
    func orderPriceFallback() {
        let route = RecordingRoute()
        var stage = Self.thinking(route: route)
        let none = PriceLevel(price: 0, size: 0)
        let states = [
            Self.state(1, imbalance: 1, bid: PriceLevel(price: 98, size: 1), ask: none),
            Self.state(2, imbalance: -1, bid: none, ask: PriceLevel(price: 103, size: 1)),
            Self.state(3, imbalance: 1, bid: none, ask: none),
        ]
        for state in states {
            #expect(stage.pickUp(state) == .sendOrder)
            _ = stage.sendOrder(sleep: { _ in })
        }
        #expect(route.orders.map(\.price) == [98, 103, 1])
    }

    @Test("rejections and failures are counted; the first problem is kept; a failure has no round trip")
    func outcomes() {
        let route = RecordingRoute(outcomes: [
            .accepted, .rejected(reason: "price"), .failed(reason: "timeout"), .rejected(reason: "size"),
        ])
        var stage = Self.thinking(route: route)
        for sequence: UInt64 in 1...4 {
            _ = stage.pickUp(Self.state(sequence, imbalance: 1))
            _ = stage.sendOrder(sleep: { _ in })
        }
        let routing = stage.metrics.routing
        #expect(routing.orders == 4)
        #expect(routing.accepted == 1 && routing.rejected == 2 && routing.failed == 1)
        #expect(routing.firstProblem == "order 2 rejected: price")
        #expect(routing.decidedToAcked.count == 3)
    }

    @Test("a failure first is the first problem")
    func failureFirst() {
        var stage = Self.thinking(route: RecordingRoute(outcomes: [.failed(reason: "connection refused")]))
        _ = stage.pickUp(Self.state(1, imbalance: 1))
        _ = stage.sendOrder(sleep: { _ in })
        #expect(stage.metrics.routing.firstProblem == "order 1 failed: connection refused")
        #expect(stage.metrics.routing.decidedToAcked.count == 0)
    }

    @Test("the async send goes through the route's async send, after the wait when there is one")
    func asyncSend() async {
        let route = RecordingRoute()
        var stage = Self.waiting(1, route: route)
        guard case .wait = stage.pickUp(Self.state(1, imbalance: -1)) else {
            Issue.record("expected a wait")
            return
        }
        #expect(stage.waited() == .sendOrder)
        #expect(await stage.sendOrder(sleeper: RecordingSleeper()) == .pickUp)
        #expect(route.asyncSends == 1)
        #expect(route.orders.map(\.side) == [.ask])
        #expect(stage.metrics.routing.accepted == 1)
    }

    @Test("prepare tells the route the host, and without a route does nothing")
    func prepare() {
        let route = RecordingRoute()
        Self.thinking(route: route).prepare(for: .thread)
        Self.thinking(route: route).prepare(for: .sharedExecutor)
        #expect(route.hosts == ["thread", "sharedExecutor"])
        let unrouted = Self.thinking()
        unrouted.prepare(for: .thread)
        #expect(unrouted.route == nil)
    }

    @Test("the digest changes with every evaluation of real work")
    func digest() {
        var stage = Self.thinking(1_000)
        var digests: [UInt64] = []
        for sequence: UInt64 in 1...3 {
            _ = stage.pickUp(Self.state(sequence, imbalance: Double(sequence) / 10))
            digests.append(stage.metrics.digest)
        }
        #expect(Set(digests).count == 3)
    }
}

@Suite("Evaluator steps out of turn stop the process")
struct EvaluatorOutOfTurnTests {
    @Test("waiting when no wait was asked for")
    func waitedAtPickUp() async {
        await #expect(processExitsWith: .failure) {
            var stage = EvaluatorStage(
                kind: .cpu, work: Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 1)))
            _ = stage.waited()
        }
    }

    @Test("picking up a state during a wait")
    func pickUpDuringWait() async {
        await #expect(processExitsWith: .failure) {
            var stage = EvaluatorStage(
                kind: .wait, work: Workload(requested: .nanoseconds(1_000_000), calibration: .init(nanosPerRound: 1)))
            var state = BookState.empty
            state.sequence = 1
            _ = stage.pickUp(state)
            state.sequence = 2
            _ = stage.pickUp(state)
        }
    }

    @Test("sending an order when none was made")
    func sendWithoutOrder() async {
        await #expect(processExitsWith: .failure) {
            var stage = EvaluatorStage(
                kind: .cpu, work: Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 1)))
            _ = stage.sendOrder(sleep: { _ in })
        }
    }

    @Test("a state no newer than the last one evaluated")
    func oldState() async {
        await #expect(processExitsWith: .failure) {
            var stage = EvaluatorStage(
                kind: .cpu, work: Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 1)))
            var state = BookState.empty
            state.sequence = 3
            _ = stage.pickUp(state)
            _ = stage.pickUp(state)
        }
    }
}
