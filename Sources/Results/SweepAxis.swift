import Formats
import Foundation
import MarketData
import Pipeline

/// One dimension a sweep varies, and how a result record says where it lies on it.
///
/// A sweep is the product of its axes. Each axis is also an option of `ticklab run`, so a cell
/// becomes a child's command line by passing `--<option> <value>` per axis, and a record is
/// matched back to its cell by reading the same axes from its parameters. A new dimension
/// (say a route round trip) is one more case here: the plan, the child's arguments, resume,
/// the CSV and the report's grouping all follow from this list.
///
/// Offered load and rate: a plan sweeps either rates (`--rate`, the load axis at its neutral
/// value `none`) or loads (`--load`, utilisation ρ = rate × proc-ms / 1000). In a load plan the
/// rate axis holds the one value ``derivedRate``: each cell's rate is worked out from its load and
/// its proc-ms (``SweepPlan/cells``), the child is given `--load` (not `--rate`) and records both,
/// and a record is matched back through its load, its proc-ms and the rate they make.
public enum SweepAxis: String, Sendable, Hashable, Codable, CaseIterable {
    case model
    case rate
    /// Offered load ρ = rate × proc-ms / 1000 (`--load`), or `none` in a plan that sweeps rates.
    case load
    case procMs = "proc-ms"
    case evalMs = "eval-ms"
    case evalKind = "eval-kind"
    /// The in-process order gateway's round trip (`--route --route-rtt-ms`), or `none` for no
    /// routing: where I/O-bound waiting meets the models.
    case routeRttMs = "route-rtt-ms"
    /// The feed's clock (`--clock`): `exchange`, the honest one, or `receiver`, the naive
    /// generator. A plan's product runs at its setup's clock (``SweepPlan/Setup/clock``, the one
    /// value of this axis); a cell at another clock is one of the plan's
    /// ``SweepPlan/extraCells`` (the quick preset's naive receiver-paced cell), so that its
    /// records are told apart from the product's.
    case clock

    /// The option of `ticklab run` that sets a single value.
    public var runOption: String { "--\(rawValue)" }

    /// The value of an axis a plan leaves out: the run's behaviour without the option (no
    /// routing, a rate given rather than a load); nil where every plan must name values.
    public var neutralValue: String? {
        switch self {
        case .routeRttMs, .load: "none"
        case .clock: FeedClock.exchange.rawValue
        default: nil
        }
    }

    /// True when a label names `value`: not for `none` (no routing, a rate given rather than a
    /// load) nor for an axis's neutral value (the exchange clock), which go unsaid.
    public func isSaid(_ value: String) -> Bool { value != "none" && value != neutralValue }

    /// The one value of the rate axis in a plan that sweeps loads: each cell's rate follows from
    /// its load and proc-ms. Never a cell's value (a cell holds the rate it works out to) and
    /// never typed by a user; ``SweepPlan/settings`` shows it as the rate of such a plan.
    public static let derivedRate = "from-load"

    /// The arguments of `ticklab run` that put a run at `value` on this axis.
    public func runArguments(_ value: String) -> [String] {
        switch self {
        case .routeRttMs: value == "none" ? [] : ["--route", runOption, value]
        case .load: value == "none" ? [] : [runOption, value]
        default: [runOption, value]
        }
    }

    /// The option of `ticklab sweep` that takes the comma-separated list.
    public var sweepOption: String { self == .model ? "--models" : "--\(rawValue)" }

    /// Short label for tables and legends.
    public var title: String {
        switch self {
        case .model: "model"
        case .rate: "rate"
        case .load: "load"
        case .procMs: "proc"
        case .evalMs: "eval"
        case .evalKind: "eval kind"
        case .routeRttMs: "route"
        case .clock: "clock"
        }
    }

    /// Unit of the values, nil for names and for the load (a utilisation, without unit).
    public var unit: String? {
        switch self {
        case .model, .evalKind, .load, .clock: nil
        case .rate: "ticks/s"
        case .procMs, .evalMs, .routeRttMs: "ms"
        }
    }

    /// Cells are run with the first axis outermost and the last innermost: models change
    /// fastest, so every model meets the same point of the matrix at nearly the same time
    /// (a drifting machine biases no model). A plan sweeps rates or loads, never both, so the
    /// two sit side by side, outermost.
    public static let nesting: [SweepAxis] = [.clock, .rate, .load, .routeRttMs, .evalKind, .evalMs, .procMs, .model]

    /// The canonical text of this axis in a record's parameters: what `value(parsing:)` makes of
    /// the option value that produced it.
    public func value(in parameters: RunResult.Parameters) -> String {
        switch self {
        case .model: parameters.model
        case .rate: parameters.rate.map(NumberText.shortest) ?? "max"
        case .load: parameters.load.map(NumberText.shortest) ?? "none"
        case .procMs: NumberText.shortest(parameters.procMs)
        case .evalMs: NumberText.shortest(parameters.evalMs)
        case .evalKind: parameters.evalKind
        case .routeRttMs:
            parameters.routeRttMs.map(NumberText.shortest) ?? (parameters.route == nil ? "none" : "exchange")
        case .clock: parameters.clock
        }
    }

    /// The numeric value of a canonical text, for axes drawn on a numeric scale; nil for names,
    /// for `max` and for `none`.
    public func number(_ value: String) -> Double? {
        switch self {
        case .model, .evalKind, .clock: nil
        case .rate, .load, .procMs, .evalMs, .routeRttMs: Double(value)
        }
    }

    /// Checks one value given on the command line and returns its canonical text (`2.0` → `2`).
    /// - Parameter models: the names allowed for `model`.
    public func value(parsing text: String, models: [String]) throws(SweepPlan.InvalidOption) -> String {
        let text = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ allowed: String) -> SweepPlan.InvalidOption {
            SweepPlan.InvalidOption(option: sweepOption, value: text, allowed: allowed)
        }
        switch self {
        case .model:
            guard models.contains(text) else { throw invalid("models: \(models.joined(separator: ", "))") }
            return text
        case .rate:
            if text.lowercased() == "max" { return "max" }
            guard let value = Double(text), value.isFinite, value > 0, value <= 100_000_000 else {
                throw invalid(InvalidValue.Allowed.rate)
            }
            return NumberText.shortest(value)
        case .load:
            if text.lowercased() == "none" { return "none" }
            // Up to 1000: far past where every model has fallen behind (ρ = 1), and a bound that
            // keeps the rate it makes finite.
            guard let value = Double(text), value.isFinite, value > 0, value <= 1_000 else {
                throw invalid(Self.allowedLoad)
            }
            return NumberText.shortest(value)
        case .procMs, .evalMs:
            guard let value = Double(text), value.isFinite, value >= 0, value <= 60_000 else {
                throw invalid(InvalidValue.Allowed.milliseconds())
            }
            return NumberText.shortest(value)
        case .evalKind:
            guard EvaluationKind(rawValue: text) != nil else {
                throw invalid("kinds: \(EvaluationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return text
        case .routeRttMs:
            if text.lowercased() == "none" { return "none" }
            guard let value = Double(text), value.isFinite, value >= 0, value <= 60_000 else {
                throw invalid("a round trip is a number of milliseconds from 0 to 60000, or 'none' (no routing)")
            }
            return NumberText.shortest(value)
        case .clock:
            guard FeedClock(rawValue: text) != nil else {
                throw invalid("clocks: \(FeedClock.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return text
        }
    }

    /// What `--load` accepts, worded once for `run` and `sweep`.
    public static let allowedLoad =
        "a load is utilisation ρ = rate × proc-ms / 1000, a number above 0 (up to 1000), e.g. 0.9"

    /// How a value reads in a label: `proc 2 ms`, `rate max`, `threads`.
    public func label(_ value: String) -> String {
        switch self {
        case .model: value
        case .evalKind: "\(value) kind"
        case .rate: value == "max" ? "rate max" : "\(value) ticks/s"
        case .load: value == "none" ? "no load" : "load \(value)"
        case .procMs, .evalMs: "\(title) \(value) ms"
        case .routeRttMs: value == "none" ? "no route" : "route \(value) ms"
        case .clock: "\(value) clock"
        }
    }
}
