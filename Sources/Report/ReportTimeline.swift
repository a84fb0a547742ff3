import Capacity
import Formats
import Foundation
import Results

/// The latency-over-time section: for the cells where a summary hides what happened, one run's
/// processing latency (p50 and p99) and largest receiver lag per interval of its window, a small
/// chart each. Those cells are the ones that fell behind (most telling first: a growing backlog
/// climbs, a warm-up spike falls) and the noisy ones (where another process's burst shows as a
/// bump).
enum ReportTimeline {
    /// Small charts drawn at most; a note counts the cells left out.
    static let chartLimit = 12

    /// One chart: a cell and the run of it drawn.
    struct Pick {
        var point: ReportPoint
        var run: RunResult
        /// Which of the cell's passed runs it is (1-based), of how many.
        var runNumber: Int
        var fellBehind: Bool
        var noisy: Bool
    }

    /// The size of one small chart.
    static let frame = LineChart.Frame(width: 400, height: 230, left: 56, right: 14, top: 28, bottom: 40)

    /// The grey of the receiver-lag line: not a model's colour, since every line of a chart is
    /// one model's.
    static let lagColor = "#555555"

    /// The cells whose runs carry a timeline and fell behind or were noisy: fallen behind first,
    /// then noisy; within each, the models take turns (so that the cap leaves every model a chart),
    /// each model's cells largest backlog (or noisiest) first. Per cell, the run that shows it best.
    static func picks(_ model: ReportModel) -> [Pick] {
        var behind: [(Pick, Double)] = [], noisy: [(Pick, Double)] = []
        for point in model.ratedPoints {
            let runs = point.results.enumerated().filter { $0.element.timeline != nil }
            let fell = runs.filter { !$0.element.window.keptUp }
            if let (index, run) = fell.max(by: { $0.element.ticks.backlogAtEnd < $1.element.ticks.backlogAtEnd }) {
                let pick = Pick(
                    point: point, run: run, runNumber: index + 1, fellBehind: true, noisy: run.noise?.isNoisy() == true)
                behind.append((pick, Double(run.ticks.backlogAtEnd)))
                continue
            }
            let loud = runs.filter { $0.element.noise?.isNoisy() == true }
            if let (index, run) = loud.max(by: { outside($0.element) < outside($1.element) }) {
                noisy.append(
                    (Pick(point: point, run: run, runNumber: index + 1, fellBehind: false, noisy: true), outside(run)))
            }
        }
        return takingTurns(behind, model) + takingTurns(noisy, model)
    }

    /// The picks ordered so that series take turns: each series' first (highest score), then
    /// each one's second, and so on.
    static func takingTurns(_ picks: [(Pick, Double)], _ model: ReportModel) -> [Pick] {
        let bySeries = Dictionary(grouping: picks) {
            ReportModel.Series(source: $0.0.point.source, model: $0.0.point.model)
        }
        let queues = model.series(of: picks.map(\.0.point)).map { series in
            (bySeries[series] ?? []).sorted { $0.1 > $1.1 }.map(\.0)
        }
        let rounds = queues.map(\.count).max() ?? 0
        return (0..<rounds).flatMap { round in queues.compactMap { round < $0.count ? $0[round] : nil } }
    }

    /// The cores others and steal took from the run.
    static func outside(_ run: RunResult) -> Double { run.noise?.outsideCores ?? 0 }

    static func section(_ model: ReportModel) -> String {
        let picks = picks(model)
        guard !picks.isEmpty else { return "" }
        var out = "<section id=\"timeline\"><h2>Latency over time</h2>"
        out +=
            "<p class=\"note\">How to read it: one run of each cell that fell behind or was noisy, its processing "
            + "latency per interval of its window by scheduled arrival (p50 solid, p99 dashed, in the model's colour) "
            + "and the largest receiver lag (arrival→received, grey dashed with + markers); a line that climbs is a backlog "
            + "growing, a spike that falls back a stall or a warm-up. Cells that kept up and were quiet are left out: "
            + "their summaries say it all.</p>"
        let dashed =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"12\" viewBox=\"0 0 30 12\"><line x1=\"0\" y1=\"6\" x2=\"30\" y2=\"6\" stroke=\"#333333\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/></svg>"
        let solid =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"12\" viewBox=\"0 0 30 12\"><line x1=\"0\" y1=\"6\" x2=\"30\" y2=\"6\" stroke=\"#333333\" stroke-width=\"2\"/></svg>"
        let lag =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"12\" viewBox=\"0 0 30 12\"><line x1=\"0\" y1=\"6\" x2=\"30\" y2=\"6\" stroke=\"\(lagColor)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            + ReportMarker.plus.svg(x: 15, y: 6, size: 4, color: lagColor, hollow: true) + "</svg>"
        let shown = Array(picks.prefix(chartLimit))
        let series = model.series(of: shown.map(\.point))
        out += ReportRenderer.legend(
            model, series,
            extra: [(solid, "processing p50"), (dashed, "processing p99"), (lag, "receiver lag, max")])
        out += "<div class=\"panels\">"
        let axes = titleAxes(shown)
        for pick in shown {
            // As wide as its chart, so that the caption wraps and the small multiples sit side by side.
            out += "<figure style=\"max-width: \(SVG.n(frame.width))px\">" + chart(pick, model, axes: axes).svg()
            out += "<figcaption class=\"note\">" + ReportFormat.escape(caption(pick)) + "</figcaption></figure>"
        }
        out += "</div>"
        if picks.count > chartLimit {
            let left = picks.dropFirst(chartLimit)
            let behind = left.filter(\.fellBehind).count
            out +=
                "<p class=\"note\">\(left.count) more cells are left out (\(behind) that fell behind, "
                + "\(left.count - behind) noisy); each run's record has its timeline.</p>"
        }
        return out + "</section>"
    }

    /// What the chart's run was: which repeat, fallen behind by how much, how noisy, how wide an
    /// interval.
    static func caption(_ pick: Pick) -> String {
        let run = pick.run
        var parts = ["run \(pick.runNumber) of \(pick.point.results.count)"]
        if pick.fellBehind {
            parts.append(
                "fell behind: throughput \(ReportFormat.number(run.window.throughput)) of "
                    + "\(ReportFormat.number(run.window.offeredRate)) ticks/s, backlog \(run.ticks.backlogAtEnd) ticks")
        }
        if pick.noisy { parts.append("noisy: others took \(NumberText.fixed(outside(run), digits: 2)) cores") }
        if let timeline = run.timeline {
            parts.append("intervals of \(ReportFormat.millis(timeline.intervalSeconds * 1_000)) ms")
        }
        return parts.joined(separator: "; ")
    }

    /// The axes a small chart's title names: proc-ms and eval-ms, and whatever else differs
    /// between the charts (the rest is the same for all, and the tooltips give the whole cell).
    static func titleAxes(_ picks: [Pick]) -> [SweepAxis] {
        SweepAxis.allCases.filter { axis in
            axis != .model
                && ([.procMs, .evalMs].contains(axis) || Set(picks.map { $0.point.cell[axis] }).count > 1)
        }
    }

    static func chart(_ pick: Pick, _ model: ReportModel, axes: [SweepAxis]) -> LineChart {
        let series = ReportModel.Series(source: pick.point.source, model: pick.point.model)
        let style = ReportRenderer.seriesStyle(model, series)
        let label = model.label(series)
        let timeline = pick.run.timeline
        let intervals = (timeline?.intervals ?? []).enumerated().filter { $0.element.count > 0 }
        func points(_ value: (RunResult.Timeline.Interval) -> Double) -> [LineChart.Point] {
            guard let timeline else { return [] }
            return intervals.compactMap { index, interval in
                let v = value(interval)
                guard v > 0, let spread = Spread([v]) else { return nil }
                let start = timeline.start(of: index)
                let tooltip =
                    ReportRenderer.cellHeading(pick.point, model) + ", run \(pick.runNumber)\n"
                    + "\(NumberText.fixed(start, digits: 2))–\(NumberText.fixed(start + timeline.intervalSeconds, digits: 2)) s: "
                    + "\(interval.count) ticks\nprocessing p50 \(ReportFormat.millis(interval.p50)) ms, "
                    + "p99 \(ReportFormat.millis(interval.p99)) ms, max \(ReportFormat.millis(interval.max)) ms"
                    + "\nreceiver lag max \(ReportFormat.millis(interval.receiverLagMax)) ms"
                return LineChart.Point(
                    x: start + timeline.intervalSeconds / 2, y: spread, tooltip: tooltip, noisy: false)
            }
        }
        let lines = [
            LineChart.Line(
                seriesLabel: label, statistic: "p50", color: style.color, marker: style.marker, hollow: style.hollow,
                dashed: false, hollowMarkers: style.hollow, points: points(\.p50)),
            LineChart.Line(
                seriesLabel: label, statistic: "p99", color: style.color, marker: style.marker, hollow: style.hollow,
                dashed: true, hollowMarkers: true, points: points(\.p99)),
            LineChart.Line(
                seriesLabel: label, statistic: "receiver-lag-max", color: lagColor, marker: .plus, hollow: true,
                dashed: true, hollowMarkers: true, points: points(\.receiverLagMax)),
        ]
        var rules: [LineChart.Rule] = []
        if let objective = model.sources[pick.point.source].objective
            ?? model.sources[pick.point.source].machine?.plan?.objective, objective.percentile == .p99
        {
            rules.append(.init(value: objective.boundMilliseconds, label: "objective \(objective)", style: .objective))
        }
        return LineChart(
            chart: "timeline",
            panel: ([label] + axes.filter { pick.point.cell[$0] != "none" }.map { $0.label(pick.point.cell[$0]) })
                .joined(separator: " · "),
            xTitle: "seconds into the window (by scheduled arrival)", yTitle: "latency (ms)", logarithmic: true,
            lines: lines, frame: frame, rules: rules)
    }
}
