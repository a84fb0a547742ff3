import ExchangeClient
import Formats
import MarketData
import Pipeline

/// Where a run's buy and sell decisions go as orders (`--route`).
public enum OrderRouting: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The in-process gateway: every order is acknowledged after a simulated round trip
    /// (`--route-rtt-ms`), waited for the way the model waits for a timer.
    case gateway(roundTripMs: Double)
    /// The exchange of a `tcp://` feed, on an order-entry connection of its own.
    case exchange(host: String, port: Int)

    public var description: String {
        switch self {
        case .gateway(let ms): "gateway \(NumberText.shortest(ms)) ms"
        case .exchange(let host, let port): "exchange \(ExchangeAddress(host: host, port: port))"
        }
    }

    /// The simulated round trip in milliseconds; nil for the exchange, whose round trip is the
    /// network's.
    public var roundTripMs: Double? {
        if case .gateway(let ms) = self { return ms }
        return nil
    }

    /// Builds the route.
    func makeRoute() -> any OrderRoute {
        switch self {
        case .gateway(let ms): SimulatedGateway(roundTrip: UInt64((ms * 1e6).rounded()))
        case .exchange(let host, let port): ExchangeOrderRoute(host: host, port: port)
        }
    }
}
