import ArgumentParser
import Exchange
import Foundation
import Lab
import MarketData

struct ExchangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Serve the synthetic market over TCP, for 'ticklab run --feed tcp://HOST:PORT'.",
        discussion: """
            Streams the synthetic exchange (the same events as --feed synthetic for a seed) as \
            length-prefixed binary frames to every subscriber: a snapshot of the book, then every \
            delta, and a heartbeat with the book's checksum. Orders (new, cancel) on any connection \
            are acknowledged. The wire format is in docs/WIRE-FORMAT.md. Ctrl-C or SIGTERM says \
            goodbye to every connection, stops, and prints a summary (exit 0); a port in use or a \
            host that cannot be bound is a one-line error (exit 1).
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    /// The defaults of the options whose help cannot show them by itself (see ``ArgumentHelp``).
    static let defaultPort = PortArgument(9000)
    static let defaultRate = ExchangeRateArgument(200)
    static let defaultHeartbeatMs = MillisecondsArgument(50)
    static let defaultAckDelayMs = MillisecondsArgument(0)

    @Option(parsing: .unconditional, help: ArgumentHelp("Port to listen on; 0 picks a free one (printed at start).", default: Self.defaultPort, valueName: "port"), transform: PortArgument.parse)
    var port = Self.defaultPort

    @Option(parsing: .unconditional, help: ArgumentHelp("Ticks per second on the exchange's clock (above 0, at most 1000000).", default: Self.defaultRate, valueName: "rate"), transform: ExchangeRateArgument.parse)
    var rate = Self.defaultRate

    @OptionGroup var market: MarketOptions

    @Option(name: .customLong("heartbeat-ms"), parsing: .unconditional, help: ArgumentHelp("Interval between heartbeats (they carry the book's checksum), in milliseconds, from 1 to 60000.", default: Self.defaultHeartbeatMs, valueName: "ms"), transform: MillisecondsArgument.parseInterval)
    var heartbeatMs = Self.defaultHeartbeatMs

    @Option(name: .customLong("ack-delay-ms"), parsing: .unconditional, help: ArgumentHelp("Time the exchange takes to acknowledge an order, in milliseconds.", default: Self.defaultAckDelayMs, valueName: "ms"), transform: MillisecondsArgument.parse)
    var ackDelayMs = Self.defaultAckDelayMs

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop by itself after this long (default: run until Ctrl-C).", valueName: "duration"), transform: DurationArgument.parse)
    var duration: DurationArgument?

    func run() throws {
        let server: ExchangeServer
        do {
            server = try ExchangeServer.start(ExchangeServer.Configuration(
                host: host, port: port.value, rate: rate.value, seed: market.seed, arrivals: market.arrivals,
                heartbeatInterval: UInt64(heartbeatMs.value * 1e6), ackDelay: UInt64(ackDelayMs.value * 1e6)))
        } catch {
            throw CommandFailure(message: error.description, code: 1)
        }
        let started = MonotonicClock.now()
        let interruption = Interruption(onFirst: "\nticklab exchange: stopping\n")
        defer { interruption.cancel() }
        let address = ExchangeAddress(host: host, port: server.port).hostAndPort
        StandardOutput.write("ticklab exchange: listening on \(address): \(NumberText.shortest(rate.value)) ticks/s, "
            + "\(market.arrivals.rawValue) arrivals, seed \(market.seed), heartbeat every \(heartbeatMs) ms"
            + (ackDelayMs.value > 0 ? ", acks after \(ackDelayMs) ms" : "")
            + (duration.map { ", for \($0)" } ?? "; Ctrl-C stops") + "\n")
        let end = duration.map { started &+ $0.nanoseconds }
        while !interruption.stop.isRequested, end.map({ MonotonicClock.now() < $0 }) ?? true {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 20_000_000)
        }
        server.stop()
        StandardOutput.write(Self.summary(server.statistics, seconds: Double(MonotonicClock.now() &- started) / 1e9) + "\n")
    }

    static func summary(_ s: ExchangeServer.Statistics, seconds: Double) -> String {
        func count(_ n: some BinaryInteger, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "ticklab exchange: stopped after \(DurationText.seconds(seconds, digits: 1)): \(count(s.ticks, "tick")) (sequence \(s.sequence)); "
            + "\(count(s.connectionsAccepted, "connection")), \(count(s.snapshots, "snapshot")) (\(s.resubscriptions) after a gap or reconnect); "
            + "\(count(s.framesSent, "frame")), \(count(s.bytesSent, "byte")) sent; "
            + "\(count(s.orders, "order")), \(count(s.cancels, "cancel")), \(count(s.acks, "ack")) (\(s.rejects) rejected); "
            + "\(count(s.decodeErrors, "invalid client message")), \(count(s.framingErrors, "broken client stream")), "
            + "\(count(s.slowConsumersDropped, "slow consumer")) dropped"
    }
}

/// `--port`: 0 to 65535.
struct PortArgument: ExpressibleByArgument, CustomStringConvertible {
    var value: Int
    init(_ value: Int) { self.value = value }
    init?(argument: String) {
        guard let port = Int(argument), (0...65_535).contains(port) else { return nil }
        value = port
    }
    var description: String { String(value) }

    static func parse(_ text: String) throws -> PortArgument {
        guard let port = PortArgument(argument: text) else {
            throw UsageMessage.NotAllowed("a port: a whole number from 0 to 65535 (0 picks a free one)")
        }
        return port
    }
}

/// The exchange's `--rate`: a number of ticks per second (no 'max': the exchange keeps a clock).
struct ExchangeRateArgument: ExpressibleByArgument, CustomStringConvertible {
    var value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        guard let rate = Double(argument), rate.isFinite, rate > 0, rate <= 1_000_000 else { return nil }
        value = rate
    }
    var description: String { NumberText.shortest(value) }

    static func parse(_ text: String) throws -> ExchangeRateArgument {
        guard let rate = ExchangeRateArgument(argument: text) else {
            throw UsageMessage.NotAllowed("a number of ticks per second above 0, at most 1000000 (the exchange keeps a clock: no 'max')")
        }
        return rate
    }
}

/// Writes straight to file descriptor 1, so that a script reading the port sees the line at once.
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
