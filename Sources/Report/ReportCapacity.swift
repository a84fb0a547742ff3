import Capacity
import Formats
import Foundation
import Pipeline
import Results

/// One model's curve at one setting: its cells from the lowest offered load to the highest, and
/// where the curve crosses the objective.
struct CapacityCurve {
    var series: ReportModel.Series
    /// The model's cells at this setting, ascending by offered rate (one per step of the ladder).
    var points: [ReportPoint]
    /// The knee of the medians of the repeats (``KneeFinder``).
    var knee: KneeResult
    /// The knee of each repeat taken alone (the k-th run of every step, in the order they ran):
    /// the spread of these is how sure the knee is. Nil where that repeat had no knee.
    var repeatKnees: [StepVerdict?]
}

/// The cells of one source that share a setting (everything but the model and the offered load or
/// rate), when they vary in offered load: one hockey stick, one throughput chart, one table.
struct CapacityGroup {
    var source: Int
    var key: [SweepAxis: String]
    var title: String
    /// True when every cell was asked for a load ρ (`--load`): the x axis is ρ. Otherwise it is the
    /// offered rate (a rate ladder, e.g. at proc-ms 0 where a load has no meaning).
    var byLoad: Bool
    var objective: LatencyObjective
    var curves: [CapacityCurve]
    var points: [ReportPoint]

    /// Where a cell sits on the x axis: its load ρ, or its offered rate.
    func x(_ point: ReportPoint) -> Double? {
        byLoad ? point.results.lazy.compactMap(\.configuration.load).first : Double(point.cell[.rate])
    }

    /// Where a step of the ladder sits on the x axis.
    func x(_ step: StepVerdict) -> Double { byLoad ? (step.load ?? step.ticksPerSecond) : step.ticksPerSecond }

    /// `ρ 0.9` or `200 ticks/s`.
    func position(_ x: Double) -> String {
        byLoad ? "ρ \(NumberText.shortest(x))" : "\(ReportFormat.number(x)) ticks/s"
    }

    /// `ρ 0.8–0.9`, `100–200 ticks/s`, or one position when both ends are the same.
    func range(_ low: Double, _ high: Double) -> String {
        guard low != high else { return position(low) }
        return byLoad
            ? "ρ \(NumberText.shortest(low))–\(NumberText.shortest(high))"
            : "\(ReportFormat.number(low))–\(ReportFormat.number(high)) ticks/s"
    }

    var xTitle: String { byLoad ? "offered load ρ = rate × proc-ms / 1000" : "offered rate (ticks/s)" }
}

/// The capacity section: per setting, latency and throughput against offered load for every model,
/// and each model's knee and capacity against the objective.
enum ReportCapacity {
    /// The axes that make a setting: every axis but the model and the offered rate (and the load,
    /// when the sweep names it as an axis of its own: it is the rate by another name).
    static let settingAxes = SweepAxis.allCases.filter { $0 != .model && $0 != .rate && $0 != .load }

    /// The objective a source's capacity is judged against: the one the report was asked for,
    /// else its plan's, else the standard one.
    static func objective(_ model: ReportModel, source: Int) -> LatencyObjective {
        model.sources[source].objective ?? model.sources[source].machine?.plan?.objective ?? .standard
    }

    /// A percentile of a latency summary in milliseconds; nil when nothing was measured.
    static func latency(_ summary: LatencySummary, _ percentile: LatencyPercentile) -> Double? {
        summary.milliseconds(at: percentile)
    }

    /// What one run showed, as far as capacity is concerned: kept up, the objective's percentile of
    /// processing latency, throughput.
    static func outcome(_ result: RunResult, objective: LatencyObjective) -> RepeatOutcome {
        result.repeatOutcome(objective: objective)
    }

    static func processing(_ percentile: LatencyPercentile) -> ReportMetric {
        ReportMetric(id: "processing-\(percentile.rawValue)", title: "processing \(percentile.rawValue)", unit: "ms") {
            latency($0.latency.processing, percentile)
        }
    }

    static let cpuPerTick = ReportMetric(id: "cpu-per-tick", title: "CPU per tick", unit: "µs") {
        $0.cpuPerTick?.processMicros
    }

    /// The groups of every source whose cells vary in offered load or rate, in panel order.
    static func groups(_ model: ReportModel) -> [CapacityGroup] {
        var groups: [CapacityGroup] = []
        for source in model.sources.indices {
            let rated = model.ratedPoints.filter { $0.source == source }
            let objective = objective(model, source: source)
            for panel in ReportModel.panels(of: rated, axes: settingAxes, alwaysNamed: []) {
                let rates = Set(panel.points.compactMap { Double($0.cell[.rate]) })
                guard rates.count >= 2 else { continue }
                let byLoad = panel.points.allSatisfy { point in point.results.contains { $0.configuration.load != nil }
                }
                let title = settingAxes.filter { $0.isSaid(panel.key[$0] ?? "none") }.map {
                    $0.label(panel.key[$0] ?? "")
                }
                .joined(separator: " · ")
                var curves: [CapacityCurve] = []
                for series in model.series(of: panel.points) {
                    let mine = panel.points.filter { $0.source == series.source && $0.model == series.model }
                        .sorted { (Double($0.cell[.rate]) ?? 0) < (Double($1.cell[.rate]) ?? 0) }
                    curves.append(curve(series, mine, objective: objective, byLoad: byLoad))
                }
                groups.append(
                    CapacityGroup(
                        source: source, key: panel.key, title: title, byLoad: byLoad, objective: objective,
                        curves: curves, points: panel.points))
            }
        }
        return groups
    }

    static func curve(_ series: ReportModel.Series, _ points: [ReportPoint], objective: LatencyObjective, byLoad: Bool)
        -> CapacityCurve
    {
        func step(_ point: ReportPoint, _ results: [RunResult]) -> LoadStep? {
            guard let rate = Double(point.cell[.rate]), rate.isFinite, rate > 0 else { return nil }
            return LoadStep(
                ticksPerSecond: rate, load: byLoad ? point.results.lazy.compactMap(\.configuration.load).first : nil,
                repeats: results.map { outcome($0, objective: objective) })
        }
        let knee = KneeFinder.knee(of: points.compactMap { step($0, $0.results) }, objective: objective)
        // One knee per repeat that every step had: a step's extra repeats (`--extra-repeats`)
        // belong to its median, but a knee from the few steps that had a fourth repeat is no
        // repeat of the ladder. The count most steps have (the plan's repeats; a cell that
        // failed once is one short of it).
        let repeats = mostCommon(points.map(\.results.count).filter { $0 > 0 }) ?? 0
        let repeatKnees = (0..<repeats).map { k in
            KneeFinder.knee(
                of: points.compactMap { step($0, $0.results.count > k ? [$0.results[k]] : []) }, objective: objective
            ).knee
        }
        return CapacityCurve(series: series, points: points, knee: knee, repeatKnees: repeatKnees)
    }

    /// The value that occurs most often, the smallest of equally common ones; nil for none.
    static func mostCommon(_ counts: [Int]) -> Int? {
        let tally = Dictionary(counts.map { ($0, 1) }, uniquingKeysWith: +)
        return tally.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }

    /// The cell of a curve at a step.
    static func point(_ curve: CapacityCurve, at step: StepVerdict) -> ReportPoint? {
        curve.points.first { Double($0.cell[.rate]) == step.ticksPerSecond }
    }

    /// The step nearest half load: ρ 0.5 on a load ladder; half the capacity (or of the highest
    /// step, with no knee) on a rate ladder.
    static func halfLoad(_ curve: CapacityCurve, _ group: CapacityGroup) -> StepVerdict? {
        let measured = curve.knee.steps.filter(\.isMeasured)
        let target: Double
        if group.byLoad {
            target = 0.5
        } else {
            guard let top = curve.knee.knee?.ticksPerSecond ?? measured.last?.ticksPerSecond else { return nil }
            target = top / 2
        }
        return measured.min { abs(group.x($0) - target) < abs(group.x($1) - target) }
    }

    // MARK: Findings

    /// The range of a curve's repeat knees on the x axis; a repeat without a knee counts as 0
    /// (below the ladder). Nil for a curve without repeats.
    static func kneeRange(_ curve: CapacityCurve, _ group: CapacityGroup) -> ClosedRange<Double>? {
        let knees = curve.repeatKnees.map { $0.map(group.x) ?? 0 }
        guard let low = knees.min(), let high = knees.max() else { return nil }
        return low...high
    }

    /// The curves of a group in the order of the one ranking (``ModelRanking``, basis capacity):
    /// those with a knee first, from the most capacity to the least; equal capacities go to the
    /// model that pins fewer cores, then to the one with less CPU per tick at its knee, then in the
    /// lineup's order. Among curves without a knee, those that kept up at the lowest load come
    /// first, the lower percentile there first.
    static func ranked(_ group: CapacityGroup, _ model: ReportModel) -> [CapacityCurve] {
        ranking(group, model).curves
    }

    /// The ranking of a group's curves and the curves in its order.
    static func ranking(_ group: CapacityGroup, _ model: ReportModel) -> (
        ranking: ModelRanking, curves: [CapacityCurve]
    ) {
        let labelled = Dictionary(group.curves.map { (model.label($0.series), $0) }, uniquingKeysWith: { a, _ in a })
        let ranking = ModelRanking(
            group.curves.map { evidence($0, model) }, basis: .capacity, objective: group.objective)
        return (ranking, ranking.ranked.compactMap { labelled[$0.model] })
    }

    /// What a curve shows the ranking: its standing (a knee meets; otherwise why the lowest
    /// failing step failed), its capacity with the spread of its repeats' knees in ticks per
    /// second (a repeat without a knee at 0), the percentile at its lowest step, and its CPU per
    /// tick at the knee.
    static func evidence(_ curve: CapacityCurve, _ model: ReportModel) -> ModelEvidence {
        let standing: ModelEvidence.Standing
        if curve.knee.knee != nil {
            standing = .meets
        } else if let failure = curve.knee.firstFailure?.failure {
            standing = failure.notKeptUp ? .fallsBehind : .failsTail
        } else {
            standing = .unmeasured
        }
        let knees = curve.repeatKnees.map { $0?.ticksPerSecond ?? 0 }
        let figure = knees.min().map { low in
            RankedFigure(
                value: curve.knee.capacityTicksPerSecond ?? 0, lower: low, upper: knees.max() ?? low,
                repeats: knees.count)
        }
        return ModelEvidence(
            model: model.label(curve.series), standing: standing, figure: figure,
            latencyAtLowest: curve.knee.steps.first(where: \.isMeasured)?.medianLatencyMilliseconds,
            cpuMicrosPerTick: curve.knee.knee.flatMap { point(curve, at: $0)?.median(cpuPerTick) },
            pinnedCores: model.pinnedCores[curve.series.model] ?? 0,
            runs: curve.points.map(\.results.count).reduce(0, +),
            noisyRuns: curve.points.map(\.noisyCount).reduce(0, +))
    }

    /// Whether two curves' repeats' knees overlap (no measurable difference in capacity), and the
    /// two ranges as text (`ρ 0.8–0.9 and ρ 0.9`, `… against …` when apart). Nil when either curve
    /// has no repeats.
    static func separation(_ top: CapacityCurve, _ next: CapacityCurve, _ group: CapacityGroup, _ model: ReportModel)
        -> (overlap: Bool, text: String)?
    {
        guard let a = kneeRange(top, group), let b = kneeRange(next, group) else { return nil }
        func range(_ r: ClosedRange<Double>) -> String {
            r.lowerBound == 0 && r.upperBound == 0 ? "none" : group.range(r.lowerBound, r.upperBound)
        }
        let overlap = a.overlaps(b)
        return (overlap, "\(range(a))\(overlap ? " and " : " against ")\(range(b))")
    }

    /// One finding per setting of a source: every model's knee, and whether the model with the
    /// highest capacity holds measurably more load than the next (their repeats' knees do not
    /// overlap) or not.
    static func findings(_ model: ReportModel, source: Int) -> [ReportFinding] {
        groups(model).filter { $0.source == source }.map { group in
            let ranked = Self.ranked(group, model)
            let list = ranked.map { curve -> String in
                let name = model.label(curve.series)
                guard let knee = curve.knee.knee else { return "\(name) none" }
                let atLeast = curve.knee.metAtEveryLoad ? "≥ " : ""
                return "\(name) \(atLeast)\(group.position(group.x(knee)))"
                    + (group.byLoad ? " (\(atLeast)\(ReportFormat.number(knee.ticksPerSecond)) ticks/s)" : "")
                    + (curve.knee.isNonMonotone ? ", non-monotone" : "")
            }
            var text = "Knees against \(group.objective): " + list.joined(separator: "; ") + "."
            if ranked.count >= 2, ranked[0].knee.knee != nil,
                let separation = Self.separation(ranked[0], ranked[1], group, model)
            {
                let a = model.label(ranked[0].series), b = model.label(ranked[1].series)
                text +=
                    separation.overlap
                    ? " \(a) and \(b): no measurable difference in capacity on this machine (their repeats' knees, "
                        + "\(separation.text), overlap)."
                    : " \(a) holds the most load, measurably above \(b) (their repeats' knees: \(separation.text))."
            }
            return ReportFinding(
                heading: "Capacity" + (group.title.isEmpty ? "" : " at \(group.title)"), text: text, chart: "capacity")
        }
    }

    // MARK: Rendering

    static func section(_ model: ReportModel) -> String {
        let groups = groups(model)
        guard !groups.isEmpty else { return "" }
        var out = "<section id=\"capacity\"><h2>Capacity</h2>"
        let objectives = Set(groups.map(\.objective))
        out +=
            "<p class=\"note\">Per setting, processing latency (processed − scheduled arrival) against offered load, "
            + "one panel per model, every panel on the same scales: the p99 solid, the p50 dashed, each point the "
            + "median of its repeats with its interval as an error bar (min–max below five repeats, a bootstrap 95% "
            + "interval of the median from five); logarithmic scale. The horizontal dashed line is the objective ("
            + ReportFormat.escape(objectives.map(\.description).sorted().joined(separator: ", "))
            + "). A vertical line, labelled with its load, and a ring mark each model's knee: the highest offered load "
            + "at which the median of its repeats kept up and met the objective, below the first load that did not; "
            + "a panel without one has no load that met it. Its rate is the model's capacity. The throughput chart "
            + "draws every model together, its knees ringed. A hollow "
            + "marker is a cell with a noisy run (others or steal took more than "
            + NumberText.shortest(NoiseAccount.standardThresholdCores) + " of a core during it).</p>"
        for group in groups {
            out += "<h3>\(ReportFormat.escape(heading(group, model)))</h3>"
            out += legend(group, model)
            out += "<div class=\"panels\">"
            let hockeyStick = hockeyStick(group, model)
            // As wide as the grid: the caption wraps under it instead of widening the figure
            // past the throughput chart's room beside it.
            out +=
                "<figure style=\"max-width: \(SVG.n(hockeyStick.width))px\">" + hockeyStick.svg()
                + "<figcaption class=\"note\">Processing latency, one panel per model on shared scales: p99 solid, "
                + "p50 dashed, the objective dashed grey, the knee a vertical line labelled with its load.</figcaption>"
                + "</figure>"
            out += "<figure>" + throughput(group, model).svg() + "</figure>"
            out += "</div>"
            out += table(group, model)
        }
        return out + "</section>"
    }

    static func heading(_ group: CapacityGroup, _ model: ReportModel) -> String {
        (model.sources.count > 1 ? model.sources[group.source].label + ": " : "")
            + (group.title.isEmpty ? "all cells" : group.title)
    }

    static func legend(_ group: CapacityGroup, _ model: ReportModel) -> String {
        func sample(_ body: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"14\" viewBox=\"0 0 30 14\">\(body)</svg>"
        }
        let solid = sample("<line x1=\"0\" y1=\"7\" x2=\"30\" y2=\"7\" stroke=\"#333333\" stroke-width=\"2\"/>")
        let dashed = sample(
            "<line x1=\"0\" y1=\"7\" x2=\"30\" y2=\"7\" stroke=\"#333333\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        )
        let objective = sample(
            "<line x1=\"0\" y1=\"7\" x2=\"30\" y2=\"7\" stroke=\"\(ReportPalette.annotation)\" stroke-width=\"1.5\" stroke-dasharray=\"8 3\"/>"
        )
        let knee = sample(
            "<circle cx=\"15\" cy=\"7\" r=\"5.5\" fill=\"none\" stroke=\"#333333\" stroke-width=\"2\"/>")
        let noisy = sample(ReportMarker.circle.svg(x: 15, y: 7, size: 4, color: "#333333", hollow: true))
        return ReportRenderer.legend(
            model, model.series(of: group.points),
            extra: [
                (solid, "p99"), (dashed, "p50"), (objective, "objective \(group.objective)"), (knee, "knee"),
                (noisy, "noisy cell"),
            ])
    }

    static func tooltip(_ point: ReportPoint, _ group: CapacityGroup, _ model: ReportModel, _ lines: [String]) -> String
    {
        var text = ReportRenderer.cellHeading(point, model)
        // The load, unless the cell's heading names it already (a sweep with a load axis).
        if let load = point.results.lazy.compactMap(\.configuration.load).first, !text.contains("load ") {
            text += " · ρ \(NumberText.shortest(load))"
        }
        text += "\n" + lines.joined(separator: "\n")
        text += "\nkept up in \(point.keptUpCount) of \(point.results.count) run\(point.results.count == 1 ? "" : "s")"
        if point.noisyCount > 0 { text += "\nnoisy: \(point.noisyCount) of \(point.results.count) runs" }
        return text
    }

    /// The latency against offered load as small multiples: one panel per model, all on the same
    /// scales, each with the model's p99 (solid) and p50 (dashed), the objective and the model's
    /// knee as a vertical rule labelled with its position (`knee ρ 0.9`).
    static func hockeyStick(_ group: CapacityGroup, _ model: ReportModel) -> SmallMultiples {
        let objective = LineChart.Rule(
            value: group.objective.boundMilliseconds, label: "objective \(group.objective)", style: .objective)
        let panels = group.curves.map { curve -> LineChart in
            let style = ReportRenderer.seriesStyle(model, curve.series)
            let label = model.label(curve.series)
            var lines: [LineChart.Line] = []
            // The p99 first and solid: it is what the objective judges; the p50 dashed and
            // thinner, told apart in grey print by the dash alone.
            for (percentile, dashed) in [(LatencyPercentile.p99, false), (.p50, true)] {
                let metric = processing(percentile)
                let points = curve.points.compactMap { p -> LineChart.Point? in
                    guard let x = group.x(p), let s = p.spread(metric) else { return nil }
                    let text = tooltip(
                        p, group, model,
                        [
                            "processing \(percentile.rawValue) "
                                + ReportRenderer.spreadText(s, ReportFormat.millis, unit: "ms")
                        ])
                    return LineChart.Point(x: x, y: s, tooltip: text, noisy: p.noisyCount > 0)
                }
                lines.append(
                    LineChart.Line(
                        seriesLabel: label, statistic: percentile.rawValue, color: style.color, marker: style.marker,
                        hollow: dashed || style.hollow, dashed: dashed, points: points))
            }
            var knees: [LineChart.Knee] = []
            if let knee = curve.knee.knee, let latency = knee.medianLatencyMilliseconds {
                let atLeast = curve.knee.metAtEveryLoad ? "≥ " : ""
                knees.append(
                    LineChart.Knee(
                        seriesLabel: label, x: group.x(knee), y: latency, color: style.color,
                        tooltip: "\(label): knee at \(group.position(group.x(knee))), capacity "
                            + "\(atLeast)\(ReportFormat.number(knee.ticksPerSecond)) ticks/s; "
                            + "\(group.objective.percentile.rawValue) \(ReportFormat.millis(latency)) ms",
                        rule: "knee \(atLeast)\(group.position(group.x(knee)))"))
            }
            return LineChart(
                chart: "hockey-stick", panel: label, xTitle: group.xTitle, yTitle: "processing latency (ms)",
                logarithmic: true, lines: lines, xAxis: .fitted, yExtent: .interval, noisyMark: .hollowMarker,
                rules: [objective], knees: knees, titleColor: style.color, titleMarker: style.marker)
        }
        return SmallMultiples(
            chart: "hockey-stick", panel: group.title.isEmpty ? "latency against load" : group.title,
            xTitle: group.xTitle, yTitle: "processing latency (ms)", panels: panels,
            columns: panels.count <= 4 ? 2 : 3)
    }

    static func throughput(_ group: CapacityGroup, _ model: ReportModel) -> LineChart {
        var lines: [LineChart.Line] = []
        var knees: [LineChart.Knee] = []
        var ideal: [Double: Double] = [:]
        for curve in group.curves {
            let style = ReportRenderer.seriesStyle(model, curve.series)
            let label = model.label(curve.series)
            let points = curve.points.compactMap { p -> LineChart.Point? in
                guard let x = group.x(p), let s = p.spread(.throughput) else { return nil }
                if let rate = Double(p.cell[.rate]) { ideal[x] = rate }
                let text = tooltip(
                    p, group, model,
                    [
                        "throughput " + ReportRenderer.spreadText(s, ReportFormat.number, unit: "ticks/s"),
                        "offered " + ReportFormat.number(p.median(.offeredRate) ?? 0) + " ticks/s",
                    ])
                return LineChart.Point(x: x, y: s, tooltip: text, noisy: p.noisyCount > 0)
            }
            lines.append(
                LineChart.Line(
                    seriesLabel: label, statistic: "throughput", color: style.color, marker: style.marker,
                    dashed: false, dash: style.dash, points: points))
            if let knee = curve.knee.knee, let throughput = knee.medianThroughput {
                knees.append(
                    LineChart.Knee(
                        seriesLabel: label, x: group.x(knee), y: throughput, color: style.color,
                        tooltip: "\(label): knee at \(group.position(group.x(knee))), throughput "
                            + "\(ReportFormat.number(throughput)) ticks/s"))
            }
        }
        return LineChart(
            chart: "capacity-throughput", panel: group.title.isEmpty ? "throughput against load" : group.title,
            xTitle: group.xTitle, yTitle: "throughput (ticks/s)", logarithmic: false, lines: lines,
            frame: .wide, xAxis: .fitted, yExtent: .interval, noisyMark: .hollowMarker,
            ideal: ideal.sorted { $0.key < $1.key }.map { (x: $0.key, y: $0.value) }, knees: knees)
    }

    static func table(_ group: CapacityGroup, _ model: ReportModel) -> String {
        let e = ReportFormat.escape
        let percentile = group.objective.percentile.rawValue
        var out =
            "<table class=\"capacity\" data-setting=\"\(e(group.title))\"><thead><tr><th class=\"name\">model</th>"
            + "<th>knee</th><th>capacity (ticks/s)</th><th>CPU per tick at the knee (µs)</th>"
            + "<th>p99 at half load (ms)</th><th class=\"text\">how sure</th><th class=\"text\">note</th></tr></thead><tbody>"
        for curve in group.curves {
            let result = curve.knee
            let label = model.label(curve.series)
            out += "<tr data-series=\"\(e(label))\"><td class=\"name\">\(e(label))</td>"
            let atLeast = result.metAtEveryLoad ? "≥ " : ""
            if let knee = result.knee {
                out += "<td class=\"knee\">\(e(atLeast + group.position(group.x(knee))))</td>"
                out += "<td class=\"capacity\">\(e(atLeast + ReportFormat.number(knee.ticksPerSecond)))</td>"
                let cpu = point(curve, at: knee)?.spread(cpuPerTick)
                out += "<td>\(ReportTables.figure(cpu, ReportFormat.number))</td>"
            } else {
                out += "<td class=\"knee\">none</td><td class=\"capacity\">—</td><td>—</td>"
            }
            if let half = halfLoad(curve, group), let p = point(curve, at: half) {
                out +=
                    "<td>\(ReportTables.figure(p.spread(processing(.p99)), ReportFormat.millis)) "
                    + "<span class=\"spread\">at \(e(group.position(group.x(half))))</span></td>"
            } else {
                out += "<td>—</td>"
            }
            out += "<td class=\"text\">\(e(sureness(curve, group)))</td>"
            out += "<td class=\"text\">\(e(notes(curve, group, percentile: percentile)))</td></tr>"
        }
        out += "</tbody></table>"
        let ceilings = model.saturatedPoints.filter { point in
            point.source == group.source && settingAxes.allSatisfy { point.cell[$0] == group.key[$0] }
        }
        if !ceilings.isEmpty {
            out +=
                "<p class=\"note\">At --rate max (the ceiling, beside the knee): "
                + ceilings.map { p in
                    e(p.model) + " " + ReportTables.figure(p.spread(.throughput), ReportFormat.number) + " ticks/s"
                }.joined(separator: "; ") + ".</p>"
        }
        return out
    }

    /// How sure the knee is: the knees of the repeats taken alone, and the step that bounds it.
    static func sureness(_ curve: CapacityCurve, _ group: CapacityGroup) -> String {
        var parts: [String] = []
        let knees = curve.repeatKnees.compactMap { $0.map(group.x) }
        let missing = curve.repeatKnees.count - knees.count
        if curve.repeatKnees.count > 1 {
            if let low = knees.min(), let high = knees.max() {
                parts.append(
                    "repeats' knees \(group.range(low, high)) (\(curve.repeatKnees.count) repeats"
                        + (missing > 0 ? ", \(missing) without a knee" : "") + ")")
            } else {
                parts.append("no repeat had a knee")
            }
        } else {
            parts.append("one run per step: no interval")
        }
        if let failure = curve.knee.firstFailure {
            parts.append("the next step, \(group.position(group.x(failure))), fails")
        } else if curve.knee.knee != nil {
            parts.append("no step above it failed")
        }
        return parts.joined(separator: "; ")
    }

    /// Why the curve needs a second look: non-monotone, never or always meeting the objective, why
    /// the first failing step fails, noisy cells.
    static func notes(_ curve: CapacityCurve, _ group: CapacityGroup, percentile: String) -> String {
        var notes: [String] = []
        let result = curve.knee
        if result.knee == nil, result.firstFailure != nil {
            notes.append("never meets the objective: the lowest load already fails")
        } else if result.metAtEveryLoad {
            notes.append("meets the objective at every load: the capacity is a lower bound")
        }
        if let failure = result.firstFailure, let reasons = failure.failure {
            var why: [String] = []
            if reasons.notKeptUp { why.append("kept up in \(failure.keptUpRepeats) of \(failure.repeats)") }
            if reasons.latencyOverObjective {
                why.append(
                    "\(percentile) "
                        + (failure.medianLatencyMilliseconds.map { "\(ReportFormat.millis($0)) ms" } ?? "not measured")
                        + " over \(ReportFormat.millis(group.objective.boundMilliseconds)) ms")
            }
            notes.append("at \(group.position(group.x(failure))): " + why.joined(separator: ", "))
        }
        if result.isNonMonotone {
            notes.append(
                "non-monotone: meets again at "
                    + result.passingAboveFirstFailure.map { group.position(group.x($0)) }.joined(separator: ", ")
                    + " (more repeats there would tell)")
        }
        let noisy = curve.points.filter { $0.noisyCount > 0 }.count
        if noisy > 0 { notes.append("\(noisy) noisy cell\(noisy == 1 ? "" : "s")") }
        return notes.isEmpty ? "" : notes.joined(separator: "; ")
    }
}

extension ReportModel {
    /// The panels the proc-ms charts draw: every panel but those of a single proc-ms whose cells
    /// are all steps of a capacity ladder. A load sweep at one proc-ms per setting would otherwise
    /// give one panel per load with one point each; its curves are the capacity section's.
    var chartPanels: [Panel] {
        let laddered = ReportCapacity.groups(self).flatMap(\.points)
        let covered = Set(laddered.map { PointKey(source: $0.source, cell: $0.cell) })
        return panels.filter { panel in
            Self.procValues(panel.points).count > 1
                || !panel.points.allSatisfy { covered.contains(PointKey(source: $0.source, cell: $0.cell)) }
        }
    }

    private struct PointKey: Hashable {
        var source: Int
        var cell: SweepCell
    }
}
