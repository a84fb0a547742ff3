import ArgumentParser
import Foundation
import Report
import MarketData
import Models
import Pipeline

/// `--rate`: ticks per second, or `max` for saturation.
struct RateArgument: ExpressibleByArgument, CustomStringConvertible {
    /// nil means `max`.
    var ticksPerSecond: Double?

    init(ticksPerSecond: Double?) { self.ticksPerSecond = ticksPerSecond }

    init?(argument: String) {
        if argument.lowercased() == "max" { ticksPerSecond = nil; return }
        guard let value = Double(argument), value.isFinite, value > 0, value <= 100_000_000 else { return nil }
        ticksPerSecond = value
    }

    var description: String { ticksPerSecond.map { RunTableNumber.format($0) } ?? "max" }

    static func parse(_ text: String) throws -> RateArgument {
        guard let rate = RateArgument(argument: text) else {
            throw ValidationError("a rate is a number of ticks per second above 0 (up to 1e8), or 'max'")
        }
        return rate
    }
}

/// `--duration`: `20s`, `500ms`, `2m`, `1.5s` or a bare number of seconds.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
    var nanoseconds: UInt64

    init(seconds: Double) { nanoseconds = UInt64(seconds * 1e9) }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        var scale = 1.0
        var number = text
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            scale = factor
            number = String(text.dropLast(suffix.count))
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale <= 86_400 * 7 else { return nil }
        nanoseconds = UInt64(value * scale * 1e9)
    }

    var description: String { "\(RunTableNumber.format(Double(nanoseconds) / 1e9))s" }

    static func parse(_ text: String) throws -> DurationArgument {
        guard let duration = DurationArgument(argument: text) else {
            throw ValidationError("a duration is a positive number with a unit: 500ms, 20s, 2m, 1h (or bare seconds), at most a week")
        }
        return duration
    }
}

/// A model name checked against the catalogue.
struct ModelArgument: ExpressibleByArgument {
    var name: String
    init?(argument: String) {
        guard ModelCatalog.model(named: argument) != nil else { return nil }
        name = argument
    }
    static var allValueStrings: [String] { ModelCatalog.names }
}

extension ReportLineup {
    /// The catalogue's order and baseline, for every report the command line writes.
    static let catalogue = ReportLineup(order: ModelCatalog.names, baseline: ModelCatalog.baseline)
}

/// Milliseconds of work: a finite number, zero or more.
struct MillisecondsArgument: ExpressibleByArgument, CustomStringConvertible {
    var value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        guard let v = Double(argument), v.isFinite, v >= 0, v <= 60_000 else { return nil }
        value = v
    }
    var description: String { RunTableNumber.format(value) }

    static func parse(_ text: String) throws -> MillisecondsArgument {
        guard let ms = MillisecondsArgument(argument: text) else {
            throw ValidationError("milliseconds must be a number from 0 to 60000")
        }
        return ms
    }
}

extension ArrivalProcess: ExpressibleByArgument {}
extension FeedClock: ExpressibleByArgument {}
extension EvaluationKind: ExpressibleByArgument {}
extension WaitStrategy: ExpressibleByArgument {}

enum RunTableNumber {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// `--feed`: synthetic, lobster:MESSAGES.csv or tcp://HOST:PORT.
struct FeedArgument: ExpressibleByArgument, CustomStringConvertible {
    var source: FeedSource
    init(_ source: FeedSource) { self.source = source }
    init?(argument: String) {
        guard let source = try? FeedSource(parsing: argument) else { return nil }
        self.source = source
    }
    var description: String { source.description }

    static func parse(_ text: String) throws -> FeedArgument {
        do { return FeedArgument(try FeedSource(parsing: text)) } catch {
            throw ValidationError("use 'synthetic', 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'")
        }
    }
}
