import Formats
import Foundation
import MarketData
import Pipeline
import Results

/// The report's tables: comparison per cell, saturation, failed runs, machine.
enum ReportTables {
    static func e(_ text: String) -> String { ReportFormat.escape(text) }

    /// A figure and, for repeated cells, its interval in small print: `5 [4–7]` (min–max below
    /// five repeats, a bootstrap 95% interval of the median from five).
    static func figure(_ spread: Spread?, _ format: (Double) -> String) -> String {
        guard let spread else { return "—" }
        var out = e(format(spread.median))
        if spread.count > 1 && spread.max > spread.min {
            out +=
                " <span class=\"spread\" title=\"\(e(spread.intervalName)) of \(spread.count) runs\">"
                + "[\(e(format(spread.lower)))–\(e(format(spread.upper)))]</span>"
        }
        return out
    }

    /// A change against the baseline, signed, classed better or worse for a second, colour cue.
    /// - Parameter indistinct: the two cells' intervals overlap: the change is shown greyed with `≈`
    ///   and no colour, since it is no measurable difference.
    static func change(_ value: Double?, higherIsBetter: Bool, indistinct: Bool = false) -> String {
        guard let value, value.isFinite else { return "—" }
        let text = e(ReportFormat.percent(value))
        if indistinct {
            return
                "<span class=\"same\" title=\"the intervals overlap: no measurable difference on this machine\">≈ \(text)</span>"
        }
        guard abs(value) >= 2 else { return text }
        let better = higherIsBetter ? value > 0 : value < 0
        return "<span class=\"\(better ? "better" : "worse")\">\(text)</span>"
    }

    static func ratio(_ a: ReportPoint, _ b: ReportPoint?, _ metric: ReportMetric) -> Double? {
        guard let b, let x = a.median(metric), let y = b.median(metric), y > 0 else { return nil }
        return (x / y - 1) * 100
    }

    /// Per panel, one block of rows per proc-ms: every model's throughput and latency and its
    /// change against `event-loop`, the way the seed reports its gains.
    static func comparison(_ model: ReportModel) -> String {
        var out = "<section id=\"comparison\"><h2>Comparison per cell</h2>"
        let panels = model.panels
        guard !panels.isEmpty else { return out + ReportRenderer.empty("comparison") + "</section>" }
        let baseline = model.baseline
        out +=
            "<p class=\"note\">Medians over each cell's passed runs (small print: the interval, when a cell was repeated: "
            + "min–max below five runs, a bootstrap 95% interval of the median from five; ≈ marks a change within "
            + "overlapping intervals, no measurable difference). "
            + (baseline.map {
                "Δ columns: (model ÷ \($0) − 1) × 100 in the same cell; higher throughput and lower latency are better."
            }
                ?? "There is no event-loop run to compare with, so no Δ columns.") + "</p>"
        for panel in panels {
            out +=
                "<h3>\(e(panel.title))</h3><table><thead><tr><th class=\"name\">proc-ms</th><th class=\"name\">model</th>"
                + "<th>offered (ticks/s)</th><th>throughput (ticks/s)</th><th>kept up</th><th>mean e2e (ms)</th><th>p99 e2e (ms)</th>"
                + "<th>queue peak (ticks)</th>"
            if let baseline { out += "<th>Δ throughput vs \(e(baseline))</th><th>Δ mean e2e</th><th>Δ p99 e2e</th>" }
            out += "</tr></thead><tbody>"
            for proc in ReportModel.procValues(panel.points) {
                let row = model.series(of: panel.points).compactMap { series in
                    panel.points.first { $0.source == series.source && $0.model == series.model && $0.procMs == proc }
                }
                for (index, p) in row.enumerated() {
                    let base = baseline.flatMap { name in
                        panel.points.first { $0.source == p.source && $0.model == name && $0.procMs == proc }
                    }
                    out += "<tr\(index == 0 ? " class=\"group\"" : "")>"
                    out += "<td class=\"name\">\(index == 0 ? e(NumberText.shortest(proc)) : "")</td>"
                    out +=
                        "<td class=\"name\">\(e(model.label(.init(source: p.source, model: p.model))))\(ReportTrust.noisyMark(p))</td>"
                    out += "<td>\(figure(p.spread(.offeredRate), ReportFormat.number))</td>"
                    out += "<td>\(figure(p.spread(.throughput), ReportFormat.number))</td>"
                    out +=
                        "<td>" + (p.keptUp ? "yes" : "<span class=\"no\">no</span>")
                        + (p.results.count > 1
                            ? " <span class=\"spread\">\(p.keptUpCount)/\(p.results.count)</span>" : "") + "</td>"
                    out += "<td>\(figure(p.spread(.endToEndMean), ReportFormat.millis))</td>"
                    out += "<td>\(figure(p.spread(.endToEndP99), ReportFormat.millis))</td>"
                    out += "<td>\(figure(p.spread(.queuePeak), ReportFormat.number))</td>"
                    if let baseline {
                        if p.model == baseline {
                            out += "<td colspan=\"3\" class=\"name\">baseline</td>"
                        } else {
                            // Greyed where both cells were repeated and their intervals overlap.
                            func same(_ metric: ReportMetric) -> Bool {
                                guard let base, p.results.count > 1, base.results.count > 1 else { return false }
                                return ReportFindings.indistinct(p, base, metric)
                            }
                            out +=
                                "<td>\(change(ratio(p, base, .throughput), higherIsBetter: true, indistinct: same(.throughput)))</td>"
                            out +=
                                "<td>\(change(ratio(p, base, .endToEndMean), higherIsBetter: false, indistinct: same(.endToEndMean)))</td>"
                            out +=
                                "<td>\(change(ratio(p, base, .endToEndP99), higherIsBetter: false, indistinct: same(.endToEndP99)))</td>"
                        }
                    }
                    out += "</tr>"
                }
            }
            out += "</tbody></table>"
        }
        return out + "</section>"
    }

    /// `--rate max` runs: how many ticks per second each model moves, and its hop latency.
    static func saturation(_ model: ReportModel) -> String {
        let points = model.saturatedPoints
        guard !points.isEmpty else { return "" }
        let baseline = model.baseline
        var out =
            "<section id=\"saturation\"><h2>Saturation</h2><p class=\"note\">Runs at --rate max: the exchange offers ticks "
            + "as fast as the receiver takes them. Throughput is ticks processed per second; the hop is received→processed "
            + "(queue wait and work) per tick.</p>"
        let panels = ReportModel.panels(of: points, axes: ReportModel.panelAxes, alwaysNamed: [.evalMs])
        for panel in panels {
            out +=
                "<h3>\(e(panel.title))</h3><table><thead><tr><th class=\"name\">proc-ms</th><th class=\"name\">model</th>"
                + "<th>throughput (ticks/s)</th><th>hop p50 (ms)</th><th>hop p99 (ms)</th><th>p99 e2e (ms)</th>"
                + (baseline.map { "<th>Δ throughput vs \(e($0))</th>" } ?? "") + "</tr></thead><tbody>"
            for proc in ReportModel.procValues(panel.points) {
                let row = model.series(of: panel.points).compactMap { series in
                    panel.points.first { $0.source == series.source && $0.model == series.model && $0.procMs == proc }
                }
                for (index, p) in row.enumerated() {
                    let base = baseline.flatMap { name in
                        panel.points.first { $0.source == p.source && $0.model == name && $0.procMs == proc }
                    }
                    out +=
                        "<tr\(index == 0 ? " class=\"group\"" : "")><td class=\"name\">\(index == 0 ? e(NumberText.shortest(proc)) : "")</td>"
                    out += "<td class=\"name\">\(e(model.label(.init(source: p.source, model: p.model))))</td>"
                    out += "<td>\(figure(p.spread(.throughput), ReportFormat.number))</td>"
                    out += "<td>\(figure(p.spread(.hopP50), ReportFormat.millis))</td>"
                    out += "<td>\(figure(p.spread(.hopP99), ReportFormat.millis))</td>"
                    out += "<td>\(figure(p.spread(.endToEndP99), ReportFormat.millis))</td>"
                    if let baseline {
                        out +=
                            p.model == baseline
                            ? "<td class=\"name\">baseline</td>"
                            : "<td>\(change(ratio(p, base, .throughput), higherIsBetter: true))</td>"
                    }
                    out += "</tr>"
                }
            }
            out += "</tbody></table>"
        }
        return out + "</section>"
    }

    static func failed(_ model: ReportModel) -> String {
        let failed = model.failedRecords
        guard !failed.isEmpty else { return "" }
        var out =
            "<section id=\"failed\"><h2>Failed runs</h2><p class=\"note\">Runs that crashed, printed no result, ran out of time, "
            + "were interrupted or failed their self-check. They count in no figure of this report.</p>"
        out +=
            "<table><thead><tr>" + (model.sources.count > 1 ? "<th class=\"name\">sweep</th>" : "")
            + "<th class=\"name\">cell</th><th class=\"name\">started (UTC)</th><th class=\"name\">what went wrong</th></tr></thead><tbody>"
        for (source, record) in failed {
            out += "<tr>" + (model.sources.count > 1 ? "<td class=\"name\">\(e(model.sources[source].label))</td>" : "")
            out += "<td class=\"name\">\(e(SweepCell(parameters: record.parameters).label))</td>"
            out += "<td class=\"name\">\(e(record.startedAt))</td>"
            out += "<td class=\"name\">\(e(record.failure ?? ""))"
            if case .failed(let cell) = record, !cell.stderr.isEmpty {
                out +=
                    "<details><summary>standard error</summary><pre>\(e(String(cell.stderr.suffix(2_000))))</pre></details>"
            }
            out += "</td></tr>"
        }
        return out + "</tbody></table></section>"
    }

    static func machine(_ model: ReportModel) -> String {
        var out = "<section id=\"machine\"><h2>Machine and command</h2>"
        for source in model.sources {
            if model.sources.count > 1 { out += "<h3>\(e(source.label))</h3>" }
            if let m = source.machine {
                let memory = NumberText.fixed(Double(m.memoryBytes) / 1_073_741_824, digits: 1) + " GiB"
                let rows: [(String, String)] =
                    [
                        ("CPU", m.cpuModel), ("cores", "\(m.logicalCores) logical"), ("memory", memory), ("OS", m.os),
                        ("kernel", m.kernel), ("Swift", m.swiftVersion), ("TickLab", m.ticklabVersion),
                        (
                            "git commit",
                            (m.gitCommit ?? "unknown") + (m.gitDirty == true ? " (with uncommitted changes)" : "")
                        ),
                        ("started", m.date), ("command line", m.commandLine),
                    ] + m.resumes.map { ("resumed", "\($0.date): \($0.commandLine)") }
                out +=
                    "<dl class=\"machine\">" + rows.map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined() + "</dl>"
                out += "<p>To reproduce (every value spelled out):</p><pre>\(e(m.reproduce))</pre>"
            } else {
                out += "<p class=\"note\">No machine.json beside the results: the machine is unknown.</p>"
                if let command = reproduceCommand(source.records, directory: source.directory) {
                    out += "<p>To reproduce, from the records’ parameters:</p><pre>\(e(command))</pre>"
                }
            }
            if let directory = source.directory {
                out +=
                    "<p>To rebuild this report: <code>\(e(ShellQuoting.join(["ticklab", "report", directory])))</code></p>"
            }
        }
        return out + "</section>"
    }

    /// A sweep command that covers every cell of `records`, for results without machine.json.
    static func reproduceCommand(_ records: [SweepRecord], directory: String?) -> String? {
        guard let first = records.first?.parameters else { return nil }
        var dimensions: [SweepPlan.Dimension] = []
        for axis in SweepAxis.allCases {
            var values: [String] = []
            for record in records {
                let value = axis.value(in: record.parameters)
                if !values.contains(value) { values.append(value) }
            }
            dimensions.append(.init(axis: axis, values: values))
        }
        let cells = Set(records.map { SweepCell(parameters: $0.parameters) })
        let repeats = max(1, records.count / max(1, cells.count))
        let plan = SweepPlan(
            dimensions: dimensions,
            setup: .init(
                durationSeconds: first.durationSeconds, seed: first.seed,
                arrivals: ArrivalProcess(rawValue: first.arrivals) ?? .uniform,
                clock: FeedClock(rawValue: first.clock) ?? .exchange,
                waitStrategy: records.compactMap { $0.parameters.waitStrategy.flatMap(WaitStrategy.init(rawValue:)) }
                    .first ?? .standard),
            repeats: repeats)
        return ShellQuoting.join(plan.command(out: directory))
    }
}
