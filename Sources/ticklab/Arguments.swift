import ArgumentParser
import Formats
import Foundation
import MarketData
import Models
import Pipeline
import Report
import Results

/// `--rate`: ticks per second, or `max` for saturation.
struct RateArgument: ExpressibleByArgument, CustomStringConvertible {
    /// nil means `max`.
    var ticksPerSecond: Double?

    /// The highest rate `--rate` takes, and so the highest a `--load` may make.
    static let maximum = 100_000_000.0

    init(ticksPerSecond: Double?) { self.ticksPerSecond = ticksPerSecond }

    init?(argument: String) {
        if argument.lowercased() == "max" { ticksPerSecond = nil; return }
        guard let value = Double(argument), value.isFinite, value > 0, value <= Self.maximum else { return nil }
        ticksPerSecond = value
    }

    var description: String { ticksPerSecond.map { NumberText.shortest($0) } ?? "max" }

    static func parse(_ text: String) throws -> RateArgument {
        guard let rate = RateArgument(argument: text) else {
            throw UsageMessage.NotAllowed(InvalidValue.Allowed.rate)
        }
        return rate
    }
}

/// `--load`: offered load, utilisation ρ = rate × proc-ms / 1000, a number above 0 (up to 1000).
struct LoadArgument: CustomStringConvertible {
    var utilisation: Double

    var description: String { NumberText.shortest(utilisation) }

    static func parse(_ text: String) throws -> LoadArgument {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0, value <= 1_000
        else { throw UsageMessage.NotAllowed(SweepAxis.allowedLoad) }
        return LoadArgument(utilisation: value)
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

    var description: String { DurationText.option(seconds: Double(nanoseconds) / 1e9) }

    static func parse(_ text: String) throws -> DurationArgument {
        guard let duration = DurationArgument(argument: text) else {
            throw UsageMessage.NotAllowed(
                "a length of time above 0 and at most a week: 500ms, 20s, 2m, 1h, or a bare number of seconds")
        }
        return duration
    }
}

/// A model name checked against the catalogue; help shows it as typed (`threads`).
struct ModelArgument: ExpressibleByArgument, CustomStringConvertible {
    var name: String
    init?(argument: String) {
        guard ModelCatalog.model(named: argument) != nil else { return nil }
        name = argument
    }
    static var allValueStrings: [String] { ModelCatalog.names }
    var description: String { name }
    var defaultValueDescription: String { name }

    static func parse(_ text: String) throws -> ModelArgument {
        guard let model = ModelArgument(argument: text) else {
            throw UsageMessage.NotAllowed(
                "a model: " + ModelCatalog.names.joined(separator: ", ") + " ('ticklab models' says what each is)")
        }
        return model
    }
}

extension ReportLineup {
    /// The catalogue's order and baseline, for every report the command line writes.
    static let catalogue = ReportLineup(
        order: ModelCatalog.names, baseline: ModelCatalog.baseline, pinnedCores: ModelCatalog.pinnedCores)
}

/// Milliseconds: a finite number from `minimum` (0 unless an option says otherwise) to 60000.
struct MillisecondsArgument: ExpressibleByArgument, CustomStringConvertible {
    static let maximum = InvalidValue.Allowed.maximumMilliseconds
    var value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        guard let v = Double(argument), v.isFinite, v >= 0, v <= Self.maximum else { return nil }
        value = v
    }
    var description: String { NumberText.shortest(value) }

    static func parse(_ text: String) throws -> MillisecondsArgument { try parse(text, minimum: 0) }

    /// `--heartbeat-ms` starts at 1: a heartbeat every 0 ms is no interval.
    static func parseInterval(_ text: String) throws -> MillisecondsArgument { try parse(text, minimum: 1) }

    static func parse(_ text: String, minimum: Double) throws -> MillisecondsArgument {
        guard let ms = MillisecondsArgument(argument: text), ms.value >= minimum else {
            throw UsageMessage.NotAllowed(InvalidValue.Allowed.milliseconds(from: minimum))
        }
        return ms
    }
}

/// `--seed`: the synthetic market's seed, a whole number from 0 to 2^64 - 1.
enum SeedArgument {
    static func parse(_ text: String) throws -> UInt64 {
        try UsageMessage.wholeNumber(text, in: UInt64.min...UInt64.max, "a whole number from 0 to \(UInt64.max)")
    }
}

extension ArrivalProcess: ExpressibleByArgument {}
extension FeedClock: ExpressibleByArgument {}
extension EvaluationKind: ExpressibleByArgument {}
extension WaitStrategy: ExpressibleByArgument {}

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
            throw UsageMessage.NotAllowed(
                error.problem.map { "a feed: \($0)" }
                    ?? "'synthetic', 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'")
        }
    }
}

extension ArgumentHelp {
    /// Help for an option whose value goes through a `transform`, for which ArgumentParser
    /// shows no default: the default is written here as a user would type it (`200`, `10s`).
    init(_ abstract: String, default value: some CustomStringConvertible, valueName: String) {
        self.init("\(abstract) (default: \(value))", valueName: valueName)
    }
}
