import ArgumentParser
import Clocks
import Exchange
import ExchangeClient
import Formats
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

            Memory is bounded: a subscriber that does not read fast enough is dropped (closed, \
            counted, one line on standard output with the reason) once the bytes waiting for it \
            would pass --max-subscriber-buffer, or, when all subscribers together would hold more \
            than --max-total-buffer, the one holding the most.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    /// The defaults of the options whose help cannot show them by itself (see ``ArgumentHelp``).
    static let defaultPort = PortArgument(9000)
    static let defaultRate = ExchangeRateArgument(200)
    static let defaultHeartbeatMs = MillisecondsArgument(50)
    static let defaultAckDelayMs = MillisecondsArgument(0)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Port to listen on; 0 picks a free one (printed at start).", default: Self.defaultPort, valueName: "port"),
        transform: PortArgument.parse)
    var port = Self.defaultPort

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ticks per second on the exchange's clock (above 0, at most 1000000).", default: Self.defaultRate,
            valueName: "rate"), transform: ExchangeRateArgument.parse)
    var rate = Self.defaultRate

    @OptionGroup var market: MarketOptions

    @Option(
        name: .customLong("heartbeat-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Interval between heartbeats (they carry the book's checksum), in milliseconds, from 1 to 60000.",
            default: Self.defaultHeartbeatMs, valueName: "ms"), transform: MillisecondsArgument.parseInterval)
    var heartbeatMs = Self.defaultHeartbeatMs

    @Option(
        name: .customLong("ack-delay-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Time the exchange takes to acknowledge an order, in milliseconds.", default: Self.defaultAckDelayMs,
            valueName: "ms"), transform: MillisecondsArgument.parse)
    var ackDelayMs = Self.defaultAckDelayMs

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bytes that may wait for one subscriber before it is dropped as a slow consumer: 4MiB, 512KiB, 1G or bytes, from 64KiB to 64GiB (default: 4MiB).",
            valueName: "size"), transform: ByteSizeArgument.parse)
    var maxSubscriberBuffer = ByteSizeArgument(ExchangeServer.defaultMaxSubscriberBufferedBytes)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bytes that may wait for all subscribers together; past it the one holding the most is dropped; at least --max-subscriber-buffer (default: 64MiB).",
            valueName: "size"), transform: ByteSizeArgument.parse)
    var maxTotalBuffer = ByteSizeArgument(ExchangeServer.defaultMaxTotalBufferedBytes)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Stop by itself after this long (default: run until Ctrl-C).", valueName: "duration"),
        transform: DurationArgument.parse)
    var duration: DurationArgument?

    func validate() throws {
        if maxTotalBuffer.bytes < maxSubscriberBuffer.bytes {
            throw UsageMessage.invalid(
                "--max-total-buffer", maxTotalBuffer.description,
                allowed: "at least --max-subscriber-buffer (\(maxSubscriberBuffer))")
        }
    }

    func run() throws {
        let server: ExchangeServer
        do {
            server = try ExchangeServer.start(
                ExchangeServer.Configuration(
                    host: host, port: port.value, rate: rate.value, seed: market.seed, arrivals: market.arrivals,
                    heartbeatInterval: .nanoseconds(UInt64(heartbeatMs.value * 1e6)),
                    ackDelay: .nanoseconds(UInt64(ackDelayMs.value * 1e6)),
                    maxSubscriberBufferedBytes: maxSubscriberBuffer.bytes, maxTotalBufferedBytes: maxTotalBuffer.bytes),
                log: { drop in
                    // The log goes to standard output; if that is gone, standard error still says why.
                    do { try StandardOutput.write("ticklab exchange: \(drop)\n") } catch {
                        StandardError.write("ticklab exchange: \(drop) (\(error))\n")
                    }
                })
        } catch {
            throw CommandFailure(message: error.description, code: 1)
        }
        let started = MonotonicClock.now()
        let interruption = Interruption(onFirst: "\nticklab exchange: stopping\n")
        defer { interruption.cancel() }
        let address = ExchangeAddress(host: host, port: server.port).hostAndPort
        try StandardOutput.write(
            "ticklab exchange: listening on \(address): \(NumberText.shortest(rate.value)) ticks/s, "
                + "\(market.arrivals.rawValue) arrivals, seed \(market.seed), heartbeat every \(heartbeatMs) ms"
                + (ackDelayMs.value > 0 ? ", acks after \(ackDelayMs) ms" : "")
                + ", at most \(ByteCount(maxSubscriberBuffer.bytes)) buffered per subscriber, \(ByteCount(maxTotalBuffer.bytes)) in all"
                + (duration.map { ", for \($0)" } ?? "; Ctrl-C stops") + "\n")
        let end = duration.map { started &+ $0.nanoseconds }
        while !interruption.stop.isRequested, end.map({ MonotonicClock.now() < $0 }) ?? true {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 20_000_000)
        }
        server.stop()
        try StandardOutput.write(
            Self.summary(server.statistics, seconds: Double(MonotonicClock.now() &- started) / 1e9) + "\n")
    }

    static func summary(_ s: ExchangeServer.Statistics, seconds: Double) -> String {
        func count(_ n: some BinaryInteger, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return
            "ticklab exchange: stopped after \(DurationText.seconds(seconds, digits: 1)): \(count(s.ticks, "tick")) (sequence \(s.sequence)); "
            + "\(count(s.connectionsAccepted, "connection")), \(count(s.snapshots, "snapshot")) (\(s.resubscriptions) after a gap or reconnect); "
            + "\(count(s.framesSent, "frame")), \(count(s.bytesSent, "byte")) sent; "
            + "\(count(s.orders, "order")), \(count(s.cancels, "cancel")), \(count(s.acks, "ack")) (\(s.rejects) rejected); "
            + "\(count(s.decodeErrors, "invalid client message")), \(count(s.framingErrors, "broken client stream")), "
            + "\(count(s.slowConsumersDropped, "slow consumer")) dropped (\(s.droppedOverSubscriberBound) over the per-subscriber bound, "
            + "\(s.droppedOverTotalBound) over the total); at most \(ByteCount(s.peakConnectionBufferedBytes)) buffered for one connection, "
            + "\(ByteCount(s.peakBufferedBytes)) for all"
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
            throw UsageMessage.NotAllowed(
                "a number of ticks per second above 0, at most 1000000 (the exchange keeps a clock: no 'max')")
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
        if let reason {
            throw CommandFailure(message: "cannot write standard output: \(reason)", code: ExitStatus.writeFailed)
        }
    }
}

/// `--max-subscriber-buffer`, `--max-total-buffer`: a number of bytes, with an optional
/// 1024-based unit (K or KiB, M or MiB, G or GiB), from 64 KiB to 64 GiB.
struct ByteSizeArgument: ExpressibleByArgument, CustomStringConvertible {
    static let range = (64 << 10)...(64 << 30)
    var bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }
    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kib", 1_024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("k", 1_024),
            ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1),
        ]
        var scale = 1.0
        var number = text
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            scale = factor
            number = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        guard let value = Double(number), value.isFinite, value * scale >= Double(Self.range.lowerBound),
            value * scale <= Double(Self.range.upperBound)
        else { return nil }
        bytes = Int(value * scale)
    }
    /// As a user would type it: "4MiB".
    var description: String { ByteCount(bytes).description.replacingOccurrences(of: " ", with: "") }

    static func parse(_ text: String) throws -> ByteSizeArgument {
        guard let size = ByteSizeArgument(argument: text) else {
            throw ValidationError(
                "a buffer size is a number of bytes with an optional unit (K/KiB, M/MiB, G/GiB), from 64KiB to 64GiB, not '\(text)'"
            )
        }
        return size
    }
}
