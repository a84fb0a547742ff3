import ArgumentParser
import Clocks
import Exchange
import ExchangeClient
import Foundation
import MarketData
import Report
import Results
import Run
import Sweep

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

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one (printed at start).", valueName: "port"), transform: PortArgument.parse)
    var port: PortArgument = PortArgument(9000)

    @Option(parsing: .unconditional, help: ArgumentHelp("Ticks per second on the exchange's clock (above 0, at most 1000000).", valueName: "rate"), transform: ExchangeRateArgument.parse)
    var rate: ExchangeRateArgument = ExchangeRateArgument(200)

    @Option(help: ArgumentHelp("Seed of the synthetic market (same seed, same events as --feed synthetic).", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Arrival process: uniform or poisson.", valueName: "process"))
    var arrivals: ArrivalProcess = .uniform

    @Option(name: .customLong("heartbeat-ms"), parsing: .unconditional, help: ArgumentHelp("Interval between heartbeats (they carry the book's checksum), in milliseconds.", valueName: "ms"), transform: MillisecondsArgument.parse)
    var heartbeatMs: MillisecondsArgument = MillisecondsArgument(50)

    @Option(name: .customLong("ack-delay-ms"), parsing: .unconditional, help: ArgumentHelp("Time the exchange takes to acknowledge an order, in milliseconds.", valueName: "ms"), transform: MillisecondsArgument.parse)
    var ackDelayMs: MillisecondsArgument = MillisecondsArgument(0)

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop by itself after this long (default: run until Ctrl-C).", valueName: "duration"), transform: DurationArgument.parse)
    var duration: DurationArgument?

    func validate() throws {
        if heartbeatMs.value < 1 { throw ValidationError("--heartbeat-ms must be at least 1 (got \(heartbeatMs))") }
    }

    func run() throws {
        let server: ExchangeServer
        do {
            server = try ExchangeServer.start(ExchangeServer.Configuration(
                host: host, port: port.value, rate: rate.value, seed: seed, arrivals: arrivals,
                heartbeatInterval: UInt64(heartbeatMs.value * 1e6), ackDelay: UInt64(ackDelayMs.value * 1e6)))
        } catch {
            throw CommandFailure(message: error.description, code: 1)
        }
        let started = MonotonicClock.now()
        let interruption = Interruption(onFirst: "\nticklab exchange: stopping\n")
        defer { interruption.cancel() }
        let address = host.contains(":") ? "[\(host)]:\(server.port)" : "\(host):\(server.port)"
        try StandardOutput.write("ticklab exchange: listening on \(address): \(RunTableNumber.format(rate.value)) ticks/s, "
            + "\(arrivals.rawValue) arrivals, seed \(seed), heartbeat every \(heartbeatMs) ms"
            + (ackDelayMs.value > 0 ? ", acks after \(ackDelayMs) ms" : "")
            + (duration.map { ", for \($0)" } ?? "; Ctrl-C stops") + "\n")
        let end = duration.map { started &+ $0.nanoseconds }
        while !interruption.stop.isRequested, end.map({ MonotonicClock.now() < $0 }) ?? true {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 20_000_000)
        }
        server.stop()
        try StandardOutput.write(Self.summary(server.statistics, seconds: Double(MonotonicClock.now() &- started) / 1e9) + "\n")
    }

    static func summary(_ s: ExchangeServer.Statistics, seconds: Double) -> String {
        func count(_ n: some BinaryInteger, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "ticklab exchange: stopped after \(String(format: "%.1f", seconds)) s: \(count(s.ticks, "tick")) (sequence \(s.sequence)); "
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
            throw ValidationError("a port is a number from 0 to 65535 (0 picks a free one), not '\(text)'")
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
    var description: String { RunTableNumber.format(value) }

    static func parse(_ text: String) throws -> ExchangeRateArgument {
        guard let rate = ExchangeRateArgument(argument: text) else {
            throw ValidationError("the exchange's rate is a number of ticks per second above 0, at most 1000000, not '\(text)'")
        }
        return rate
    }
}

/// Writes straight to file descriptor 1, so that a script reading the port sees the line at once.
enum StandardOutput {
    /// Throws a one-line failure (exit 74) when the text cannot be written whole.
    static func write(_ text: String) throws {
        var text = text
        let reason: String? = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return String(cString: strerror(n < 0 ? errno : EIO)) }
                offset += n
            }
            return nil
        }
        if let reason { throw CommandFailure(message: "cannot write standard output: \(reason)", code: ExitStatus.writeFailed) }
    }
}
