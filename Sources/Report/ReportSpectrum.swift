import Formats
import Foundation
import Results

/// HdrHistogram's percentile axis: a percentile p sits at 1/(1 − p) on a log scale, so that each
/// step to the right is a tail ten times rarer (p90 at 10, p99 at 100, p99.9 at 1,000).
enum PercentileAxis {
    /// The percentiles the axis labels.
    static let labelled: [Double] = [50, 90, 99, 99.9, 99.99]

    /// Where `percentile` (in percent, below 100) sits: 1/(1 − p).
    static func position(_ percentile: Double) -> Double { 100 / (100 - percentile) }

    /// The axis's ticks: the position of each labelled percentile and its label, `p50` … `p99.99`.
    static var ticks: [(value: Double, label: String)] {
        labelled.map { (position($0), "p" + NumberText.shortest($0)) }
    }

    /// The axis's range of positions: p0 (1) to a little past p99.99, so the last point stands
    /// clear of the edge.
    static let range: ClosedRange<Double> = 1...(position(99.99) * 1.6)
}

/// The percentile spectrum section: per setting, each model's processing latency at percentiles
/// from p50 to p99.99 on HdrHistogram's axis, the models overlaid, each point the median of the
/// repeats.
enum ReportSpectrum {
    /// Charts drawn at most; a note counts the settings left out.
    static let chartLimit = 24

    /// Every axis but the model: a setting is a cell of every model.
    static let settingAxes = SweepAxis.allCases.filter { $0 != .model }

    /// The settings whose runs carry a spectrum, in panel order.
    static func panels(_ model: ReportModel) -> [ReportModel.Panel] {
        let points = model.ratedPoints.filter { point in point.results.contains { $0.processingSpectrum != nil } }
        return ReportModel.panels(of: points, axes: settingAxes, alwaysNamed: [.procMs, .evalMs])
    }

    static func section(_ model: ReportModel) -> String {
        let panels = panels(model)
        guard !panels.isEmpty else { return "" }
        var out = "<section id=\"spectrum\"><h2>Latency spectrum</h2>"
        out +=
            "<p class=\"note\">How to read it: each line is a model's processing latency (scheduled arrival → processed) "
            + "at the percentile below it, median of the repeats; each step right is a tail ten times rarer "
            + "(HdrHistogram's 1/(1−p) axis), so a flat line is a tight distribution and a line that climbs at the "
            + "right has a tail; a line stops where its runs had too few ticks to tell that percentile from the "
            + "maximum.</p>"
        out += ReportRenderer.legend(model, model.series(of: panels.flatMap(\.points)))
        out += "<div class=\"panels\">"
        for panel in panels.prefix(chartLimit) {
            out += "<figure>" + chart(panel, model).svg() + "</figure>"
        }
        out += "</div>"
        if panels.count > chartLimit {
            out +=
                "<p class=\"note\">\(panels.count - chartLimit) more settings are left out; their spectra are in "
                + "each run's record (<code>processingSpectrum</code>).</p>"
        }
        return out + "</section>"
    }

    static func chart(_ panel: ReportModel.Panel, _ model: ReportModel) -> LineChart {
        let lines = model.series(of: panel.points).map { series -> LineChart.Line in
            let style = ReportRenderer.seriesStyle(model, series)
            let points = panel.points.filter { $0.source == series.source && $0.model == series.model }
                .flatMap { spectrumPoints($0, model) }
            return LineChart.Line(
                seriesLabel: model.label(series), statistic: "spectrum", color: style.color, marker: style.marker,
                hollow: style.hollow, dashed: false, hollowMarkers: style.hollow, points: points)
        }
        return LineChart(
            chart: "spectrum", panel: panel.title.isEmpty ? "processing latency" : panel.title,
            xTitle: "percentile (1/(1−p) scale)", yTitle: "processing latency (ms)", logarithmic: true,
            lines: lines, xAxis: .percentiles)
    }

    /// One point per percentile that some repeat resolves: the median of those repeats' values.
    static func spectrumPoints(_ point: ReportPoint, _ model: ReportModel) -> [LineChart.Point] {
        let spectra = point.results.compactMap(\.processingSpectrum)
        let percentiles = spectra.first?.percentiles ?? []
        return percentiles.compactMap { percentile -> LineChart.Point? in
            guard percentile < 100 else { return nil }
            let values = spectra.compactMap { spectrum in
                spectrum.resolved.first { $0.percentile == percentile }?.milliseconds
            }
            guard let spread = Spread(values) else { return nil }
            let maxima = Spread(spectra.map(\.max))
            var tooltip =
                ReportRenderer.cellHeading(point, model) + "\np" + NumberText.shortest(percentile) + " processing "
                + ReportRenderer.spreadText(spread, ReportFormat.millis, unit: "ms")
            if let maxima { tooltip += "\nmax " + ReportFormat.millis(maxima.median) + " ms" }
            if point.noisyCount > 0 { tooltip += "\nnoisy: \(point.noisyCount) of \(point.results.count) runs" }
            return LineChart.Point(
                x: PercentileAxis.position(percentile), y: spread, tooltip: tooltip, noisy: point.noisyCount > 0)
        }
    }
}
