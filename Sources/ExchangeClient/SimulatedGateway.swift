import Clocks
import MarketData
import Pipeline
import Synchronization

/// The in-process order gateway: acknowledges every valid order after a simulated round trip,
/// waited for the way the model waits (a timer, never a busy loop): a blocking sleep on a
/// threaded evaluator, the model's sleeper (the event loop's timer, `Task.sleep`, …) on an
/// async one. So decided→acked is the round trip plus what the model adds to a timed wait.
public final class SimulatedGateway: OrderRoute {
    /// Nanoseconds between an order and its acknowledgement.
    public let roundTrip: UInt64
    private let orders = Atomic<UInt64>(0)

    public init(roundTrip: UInt64) { self.roundTrip = roundTrip }

    public var name: String {
        let millis = Double(roundTrip) / 1e6
        let text = millis == millis.rounded() ? String(Int64(millis)) : String(millis)
        return "in-process gateway, round trip \(text) ms"
    }

    public func prepare(for host: StageHost) {}

    public func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome {
        orders.add(1, ordering: .relaxed)
        if roundTrip > 0 { sleep(MonotonicClock.now() &+ roundTrip) }
        return Self.judge(order)
    }

    public func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome {
        orders.add(1, ordering: .relaxed)
        if roundTrip > 0 { await sleeper.sleep(until: MonotonicClock.now() &+ roundTrip) }
        return Self.judge(order)
    }

    public func close() {}

    public var counters: [String: UInt64] { ["orders": orders.load(ordering: .relaxed)] }

    /// The checks the exchange makes.
    static func judge(_ order: RoutedOrder) -> OrderOutcome {
        if order.price <= 0 { return .rejected(reason: "invalid price") }
        if order.size <= 0 { return .rejected(reason: "invalid size") }
        return .accepted
    }
}
