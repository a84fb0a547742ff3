import Formats
import Foundation
import MarketData
import Results

/// The naive generator beside the honest clock: each receiver-clock cell of a sweep
/// (``ReportModel/naiveClockPoints``) with its exchange-clock twin, as a chart (offered against
/// processed rate, processing p99) and a finding.
///
/// The seed's "async throughput falls off sharply" is what a receiver-paced generator shows: a
/// late receiver asks for the next tick late, so the offered rate falls with it and the ticks
/// it does get wait little. On the exchange clock the same model keeps the rate and shows the
/// wait as latency.
enum ReportClock {
    /// A receiver-clock cell and the exchange-clock cell that differs from it only in the clock.
    struct Pair {
        var naive: ReportPoint
        var honest: ReportPoint?
    }

    /// Processing latency (processed − scheduled arrival), per tick: the figure the objective
    /// judges, and the one the naive clock shrinks.
    static let processingP99 = ReportMetric(id: "processing-p99", title: "processing p99", unit: "ms") {
        $0.latency.processing.count > 0 ? $0.latency.processing.p99 : nil
    }

    static func pairs(_ model: ReportModel, source: Int? = nil) -> [Pair] {
        model.naiveClockPoints.filter { (source == nil || $0.source == source) && !$0.results.isEmpty }.map {
            naive -> Pair in
            let honest = model.points.first { point in
                point.source == naive.source && !point.results.isEmpty
                    && SweepAxis.allCases.allSatisfy { $0 == .clock || point.cell[$0] == naive.cell[$0] }
            }
            return Pair(naive: naive, honest: honest)
        }
    }

    /// `event-loop at proc 4 ms, eval 20 ms, cpu kind`: the cell without its clock.
    static func phrase(_ point: ReportPoint) -> String {
        let axes = SweepAxis.allCases.filter {
            ![.model, .clock].contains($0) && $0.isSaid(point.cell[$0])
        }
        return "\(point.model) at " + axes.map { $0.label(point.cell[$0]) }.joined(separator: ", ")
    }

    /// `offered 200 ticks/s, processed 198.4, processing p99 127 ms`.
    static func figures(_ point: ReportPoint) -> String {
        let offered = point.median(.offeredRate) ?? 0, throughput = point.median(.throughput) ?? 0
        var text = "offered \(ReportFormat.number(offered)) ticks/s, processed \(ReportFormat.number(throughput))"
        if let p99 = point.median(processingP99) { text += ", processing p99 \(ReportFormat.millis(p99)) ms" }
        return text
    }

    /// One finding per receiver-clock cell: what the naive generator did to the offered rate and
    /// to the p99, beside its exchange-clock twin.
    static func findings(_ model: ReportModel, source: Int) -> [ReportFinding] {
        pairs(model, source: source).map { pair -> ReportFinding in
            let naive = pair.naive
            guard let honest = pair.honest else {
                return ReportFinding(
                    heading: "A naive generator",
                    text:
                        "On the naive receiver clock (the receiver sleeps 1/rate between pulls), \(phrase(naive)): "
                        + "\(figures(naive)). Its exchange-clock twin has no passed run here to set beside it.",
                    chart: "throughput")
            }
            let offeredHonest = honest.median(.offeredRate) ?? 0, offeredNaive = naive.median(.offeredRate) ?? 0
            var text =
                "\(phrase(naive)): on the exchange clock (ticks arrive on their schedule, ready or not) "
                + "\(figures(honest)); on the naive receiver clock (the receiver sleeps 1/rate between pulls) "
                + "\(figures(naive)). "
            if offeredHonest > 0, offeredNaive < offeredHonest * 0.98 {
                text +=
                    "The naive generator waited for the receiver, so it offered \(ReportFormat.number(offeredNaive)) "
                    + "ticks/s where the exchange offered \(ReportFormat.number(offeredHonest))"
                if let p99Honest = honest.median(processingP99), let p99Naive = naive.median(processingP99),
                    p99Naive < p99Honest
                {
                    text +=
                        ", and the p99 it shows (\(ReportFormat.millis(p99Naive)) ms) hides the "
                        + "\(ReportFormat.millis(p99Honest)) ms the exchange clock measures"
                }
                text +=
                    ": a naive generator turns a latency problem into a throughput drop and hides it. That drop is the "
                    + "seed's “async throughput falls off sharply”."
            } else {
                text +=
                    "The naive generator kept the offered rate here: the receiver was never late enough for the two "
                    + "clocks to differ."
            }
            return ReportFinding(heading: "A naive generator hides the stall", text: text, chart: "throughput")
        }
    }

    /// The chart of every pair, for the throughput section: per pair, offered and processed rate
    /// on each clock, and the processing p99 on each (log scale); "" when the sweep has no
    /// receiver-clock cell.
    static func figure(_ model: ReportModel) -> String {
        let pairs = pairs(model)
        guard !pairs.isEmpty else { return "" }
        var out =
            "<h3 id=\"naive-clock\">The naive generator beside the honest clock</h3><p class=\"note\">The same cell on "
            + "the exchange clock (ticks arrive on their schedule, ready or not) and on the naive receiver clock "
            + "(the receiver sleeps 1/rate between pulls, so a late receiver slows the feed). Left: offered rate "
            + "(outline) and ticks processed per second (filled); right: processing p99 (processed − scheduled "
            + "arrival), log scale. One colour: the model's.</p><div class=\"panels\">"
        for pair in pairs {
            let index = model.models.firstIndex(of: pair.naive.model) ?? 0
            let style = ReportPalette.model(index)
            let cells: [(String, ReportPoint?)] = [("exchange clock", pair.honest), ("receiver clock", pair.naive)]
            let rates = cells.map { cell -> (String, Double?, Double?) in
                (cell.0, cell.1?.median(.offeredRate), cell.1?.median(.throughput))
            }
            let latencies = cells.map { cell -> (String, Double?) in (cell.0, cell.1?.median(processingP99)) }
            let title = phrase(pair.naive)
            out += "<figure>" + rateChart(rates, title: title, color: style.color) + "</figure>"
            out += "<figure>" + latencyChart(latencies, title: title, color: style.color) + "</figure>"
        }
        return out + "</div>"
    }

    static let width = 300.0, height = 260.0, left = 58.0, right = 12.0, top = 30.0, bottom = 46.0

    private static func frame(_ title: String, panel: String, yTitle: String, scale: ChartScale, log: Bool) -> String {
        var out = SVG.open(
            chart: "naive-clock", panel: panel, width: width, height: height, label: "\(yTitle), \(title)")
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" fill=\"#FFFFFF\"/>"
        out += SVG.text(panel, x: left, y: 18, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        out += "<g class=\"axis\" data-axis=\"y\" data-scale=\"\(log ? "log" : "linear")\">"
        for tick in scale.ticks {
            let py = scale.map(tick)
            out +=
                "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(width - right))\" y2=\"\(SVG.n(py))\" stroke=\"#E3E3E3\"/>"
            out += SVG.text(ReportFormat.tick(tick), x: left - 6, y: py + 3.5, anchor: "end", size: 10)
        }
        out += SVG.text(
            yTitle + (log ? " (log scale)" : ""), x: 14, y: (top + height - bottom) / 2, size: 10.5,
            extra: "transform=\"rotate(-90 14 \(SVG.n((top + height - bottom) / 2)))\"")
        out += "</g>"
        out +=
            "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(height - bottom))\" x2=\"\(SVG.n(width - right))\" y2=\"\(SVG.n(height - bottom))\" stroke=\"#555555\"/>"
        return out
    }

    private static func bar(
        x: Double, width w: Double, value: Double, scale: ChartScale, color: String, hollow: Bool,
        series: String, stat: String, tooltip: String
    ) -> String {
        let y0 = height - bottom, y1 = scale.map(value)
        let paint =
            hollow
            ? "fill=\"#FFFFFF\" stroke=\"\(color)\" stroke-width=\"2\"" : "fill=\"\(color)\" stroke=\"\(color)\""
        return
            "<g class=\"point\" data-series=\"\(ReportFormat.escape(series))\" data-stat=\"\(stat)\" data-y=\"\(NumberText.shortest(value))\">"
            + SVG.title(tooltip)
            + "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(min(y0, y1)))\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(abs(y0 - y1)))\" \(paint)/>"
            + SVG.text(
                ReportFormat.number(value), x: x + w / 2, y: min(y0, y1) - 4, size: 9.5, extra: "fill=\"#333333\"")
            + "</g>"
    }

    private static func rateChart(_ cells: [(String, Double?, Double?)], title: String, color: String) -> String {
        let values = cells.flatMap { [$0.1, $0.2].compactMap { $0 } }
        let scale = ChartScale.linear(high: (values.max() ?? 1) * 1.1, from: height - bottom, to: top)
        var out = frame(title, panel: "offered and processed", yTitle: "ticks/s", scale: scale, log: false)
        let group = (width - left - right) / Double(cells.count)
        for (index, cell) in cells.enumerated() {
            let x0 = left + Double(index) * group + group * 0.15, w = group * 0.33
            if let offered = cell.1 {
                out += bar(
                    x: x0, width: w, value: offered, scale: scale, color: color, hollow: true, series: cell.0,
                    stat: "offered", tooltip: "\(title), \(cell.0): offered \(ReportFormat.number(offered)) ticks/s")
            }
            if let throughput = cell.2 {
                out += bar(
                    x: x0 + w + 2, width: w, value: throughput, scale: scale, color: color, hollow: false,
                    series: cell.0, stat: "throughput",
                    tooltip: "\(title), \(cell.0): processed \(ReportFormat.number(throughput)) ticks/s")
            }
            out += SVG.text(cell.0, x: left + (Double(index) + 0.5) * group, y: height - bottom + 16, size: 10.5)
        }
        out += SVG.text("offered (outline), processed (filled)", x: width / 2, y: height - 10, size: 9.5)
        return out + "</svg>"
    }

    private static func latencyChart(_ cells: [(String, Double?)], title: String, color: String) -> String {
        let values = cells.compactMap { $0.1 }.filter { $0 > 0 }
        let scale = ChartScale.log(
            // Headroom above the tallest bar for its label.
            low: values.min() ?? 1, high: (values.max() ?? 10) * 1.6, from: height - bottom, to: top)
        var out = frame(title, panel: "processing p99", yTitle: "processing p99 (ms)", scale: scale, log: true)
        let group = (width - left - right) / Double(cells.count)
        for (index, cell) in cells.enumerated() {
            let w = group * 0.4, x0 = left + Double(index) * group + (group - w) / 2
            if let p99 = cell.1 {
                out += bar(
                    x: x0, width: w, value: p99, scale: scale, color: color, hollow: false, series: cell.0,
                    stat: "p99", tooltip: "\(title), \(cell.0): processing p99 \(ReportFormat.millis(p99)) ms")
            }
            out += SVG.text(cell.0, x: left + (Double(index) + 0.5) * group, y: height - bottom + 16, size: 10.5)
        }
        return out + "</svg>"
    }
}
