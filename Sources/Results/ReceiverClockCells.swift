import MarketData

/// Cells run again on the naive receiver clock (`sweep --receiver-clock`), beside the honest
/// exchange clock of the product.
///
/// The seed measured that async throughput "falls off sharply". It does, with a generator that
/// sleeps 1/rate between pulls: a receiver that is late asks for the next tick late, so the
/// offered rate falls with it and the latency of the ticks it does get looks small. One such
/// cell beside its exchange-clock twin shows the whole story: the same model, the same work, a
/// throughput drop in place of a latency problem.
extension SweepPlan {
    /// One cell of the product, named by the axes that set its work: `event-loop:4:20:cpu`.
    /// Every product cell at these values (at each rate, load or route the plan sweeps) runs again
    /// on the receiver clock.
    public struct ReceiverClockCell: Sendable, Hashable, CustomStringConvertible {
        public var model: String
        public var procMs: String
        public var evaluation: Evaluation

        public init(model: String, procMs: String, evaluation: Evaluation) {
            self.model = model
            self.procMs = procMs
            self.evaluation = evaluation
        }

        /// `MODEL:PROC-MS:EVAL-MS:EVAL-KIND`.
        public var description: String { "\(model):\(procMs):\(evaluation)" }

        static let allowed =
            "cells as MODEL:PROC-MS:EVAL-MS:EVAL-KIND, comma-separated (e.g. event-loop:4:20:cpu), or 'none'"

        /// Reads `MODEL:PROC-MS:EVAL-MS:EVAL-KIND`, each part checked as its axis checks it.
        public init(parsing text: String, models: [String]) throws(InvalidOption) {
            let text = text.trimmingCharacters(in: .whitespaces)
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else {
                throw InvalidOption(option: "--receiver-clock", value: text, allowed: Self.allowed)
            }
            do {
                self.init(
                    model: try SweepAxis.model.value(parsing: parts[0], models: models),
                    procMs: try SweepAxis.procMs.value(parsing: parts[1], models: models),
                    evaluation: Evaluation(
                        evalMs: try SweepAxis.evalMs.value(parsing: parts[2], models: models),
                        evalKind: try SweepAxis.evalKind.value(parsing: parts[3], models: models)))
            } catch {
                throw InvalidOption(
                    option: "--receiver-clock", value: text, allowed: "\(Self.allowed) (\(error.allowed))")
            }
        }

        /// True when `cell` is at this model, proc-ms and evaluation.
        public func matches(_ cell: SweepCell) -> Bool {
            cell[.model] == model && cell[.procMs] == procMs && Evaluation(cell) == evaluation
        }
    }

    /// The receiver-clock cells of ``extraCells`` as `--receiver-clock` takes them, nil when
    /// there are none.
    public var receiverClockText: String? {
        var names: [String] = []
        for cell in extraCells where cell[.clock] == FeedClock.receiver.rawValue {
            let name = ReceiverClockCell(model: cell[.model], procMs: cell[.procMs], evaluation: Evaluation(cell))
                .description
            if !names.contains(name) { names.append(name) }
        }
        return names.isEmpty ? nil : names.joined(separator: ",")
    }

    /// The product's cells that `list` (or, when nil, the preset) names, at the receiver clock.
    /// An explicit cell must be in the product, and the product must run on the exchange clock;
    /// the preset's cell is kept only where the product has it.
    static func receiverClockCells(
        _ list: String?, preset: Preset, baseline: String?, models: [String], product: SweepPlan
    ) throws(InvalidOption) -> [SweepCell] {
        var named: [ReceiverClockCell] = []
        if let list {
            if list.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                let cell = try ReceiverClockCell(parsing: String(item), models: models)
                if !named.contains(cell) { named.append(cell) }
            }
            if product.setup.clock == .receiver {
                throw InvalidOption(
                    option: "--receiver-clock", value: list,
                    allowed: "together with --clock receiver: every cell runs on the receiver clock already; "
                        + "give one or the other")
            }
        } else {
            guard product.setup.clock == .exchange else { return [] }
            named = preset.receiverClockCells(baseline: baseline)
        }
        let cells = product.cells
        var extra: [SweepCell] = []
        for name in named {
            let twins = cells.filter(name.matches)
            if twins.isEmpty && list != nil {
                throw InvalidOption(
                    option: "--receiver-clock", value: name.description,
                    allowed: "a cell of the sweep: one of its models, proc-ms values and evaluation settings")
            }
            extra += twins.map { twin in
                var cell = twin
                cell.values[.clock] = FeedClock.receiver.rawValue
                return cell
            }
        }
        return extra
    }
}

extension SweepPlan.Preset {
    /// The cells the preset runs again on the receiver clock: for the quick preset the baseline
    /// (the event loop, the seed's asyncio) at its heavy CPU setting, proc-ms 4 and 20 ms of CPU
    /// evaluation, where the exchange clock shows a latency problem and the receiver clock a
    /// throughput drop instead (measured for 10 s: offered 200 ticks/s, processing p99 127 ms,
    /// against offered 42.6 ticks/s, p99 4.2 ms). 3 runs more, about 7 s of the quick preset.
    public func receiverClockCells(baseline: String?) -> [SweepPlan.ReceiverClockCell] {
        guard self == .quick, let baseline else { return [] }
        return [
            SweepPlan.ReceiverClockCell(
                model: baseline, procMs: "4", evaluation: SweepPlan.Evaluation(evalMs: "20", evalKind: "cpu"))
        ]
    }
}
