import Capacity
import Formats
import Foundation
import Results

/// The report's first screen: which model, for which workload, how sure.
///
/// Per setting of a source, the recommended model, the figure it won on and what it costs, the
/// runner-up, and whether the two are measurably apart on this machine. Two kinds of evidence:
/// where the setting's cells form a ladder of offered loads or rates, the models' knees against
/// the objective (``ReportCapacity``: capacity, judged by the overlap of the repeats' knees);
/// elsewhere (one rate, as the quick preset runs), the median processing p99 of each model's
/// repeats, judged by the overlap of their intervals (``Spread/overlaps(_:)``).
struct ReportVerdict {
    /// What a verdict rests on.
    enum Evidence: Hashable {
        /// The knees of a load or rate ladder.
        case capacity
        /// Processing p99 at one cell (no ladder to find a knee on).
        case latency
    }

    /// One setting's verdict.
    struct Row: Hashable {
        var source: Int
        /// The setting: every axis but the model (and the load or rate on a ladder).
        var setting: String
        var evidence: Evidence
        /// The model to choose; nil when none qualifies (none met the objective, none kept up).
        var recommended: String?
        /// What the recommendation rests on: `225 ticks/s (ρ 0.9)`, `p99 4.10 [3.90–4.30] ms`.
        var figure: String
        /// CPU µs per tick of the recommended model (at its knee, on a ladder), and the cores it
        /// pins.
        var cost: String
        /// The next model and its figure; nil with a single model.
        var runnerUp: String?
        /// How sure: measurably apart, or no measurable difference on this machine.
        var confidence: String
        /// True when the recommended model is measurably ahead of the runner-up.
        var measurable: Bool
    }

    let model: ReportModel

    /// Every setting's row, source by source: the capacity groups first, then the cells at one
    /// rate that no ladder covers, in panel order.
    func rows() -> [Row] {
        let groups = ReportCapacity.groups(model)
        let laddered = Set(groups.flatMap { $0.points.map { "\($0.source) \($0.cell.key)" } })
        var rows: [Row] = []
        for source in model.sources.indices {
            rows += groups.filter { $0.source == source }.map(capacityRow)
            let single = model.ratedPoints.filter {
                $0.source == source && !laddered.contains("\(source) \($0.cell.key)")
            }
            let settingAxes = SweepAxis.allCases.filter { $0 != .model }
            for panel in ReportModel.panels(of: single, axes: settingAxes, alwaysNamed: [.procMs, .evalMs]) {
                if let row = latencyRow(panel, source: source) { rows.append(row) }
            }
        }
        return rows
    }

    /// `CPU 2110 [2100–2120] µs per tick; pins 2 cores`.
    func cost(_ point: ReportPoint?, model name: String) -> String {
        var parts: [String] = []
        if let point, point.spread(ReportCapacity.cpuPerTick) != nil {
            parts.append(
                "CPU \(ReportFindings.figure(point, ReportCapacity.cpuPerTick, ReportFormat.number)) µs per tick")
        }
        if let cores = model.pinnedCores[name] {
            parts.append("pins \(cores) cores (they serve no other process while it runs)")
        }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }

    func capacityRow(_ group: CapacityGroup) -> Row {
        let (ranking, ranked) = ReportCapacity.ranking(group, model)
        func figure(_ curve: CapacityCurve) -> String {
            guard let knee = curve.knee.knee else { return "none meets \(group.objective)" }
            let atLeast = curve.knee.metAtEveryLoad ? "≥ " : ""
            return "\(atLeast)\(ReportFormat.number(knee.ticksPerSecond)) ticks/s"
                + (group.byLoad ? " (\(atLeast)\(group.position(group.x(knee))))" : "")
        }
        let setting = ReportCapacity.heading(group, model)
        guard let top = ranked.first, top.knee.knee != nil else {
            return Row(
                source: group.source, setting: setting, evidence: .capacity, recommended: nil,
                figure: "no model met \(group.objective) at the lowest load", cost: "—", runnerUp: nil,
                confidence: "no knee to compare", measurable: false)
        }
        let name = model.label(top.series)
        let atKnee = top.knee.knee.flatMap { ReportCapacity.point(top, at: $0) }
        var row = Row(
            source: group.source, setting: setting, evidence: .capacity, recommended: name, figure: figure(top),
            cost: cost(atKnee, model: top.series.model), runnerUp: nil, confidence: "the only model at this setting",
            measurable: false)
        guard ranked.count >= 2 else { return row }
        let next = ranked[1]
        row.runnerUp = "\(model.label(next.series)): \(figure(next))"
        if let separation = ReportCapacity.separation(top, next, group, model),
            let overlap = ranking.comparison?.overlap
        {
            row.measurable = !overlap
            row.confidence =
                overlap
                ? "no measurable difference on this machine: their repeats' knees (\(separation.text)) overlap"
                : "measurably more load than \(model.label(next.series)): repeats' knees \(separation.text)"
        } else {
            row.confidence = "one run per step: no interval to judge by"
        }
        return row
    }

    /// The p99 of processing latency (processed − scheduled arrival), the figure the capacity
    /// objective judges, so both kinds of evidence speak of the same latency.
    static let processingP99 = ReportCapacity.processing(.p99)

    func latencyRow(_ panel: ReportModel.Panel, source: Int) -> Row? {
        let metric = Self.processingP99
        let candidates = panel.points.filter { $0.spread(metric) != nil }
        guard !candidates.isEmpty else { return nil }
        let objective = ReportCapacity.objective(model, source: source)
        let ranking = ModelRanking(
            candidates.map { latencyEvidence($0, objective: objective) }, basis: .latency, objective: objective)
        let byLabel = Dictionary(candidates.map { (model.label(series($0)), $0) }, uniquingKeysWith: { a, _ in a })
        let ranked = ranking.ranked.compactMap { byLabel[$0.model] }
        func figure(_ point: ReportPoint) -> String {
            let tail = point.keptUp && !Self.meets(point, objective) ? ", over \(objective)" : ""
            return "p99 \(ReportFindings.figure(point, metric, ReportFormat.millis)) ms" + tail
                + (point.keptUp ? "" : ", fell behind (\(point.keptUpCount) of \(point.results.count) runs kept up)")
        }
        let setting =
            (model.sources.count > 1 ? model.sources[source].label + ": " : "")
            + (panel.title.isEmpty ? "all cells" : panel.title)
        let top = ranked[0]
        guard top.keptUp else {
            return Row(
                source: source, setting: setting, evidence: .latency, recommended: nil,
                figure: "no model kept up (the lowest p99: \(model.label(series(top))), \(figure(top)))", cost: "—",
                runnerUp: nil, confidence: "no model to recommend", measurable: false)
        }
        var row = Row(
            source: source, setting: setting, evidence: .latency, recommended: model.label(series(top)),
            figure: figure(top), cost: cost(top, model: top.model), runnerUp: nil,
            confidence: "the only model at this setting", measurable: false)
        guard ranked.count >= 2 else { return row }
        let next = ranked[1]
        row.runnerUp = "\(model.label(series(next))): \(figure(next))"
        if !next.keptUp {
            row.measurable = true
            row.confidence = "the only model that kept up"
        } else if top.results.count < 2 || next.results.count < 2 {
            row.confidence = "one run per cell: no interval to judge by"
        } else if ranking.comparison?.overlap == true {
            row.confidence =
                "no measurable difference on this machine: the intervals of their repeats' p99 overlap"
        } else {
            row.measurable = true
            row.confidence =
                "measurably lower p99 than \(model.label(series(next))): the intervals of their repeats do not overlap"
        }
        return row
    }

    /// Whether a cell's median of the objective's percentile of processing latency meets it.
    static func meets(_ point: ReportPoint, _ objective: LatencyObjective) -> Bool {
        point.median(ReportCapacity.processing(objective.percentile)).map(objective.isMet(byMilliseconds:)) ?? false
    }

    /// What a cell at one rate shows the ranking: kept up (and met the objective or not) or
    /// fell behind, its processing p99 with the interval of its repeats, its CPU per tick.
    func latencyEvidence(_ point: ReportPoint, objective: LatencyObjective) -> ModelEvidence {
        let spread = point.spread(Self.processingP99)
        return ModelEvidence(
            model: model.label(series(point)),
            standing: !point.keptUp ? .fallsBehind : Self.meets(point, objective) ? .meets : .failsTail,
            figure: spread.map {
                RankedFigure(value: $0.median, lower: $0.lower, upper: $0.upper, repeats: point.results.count)
            },
            cpuMicrosPerTick: point.median(ReportCapacity.cpuPerTick), pinnedCores: model.pinnedCores[point.model] ?? 0,
            runs: point.results.count, noisyRuns: point.noisyCount)
    }

    func series(_ point: ReportPoint) -> ReportModel.Series {
        ReportModel.Series(source: point.source, model: point.model)
    }

    // MARK: Rendering

    static func section(_ model: ReportModel) -> String {
        let e = ReportFormat.escape
        let rows = ReportVerdict(model: model).rows()
        var out = "<section id=\"verdict\"><h2>Verdict</h2>"
        guard !rows.isEmpty else { return out + "<p>No passed run to draw a verdict from.</p></section>" }
        out +=
            "<p class=\"note\">Which model, for which workload, how sure. Each row is one setting; the recommended model "
            + "is the one ahead on the evidence named above its table, the runner-up the next. “No measurable "
            + "difference on this machine” means the two models' repeats overlap: either is as good a choice here. "
            + "The detailed findings follow the charts.</p>"
        for evidence in [Evidence.capacity, .latency] {
            let mine = rows.filter { $0.evidence == evidence }
            guard !mine.isEmpty else { continue }
            let objectiveSet = Set(model.sources.indices.map { ReportCapacity.objective(model, source: $0) })
            let objectives = objectiveSet.map(\.description).sorted().joined(separator: ", ")
            let method = ModelRanking.method(
                basis: evidence == .capacity ? .capacity : .latency,
                objective: objectiveSet.min { $0.description < $1.description } ?? .standard)
            switch evidence {
            case .capacity:
                out +=
                    "<h3>By capacity</h3><p class=\"note\">Evidence: the knee of each model's curve against the objective "
                    + "(\(e(objectives))), the highest offered load at which the median of its repeats kept up and met it; "
                    + "how sure: whether the knees of the two models' repeats, taken one by one, overlap. "
                    + "Charts: <a href=\"#capacity\">Capacity</a>. \(e(method))</p>"
            case .latency:
                out +=
                    "<h3>By processing p99</h3><p class=\"note\">Evidence: these settings ran at one rate, with no ladder "
                    + "of loads to find a knee on, so the models are ranked by the median p99 of processing latency "
                    + "(processed − scheduled arrival) over their repeats, those that kept up first; how sure: whether "
                    + "the intervals of the two models' repeats overlap (min–max below five repeats, a bootstrap 95% "
                    + "interval of the median from five). Charts: <a href=\"#latency\">End-to-end latency</a>, "
                    + "<a href=\"#throughput\">Throughput</a>. \(e(method))</p>"
            }
            out +=
                "<table class=\"verdict\" data-evidence=\"\(evidence == .capacity ? "capacity" : "latency")\"><thead><tr>"
                + "<th class=\"name\">setting</th><th class=\"name\">recommended</th>"
                + "<th>\(evidence == .capacity ? "capacity" : "processing p99")</th><th class=\"text\">cost</th>"
                + "<th class=\"text\">runner-up</th><th class=\"text\">how sure</th></tr></thead><tbody>"
            for row in mine {
                out +=
                    "<tr data-setting=\"\(e(row.setting))\"><td class=\"name\">\(e(row.setting))</td>"
                    + "<td class=\"name recommended\">\(e(row.recommended ?? "none"))</td>"
                    + "<td class=\"figure\">\(e(row.figure))</td><td class=\"text cost\">\(e(row.cost))</td>"
                    + "<td class=\"text runner-up\">\(e(row.runnerUp ?? "—"))</td>"
                    + "<td class=\"text sure\">\(e(row.confidence))</td></tr>"
            }
            out += "</tbody></table>"
        }
        return out + "</section>"
    }
}
