import ArgumentParser
import Foundation
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
    static var defaultCompletionKind: CompletionKind { .default }
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

/// Milliseconds of work: a finite number, zero or more.
struct MillisecondsArgument: ExpressibleByArgument, CustomStringConvertible {
    var value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        guard let v = Double(argument), v.isFinite, v >= 0, v <= 60_000 else { return nil }
        value = v
    }
    var description: String { RunTableNumber.format(value) }
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
