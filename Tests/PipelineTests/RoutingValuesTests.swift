import OrderBook
import Pipeline
import Testing

/// A route that accepts everything and remembers what it was sent, to check the protocol's
/// defaults.
private final class AcceptingRoute: OrderRoute {
    let name = "accepting"
    func prepare(for host: StageHost) {}
    func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome { .accepted }
    func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome { .accepted }
    func close() {}
}

private struct ImmediateSleeper: AsyncSleeper {
    func sleep(until deadline: UInt64) async {}
}

@Suite("Routing values")
struct RoutingValuesTests {
    @Test("an order keeps what it was made with")
    func order() {
        let order = RoutedOrder(id: 7, side: .ask, price: 101, size: 3, decided: 42)
        #expect(order.id == 7 && order.side == .ask && order.price == 101 && order.size == 3 && order.decided == 42)
        var other = order
        other.id = 8
        #expect(other != order)
        #expect(Set([order, order, other]).count == 2)
    }

    @Test("outcomes compare by case and reason")
    func outcomes() {
        #expect(OrderOutcome.accepted == .accepted)
        #expect(OrderOutcome.rejected(reason: "size") == .rejected(reason: "size"))
        #expect(OrderOutcome.rejected(reason: "size") != .rejected(reason: "price"))
        #expect(OrderOutcome.rejected(reason: "x") != .failed(reason: "x"))
    }

    @Test("routing metrics start empty")
    func metrics() {
        let metrics = RoutingMetrics()
        #expect(metrics.orders == 0 && metrics.accepted == 0 && metrics.rejected == 0 && metrics.failed == 0)
        #expect(metrics.firstProblem == nil)
        #expect(metrics.decidedToAcked.count == 0)
    }

    @Test("a route without counters of its own reports none")
    func defaultCounters() async {
        let route = AcceptingRoute()
        #expect(route.counters.isEmpty)
        let order = RoutedOrder(id: 1, side: .bid, price: 1, size: 1, decided: 0)
        #expect(route.sendAndWait(order, sleep: { _ in }) == .accepted)
        #expect(await route.send(order, sleeper: ImmediateSleeper()) == .accepted)
    }

    @Test("a sleeper that does not say where it runs shares an executor")
    func defaultHost() {
        guard case .sharedExecutor = ImmediateSleeper().host else {
            Issue.record("the default host is \(ImmediateSleeper().host), not .sharedExecutor")
            return
        }
    }
}
