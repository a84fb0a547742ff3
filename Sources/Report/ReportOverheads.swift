import Foundation
import Results

/// Two charts that show what the stacked bars cannot: each segment's p99 beside the stacked
/// means (the receiver lag of a blocked loop is a tail, not a mean), and the CPU a model spends
/// per tick beyond the work the tick asked for (its own overhead, invisible in totals dominated
/// by the requested work). Both small multiples, each model in its own style.
extension ReportRenderer {
    /// The p99 of each segment of the end-to-end latency, in pipeline order.
    static let segmentP99s: [ReportMetric] = [
        ReportMetric(id: "seg-p99-arrival-received", title: "arrival→received", unit: "ms") {
            $0.segments.arrivalToReceived.count > 0 ? $0.segments.arrivalToReceived.p99 : nil
        },
        ReportMetric(id: "seg-p99-received-processed", title: "received→processed", unit: "ms") {
            $0.segments.receivedToProcessed.count > 0 ? $0.segments.receivedToProcessed.p99 : nil
        },
        ReportMetric(id: "seg-p99-processed-picked", title: "processed→picked", unit: "ms") {
            $0.segments.processedToPicked.count > 0 ? $0.segments.processedToPicked.p99 : nil
        },
        ReportMetric(id: "seg-p99-picked-decided", title: "picked→decided", unit: "ms") {
            $0.segments.pickedToDecided.count > 0 ? $0.segments.pickedToDecided.p99 : nil
        },
    ]

    /// The process's CPU per processed tick less the CPU work the tick asked for: proc-ms, and
    /// for the `cpu` evaluation eval-ms per evaluation spread over the ticks processed (the
    /// evaluator conflates, so it evaluates fewer states than ticks). What remains is the model's
    /// own: waking, handing over, spinning, the runtime. Requested, not measured, work is taken
    /// out, so a calibration a percent off shows here as a percent of the work.
    static let ownCPUPerTick = ReportMetric(id: "own-cpu-per-tick", title: "CPU per tick beyond the work", unit: "µs") {
        r in
        guard let perTick = r.cpuPerTick, r.ticks.processed > 0 else { return nil }
        let evaluation =
            r.configuration.evalKind == "cpu"
            ? r.workload.evalRequestedMs * Double(r.evaluator.evaluations) / Double(r.ticks.processed) : 0
        return perTick.processMicros - 1000 * (r.workload.procRequestedMs + evaluation)
    }

    /// Per panel and proc-ms, each model's p99 of every segment, as a profile over the pipeline.
    static func segmentP99Charts(_ model: ReportModel) -> String {
        let panels = model.chartPanels
        guard !panels.isEmpty else { return "" }
        var out =
            "<h3 id=\"segments-p99\">Each segment's p99</h3><p class=\"note\">The p99 of each segment, per model, "
            + "along the pipeline (logarithmic scale): one panel per setting and proc-ms. A mean hides a tail; a "
            + "blocked receiver shows here as a high arrival→received p99. Segments' p99s do not add up.</p>"
        out += "<div class=\"panels\">"
        let names = segmentP99s.map(\.title)
        for panel in panels {
            for proc in ReportModel.procValues(panel.points) {
                let points = panel.points.filter { $0.procMs == proc }
                let lines = model.series(of: points).compactMap { series -> LineChart.Line? in
                    guard let p = points.first(where: { $0.source == series.source && $0.model == series.model })
                    else { return nil }
                    let style = seriesStyle(model, series)
                    let values = segmentP99s.enumerated().compactMap { index, metric -> LineChart.Point? in
                        guard let s = p.spread(metric) else { return nil }
                        let mean = p.spread(ReportMetric.endToEndSegments[index]).map {
                            "\nmean " + ReportFormat.millis($0.median) + " ms"
                        }
                        return LineChart.Point(
                            x: Double(index + 1), y: s,
                            tooltip: cellHeading(p, model) + "\n\(metric.title) p99 "
                                + spreadText(s, ReportFormat.millis, unit: "ms") + (mean ?? ""),
                            noisy: p.noisyCount > 0)
                    }
                    return LineChart.Line(
                        seriesLabel: model.label(series), statistic: "p99", color: style.color, marker: style.marker,
                        hollow: style.hollow, dashed: false, dash: style.dash, hollowMarkers: style.hollow,
                        points: values)
                }
                let title = ([panel.title, "proc \(ReportFormat.tick(proc)) ms"].filter { !$0.isEmpty })
                    .joined(separator: " · ")
                let chart = LineChart(
                    chart: "segments-p99", panel: title, xTitle: "segment, in pipeline order",
                    yTitle: "p99 (ms)", logarithmic: true, lines: lines, frame: .wide, xAxis: .categories(names))
                out += "<figure>" + chart.svg() + "</figure>"
            }
        }
        return out + "</div>"
    }

    /// Per panel, each model's CPU per tick beyond the requested work against proc-ms.
    static func ownCPUCharts(_ model: ReportModel) -> String {
        let panels = model.chartPanels.filter { panel in
            panel.points.contains { point in point.results.contains { ownCPUPerTick.value($0) != nil } }
        }
        guard !panels.isEmpty else { return "" }
        var out =
            "<h3 id=\"cpu-overhead\">CPU per tick beyond the work</h3><p class=\"note\">The process's CPU per "
            + "processed tick (µs) less the CPU work each tick asked for (proc-ms, and with the cpu evaluation eval-ms "
            + "per evaluation spread over the ticks): what the model itself spends to wake, hand over, spin and "
            + "schedule. Logarithmic scale; a value at or below zero (the work measured a little under what was asked) "
            + "sits on the bottom of the axis, its exact figure in the tooltip.</p><div class=\"panels\">"
        for panel in panels {
            let lines = model.series(of: panel.points).map { series -> LineChart.Line in
                let style = seriesStyle(model, series)
                let points = panel.points.filter { $0.source == series.source && $0.model == series.model }.compactMap {
                    p -> LineChart.Point? in
                    guard let s = p.spread(ownCPUPerTick) else { return nil }
                    let total = p.spread(ReportCapacity.cpuPerTick).map {
                        "\nCPU per tick " + ReportFormat.number($0.median) + " µs in all"
                    }
                    return LineChart.Point(
                        x: p.procMs, y: s,
                        tooltip: cellHeading(p, model) + "\nbeyond the requested work "
                            + spreadText(s, ReportFormat.number, unit: "µs per tick") + (total ?? ""),
                        noisy: p.noisyCount > 0)
                }
                return LineChart.Line(
                    seriesLabel: model.label(series), statistic: "own CPU", color: style.color, marker: style.marker,
                    hollow: style.hollow, dashed: false, dash: style.dash, hollowMarkers: style.hollow, points: points)
            }
            let chart = LineChart(
                chart: "cpu-overhead", panel: panel.title, xTitle: "processor work per tick, proc-ms (ms)",
                yTitle: "own CPU per tick (µs)", logarithmic: true, lines: lines,
                xAxis: .ticks(ReportModel.procValues(panel.points)))
            out += "<figure>" + chart.svg() + "</figure>"
        }
        return out + "</div>"
    }

    /// `section` with `extra` inserted before its closing tag.
    static func appending(_ extra: String, to section: String) -> String {
        guard !extra.isEmpty, section.hasSuffix("</section>") else { return section }
        return String(section.dropLast("</section>".count)) + extra + "</section>"
    }
}
