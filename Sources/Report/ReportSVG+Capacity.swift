import Formats
import Foundation

/// Lines over offered load (ρ or rate): one line per series and statistic, each point the median
/// of its repeats with its interval as an error bar, hollow where a run of the cell was noisy; an
/// optional objective (a horizontal line), an optional ideal (throughput = offered) and a ring at
/// each series' knee. The capacity section's hockey stick and throughput charts.
struct CapacityChart {
    struct Point {
        var x: Double
        var y: Spread
        /// At least one run of the cell was noisy: drawn hollow.
        var noisy: Bool
        var tooltip: String
    }

    struct Line {
        var seriesLabel: String
        var statistic: String
        var color: String
        var marker: ReportMarker
        var dashed: Bool
        var points: [Point]
    }

    /// A series' knee, ringed at (x, y).
    struct Knee {
        var seriesLabel: String
        var x: Double
        var y: Double
        var color: String
        var tooltip: String
    }

    var chart: String
    var panel: String
    var xTitle: String
    var yTitle: String
    var logarithmic: Bool
    var lines: [Line]
    /// The objective's bound, drawn across the chart and labelled.
    var objective: (value: Double, label: String)?
    /// The offered rate at each x: where throughput would be if every tick were processed.
    var ideal: [(x: Double, y: Double)]
    var knees: [Knee]

    static let width = 540.0, height = 330.0
    static let left = 66.0, right = 18.0, top = 30.0, bottom = 44.0

    func svg() -> String {
        let w = Self.width, h = Self.height
        let xs = lines.flatMap { $0.points.map(\.x) } + ideal.map(\.x)
        let values =
            lines.flatMap { $0.points.flatMap { [$0.y.lower, $0.y.upper, $0.y.median] } } + ideal.map(\.y)
            + (objective.map { [$0.value] } ?? []) + knees.map(\.y)
        let x = ChartScale.linear(high: (xs.max() ?? 1) * 1.04, from: Self.left, to: w - Self.right)
        let y =
            logarithmic
            ? ChartScale.log(
                low: values.filter { $0 > 0 }.min() ?? 1, high: values.max() ?? 10, from: h - Self.bottom, to: Self.top)
            : ChartScale.linear(high: (values.max() ?? 1) * 1.05, from: h - Self.bottom, to: Self.top)
        var out = SVG.open(
            chart: chart, panel: panel, width: w, height: h, label: "\(yTitle) against \(xTitle), \(panel)")
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" fill=\"#FFFFFF\"/>"
        out += SVG.text(panel, x: Self.left, y: 18, anchor: "start", size: 12.5, extra: "font-weight=\"bold\"")
        out += "<g class=\"axis\" data-axis=\"y\" data-scale=\"\(logarithmic ? "log" : "linear")\">"
        for tick in y.ticks {
            let py = y.map(tick)
            out +=
                "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(w - Self.right))\" y2=\"\(SVG.n(py))\" stroke=\"#E3E3E3\" stroke-width=\"1\"/>"
            out += SVG.text(ReportFormat.tick(tick), x: Self.left - 6, y: py + 3.5, anchor: "end", size: 10)
        }
        out += SVG.text(
            yTitle + (logarithmic ? " (log scale)" : ""), x: 14, y: (Self.top + h - Self.bottom) / 2, size: 11,
            extra: "transform=\"rotate(-90 14 \(SVG.n((Self.top + h - Self.bottom) / 2)))\"")
        out += "</g><g class=\"axis\" data-axis=\"x\" data-scale=\"linear\">"
        for tick in x.ticks {
            let px = x.map(tick)
            out +=
                "<line x1=\"\(SVG.n(px))\" y1=\"\(SVG.n(h - Self.bottom))\" x2=\"\(SVG.n(px))\" y2=\"\(SVG.n(h - Self.bottom + 4))\" stroke=\"#555555\"/>"
            out += SVG.text(ReportFormat.tick(tick), x: px, y: h - Self.bottom + 16, size: 10)
        }
        out += SVG.text(xTitle, x: (Self.left + w - Self.right) / 2, y: h - 8, size: 11)
        out += "</g>"
        out +=
            "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(h - Self.bottom))\" x2=\"\(SVG.n(w - Self.right))\" y2=\"\(SVG.n(h - Self.bottom))\" stroke=\"#555555\"/>"
        out +=
            "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(Self.top))\" x2=\"\(SVG.n(Self.left))\" y2=\"\(SVG.n(h - Self.bottom))\" stroke=\"#555555\"/>"
        if ideal.count > 1 {
            let d = ([(x: 0.0, y: 0.0)] + ideal).map { "\(SVG.n(x.map($0.x))),\(SVG.n(y.map($0.y)))" }
                .joined(separator: " L")
            out += "<g class=\"ideal\">" + SVG.title("throughput = offered rate (every tick processed)")
            out +=
                "<path d=\"M\(d)\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"/>"
            if let last = ideal.last {
                out += SVG.text(
                    "offered", x: x.map(last.x) - 4, y: y.map(last.y) - 6, anchor: "end", size: 9.5,
                    extra: "fill=\"#333333\"")
            }
            out += "</g>"
        }
        if let objective {
            let py = y.map(objective.value)
            out +=
                "<g class=\"objective\" data-value=\"\(NumberText.shortest(objective.value))\">"
                + SVG.title(objective.label)
            out +=
                "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(w - Self.right))\" y2=\"\(SVG.n(py))\" stroke=\"#A63C00\" stroke-width=\"1.5\" stroke-dasharray=\"8 3\"/>"
            out += SVG.text(
                objective.label, x: Self.left + 4, y: py - 4, anchor: "start", size: 10, extra: "fill=\"#A63C00\"")
            out += "</g>"
        }
        for line in lines {
            let sorted = line.points.sorted { $0.x < $1.x }
            if sorted.count > 1 {
                let d = sorted.map { "\(SVG.n(x.map($0.x))),\(SVG.n(y.map($0.y.median)))" }.joined(separator: " L")
                out +=
                    "<path d=\"M\(d)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\""
                    + (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>"
            }
            for point in sorted {
                let px = x.map(point.x), py = y.map(point.y.median)
                out +=
                    "<g class=\"point\" data-series=\"\(ReportFormat.escape(line.seriesLabel))\" data-stat=\"\(line.statistic)\" "
                    + "data-x=\"\(NumberText.shortest(point.x))\" data-y=\"\(NumberText.shortest(point.y.median))\" "
                    + "data-low=\"\(NumberText.shortest(point.y.lower))\" data-high=\"\(NumberText.shortest(point.y.upper))\""
                    + (point.noisy ? " data-noisy=\"true\"" : "") + ">"
                out += SVG.title(point.tooltip)
                if point.y.upper > point.y.lower {
                    let y0 = y.map(point.y.lower), y1 = y.map(point.y.upper)
                    out +=
                        "<path d=\"M\(SVG.n(px)),\(SVG.n(y0)) L\(SVG.n(px)),\(SVG.n(y1)) M\(SVG.n(px - 3)),\(SVG.n(y0)) L\(SVG.n(px + 3)),\(SVG.n(y0)) M\(SVG.n(px - 3)),\(SVG.n(y1)) L\(SVG.n(px + 3)),\(SVG.n(y1))\" stroke=\"\(line.color)\" stroke-width=\"1\"/>"
                }
                out += line.marker.svg(x: px, y: py, size: 4.2, color: line.color, hollow: point.noisy)
                out += "</g>"
            }
        }
        for knee in knees {
            let px = x.map(knee.x), py = y.map(knee.y)
            out +=
                "<g class=\"knee\" data-series=\"\(ReportFormat.escape(knee.seriesLabel))\" data-x=\"\(NumberText.shortest(knee.x))\">"
                + SVG.title(knee.tooltip)
            out +=
                "<circle cx=\"\(SVG.n(px))\" cy=\"\(SVG.n(py))\" r=\"8.5\" fill=\"none\" stroke=\"\(knee.color)\" stroke-width=\"2\"/>"
            out +=
                "<line x1=\"\(SVG.n(px))\" y1=\"\(SVG.n(h - Self.bottom))\" x2=\"\(SVG.n(px))\" y2=\"\(SVG.n(h - Self.bottom - 7))\" stroke=\"\(knee.color)\" stroke-width=\"3\"/>"
            out += "</g>"
        }
        return out + "</svg>"
    }
}
