import Clocks
import ExchangeClient
import MarketData
import Results

/// Builds the feed a run configuration names.
public enum FeedFactory {
    /// - Parameter start: the first scheduled arrival for clocked feeds.
    public static func make(_ configuration: RunConfiguration, start: MonotonicInstant) throws -> any TickFeed {
        switch configuration.source {
        case .synthetic:
            return SyntheticFeed(configuration.feed, start: start)
        case .lobster:
            return try prepare(configuration).feed(start)
        case .tcp:
            return try prepare(configuration).feed(start)
        }
    }

    /// A feed whose slow setup is done and which only needs its start instant.
    public struct Prepared: Sendable {
        public let feed: @Sendable (_ start: MonotonicInstant) throws -> any TickFeed
    }

    /// Does a feed's slow setup before the run's clock starts: a LOBSTER recording is read and
    /// checked in full (bad input is reported here, with its file and line), which takes about
    /// a second for a day of a liquid stock. Other feeds are made by ``make(_:start:)``.
    public static func prepare(_ configuration: RunConfiguration) throws -> Prepared {
        switch configuration.source {
        case .lobster(let messages):
            let recording: LobsterFeed.Recording
            do {
                recording = try LobsterFeed.Recording(messages: messages)
            } catch {
                throw LabRun.Failure.lobsterInput(error)
            }
            let speed = configuration.speed
            let duration = configuration.feed.duration
            return Prepared { start in
                do {
                    return try LobsterFeed(recording, speed: speed, duration: duration, start: start)
                } catch {
                    throw LabRun.Failure.feed(String(describing: error))
                }
            }
        case .tcp(let host, let port):
            // Connect now: an exchange that is not there is an error before the run starts.
            let feed: TCPFeed
            do {
                feed = try TCPFeed.connect(
                    TCPFeed.Configuration(
                        host: host, port: port, start: MonotonicInstant(nanoseconds: 0),
                        duration: configuration.feed.duration))
            } catch {
                throw LabRun.Failure.feed(error.description)
            }
            return Prepared { start in feed.starting(at: start) }
        default:
            return Prepared { start in try make(configuration, start: start) }
        }
    }
}
