import ArgumentParser
import MarketData
import Report
import Results
import Run
import Sweep

extension RunCommand {
    /// `--route` and `--route-rtt-ms` as a routing, or a usage error that says what goes with what.
    func orderRouting() throws -> OrderRouting? {
        guard route else {
            if let routeRttMs {
                throw UsageMessage.invalid(
                    "--route-rtt-ms", routeRttMs.description,
                    allowed: "without --route: it is the in-process gateway's round trip, add --route")
            }
            return nil
        }
        if case .tcp(let host, let port) = feed.source {
            if let routeRttMs {
                throw UsageMessage.invalid(
                    "--route-rtt-ms", routeRttMs.description,
                    allowed:
                        "with --feed tcp://: it is the in-process gateway's round trip; orders go to the exchange, whose round trip is the network's (add the exchange's own with 'ticklab exchange --ack-delay-ms')"
                )
            }
            return .exchange(host: host, port: port)
        }
        return .gateway(roundTripMs: routeRttMs?.value ?? 1)
    }
}
