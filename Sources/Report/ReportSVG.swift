import Formats
import Foundation
import Results

/// Colours, marker shapes and dash patterns, one meaning each, that stay apart for colour-blind
/// readers and in grey print.
///
/// A model keeps one style everywhere (``model(_:)``): an Okabe–Ito colour, a marker shape and a
/// dash pattern of its own, so that colour is never the only cue. Latency segments and CPU
/// stages, the parts of a stacked bar, are drawn from palettes of their own (``segment(_:)``,
/// ``stage(_:)``): greys, cool for segments and warm for stages, stepped in lightness, which
/// share no colour with the models (a part is never read as a model) and read in greyscale by
/// their lightness alone.
enum ReportPalette {
    /// Okabe–Ito, darkest and most distinct first; yellow last (weak on white). For models only.
    static let series = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// Dash patterns of the models' lines, solid first: with the marker, what tells two models
    /// apart where their colours' greys are close (vermillion and reddish purple, orange and sky
    /// blue).
    static let dashes = ["", "7 3", "2 2.5", "9 3 2 3", "4 4", "12 3 2 3 2 3"]

    /// How a model is drawn, everywhere in the report.
    struct ModelStyle: Hashable {
        var color: String
        var marker: ReportMarker
        /// An SVG `stroke-dasharray`; empty for a solid line.
        var dash: String
    }

    /// The style of the model at `index` in the report's lineup.
    static func model(_ index: Int) -> ModelStyle {
        ModelStyle(color: color(index), marker: marker(index), dash: dashes[index % dashes.count])
    }

    static func color(_ index: Int) -> String { series[index % series.count] }

    static func marker(_ index: Int) -> ReportMarker {
        ReportMarker.allCases[index % ReportMarker.allCases.count]
    }

    /// The latency segments, in pipeline order, cool greys from dark to light: receiver lag the
    /// darkest, the part that draws the eye, since it is where a blocked loop shows; decided→acked
    /// (routing, off end-to-end) a mid grey with a blue cast.
    static let segments = ["#2B2F36", "#6B7380", "#A7AFBA", "#D9DEE5", "#4F6A8A"]
    /// CPU per stage: receiver, processor, evaluator, shared, rest; warm greys, dark to light.
    static let stages = ["#3B3128", "#7A6A5B", "#B3A596", "#DDD4CA", "#F1EDE8"]

    /// Annotations: the objective line, the kept-up line, the ring of a noisy cell. A neutral
    /// dark grey, told apart by dash and label, where a red would be read as a model's
    /// vermillion.
    static let annotation = "#4D4D4D"

    /// The colour of the segment at `index` of ``ReportMetric/segments``.
    static func segment(_ index: Int) -> String { segments[index % segments.count] }

    /// The colour of the stage at `index` of ``ReportMetric/cpuStages``.
    static func stage(_ index: Int) -> String { stages[index % stages.count] }

    /// Relative luminance (WCAG) of `#RRGGBB`, 0 black to 1 white: what a colour becomes in grey.
    static func luminance(_ hex: String) -> Double {
        let digits = hex.dropFirst()
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return 0 }
        func linear(_ channel: UInt32) -> Double {
            let c = Double(channel) / 255
            return c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(value >> 16 & 0xFF) + 0.7152 * linear(value >> 8 & 0xFF) + 0.0722 * linear(value & 0xFF)
    }

    /// Viridis, sampled: a sequential scale readable with every common colour deficiency.
    static let sequential: [(Double, Double, Double)] = [
        (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]

    /// The colour of `t` in [0, 1] on the sequential scale, and whether dark text reads on it.
    static func sequential(_ t: Double) -> (color: String, darkText: Bool) {
        let t = min(1, max(0, t.isFinite ? t : 0))
        let position = t * Double(sequential.count - 1)
        let index = min(sequential.count - 2, Int(position))
        let f = position - Double(index)
        let a = sequential[index], b = sequential[index + 1]
        let r = a.0 + (b.0 - a.0) * f, g = a.1 + (b.1 - a.1) * f, bl = a.2 + (b.2 - a.2) * f
        let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * bl
        return (String(format: "#%02X%02X%02X", Int(r), Int(g), Int(bl)), luminance > 110)
    }
}

enum ReportMarker: CaseIterable {
    case circle, square, triangle, diamond, triangleDown, plus

    /// The marker centred at (x, y), filled or hollow.
    func svg(x: Double, y: Double, size r: Double, color: String, hollow: Bool) -> String {
        let paint =
            hollow
            ? "fill=\"#FFFFFF\" stroke=\"\(color)\" stroke-width=\"1.6\""
            : "fill=\"\(color)\" stroke=\"#FFFFFF\" stroke-width=\"0.8\""
        func path(_ points: [(Double, Double)]) -> String {
            "<path d=\"M" + points.map { "\(SVG.n(x + $0.0 * r)),\(SVG.n(y + $0.1 * r))" }.joined(separator: " L")
                + " Z\" \(paint)/>"
        }
        switch self {
        case .circle: return "<circle cx=\"\(SVG.n(x))\" cy=\"\(SVG.n(y))\" r=\"\(SVG.n(r))\" \(paint)/>"
        case .square:
            return
                "<rect x=\"\(SVG.n(x - r * 0.9))\" y=\"\(SVG.n(y - r * 0.9))\" width=\"\(SVG.n(r * 1.8))\" height=\"\(SVG.n(r * 1.8))\" \(paint)/>"
        case .triangle: return path([(0, -1.25), (1.15, 0.85), (-1.15, 0.85)])
        case .diamond: return path([(0, -1.3), (1.1, 0), (0, 1.3), (-1.1, 0)])
        case .triangleDown: return path([(0, 1.25), (1.15, -0.85), (-1.15, -0.85)])
        case .plus:
            let a = 0.38
            return path([
                (-a, -1.1), (a, -1.1), (a, -a), (1.1, -a), (1.1, a), (a, a), (a, 1.1), (-a, 1.1), (-a, a),
                (-1.1, a), (-1.1, -a), (-a, -a),
            ])
        }
    }
}

/// Small helpers for writing SVG by hand.
enum SVG {
    /// A coordinate with one decimal.
    static func n(_ value: Double) -> String { NumberText.fixed(value.isFinite ? value : 0, digits: 1) }

    static func text(
        _ content: String, x: Double, y: Double, anchor: String = "middle", size: Double = 11,
        extra: String = ""
    ) -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(n(size))\"\(extra.isEmpty ? "" : " " + extra)>"
            + ReportFormat.escape(content) + "</text>"
    }

    /// The width a label of `content` takes at font size `size`, estimated: 0.56 of the size a
    /// character, a digit's advance in the sans-serif faces the report falls back on (the
    /// browser's font is unknown here).
    static func textWidth(_ content: String, size: Double) -> Double { Double(content.count) * size * 0.56 }

    static func title(_ text: String) -> String { "<title>\(ReportFormat.escape(text))</title>" }

    static func open(chart: String, panel: String, width: Double, height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"\(ReportFormat.escape(chart))\" "
            + "data-panel=\"\(ReportFormat.escape(panel))\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(ReportFormat.escape(label))\">"
    }
}

/// A linear or logarithmic axis mapping data values onto pixels.
struct ChartScale {
    let low: Double
    let high: Double
    let from: Double
    let to: Double
    let logarithmic: Bool

    /// A linear scale from zero (or `low`) to a rounded-up `high`.
    static func linear(low: Double = 0, high: Double, from: Double, to: Double) -> ChartScale {
        let top = high > low ? niceCeiling(high) : low + 1
        return ChartScale(low: low, high: top, from: from, to: to, logarithmic: false)
    }

    /// A log scale over whole decades around the values (positive values only).
    static func log(low: Double, high: Double, from: Double, to: Double) -> ChartScale {
        let low = max(low, 1e-4), high = max(high, low)
        var bottom = pow(10, floor(log10(low)))
        var top = pow(10, ceil(log10(high)))
        if top <= bottom * 1.0001 { top = bottom * 10 }
        if top / bottom < 100, bottom > 1e-4 { bottom /= 10 }
        return ChartScale(low: bottom, high: top, from: from, to: to, logarithmic: true)
    }

    /// The same value range on other pixels: a panel of a small multiple, whose margins differ
    /// from its neighbours' but whose plot area is as large.
    func placed(from: Double, to: Double) -> ChartScale {
        ChartScale(low: low, high: high, from: from, to: to, logarithmic: logarithmic)
    }

    func map(_ value: Double) -> Double {
        let t: Double
        if logarithmic {
            t = (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low))
        } else {
            t = (value - low) / (high - low)
        }
        return from + (to - from) * t
    }

    /// Tick values: 1-2-5 steps (linear) or 1, 2, 5 per decade (log; one per decade past four
    /// decades, where 2 and 5 would crowd the labels).
    var ticks: [Double] {
        if logarithmic {
            var ticks: [Double] = []
            var decade = low
            let multipliers: [Double] = log10(high / low) > 4.0001 ? [1] : [1, 2, 5]
            while decade <= high * 1.0001 {
                for m in multipliers where decade * m <= high * 1.0001 { ticks.append(decade * m) }
                decade *= 10
            }
            return ticks
        }
        let step = ChartScale.niceStep((high - low) / 5)
        return stride(from: low, through: high + step * 0.001, by: step).map { $0 }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 2.5, 5, 10] where raw <= m * magnitude { return m * magnitude }
        return 10 * magnitude
    }

    static func niceCeiling(_ value: Double) -> Double {
        let step = niceStep(value / 5)
        return (value / step).rounded(.up) * step
    }
}

/// Lines over an x axis: one line per series and statistic, each point the median of its
/// repeats with its interval as an error bar and an exact-value tooltip, a noisy cell marked;
/// optional labelled horizontal rules (the offered rate, the latency objective), an optional
/// ideal (throughput = offered) and a ring at each series' knee. The sweep's throughput and
/// latency panels over proc-ms, and the capacity section's throughput chart over offered load;
/// its hockey stick is a ``SmallMultiples`` of these, one per model.
struct LineChart {
    struct Point {
        var x: Double
        var y: Spread
        var tooltip: String
        /// A run of the cell was noisy: marked as ``LineChart/noisyMark`` says.
        var noisy = false
    }

    struct Line {
        var seriesLabel: String
        var statistic: String
        var color: String
        var marker: ReportMarker
        /// A thinner line (a series drawn hollow in the legend).
        var hollow = false
        var dashed: Bool
        /// The model's dash pattern (``ReportPalette/ModelStyle/dash``), drawn in place of
        /// `dashed`'s where not nil.
        var dash: String? = nil
        /// Every marker of the line hollow, noisy or not.
        var hollowMarkers = false
        var points: [Point]

        /// The `stroke-dasharray` drawn: the model's dash, else 6 4 where `dashed`, else none.
        var dashArray: String { dash ?? (dashed ? "6 4" : "") }
    }

    /// A series' knee, ringed at (x, y).
    struct Knee {
        var seriesLabel: String
        var x: Double
        var y: Double
        var color: String
        var tooltip: String
        /// A vertical rule through the knee, top to bottom, labelled with this text (`knee ρ 0.9`),
        /// where the knee has the panel to itself (a model's panel of a small multiple); nil for
        /// the ring and a tick on the x axis alone.
        var rule: String? = nil
    }

    /// A labelled horizontal line across the chart.
    struct Rule {
        enum Style {
            /// Dotted grey, labelled at the right end: the offered rate.
            case reference
            /// Dashed dark grey (``ReportPalette/annotation``), labelled at the left end: the latency
            /// objective.
            case objective
        }

        var value: Double
        var label: String
        var style: Style
    }

    /// The chart's size and the margins around its plot area.
    struct Frame {
        var width: Double, height: Double
        var left: Double, right: Double, top: Double, bottom: Double

        /// A panel of the sweep's grids, several side by side.
        static let panel = Frame(width: 440, height: 290, left: 62, right: 16, top: 30, bottom: 44)
        /// A chart of its own row (the capacity section).
        static let wide = Frame(width: 540, height: 330, left: 66, right: 18, top: 30, bottom: 44)
    }

    enum XAxis {
        /// Ticks at exactly these values (the settings swept), the axis from 0 to a little past
        /// the last.
        case ticks([Double])
        /// The axis from 0 to a rounded-up value past the data, ticks in 1-2-5 steps.
        case fitted
        /// Categories at 1, 2, 3…, each labelled (the latency segments in pipeline order).
        case categories([String])
        /// Percentiles on HdrHistogram's axis (``PercentileAxis``): x is 1/(1 − p), on a log
        /// scale, ticks at p50, p90, p99, p99.9 and p99.99.
        case percentiles
    }

    /// How a point of a noisy cell is marked.
    enum NoisyMark {
        /// A dashed ring around the marker.
        case ring
        /// A hollow marker.
        case hollowMarker
    }

    /// What of a point's spread the y axis must show.
    enum YExtent {
        /// Every repeat: min to max.
        case repeats
        /// The interval drawn as the error bar.
        case interval
    }

    var chart: String
    var panel: String
    var xTitle: String
    var yTitle: String
    var logarithmic: Bool
    var lines: [Line]
    var frame = Frame.panel
    var xAxis = XAxis.fitted
    var yExtent = YExtent.repeats
    var noisyMark = NoisyMark.ring
    var rules: [Rule] = []
    /// A linear y axis over exactly this range (ticks in 1-2-5 steps across it) instead of from
    /// 0 to past the data: where the differences lie in a narrow band (throughput as a share of
    /// the offered rate, 90–100%).
    var yRange: (low: Double, high: Double)? = nil
    /// The offered rate at each x: where throughput would be if every tick were processed.
    var ideal: [(x: Double, y: Double)] = []
    var knees: [Knee] = []

    /// The chart's axes: the value ranges, where they fall on the frame's plot area, and the
    /// ticks drawn.
    struct Scales {
        var x: ChartScale
        var xTicks: [(value: Double, label: String)]
        var y: ChartScale
        var yTicks: [Double]
    }

    /// What of its axes a chart writes. A panel of ``SmallMultiples`` leaves the tick labels to
    /// the panels on the grid's edge and the axis titles to the grid.
    struct AxisLabels {
        var xTicks = true
        var yTicks = true
        var titles = true
    }

    var axisLabels = AxisLabels()
    /// The colour of the panel's title (its model's, in a small multiple), with the model's
    /// marker before it when `titleMarker` is set; black without.
    var titleColor: String? = nil
    var titleMarker: ReportMarker? = nil

    /// The axes fitted to this chart's own lines, ideal, rules and knees.
    func scales() -> Scales {
        let f = frame, w = frame.width, h = frame.height
        let extent: (Spread) -> [Double] =
            switch yExtent {
            case .repeats: { [$0.min, $0.max, $0.median] }
            case .interval: { [$0.lower, $0.upper, $0.median] }
            }
        let values =
            lines.flatMap { $0.points.flatMap { extent($0.y) } } + ideal.map(\.y) + rules.map(\.value)
            + knees.map(\.y)
        let x: ChartScale
        let xTicks: [(value: Double, label: String)]
        switch xAxis {
        case .ticks(let ticks):
            x = ChartScale(low: 0, high: (ticks.max() ?? 1) * 1.08, from: f.left, to: w - f.right, logarithmic: false)
            xTicks = ticks.map { ($0, NumberText.shortest($0)) }
        case .fitted:
            let xs = lines.flatMap { $0.points.map(\.x) } + ideal.map(\.x)
            x = ChartScale.linear(high: (xs.max() ?? 1) * 1.04, from: f.left, to: w - f.right)
            xTicks = x.ticks.map { ($0, ReportFormat.tick($0)) }
        case .categories(let names):
            x = ChartScale(
                low: 0.5, high: Double(names.count) + 0.5, from: f.left, to: w - f.right, logarithmic: false)
            xTicks = names.enumerated().map { (Double($0.offset + 1), $0.element) }
        case .percentiles:
            x = ChartScale(
                low: PercentileAxis.range.lowerBound, high: PercentileAxis.range.upperBound, from: f.left,
                to: w - f.right, logarithmic: true)
            xTicks = PercentileAxis.ticks
        }
        let y =
            logarithmic
            ? ChartScale.log(
                low: values.filter { $0 > 0 }.min() ?? 1, high: values.max() ?? 10, from: h - f.bottom, to: f.top)
            : yRange.map { ChartScale(low: $0.low, high: $0.high, from: h - f.bottom, to: f.top, logarithmic: false) }
                ?? ChartScale.linear(high: (values.max() ?? 1) * 1.05, from: h - f.bottom, to: f.top)
        return Scales(x: x, xTicks: xTicks, y: y, yTicks: y.ticks)
    }

    /// The chart as a standalone `<svg>` on its own scales.
    func svg() -> String {
        let f = frame
        return svg(
            scales: scales(),
            open: SVG.open(
                chart: chart, panel: panel, width: f.width, height: f.height,
                label: "\(yTitle) against \(xTitle), \(panel)"))
    }

    /// The chart drawn on `shared`'s value ranges, moved onto this chart's frame, as a nested
    /// `<svg class="panel">` at (`x`, `y`) of an enclosing one: a panel of ``SmallMultiples``.
    func panelSVG(sharing shared: Scales, x: Double, y: Double) -> String {
        let f = frame
        let scales = Scales(
            x: shared.x.placed(from: f.left, to: f.width - f.right), xTicks: shared.xTicks,
            y: shared.y.placed(from: f.height - f.bottom, to: f.top), yTicks: shared.yTicks)
        return svg(
            scales: scales,
            open: "<svg class=\"panel\" data-chart=\"\(ReportFormat.escape(chart))\" "
                + "data-panel=\"\(ReportFormat.escape(panel))\" x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" "
                + "width=\"\(SVG.n(f.width))\" height=\"\(SVG.n(f.height))\" "
                + "viewBox=\"0 0 \(SVG.n(f.width)) \(SVG.n(f.height))\">")
    }

    private func svg(scales: Scales, open: String) -> String {
        let f = frame, w = frame.width, h = frame.height
        let x = scales.x, y = scales.y
        var out = open
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" fill=\"#FFFFFF\"/>"
        var titleX = f.left
        if let marker = titleMarker {
            out += marker.svg(x: f.left + 5, y: 13.5, size: 4.2, color: titleColor ?? "#1A1A1A", hollow: false)
            titleX += 14
        }
        out += SVG.text(
            panel, x: titleX, y: 18, anchor: "start", size: 12.5,
            extra: "font-weight=\"bold\"" + (titleColor.map { " fill=\"\($0)\"" } ?? ""))
        out +=
            "<g class=\"axis\" data-axis=\"y\" data-scale=\"\(logarithmic ? "log" : "linear")\" "
            + "data-low=\"\(NumberText.shortest(y.low))\" data-high=\"\(NumberText.shortest(y.high))\">"
        for tick in scales.yTicks {
            let py = y.map(tick)
            out +=
                "<line x1=\"\(SVG.n(f.left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(w - f.right))\" y2=\"\(SVG.n(py))\" stroke=\"#E3E3E3\" stroke-width=\"1\"/>"
            if axisLabels.yTicks {
                out += SVG.text(ReportFormat.tick(tick), x: f.left - 6, y: py + 3.5, anchor: "end", size: 10)
            }
        }
        if axisLabels.titles {
            out += SVG.text(
                yTitle + (logarithmic ? " (log scale)" : ""), x: 14, y: (f.top + h - f.bottom) / 2, size: 11,
                extra: "transform=\"rotate(-90 14 \(SVG.n((f.top + h - f.bottom) / 2)))\"")
        }
        out += "</g><g class=\"axis\" data-axis=\"x\" data-scale=\"\(x.logarithmic ? "log" : "linear")\">"
        for tick in scales.xTicks {
            let px = x.map(tick.value)
            out +=
                "<line x1=\"\(SVG.n(px))\" y1=\"\(SVG.n(h - f.bottom))\" x2=\"\(SVG.n(px))\" y2=\"\(SVG.n(h - f.bottom + 4))\" stroke=\"#555555\"/>"
            if axisLabels.xTicks { out += SVG.text(tick.label, x: px, y: h - f.bottom + 16, size: 10) }
        }
        if axisLabels.titles { out += SVG.text(xTitle, x: (f.left + w - f.right) / 2, y: h - 8, size: 11) }
        out += "</g>"
        out +=
            "<line x1=\"\(SVG.n(f.left))\" y1=\"\(SVG.n(h - f.bottom))\" x2=\"\(SVG.n(w - f.right))\" y2=\"\(SVG.n(h - f.bottom))\" stroke=\"#555555\"/>"
        out +=
            "<line x1=\"\(SVG.n(f.left))\" y1=\"\(SVG.n(f.top))\" x2=\"\(SVG.n(f.left))\" y2=\"\(SVG.n(h - f.bottom))\" stroke=\"#555555\"/>"
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
        // A rule's label sits above its line, unless another rule's line runs just above it (the
        // 98% kept-up line under the 100% offered one on a scale from 0): then below.
        let ruleYs = rules.map { y.map($0.value) }
        for (rule, py) in zip(rules, ruleYs) {
            let crowded = ruleYs.contains { $0 < py && py - $0 < 14 }
            out += svg(rule, at: py, labelBelow: crowded)
        }
        for line in lines {
            let sorted = line.points.sorted { $0.x < $1.x }
            if sorted.count > 1 {
                let d = sorted.map { "\(SVG.n(x.map($0.x))),\(SVG.n(y.map($0.y.median)))" }.joined(separator: " L")
                out +=
                    "<path d=\"M\(d)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"\(line.hollow ? "1.5" : "2")\""
                    + (line.dashArray.isEmpty ? "" : " stroke-dasharray=\"\(line.dashArray)\"") + "/>"
            }
            for point in sorted {
                let px = x.map(point.x), py = y.map(point.y.median)
                out +=
                    "<g class=\"point\" data-series=\"\(ReportFormat.escape(line.seriesLabel))\" data-stat=\"\(line.statistic)\" "
                    + "data-x=\"\(NumberText.shortest(point.x))\" data-y=\"\(NumberText.shortest(point.y.median))\" "
                    + "data-low=\"\(NumberText.shortest(point.y.lower))\" data-high=\"\(NumberText.shortest(point.y.upper))\""
                    + (point.noisy ? " data-noisy=\"true\"" : "") + ">"
                out += SVG.title(point.tooltip)
                // One run, or repeats that agree: no bar.
                if point.y.upper > point.y.lower {
                    let y0 = y.map(point.y.lower), y1 = y.map(point.y.upper)
                    out +=
                        "<path d=\"M\(SVG.n(px)),\(SVG.n(y0)) L\(SVG.n(px)),\(SVG.n(y1)) M\(SVG.n(px - 3)),\(SVG.n(y0)) L\(SVG.n(px + 3)),\(SVG.n(y0)) M\(SVG.n(px - 3)),\(SVG.n(y1)) L\(SVG.n(px + 3)),\(SVG.n(y1))\" stroke=\"\(line.color)\" stroke-width=\"1\"/>"
                }
                let hollow = line.hollowMarkers || (point.noisy && noisyMark == .hollowMarker)
                out += line.marker.svg(x: px, y: py, size: 4.2, color: line.color, hollow: hollow)
                if point.noisy && noisyMark == .ring {
                    out +=
                        "<circle class=\"noisy\" cx=\"\(SVG.n(px))\" cy=\"\(SVG.n(py))\" r=\"7.5\" fill=\"none\" stroke=\"\(ReportPalette.annotation)\" stroke-width=\"1\" stroke-dasharray=\"2 2\"/>"
                }
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
                "<line x1=\"\(SVG.n(px))\" y1=\"\(SVG.n(h - f.bottom))\" x2=\"\(SVG.n(px))\" y2=\"\(SVG.n(h - f.bottom - 7))\" stroke=\"\(knee.color)\" stroke-width=\"3\"/>"
            if let label = knee.rule {
                out +=
                    "<line class=\"knee-rule\" x1=\"\(SVG.n(px))\" y1=\"\(SVG.n(f.top))\" x2=\"\(SVG.n(px))\" y2=\"\(SVG.n(h - f.bottom))\" stroke=\"\(knee.color)\" stroke-width=\"1.2\" stroke-dasharray=\"3 2\"/>"
                // Left of the rule, where the curve is still low (it rises right of its knee),
                // unless the knee sits too near the left edge for the text.
                let left = px - f.left > SVG.textWidth(label, size: 10) + 6
                out += SVG.text(
                    label, x: left ? px - 4 : px + 4, y: f.top + 10, anchor: left ? "end" : "start", size: 10,
                    extra: "fill=\"#1A1A1A\" font-weight=\"bold\"")
            }
            out += "</g>"
        }
        return out + "</svg>"
    }

    /// A rule at pixel row `py`, with its label as tooltip and text.
    private func svg(_ rule: Rule, at py: Double, labelBelow: Bool) -> String {
        let left = frame.left, right = frame.width - frame.right
        let labelY = labelBelow ? py + 12 : py - 4
        var out: String
        switch rule.style {
        case .reference:
            out = "<g class=\"reference\">" + SVG.title(rule.label)
            out +=
                "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(right))\" y2=\"\(SVG.n(py))\" stroke=\"#333333\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"/>"
            out += SVG.text(rule.label, x: right - 2, y: labelY, anchor: "end", size: 9.5, extra: "fill=\"#333333\"")
        case .objective:
            out =
                "<g class=\"objective\" data-value=\"\(NumberText.shortest(rule.value))\">" + SVG.title(rule.label)
            out +=
                "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(right))\" y2=\"\(SVG.n(py))\" stroke=\"\(ReportPalette.annotation)\" stroke-width=\"1.5\" stroke-dasharray=\"8 3\"/>"
            out += SVG.text(
                rule.label, x: left + 4, y: labelY, anchor: "start", size: 10,
                extra: "fill=\"\(ReportPalette.annotation)\"")
        }
        return out + "</g>"
    }
}

/// Groups of stacked bars: one group per proc-ms, one bar per series, one stack per part
/// (latency segment, CPU stage); each part carries its exact value as a tooltip.
struct StackedBarChart {
    struct Bar {
        var seriesLabel: String
        var color: String
        var marker: ReportMarker
        var hollow: Bool
        /// One value per stack; nil where the part does not apply.
        var parts: [Spread?]
        var tooltip: String
    }

    struct Group {
        var x: Double
        var bars: [Bar]
    }

    var chart: String
    var panel: String
    var xTitle: String
    var yTitle: String
    var stacks: [(title: String, color: String)]
    var groups: [Group]

    static let height = 300.0
    static let left = 62.0, right = 12.0, top = 30.0, bottom = 58.0

    var width: Double {
        let bars = groups.reduce(0) { $0 + $1.bars.count }
        return max(440, min(900, Self.left + Self.right + Double(bars) * 22 + Double(groups.count) * 18))
    }

    func svg() -> String {
        let w = width, h = Self.height
        let totals = groups.flatMap { $0.bars.map { $0.parts.reduce(0) { $0 + ($1?.median ?? 0) } } }
        let y = ChartScale.linear(high: max(totals.max() ?? 1, 1e-9) * 1.18, from: h - Self.bottom, to: Self.top)
        var out = SVG.open(chart: chart, panel: panel, width: w, height: h, label: "\(yTitle) by \(xTitle), \(panel)")
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" fill=\"#FFFFFF\"/>"
        out += SVG.text(panel, x: Self.left, y: 18, anchor: "start", size: 12.5, extra: "font-weight=\"bold\"")
        for tick in y.ticks {
            let py = y.map(tick)
            out +=
                "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(py))\" x2=\"\(SVG.n(w - Self.right))\" y2=\"\(SVG.n(py))\" stroke=\"#E3E3E3\"/>"
            out += SVG.text(ReportFormat.tick(tick), x: Self.left - 6, y: py + 3.5, anchor: "end", size: 10)
        }
        out +=
            "<line x1=\"\(SVG.n(Self.left))\" y1=\"\(SVG.n(h - Self.bottom))\" x2=\"\(SVG.n(w - Self.right))\" y2=\"\(SVG.n(h - Self.bottom))\" stroke=\"#555555\"/>"
        out += SVG.text(
            yTitle, x: 14, y: (Self.top + h - Self.bottom) / 2, size: 11,
            extra: "transform=\"rotate(-90 14 \(SVG.n((Self.top + h - Self.bottom) / 2)))\"")
        out += SVG.text(xTitle, x: (Self.left + w - Self.right) / 2, y: h - 6, size: 11)
        let plotWidth = w - Self.left - Self.right
        let groupWidth = plotWidth / Double(max(groups.count, 1))
        for (g, group) in groups.enumerated() {
            let barWidth = min(26, (groupWidth - 14) / Double(max(group.bars.count, 1)))
            let start = Self.left + Double(g) * groupWidth + (groupWidth - barWidth * Double(group.bars.count)) / 2
            out += SVG.text(
                "\(NumberText.shortest(group.x)) ms", x: Self.left + (Double(g) + 0.5) * groupWidth,
                y: h - Self.bottom + 34, size: 10.5, extra: "font-weight=\"bold\"")
            for (b, bar) in group.bars.enumerated() {
                let x0 = start + Double(b) * barWidth
                var base = 0.0
                for (s, part) in bar.parts.enumerated() {
                    guard let part, part.median > 0 || part.count > 0 else { continue }
                    let y0 = y.map(base), y1 = y.map(base + part.median)
                    let stack = stacks[s]
                    let spread =
                        part.count > 1
                        ? " (median of \(part.count), \(ReportFormat.millis(part.min))–\(ReportFormat.millis(part.max)))"
                        : ""
                    out +=
                        "<g class=\"segment\" data-series=\"\(ReportFormat.escape(bar.seriesLabel))\" data-x=\"\(NumberText.shortest(group.x))\" "
                        + "data-stack=\"\(ReportFormat.escape(stack.title))\" data-value=\"\(NumberText.shortest(part.median))\">"
                    out += SVG.title(
                        "\(bar.seriesLabel), proc \(NumberText.shortest(group.x)) ms: \(stack.title) \(ReportFormat.millis(part.median)) \(yUnit)\(spread)"
                    )
                    // A thin dark outline: the lightest parts stay visible on white paper.
                    out +=
                        "<rect x=\"\(SVG.n(x0 + 1))\" y=\"\(SVG.n(y1))\" width=\"\(SVG.n(max(1, barWidth - 2)))\" height=\"\(SVG.n(max(0, y0 - y1)))\" fill=\"\(stack.color)\" stroke=\"#555555\" stroke-width=\"0.4\"/>"
                    out += "</g>"
                    base += part.median
                }
                let cx = x0 + barWidth / 2
                // The model under its bar: a strip in its colour and its marker (the parts above
                // are greys, so the model's colour means the model alone).
                out += "<g class=\"bar-label\">" + SVG.title(bar.tooltip)
                out +=
                    "<rect x=\"\(SVG.n(x0 + 1))\" y=\"\(SVG.n(h - Self.bottom + 1.5))\" width=\"\(SVG.n(max(1, barWidth - 2)))\" height=\"4\" fill=\"\(bar.hollow ? "#FFFFFF" : bar.color)\" stroke=\"\(bar.color)\" stroke-width=\"0.8\"/>"
                out += bar.marker.svg(x: cx, y: h - Self.bottom + 13, size: 3.6, color: bar.color, hollow: bar.hollow)
                out += "</g>"
                let label = ReportFormat.millis(base)
                out += SVG.text(
                    label, x: cx + 3, y: y.map(base) - 3, anchor: "start", size: 8.5,
                    extra: "transform=\"rotate(-90 \(SVG.n(cx + 3)) \(SVG.n(y.map(base) - 3)))\" fill=\"#333333\"")
            }
        }
        return out + "</svg>"
    }

    private var yUnit: String {
        yTitle.hasSuffix("(s)") ? "s" : "ms"
    }
}

/// A grid of cells coloured by value on a shared sequential scale, each with its number
/// written in it (the colour is a guide, the number is the datum).
struct Heatmap {
    var chart: String
    var panel: String
    var seriesLabel: String
    var rowTitle: String
    var columnTitle: String
    var rows: [Double]
    var columns: [Double]
    /// `values[row][column]`, nil where no run passed.
    var values: [[Spread?]]
    /// The value the darkest… brightest colour stands for (shared by every heatmap).
    var scaleMax: Double
    var tooltip: (Int, Int, Spread) -> String

    var width: Double { Self.left + Double(columns.count) * Self.cell + 16 }
    var height: Double { Self.top + Double(rows.count) * Self.cell + 40 }

    static let cell = 46.0, left = 70.0, top = 34.0

    func svg() -> String {
        let w = width, h = height
        var out = SVG.open(chart: chart, panel: panel, width: w, height: h, label: "\(seriesLabel): \(panel)")
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" fill=\"#FFFFFF\"/>"
        out += SVG.text(seriesLabel, x: 6, y: 16, anchor: "start", size: 12.5, extra: "font-weight=\"bold\"")
        out += SVG.text(rowTitle, x: 6, y: Self.top - 6, anchor: "start", size: 9.5, extra: "fill=\"#555555\"")
        for (r, row) in rows.enumerated() {
            let y0 = Self.top + Double(r) * Self.cell
            out += SVG.text(
                "\(NumberText.shortest(row))", x: Self.left - 6, y: y0 + Self.cell / 2 + 4, anchor: "end", size: 10.5)
            for (c, column) in columns.enumerated() {
                let x0 = Self.left + Double(c) * Self.cell
                guard let value = values[r][c] else {
                    out +=
                        "<rect x=\"\(SVG.n(x0 + 1))\" y=\"\(SVG.n(y0 + 1))\" width=\"\(SVG.n(Self.cell - 2))\" height=\"\(SVG.n(Self.cell - 2))\" fill=\"#F2F2F2\"/>"
                    out += SVG.text(
                        "–", x: x0 + Self.cell / 2, y: y0 + Self.cell / 2 + 4, size: 10, extra: "fill=\"#999999\"")
                    continue
                }
                let t = scaleMax > 0 ? log1p(value.median) / log1p(scaleMax) : 0
                let (color, dark) = ReportPalette.sequential(t)
                out +=
                    "<g class=\"cell\" data-series=\"\(ReportFormat.escape(seriesLabel))\" data-x=\"\(NumberText.shortest(column))\" "
                    + "data-y=\"\(NumberText.shortest(row))\" data-value=\"\(NumberText.shortest(value.median))\">"
                out += SVG.title(tooltip(r, c, value))
                out +=
                    "<rect x=\"\(SVG.n(x0 + 1))\" y=\"\(SVG.n(y0 + 1))\" width=\"\(SVG.n(Self.cell - 2))\" height=\"\(SVG.n(Self.cell - 2))\" fill=\"\(color)\"/>"
                out += SVG.text(
                    ReportFormat.number(value.median), x: x0 + Self.cell / 2, y: y0 + Self.cell / 2 + 4, size: 11,
                    extra: "fill=\"\(dark ? "#000000" : "#FFFFFF")\"")
                out += "</g>"
            }
        }
        let bottom = Self.top + Double(rows.count) * Self.cell
        for (c, column) in columns.enumerated() {
            out += SVG.text(
                NumberText.shortest(column), x: Self.left + (Double(c) + 0.5) * Self.cell, y: bottom + 14, size: 10.5)
        }
        out += SVG.text(columnTitle, x: Self.left + Double(columns.count) * Self.cell / 2, y: bottom + 31, size: 10)
        return out + "</svg>"
    }

    /// A colour bar for the shared scale of the heatmaps.
    static func legend(scaleMax: Double) -> String {
        let w = 320.0, h = 44.0
        var out = SVG.open(
            chart: "queue-scale", panel: "scale", width: w, height: h, label: "colour scale of the queue peaks")
        let steps = 40
        for i in 0..<steps {
            let (color, _) = ReportPalette.sequential(Double(i) / Double(steps - 1))
            out += "<rect x=\"\(SVG.n(10 + Double(i) * 7.5))\" y=\"6\" width=\"7.6\" height=\"14\" fill=\"\(color)\"/>"
        }
        let marks = [0, scaleMax > 0 ? expm1(log1p(scaleMax) / 2) : 0, scaleMax]
        for (i, mark) in marks.enumerated() {
            let x = 10 + 300 * (scaleMax > 0 ? log1p(mark) / log1p(scaleMax) : Double(i) / 2)
            out += SVG.text(ReportFormat.number(mark.rounded()), x: x, y: 34, size: 10)
        }
        return out + "</svg>"
    }
}
