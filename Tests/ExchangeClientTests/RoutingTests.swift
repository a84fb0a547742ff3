import Clocks
import Exchange
import ExchangeClient
import Foundation
import MarketData
import Models
import OrderBook
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// A light synthetic run that routes its decisions.
func routedConfiguration(
    _ model: String, route: OrderRouting, rate: Double = 500, duration: Double = 0.4,
    evalMs: Double = 0.2
) -> RunConfiguration {
    RunConfiguration(
        // Seed 4 decides to buy or sell often from the start (about 150 of 200 evaluations).
        model: model,
        feed: SyntheticFeed.Configuration(seed: 4, rate: rate, duration: .nanoseconds(UInt64(duration * 1e9))),
        procMs: 0.02, evalMs: evalMs, queueCapacity: 4_096, route: route)
}

func order(_ id: UInt64, price: Price = 100, size: Size = 1) -> RoutedOrder {
    RoutedOrder(id: id, side: id % 2 == 0 ? .bid : .ask, price: price, size: size, decided: MonotonicClock.now())
}

@Suite("Order routing", .serialized)
struct RoutingTests {
    static let models = ModelCatalog.names

    @Test(
        "through the in-process gateway, every buy or sell becomes an order acknowledged after the round trip",
        arguments: models)
    func gateway(model: String) async throws {
        let result = try await runUntilDecisions(
            routedConfiguration(model, route: .gateway(roundTripMs: 2), duration: 120), 20)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        let routing = try #require(result.routing)
        #expect(routing.orders == result.evaluator.decisions)
        #expect(routing.orders >= 20, "the run went on until 20 decisions")
        #expect(routing.accepted == routing.orders && routing.rejected == 0 && routing.failed == 0)
        let acked = try #require(result.segments.decidedToAcked)
        #expect(acked.count == routing.orders)
        #expect(acked.p50 >= 2, "a 2 ms round trip took \(acked.p50) ms")
        #expect(result.configuration.route == "gateway 2 ms" && result.configuration.routeRttMs == 2)
        #expect(routing.destination == "in-process gateway, round trip 2 ms")
    }

    @Test("to the exchange over TCP, on an order connection of its own", arguments: models)
    func exchange(model: String) async throws {
        try await withExchange(rate: 1_000, heartbeatMs: 20, ackDelayMs: 1) { server in
            let result = try await runUntilDecisions(
                tcpConfiguration(
                    model, port: server.port, duration: 120,
                    route: .exchange(host: "127.0.0.1", port: server.port)), 3)
            #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
            let routing = try #require(result.routing)
            #expect(routing.orders == result.evaluator.decisions && routing.orders >= 3)
            #expect(routing.accepted == routing.orders, "\(routing)")
            #expect(routing.counters["connects"] == 1 && routing.counters["acks"] == routing.orders)
            let acked = try #require(result.segments.decidedToAcked)
            #expect(acked.count == routing.orders)
            #expect(acked.p50 >= 1, "the exchange waits 1 ms before it acknowledges")
            #expect(server.statistics.orders == routing.orders)
        }
    }

    @Test("without --route there is no routing in the result, and decisions stay decisions")
    func noRoute() async throws {
        let result = try await runUntilDecisions(
            RunConfiguration(
                model: "threads", feed: .init(seed: 3, rate: 500, duration: .seconds(120)),
                procMs: 0.02, evalMs: 0.2, queueCapacity: 4_096), 1)
        #expect(result.routing == nil)
        #expect(result.segments.decidedToAcked == nil)
        #expect(result.configuration.route == nil)
        #expect(result.evaluator.decisions > 0)
    }

    @Test("the gateway rejects what the exchange would, and a zero round trip answers at once")
    func gatewayJudges() async {
        let gateway = SimulatedGateway(roundTrip: 0)
        #expect(
            gateway.sendAndWait(order(1), sleep: { _ in Issue.record("no wait for a zero round trip") }) == .accepted)
        #expect(gateway.sendAndWait(order(2, price: 0), sleep: { _ in }) == .rejected(reason: "invalid price"))
        #expect(gateway.sendAndWait(order(3, size: 0), sleep: { _ in }) == .rejected(reason: "invalid size"))
        let slow = SimulatedGateway(roundTrip: 5_000_000)
        var waitedUntil: UInt64 = 0
        let before = MonotonicClock.now()
        #expect(slow.sendAndWait(order(4), sleep: { waitedUntil = $0 }) == .accepted)
        #expect(waitedUntil >= before + 5_000_000)
        #expect(slow.name == "in-process gateway, round trip 5 ms")
        #expect(SimulatedGateway(roundTrip: 1_500_000).name == "in-process gateway, round trip 1.5 ms")
    }

    @Test("an exchange route answers, rejects and reconnects, blocking and async alike")
    func exchangeRouteDirect() async throws {
        try await withExchange(rate: 100) { server in
            let blocking = ExchangeOrderRoute(host: "127.0.0.1", port: server.port)
            blocking.prepare(for: .thread)
            let outcomes = try await offPool {
                [
                    blocking.sendAndWait(order(1), sleep: { _ in }),
                    blocking.sendAndWait(order(2, price: -1), sleep: { _ in }),
                ]
            }
            #expect(outcomes == [.accepted, .rejected(reason: "invalid price")])
            server.disconnectAll()
            #expect(
                try await offPool { blocking.sendAndWait(order(3), sleep: { _ in }) } == .accepted,
                "a lost connection is replaced at the next order")
            #expect(blocking.counters["connects"] == 2)
            blocking.close()

            let async = ExchangeOrderRoute(host: "127.0.0.1", port: server.port)
            async.prepare(for: .sharedExecutor)
            let sleeper = NoSleeper()
            #expect(await async.send(order(10), sleeper: sleeper) == .accepted)
            #expect(await async.send(order(11, size: 0), sleeper: sleeper) == .rejected(reason: "invalid size"))
            server.disconnectAll()
            try await offPool {
                try waitUntil("the route to notice") { async.counters["disconnects", default: 0] >= 1 }
            }
            #expect(await async.send(order(12), sleeper: sleeper) == .accepted)
            #expect(async.counters["connects"] == 2)
            // The blocking call works on a route prepared for async callers too.
            #expect(try await offPool { async.sendAndWait(order(13), sleep: { _ in }) } == .accepted)
            async.close()
        }
    }

    @Test("an order without an exchange fails with the reason, and one without an answer times out")
    func routeFailures() async throws {
        let port = try deadPort()
        for host in [StageHost.thread, .sharedExecutor] {
            let route = ExchangeOrderRoute(host: "127.0.0.1", port: port)
            route.prepare(for: host)
            let outcome = try await offPool { route.sendAndWait(order(1), sleep: { _ in }) }
            guard case .failed(let reason) = outcome else {
                Issue.record("expected a failure, got \(outcome)"); continue
            }
            #expect(reason.contains("cannot connect to the exchange"), "\(reason)")
            #expect(route.counters["connect_failures"] == 1)
            route.close()
        }
        try await withExchange(rate: 100, ackDelayMs: 500) { server in
            for host in [StageHost.thread, .sharedExecutor] {
                let route = ExchangeOrderRoute(host: "127.0.0.1", port: server.port, timeout: 50_000_000)
                route.prepare(for: host)
                let outcome = try await offPool { route.sendAndWait(order(1), sleep: { _ in }) }
                #expect(outcome == .failed(reason: "no acknowledgement within 50 ms"))
                #expect(route.counters["timeouts"] == 1)
                route.close()
            }
        }
    }

    @Test("a run whose route fails reports the failures and still passes its own check")
    func failingRouteRun() async throws {
        let port = try deadPort()
        let result = try await runUntilDecisions(
            routedConfiguration("threads", route: .exchange(host: "127.0.0.1", port: port), duration: 120), 1)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        let routing = try #require(result.routing)
        #expect(routing.failed == routing.orders && routing.orders > 0)
        #expect(routing.firstProblem?.contains("cannot connect to the exchange") == true)
        #expect(result.segments.decidedToAcked?.count == 0, "failed orders have no acknowledgement to time")
    }
}

/// A sleeper for direct route tests: never called by the exchange route.
struct NoSleeper: AsyncSleeper {
    func sleep(until deadline: UInt64) async {}
}
