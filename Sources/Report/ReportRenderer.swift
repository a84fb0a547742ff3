import Foundation
import Results

/// Renders `report.html`: one self-contained XHTML file (inline CSS, inline SVG, no script, no
/// network) that opens in any browser, parses as XML and prints.
///
/// It draws every sweep it is given; with two or more (`ticklab report DIR1 DIR2`) their lines
/// share the charts, told apart by filled and hollow markers.
public enum ReportRenderer {
    public static func render(_ sources: [ReportSource], lineup: ReportLineup, generatedAt: Date = Date()) -> String {
        let model = ReportModel(sources, lineup: lineup)
        var body = ""
        // The verdict first (which model, for which workload, how sure), then the charts it
        // rests on, then the detailed findings, each linking its chart, then the tables.
        body += header(model)
        body += contents(model)
        body += ReportVerdict.section(model)
        body += ReportCapacity.section(model)
        body += throughputSection(model)
        body += latencySection(model)
        body += segmentsSection(model)
        body += queueSection(model)
        body += cpuSection(model)
        body += ReportSpectrum.section(model)
        body += ReportTimeline.section(model)
        body += ReportCost.section(model)
        body += findingsSection(model)
        body += ReportTrust.section(model)
        body += ReportTables.saturation(model)
        body += ReportTables.comparison(model)
        body += ReportTables.failed(model)
        body += ReportTables.machine(model)
        body += readingGuide()
        body +=
            "<footer><p>Written by ticklab \(ReportFormat.escape(TickLabVersion.string)) on "
            + "\(ReportFormat.escape(ISO8601DateFormatter().string(from: generatedAt))) from "
            + sources.map { ReportFormat.escape(($0.directory ?? $0.label) + "/results.jsonl") }.joined(
                separator: " and ")
            + ". Hover over a point, bar or cell for its exact values.</p></footer>"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(ReportFormat.escape(title(model)))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    static func title(_ model: ReportModel) -> String {
        "TickLab sweep report: " + model.sources.map(\.label).joined(separator: " vs ")
    }

    static let css = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               color: #1A1A1A; background: #FFFFFF; margin: 0 auto; max-width: 1440px; padding: 20px 28px 40px; }
        h1 { font-size: 1.6em; margin: 0.2em 0 0.1em; }
        h2 { font-size: 1.25em; margin: 1.8em 0 0.4em; padding-bottom: 0.2em; border-bottom: 2px solid #555555; }
        h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
        p.lede { color: #444444; margin-top: 0; }
        p.note { color: #555555; font-size: 0.92em; max-width: 70em; }
        nav ol { columns: 3; padding-left: 1.2em; margin: 0.5em 0; }
        .panels { display: flex; flex-wrap: wrap; gap: 14px 18px; align-items: flex-start; }
        figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
        svg.chart { max-width: 100%; height: auto; display: block; }
        .legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0.4em 0 0.8em; font-size: 0.92em; }
        .legend span { display: inline-flex; align-items: center; gap: 5px; white-space: nowrap; }
        ul.findings { padding-left: 1.2em; max-width: 80em; }
        ul.findings li { margin: 0.35em 0; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.4em 0 1em; font-size: 0.92em; }
        th, td { padding: 3px 9px; border-bottom: 1px solid #DDDDDD; text-align: right; vertical-align: top; }
        th { background: #F3F6F9; font-weight: 600; }
        td.name, th.name { text-align: left; white-space: nowrap; }
        tr.group td { border-top: 2px solid #999999; }
        .better { color: #005A8C; font-weight: 600; }
        .worse { color: #A63C00; font-weight: 600; }
        .no { color: #A63C00; font-weight: 600; }
        .spread { color: #666666; font-size: 0.85em; }
        .same { color: #666666; }
        .noisy { color: #A63C00; font-size: 0.85em; border: 1px solid #A63C00; border-radius: 3px; padding: 0 3px; }
        table.capacity td.knee, table.capacity td.capacity { font-weight: 600; white-space: nowrap; }
        table.capacity td.text, table.capacity th.text { text-align: left; min-width: 16em; max-width: 30em; }
        table.verdict td.text, table.verdict th.text { text-align: left; min-width: 12em; max-width: 28em; }
        table.verdict td.recommended { font-weight: 600; }
        a.chart-link { font-size: 0.9em; white-space: nowrap; }
        pre { background: #F5F5F5; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; font-size: 0.9em; }
        dl.machine { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; }
        dl.machine dt { font-weight: 600; }
        dl.machine dd { margin: 0; }
        footer { margin-top: 3em; color: #666666; font-size: 0.85em; }
        @media print {
          body { max-width: none; padding: 0; font-size: 9.5pt; }
          nav { display: none; }
          h2 { break-after: avoid; page-break-after: avoid; }
          table, figure, ul.findings li { break-inside: avoid; page-break-inside: avoid; }
          .panels { gap: 8px; }
          a { color: inherit; text-decoration: none; }
          pre { white-space: pre-wrap; }
        }
        """

    static func header(_ model: ReportModel) -> String {
        var out = "<header><h1>TickLab sweep report</h1><p class=\"lede\">"
        let runs = model.sources.map { $0.records.count }
        out += model.sources.enumerated().map { index, source in
            "<strong>\(ReportFormat.escape(source.label))</strong>: \(runs[index]) run\(runs[index] == 1 ? "" : "s")"
                + (source.machine.map {
                    " on \(ReportFormat.escape($0.cpuModel)), \($0.logicalCores) cores, \(ReportFormat.escape($0.date))"
                } ?? "")
        }.joined(separator: "; ")
        out += ". Models: \(model.models.map(ReportFormat.escape).joined(separator: ", ")). "
        out +=
            "Pipeline: feed → receiver → FIFO → processor (order book) → latest-value slot → evaluator; "
            + "every latency is measured from the tick's scheduled arrival.</p>"
        for source in model.sources {
            for problem in source.problems { out += "<p class=\"note\">Note: \(ReportFormat.escape(problem)).</p>" }
        }
        return out + "</header>"
    }

    /// The sections present in this report, in the order they appear: id and title.
    static func sections(_ model: ReportModel) -> [(id: String, title: String)] {
        var items: [(id: String, title: String)] = [("verdict", "Verdict")]
        if !ReportCapacity.groups(model).isEmpty { items.append(("capacity", "Capacity")) }
        items += [
            ("throughput", "Throughput"), ("latency", "End-to-end latency"), ("segments", "Where the latency goes"),
            ("queue", "Inbound queue peak"), ("cpu", "CPU per stage"),
        ]
        if !ReportSpectrum.panels(model).isEmpty { items.append(("spectrum", "Latency spectrum")) }
        if !ReportTimeline.picks(model).isEmpty { items.append(("timeline", "Latency over time")) }
        if !ReportCost.points(model).isEmpty { items.append(("cost", "What each model costs")) }
        items += [("findings", "Findings"), ("floor", "The machine's floor and noise")]
        if !model.saturatedPoints.isEmpty { items.append(("saturation", "Saturation")) }
        items.append(("comparison", "Comparison per cell"))
        if !model.failedRecords.isEmpty { items.append(("failed", "Failed runs")) }
        items += [("machine", "Machine and command"), ("reading", "How to read this report")]
        return items
    }

    static func contents(_ model: ReportModel) -> String {
        "<nav><ol>" + sections(model).map { "<li><a href=\"#\($0.id)\">\($0.title)</a></li>" }.joined() + "</ol></nav>"
    }

    static func findingsSection(_ model: ReportModel) -> String {
        var out = "<section id=\"findings\"><h2>Findings</h2>"
        out +=
            "<p class=\"note\">Computed from the figures (medians over each cell's passed runs); each links the "
            + "chart or table it rests on. “Kept up” means throughput at least 98% of the offered rate and no growing "
            + "backlog.</p>"
        for (index, source) in model.sources.enumerated() {
            if model.sources.count > 1 { out += "<h3>\(ReportFormat.escape(source.label))</h3>" }
            let findings = ReportFindings(model: model, source: index).all()
            if findings.isEmpty {
                out += "<p>No results to draw findings from.</p>"
                continue
            }
            out += "<ul class=\"findings\">"
            let titles = Dictionary(sections(model).map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
            for finding in findings {
                out +=
                    "<li><strong>\(ReportFormat.escape(finding.heading)).</strong> \(ReportFormat.escape(finding.text))"
                if let chart = finding.chart, let title = titles[chart] {
                    out += " <a class=\"chart-link\" href=\"#\(chart)\">(see \(ReportFormat.escape(title)))</a>"
                }
                out += "</li>"
            }
            out += "</ul>"
        }
        if model.sources.count > 1 { out += comparisonOfSources(model) }
        return out + "</section>"
    }

    /// With several sweeps: for each model, the cell where they differ most in mean latency.
    static func comparisonOfSources(_ model: ReportModel) -> String {
        var lines: [String] = []
        let first = model.ratedPoints.filter { $0.source == 0 }
        for other in 1..<model.sources.count {
            for name in model.models {
                var worst: (ReportPoint, ReportPoint, Double)?
                for a in first where a.model == name {
                    guard let b = model.ratedPoints.first(where: { $0.source == other && $0.cell == a.cell }),
                        let ma = a.median(.endToEndMean), let mb = b.median(.endToEndMean), ma > 0
                    else { continue }
                    let change = (mb / ma - 1) * 100
                    if worst == nil || abs(change) > abs(worst!.2) { worst = (a, b, change) }
                }
                guard let (a, b, change) = worst else { continue }
                lines.append(
                    "\(name): \(model.sources[other].label) against \(model.sources[0].label), the largest difference in mean latency "
                        + "is \(ReportFormat.percent(change)) at \(a.cell.label) (\(ReportFormat.millis(b.median(.endToEndMean)!)) against "
                        + "\(ReportFormat.millis(a.median(.endToEndMean)!)) ms)"
                        + (a.results.count > 1 && b.results.count > 1 && ReportFindings.indistinct(a, b, .endToEndMean)
                            ? ", within overlapping intervals of the repeats: no measurable difference on this machine."
                            : "."))
            }
        }
        guard !lines.isEmpty else { return "<p>The sweeps share no cell to compare.</p>" }
        return "<h3>Between the sweeps</h3><ul class=\"findings\">"
            + lines.map { "<li>\(ReportFormat.escape($0))</li>" }.joined() + "</ul>"
    }

    // MARK: Charts

    /// The model's style (``ReportPalette/model(_:)``, the same in every chart), hollow for a
    /// second sweep's series.
    static func seriesStyle(_ model: ReportModel, _ series: ReportModel.Series) -> (
        color: String, marker: ReportMarker, hollow: Bool, dash: String
    ) {
        let style = ReportPalette.model(model.models.firstIndex(of: series.model) ?? 0)
        return (style.color, style.marker, series.source > 0, style.dash)
    }

    static func legend(_ model: ReportModel, _ series: [ReportModel.Series], extra: [(String, String)] = []) -> String {
        var out = "<div class=\"legend\">"
        for s in series {
            let style = seriesStyle(model, s)
            out +=
                "<span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"12\" viewBox=\"0 0 30 12\">"
                + "<line x1=\"0\" y1=\"6\" x2=\"30\" y2=\"6\" stroke=\"\(style.color)\" stroke-width=\"2\""
                + (style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\"") + "/>"
                + style.marker.svg(x: 15, y: 6, size: 4, color: style.color, hollow: style.hollow)
                + "</svg>\(ReportFormat.escape(model.label(s)))</span>"
        }
        for (swatch, label) in extra {
            out += "<span>\(swatch)\(ReportFormat.escape(label))</span>"
        }
        return out + "</div>"
    }

    static func swatch(_ color: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"14\" height=\"12\" viewBox=\"0 0 14 12\"><rect x=\"0\" y=\"0\" width=\"14\" height=\"12\" fill=\"\(color)\"/></svg>"
    }

    static func empty(_ what: String) -> String {
        "<p class=\"note\">No passed runs at a fixed rate, so no \(what) to draw.</p>"
    }

    /// What a proc-ms chart section says when it has no panel: nothing at a fixed rate, or every
    /// cell drawn against offered load in the capacity section instead.
    static func noChart(_ model: ReportModel, _ what: String) -> String {
        model.ratedPoints.isEmpty
            ? empty(what)
            : "<p class=\"note\">Every cell is one step of a ladder of offered loads, with one proc-ms per setting: "
                + "the \(what) is drawn against offered load under <a href=\"#capacity\">Capacity</a>.</p>"
    }

    static func cellHeading(_ point: ReportPoint, _ model: ReportModel) -> String {
        let label = model.label(.init(source: point.source, model: point.model))
        return
            ([label]
            + SweepAxis.allCases.filter { $0 != .model && $0.isSaid(point.cell[$0]) }.map { $0.label(point.cell[$0]) })
            .joined(separator: " · ")
    }

    static func spreadText(_ spread: Spread, _ format: (Double) -> String, unit: String) -> String {
        var text = "\(format(spread.median)) \(unit)"
        if spread.count > 1 {
            text +=
                " (median of \(spread.count) runs, \(spread.intervalName) \(format(spread.lower))–\(format(spread.upper)))"
        }
        return text
    }

    /// Ticks processed in the window as a share of those offered, per run, in percent: where every
    /// model keeps up the differences lie between 95 and 100%, invisible on a scale from 0 to the
    /// rate.
    static let throughputShare = ReportMetric(id: "throughput-share", title: "throughput ÷ offered", unit: "%") {
        $0.window.offeredRate > 0 ? $0.window.throughput / $0.window.offeredRate * 100 : nil
    }

    /// The y range of a chart of ``throughputShare``: from 90% (or lower, in steps, where a model
    /// fell further) to just past 100%.
    static func shareRange(_ values: [Double]) -> (low: Double, high: Double) {
        let lowest = values.min() ?? 100
        let low = lowest >= 90 ? 90 : lowest >= 50 ? (lowest / 10).rounded(.down) * 10 : 0
        let high = ((max(100, values.max() ?? 100) / 2.5).rounded(.up) + 1) * 2.5
        return (low, high)
    }

    static func throughputSection(_ model: ReportModel) -> String {
        var out = "<section id=\"throughput\"><h2>Throughput</h2>"
        out +=
            "<p class=\"note\">Ticks processed inside the measurement window as a share of the ticks offered, against the "
            + "processor's CPU work per tick; one panel per evaluator setting, the dotted line is the offered rate (100%), "
            + "the dashed one the 98% a model must reach to have kept up. The scale starts at 90% where every model is "
            + "above it, so that a shortfall of a few percent shows. The tooltip has the rates in ticks/s.</p>"
        let panels = model.chartPanels
        guard !panels.isEmpty else {
            return out + noChart(model, "throughput") + ReportClock.figure(model) + "</section>"
        }
        out += legend(model, model.series(of: model.ratedPoints))
        out += "<div class=\"panels\">"
        for panel in panels {
            let offered = panel.points.compactMap { $0.median(.offeredRate) }
            let rate = Double(panel.key[.rate] ?? "")
            var shares: [Double] = []
            let lines = model.series(of: panel.points).map { series -> LineChart.Line in
                let style = seriesStyle(model, series)
                let points = panel.points.filter { $0.source == series.source && $0.model == series.model }.compactMap {
                    p -> LineChart.Point? in
                    guard let s = p.spread(throughputShare), let t = p.spread(.throughput) else { return nil }
                    shares += [s.min, s.max]
                    let tooltip =
                        cellHeading(p, model) + "\nthroughput " + spreadText(t, ReportFormat.number, unit: "ticks/s")
                        + "\noffered " + ReportFormat.number(p.median(.offeredRate) ?? 0) + " ticks/s"
                        + "\nprocessed ÷ offered " + spreadText(s, ReportFormat.number, unit: "%")
                        + "\nbacklog at end " + ReportFormat.number(p.median(.backlog) ?? 0) + " ticks"
                        + "\nkept up in \(p.keptUpCount) of \(p.results.count) run\(p.results.count == 1 ? "" : "s")"
                        + (p.noisyCount > 0 ? "\nnoisy: \(p.noisyCount) of \(p.results.count) runs" : "")
                    return LineChart.Point(x: p.procMs, y: s, tooltip: tooltip, noisy: p.noisyCount > 0)
                }
                return LineChart.Line(
                    seriesLabel: model.label(series), statistic: "throughput", color: style.color,
                    marker: style.marker, hollow: style.hollow, dashed: false, dash: style.dash,
                    hollowMarkers: style.hollow, points: points)
            }
            let reference = (rate ?? offered.max()).map {
                LineChart.Rule(value: 100, label: "offered \(ReportFormat.number($0)) ticks/s", style: .reference)
            }
            let keptUp = LineChart.Rule(value: 98, label: "kept up: 98% of offered", style: .objective)
            let chart = LineChart(
                chart: "throughput", panel: panel.title, xTitle: "processor work per tick, proc-ms (ms)",
                yTitle: "processed ÷ offered (%)", logarithmic: false, lines: lines,
                xAxis: .ticks(ReportModel.procValues(panel.points)),
                rules: (reference.map { [$0] } ?? []) + [keptUp], yRange: shareRange(shares))
            out += "<figure>" + chart.svg() + "</figure>"
        }
        return out + "</div>" + ReportClock.figure(model) + "</section>"
    }

    static func latencySection(_ model: ReportModel) -> String {
        var out = "<section id=\"latency\"><h2>End-to-end latency</h2>"
        out +=
            "<p class=\"note\">Tick to decision (decided − scheduled arrival) of every evaluated tick, logarithmic scale: "
            + "per evaluator setting, the mean in one panel and the p99 beside it (small multiples rather than twelve "
            + "lines in one panel). Each model keeps its colour, marker and dash in every chart.</p>"
        let panels = model.chartPanels
        guard !panels.isEmpty else { return out + noChart(model, "latency") + "</section>" }
        out += legend(model, model.series(of: model.ratedPoints))
        out += "<div class=\"panels\">"
        for panel in panels {
            for (metric, statistic, other) in [
                (ReportMetric.endToEndMean, "mean", ReportMetric.endToEndP99),
                (ReportMetric.endToEndP99, "p99", ReportMetric.endToEndMean),
            ] {
                var lines: [LineChart.Line] = []
                for series in model.series(of: panel.points) {
                    let style = seriesStyle(model, series)
                    let points = panel.points.filter { $0.source == series.source && $0.model == series.model }
                        .compactMap { p -> LineChart.Point? in
                            guard let s = p.spread(metric) else { return nil }
                            var tooltip =
                                cellHeading(p, model) + "\n\(statistic) end-to-end "
                                + spreadText(s, ReportFormat.millis, unit: "ms")
                            if let value = p.spread(other) {
                                tooltip +=
                                    "\n\(statistic == "mean" ? "p99" : "mean") " + ReportFormat.millis(value.median)
                                    + " ms"
                            }
                            if p.noisyCount > 0 { tooltip += "\nnoisy: \(p.noisyCount) of \(p.results.count) runs" }
                            return LineChart.Point(x: p.procMs, y: s, tooltip: tooltip, noisy: p.noisyCount > 0)
                        }
                    lines.append(
                        LineChart.Line(
                            seriesLabel: model.label(series), statistic: statistic, color: style.color,
                            marker: style.marker, hollow: style.hollow, dashed: false, dash: style.dash,
                            hollowMarkers: style.hollow, points: points))
                }
                let chart = LineChart(
                    chart: "latency", panel: [panel.title, statistic].filter { !$0.isEmpty }.joined(separator: " · "),
                    xTitle: "processor work per tick, proc-ms (ms)", yTitle: "\(statistic) end-to-end latency (ms)",
                    logarithmic: true, lines: lines, xAxis: .ticks(ReportModel.procValues(panel.points)))
                out += "<figure>" + chart.svg() + "</figure>"
            }
        }
        return out + "</div></section>"
    }

    /// The metrics of a set of stacked parts that any point has.
    static func presentParts(_ metrics: [ReportMetric], in points: [ReportPoint]) -> [Int] {
        metrics.indices.filter { i in points.contains { $0.results.contains { metrics[i].value($0) != nil } } }
    }

    static func barsSection(
        _ model: ReportModel, id: String, title: String, note: String, chart: String,
        yTitle: String, metrics: [ReportMetric], colors: [String], unit: String
    ) -> String {
        var out =
            "<section id=\"\(id)\"><h2>\(ReportFormat.escape(title))</h2><p class=\"note\">\(ReportFormat.escape(note))</p>"
        let panels = model.chartPanels
        guard !panels.isEmpty else { return out + noChart(model, title.lowercased()) + "</section>" }
        let parts = presentParts(metrics, in: model.ratedPoints)
        out += legend(
            model, model.series(of: model.ratedPoints),
            extra: parts.map { (swatch(colors[$0 % colors.count]), metrics[$0].title) })
        out += "<div class=\"panels\">"
        for panel in panels {
            let groups = ReportModel.procValues(panel.points).map { proc in
                StackedBarChart.Group(
                    x: proc,
                    bars: model.series(of: panel.points).compactMap { series in
                        guard
                            let p = panel.points.first(where: {
                                $0.source == series.source && $0.model == series.model && $0.procMs == proc
                            })
                        else { return nil }
                        let style = seriesStyle(model, series)
                        let spreads = parts.map { p.spread(metrics[$0]) }
                        let total = spreads.reduce(0) { $0 + ($1?.median ?? 0) }
                        let tooltip =
                            cellHeading(p, model) + "\n"
                            + zip(parts, spreads).map { index, s in
                                "\(metrics[index].title): "
                                    + (s.map { spreadText($0, ReportFormat.millis, unit: unit) } ?? "n/a")
                            }.joined(separator: "\n") + "\ntotal \(ReportFormat.millis(total)) \(unit)"
                        return StackedBarChart.Bar(
                            seriesLabel: model.label(series), color: style.color, marker: style.marker,
                            hollow: style.hollow, parts: spreads, tooltip: tooltip)
                    })
            }
            let stacks = parts.map { (title: metrics[$0].title, color: colors[$0 % colors.count]) }
            let bars = StackedBarChart(
                chart: chart, panel: panel.title, xTitle: "processor work per tick, proc-ms; one bar per model",
                yTitle: yTitle, stacks: stacks, groups: groups)
            out += "<figure>" + bars.svg() + "</figure>"
        }
        return out + "</div></section>"
    }

    static func segmentsSection(_ model: ReportModel) -> String {
        let section = barsSection(
            model, id: "segments", title: "Where the latency goes",
            note:
                "Mean of each latency segment, stacked in greys, per model (its colour and marker under the bar) and proc-ms; "
                + "each segment's p99 follows below. arrival→received is the "
                + "receiver's lag (where a busy event loop shows), received→processed the queue wait and the work, "
                + "processed→picked the slot wait, picked→decided the evaluation. The first two are means over every tick, "
                + "the last two over evaluated ticks, so the stack approximates the mean end-to-end latency. "
                + "With --route, decided→acked (the order's round trip, per order) sits on top: it follows the decision "
                + "and is not part of end-to-end.",
            chart: "segments", yTitle: "mean latency (ms)", metrics: ReportMetric.segments,
            colors: ReportPalette.segments, unit: "ms")
        return appending(segmentP99Charts(model), to: section)
    }

    static func cpuSection(_ model: ReportModel) -> String {
        let section = barsSection(
            model, id: "cpu", title: "CPU per stage",
            note:
                "CPU seconds each stage used over its run (thread CPU clocks where a stage owns a thread; where stages share "
                + "threads, their total as “shared threads”); “rest of process” is what the process used beyond them. "
                + "Totals are dominated by the work the ticks asked for: the model's own CPU per tick follows below.",
            chart: "cpu", yTitle: "CPU time (s)", metrics: ReportMetric.cpuStages,
            colors: ReportPalette.stages, unit: "s")
        return appending(ownCPUCharts(model), to: section)
    }

    static func queueSection(_ model: ReportModel) -> String {
        var out = "<section id=\"queue\"><h2>Inbound queue peak</h2>"
        out +=
            "<p class=\"note\">The deepest the FIFO between receiver and processor got (ticks, sampled at every enqueue), "
            + "over proc-ms (columns) × eval-ms (rows), one map per model; the colour scale is shared and logarithmic.</p>"
        let rated = model.ratedPoints
        guard !rated.isEmpty else { return out + empty("queue peaks") + "</section>" }
        let scaleMax = rated.compactMap { $0.median(.queuePeak) }.max() ?? 0
        out += "<figure>" + Heatmap.legend(scaleMax: scaleMax) + "</figure>"
        let groups = ReportModel.panels(
            of: rated, axes: SweepAxis.allCases.filter { ![.model, .procMs, .evalMs].contains($0) },
            alwaysNamed: [])
        for group in groups {
            if !group.title.isEmpty { out += "<h3>\(ReportFormat.escape(group.title))</h3>" }
            out += "<div class=\"panels\">"
            let columns = ReportModel.procValues(group.points)
            let rows = Array(Set(group.points.compactMap { Double($0.cell[.evalMs]) })).sorted()
            for series in model.series(of: group.points) {
                let mine = group.points.filter { $0.source == series.source && $0.model == series.model }
                let values = rows.map { row in
                    columns.map { column in
                        mine.first { Double($0.cell[.evalMs]) == row && $0.procMs == column }?.spread(.queuePeak)
                    }
                }
                let heatmap = Heatmap(
                    chart: "queue", panel: group.title.isEmpty ? "queue peak" : group.title,
                    seriesLabel: model.label(series), rowTitle: "eval-ms ↓", columnTitle: "proc-ms (ms)",
                    rows: rows, columns: columns, values: values, scaleMax: scaleMax
                ) { r, c, s in
                    let point = mine.first { Double($0.cell[.evalMs]) == rows[r] && $0.procMs == columns[c] }!
                    return cellHeading(point, model) + "\ninbound queue peak "
                        + spreadText(s, ReportFormat.number, unit: "ticks")
                        + "\nmean depth " + ReportFormat.number(Spread(point.results.map(\.queue.mean))?.median ?? 0)
                        + " ticks"
                }
                out += "<figure>" + heatmap.svg() + "</figure>"
            }
            out += "</div>"
        }
        return out + "</section>"
    }

    static func readingGuide() -> String {
        """
        <section id="reading"><h2>How to read this report</h2>
        <ul class="findings">
        <li><strong>Cell</strong>: one combination of model, rate, proc-ms, eval-ms and eval kind, run in a fresh process.
        With repeats, figures are medians with an interval: min–max below five repeats, a bootstrap 95% interval of the
        median from five, drawn as whiskers and printed as [low–high]. Two models differ measurably only where their
        intervals do not overlap.</li>
        <li><strong>Knee and capacity</strong>: on a ladder of offered loads, the knee is the highest load at which the
        median of a model's repeats kept up and met the latency objective, below the first load that did not; the
        capacity is its rate in ticks/s. A load is utilisation ρ = rate × proc-ms / 1000.</li>
        <li><strong>Noisy</strong>: a run during which other processes and the hypervisor (steal) took more than a tenth
        of a core; its cell is drawn hollow or ringed and marked in the tables.</li>
        <li><strong>Offered rate and throughput</strong>: ticks the exchange scheduled per second, and ticks processed per second
        inside the window. The exchange runs on its own clock: a late receiver finds a backlog, it never slows the feed.</li>
        <li><strong>Kept up</strong>: throughput at least 98% of offered and at most max(2, 1% of the window's ticks) waiting at the end.</li>
        <li><strong>Latency</strong> is measured from each tick's scheduled arrival, so a stalled pipeline cannot hide its stall.
        End-to-end = decided − arrival for every evaluated tick (the evaluator conflates: it always takes the newest state).</li>
        <li><strong>Gain against event-loop</strong>: (model ÷ event-loop − 1) × 100 in the same cell. Positive throughput and
        negative latency changes are better; they are printed with their sign, and in colour only as a second cue.</li>
        <li><strong>Rate × proc-ms</strong> is the processor's utilisation: at 1 (200 ticks/s × 5 ms) it has no slack at all.</li>
        </ul></section>
        """
    }
}
