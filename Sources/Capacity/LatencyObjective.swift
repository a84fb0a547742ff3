import Foundation

/// A percentile of processing latency (`processed − arrival`) that an objective can name.
public enum LatencyPercentile: String, CaseIterable, Codable, Sendable {
    case p50
    case p90
    case p99
    case p999 = "p99.9"

    /// The quantile as a fraction: 0.5, 0.9, 0.99, 0.999.
    public var quantile: Double {
        switch self {
        case .p50: 0.5
        case .p90: 0.9
        case .p99: 0.99
        case .p999: 0.999
        }
    }
}

/// Why a `--slo` value was refused. Each description names the bad value and what is allowed.
public enum LatencyObjectiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `=` between percentile and bound.
    case missingBound(String)
    /// The percentile is not one of p50, p90, p99, p99.9.
    case unknownPercentile(String)
    /// The bound has no unit, or one that is not ms, us, µs or s.
    case unknownUnit(String)
    /// The bound is not a number, or not a positive finite one.
    case invalidBound(String)

    private static let allowed =
        "an objective is PERCENTILE=BOUND with a percentile of p50, p90, p99 or p99.9 and a positive bound in ms, us (µs) or s, e.g. --slo p99=10ms"

    public var description: String {
        switch self {
        case .missingBound(let text): "--slo '\(text)' has no bound: \(Self.allowed)"
        case .unknownPercentile(let text): "--slo percentile '\(text)' is not known: \(Self.allowed)"
        case .unknownUnit(let text): "--slo bound '\(text)' has no known unit: \(Self.allowed)"
        case .invalidBound(let text): "--slo bound '\(text)' is not allowed: \(Self.allowed)"
        }
    }
}

/// A latency objective (SLO): a percentile of processing latency and the bound it must not pass.
///
/// A run meets the objective when its figure for `percentile` is at most `boundMilliseconds`.
/// Written and read as `p99=10ms`; `description` prints a form that `parse` reads back to the
/// same value.
public struct LatencyObjective: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Which percentile of processing latency is bounded.
    public var percentile: LatencyPercentile
    /// The largest latency that still meets the objective, in milliseconds (finite, above 0).
    public var boundMilliseconds: Double

    /// - Precondition: `boundMilliseconds` is finite and above 0 (use `parse` for user input).
    public init(percentile: LatencyPercentile, boundMilliseconds: Double) {
        precondition(
            boundMilliseconds.isFinite && boundMilliseconds > 0,
            "a latency bound is a positive finite number of milliseconds")
        self.percentile = percentile
        self.boundMilliseconds = boundMilliseconds
    }

    private enum CodingKeys: String, CodingKey { case percentile, boundMilliseconds }

    /// Decodes what `encode(to:)` wrote, refusing a bound that is not a positive finite number (the
    /// initialiser's precondition, which a file must not be able to break).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let bound = try container.decode(Double.self, forKey: .boundMilliseconds)
        guard bound.isFinite, bound > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .boundMilliseconds, in: container,
                debugDescription: "a latency bound is a positive finite number of milliseconds, not \(bound)")
        }
        self.init(
            percentile: try container.decode(LatencyPercentile.self, forKey: .percentile), boundMilliseconds: bound)
    }

    /// The default objective: processing p99 ≤ 10 ms.
    ///
    /// Why 10 ms on the lab's 2-core machine: with the seed's CPU-heavy setting (`--proc-ms 4
    /// --eval-ms 20 --eval-kind cpu`) a tick's own work is 4 ms, and a model that keeps up at
    /// moderate load has a processing p99 of about 5-6 ms (README), so 10 ms leaves room for one
    /// tick's wait behind another but fails as soon as a queue forms, which is where the curve
    /// turns up near ρ = 1. With a light wait (`--proc-ms` 0.5-1) the bound is 10-20 service
    /// times, so it is met until a queue really grows; and it sits well above the machine's own
    /// floor (a timed wake-up late by tens of µs, a scheduler time slice of a few ms when the
    /// other core is busy), so a miss is the model's, not one unlucky preemption. A p99 rather
    /// than a p99.9 because a short run has too few ticks for a stable p99.9.
    public static let standard = LatencyObjective(percentile: .p99, boundMilliseconds: 10)

    /// True when `latencyMilliseconds` (the figure for `percentile`) is at most the bound. NaN
    /// never meets it.
    public func isMet(byMilliseconds latencyMilliseconds: Double) -> Bool {
        latencyMilliseconds <= boundMilliseconds
    }

    /// `p99=10ms`, `p99.9=500µs`, `p50=2s`: milliseconds from 1 ms to below 1 s, microseconds
    /// below 1 ms, seconds from 1 s on; numbers in their shortest exact form.
    public var description: String {
        "\(percentile.rawValue)=\(Self.bound(boundMilliseconds))"
    }

    /// The bound in the unit that reads best, falling back to ms where converting back from µs or
    /// s would not give exactly the same number (so that `parse(description)` is always `self`).
    private static func bound(_ milliseconds: Double) -> String {
        if milliseconds < 1 {
            let micro = number(milliseconds * 1000)
            if let back = Double(micro), back / 1000 == milliseconds { return micro + "µs" }
        } else if milliseconds >= 1000 {
            let seconds = number(milliseconds / 1000)
            if let back = Double(seconds), back * 1000 == milliseconds { return seconds + "s" }
        }
        return number(milliseconds) + "ms"
    }

    /// Parses `p99=10ms`: a percentile (p50, p90, p99, p99.9; case-insensitive), `=`, and a
    /// positive finite bound with a unit (ms; us or µs; s). Spaces around the parts are ignored.
    ///
    /// - Throws: `LatencyObjectiveError` naming the part that is wrong.
    public static func parse(_ text: String) throws(LatencyObjectiveError) -> LatencyObjective {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .missingBound(text) }
        let name = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        let boundText = parts[1].trimmingCharacters(in: .whitespaces)
        guard let percentile = LatencyPercentile(rawValue: name) else { throw .unknownPercentile(String(parts[0])) }
        guard !boundText.isEmpty else { throw .missingBound(text) }

        // Longest suffix first: "ms" and "us" before "s". Both the micro sign (U+00B5) and the Greek
        // mu (U+03BC) are accepted, since keyboards produce either. Dividing by 1000 (rather than
        // multiplying by 0.001, which is inexact) keeps `parse(description)` exact.
        let units: [(suffix: String, toMilliseconds: (Double) -> Double)] = [
            ("ms", { $0 }), ("us", { $0 / 1000 }), ("\u{00B5}s", { $0 / 1000 }), ("\u{03BC}s", { $0 / 1000 }),
            ("s", { $0 * 1000 }),
        ]
        let lowered = boundText.lowercased()
        guard let unit = units.first(where: { lowered.hasSuffix($0.suffix) }) else { throw .unknownUnit(boundText) }
        let numberText = String(lowered.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
        guard let value = Double(numberText), value.isFinite, value > 0 else { throw .invalidBound(boundText) }
        let milliseconds = unit.toMilliseconds(value)
        guard milliseconds.isFinite, milliseconds > 0 else { throw .invalidBound(boundText) }
        return LatencyObjective(percentile: percentile, boundMilliseconds: milliseconds)
    }

    /// The shortest decimal that reads back as `value`, without a trailing ".0".
    private static func number(_ value: Double) -> String {
        let text = "\(value)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
