import Formats
import Foundation

/// Several ``LineChart``s in a grid, one panel per series (a model), on one x and one y scale so
/// that they compare by eye: what a single chart of every series' lines crowds together.
///
/// One `<svg class="chart">` holds a nested `<svg class="panel">` per panel, each drawn by the
/// panel's own ``LineChart`` (its lines, rules and knees) with the shared scales. Every plot area
/// is the same size; the tick labels are written on the grid's edge only (y on the left column,
/// x under the lowest panel of each column) and the axis titles once for the grid.
struct SmallMultiples {
    var chart: String
    /// The figure's title, above the grid.
    var panel: String
    var xTitle: String
    var yTitle: String
    /// One chart per panel, in reading order (left to right, then down). Their frames and axis
    /// labels are the grid's to set; their scale kind (`logarithmic`, `xAxis`, `yExtent`) is the
    /// first panel's for all.
    var panels: [LineChart]
    var columns: Int
    var plotWidth = 210.0
    var plotHeight = 130.0

    /// Room left of the grid for the y axis's title, above it for the figure's title, and below
    /// it for the x axis's title.
    static let yTitleWidth = 20.0, headerHeight = 22.0, xTitleHeight = 20.0
    /// A panel's margins: its title above; its tick labels left and below where it writes them.
    /// `right` and `bareLeft` are the least; ``sideMargin(_:)`` widens them for wide x labels.
    static let top = 24.0, right = 10.0, labelledLeft = 44.0, bareLeft = 12.0, labelledBottom = 24.0,
        bareBottom = 8.0
    /// The x tick labels' font size (``LineChart``'s) and the air kept between a label and its
    /// panel's edge.
    static let xLabelSize = 10.0, labelAir = 3.0

    private var columnCount: Int { max(1, min(columns, panels.count)) }
    private var rowCount: Int { (panels.count + columnCount - 1) / columnCount }

    /// Whether the panel at `index` writes its x tick labels: no panel below it.
    private func labelsX(_ index: Int) -> Bool { index + columnCount >= panels.count }

    /// A panel's margin right of its plot area, and left of it where it writes no y labels: at
    /// least half the widest x tick label (``SVG/textWidth(_:size:)``) and ``labelAir``.
    ///
    /// Why a gap and not labels anchored inward: a label centred on its tick that stays inside
    /// its own panel cannot touch a neighbour's, which stays inside the neighbour's, whatever the
    /// ticks (a fitted axis often ends on a tick at the plot's very end, and the next panel's
    /// starts on one at its very start); every label stays under its tick, and none is clipped by
    /// its panel's viewport.
    static func sideMargin(_ scales: LineChart.Scales) -> Double {
        let widest = scales.xTicks.map { SVG.textWidth($0.label, size: xLabelSize) }.max() ?? 0
        return widest / 2 + labelAir
    }

    private func left(column: Int, side: Double) -> Double {
        max(column == 0 ? Self.labelledLeft : Self.bareLeft, side)
    }

    private func right(side: Double) -> Double { max(Self.right, side) }

    private func frame(_ index: Int, side: Double) -> LineChart.Frame {
        let left = left(column: index % columnCount, side: side)
        return LineChart.Frame(
            width: left + plotWidth + right(side: side),
            height: Self.top + plotHeight + (labelsX(index) ? Self.labelledBottom : Self.bareBottom),
            left: left, right: right(side: side), top: Self.top,
            bottom: labelsX(index) ? Self.labelledBottom : Self.bareBottom)
    }

    private func rowHeight(_ row: Int) -> Double {
        let indices = (row * columnCount)..<min(panels.count, (row + 1) * columnCount)
        return indices.map { frame($0, side: 0).height }.max() ?? 0
    }

    private func columnX(_ column: Int, side: Double) -> Double {
        Self.yTitleWidth
            + (0..<column).reduce(0) { $0 + left(column: $1, side: side) + plotWidth + right(side: side) }
    }

    private func rowY(_ row: Int) -> Double { Self.headerHeight + (0..<row).reduce(0) { $0 + rowHeight($1) } }

    var width: Double { columnX(columnCount, side: sharedScales().map(Self.sideMargin) ?? 0) }
    var height: Double { rowY(rowCount) + Self.xTitleHeight }

    /// The scales every panel shares: fitted to all panels' lines, rules, knees and ideals
    /// together, on a plot area of the grid's size. On a log axis too short for a label at every
    /// 1, 2 and 5, the labels and grid lines stay at the decades; x labels too close for their
    /// text keep every other one.
    func sharedScales() -> LineChart.Scales? {
        guard var all = panels.first else { return nil }
        all.lines = panels.flatMap(\.lines)
        all.rules = panels.flatMap(\.rules)
        all.knees = panels.flatMap(\.knees)
        all.ideal = panels.flatMap(\.ideal)
        // The margins move no tick: the plot area is the same size whatever they are.
        all.frame = frame(0, side: 0)
        var scales = all.scales()
        if all.logarithmic, plotHeight / Double(max(scales.yTicks.count, 1)) < 15 {
            scales.yTicks = scales.yTicks.filter { abs(log10($0) - log10($0).rounded()) < 1e-9 }
        }
        if scales.xTicks.count > 1, plotWidth / Double(scales.xTicks.count - 1) < 34 {
            scales.xTicks = scales.xTicks.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        }
        return scales
    }

    func svg() -> String {
        guard let shared = sharedScales() else { return "" }
        let side = Self.sideMargin(shared)
        let w = columnX(columnCount, side: side), h = height
        var out = SVG.open(
            chart: chart, panel: panel, width: w, height: h,
            label: "\(yTitle) against \(xTitle), \(panel): one panel per model on shared scales")
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" fill=\"#FFFFFF\"/>"
        out += SVG.text(
            panel, x: Self.yTitleWidth, y: 15, anchor: "start", size: 12.5, extra: "font-weight=\"bold\"")
        for (index, chart) in panels.enumerated() {
            var panel = chart
            panel.frame = frame(index, side: side)
            panel.axisLabels = LineChart.AxisLabels(
                xTicks: labelsX(index), yTicks: index % columnCount == 0, titles: false)
            out += panel.panelSVG(
                sharing: shared, x: columnX(index % columnCount, side: side), y: rowY(index / columnCount))
        }
        let plotsTop = Self.headerHeight + Self.top, plotsBottom = rowY(rowCount) - Self.labelledBottom
        let middle = (plotsTop + plotsBottom) / 2
        out += SVG.text(
            yTitle + (panels[0].logarithmic ? " (log scale)" : ""), x: 12, y: middle, size: 11,
            extra: "transform=\"rotate(-90 12 \(SVG.n(middle)))\"")
        let plotsLeft = Self.yTitleWidth + left(column: 0, side: side), plotsRight = w - right(side: side)
        out += SVG.text(xTitle, x: (plotsLeft + plotsRight) / 2, y: h - 6, size: 11)
        return out + "</svg>"
    }
}
