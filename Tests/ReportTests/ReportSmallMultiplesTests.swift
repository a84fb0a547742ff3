import TestSupport
import Testing

@testable import Report

/// The grid of ``SmallMultiples`` as the SVG draws it: neighbouring panels' x tick labels apart.
@Suite("Report small multiples")
struct ReportSmallMultiplesTests {
    /// One panel's x tick labels as drawn: from where to where each reaches across the whole
    /// figure (its centre, the panel's x plus the text's, ± half its estimated width).
    struct DrawnPanel {
        var name: String
        var x: Double
        var y: Double
        var width: Double
        var labels: [(label: String, left: Double, right: Double)]
    }

    /// The panels of the figure `chart` in `document`, with the labels of their x axes.
    static func panels(_ document: ReportDocument, chart: String) -> [DrawnPanel] {
        var panels: [DrawnPanel] = []
        for (index, element) in document.elements.enumerated() {
            if element.name == "svg", element.chart == chart, element.attributes["class"] == "panel",
                let name = element.panel, let x = element.attributes["x"].flatMap(Double.init),
                let y = element.attributes["y"].flatMap(Double.init),
                let width = element.attributes["width"].flatMap(Double.init)
            {
                panels.append(DrawnPanel(name: name, x: x, y: y, width: width, labels: []))
            }
            guard element.chart == chart, element.attributes["class"] == "axis",
                element.attributes["data-axis"] == "x", let last = panels.last, element.panel == last.name
            else {
                continue
            }
            let texts = ReportCapacityTests.children(document, of: index, until: "g").filter { $0.name == "text" }
            panels[panels.count - 1].labels = texts.compactMap { text in
                guard let x = text.attributes["x"].flatMap(Double.init),
                    let size = text.attributes["font-size"].flatMap(Double.init),
                    text.attributes["text-anchor"] == "middle"
                else { return nil }
                let half = SVG.textWidth(text.content, size: size) / 2
                return (text.content, last.x + x - half, last.x + x + half)
            }
        }
        return panels
    }

    /// Checks that in every row, the rightmost x label of each panel ends left of the leftmost x
    /// label of the next panel to its right; returns how many neighbours were compared.
    static func expectLabelsApart(_ panels: [DrawnPanel], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var compared = 0
        let rows = Dictionary(grouping: panels.filter { !$0.labels.isEmpty }, by: \.y)
        for row in rows.values {
            let sorted = row.sorted { $0.x < $1.x }
            for (left, right) in zip(sorted, sorted.dropFirst()) {
                let end = left.labels.map(\.right).max() ?? 0
                let start = right.labels.map(\.left).min() ?? 0
                #expect(
                    end < start, "\(left.name)'s last x label ends at \(end), \(right.name)'s first starts at \(start)",
                    sourceLocation: sourceLocation)
                compared += 1
            }
        }
        return compared
    }

    /// Checks that no x label reaches outside its own panel, where the panel's viewport would
    /// clip it (and where it could meet a neighbour's).
    static func expectLabelsInside(_ panels: [DrawnPanel], sourceLocation: SourceLocation = #_sourceLocation) {
        for panel in panels {
            for label in panel.labels {
                #expect(
                    label.left >= panel.x && label.right <= panel.x + panel.width,
                    "\(panel.name): \(label.label) from \(label.left) to \(label.right)", sourceLocation: sourceLocation
                )
            }
        }
    }

    @Test("the capacity chart: one panel's last x label ends before the next's first, each inside its own panel")
    func capacityLabelsApart() throws {
        let document = ReportDocument(ReportCapacityTests.html)
        try #require(document.parsed, "\(String(describing: document.error))")
        let panels = Self.panels(document, chart: "hockey-stick")
        // Five models in three columns: the second row's two panels (dispatch, spin-ring) and the
        // first row's third (tasks) write x labels.
        #expect(panels.filter { !$0.labels.isEmpty }.map(\.name) == ["tasks", "dispatch", "spin-ring"])
        #expect(Self.expectLabelsApart(panels) == 1)
        Self.expectLabelsInside(panels)
    }

    /// A grid of `count` panels, `columns` wide, each one line over x from 0 to `highestX`.
    static func grid(count: Int, columns: Int, highestX: Double) throws -> SmallMultiples {
        let spread = try #require(Spread([1, 2, 3]))
        let panels = (0..<count).map { index in
            LineChart(
                chart: "grid", panel: "model \(index)", xTitle: "offered", yTitle: "p99 (ms)", logarithmic: true,
                lines: [
                    LineChart.Line(
                        seriesLabel: "model \(index)", statistic: "p99", color: "#000000", marker: .circle,
                        dashed: false,
                        points: [0.25, 0.5, 0.75, 1].map {
                            LineChart.Point(x: $0 * highestX, y: spread, tooltip: "")
                        })
                ], xAxis: .fitted)
        }
        return SmallMultiples(
            chart: "grid", panel: "grid", xTitle: "offered", yTitle: "p99 (ms)", panels: panels, columns: columns)
    }

    @Test(
        "a full grid of three columns: neighbouring x labels apart and inside their panels, wide ones at the plot's edge too",
        arguments: [1.2, 12_000, 1_200_000])
    func gridLabelsApart(highestX: Double) throws {
        // Six panels, three columns: the second row's three write x labels. The fitted axis ends
        // on a tick (1.25, 12500, 1250000): each panel's last label is centred on its plot's end.
        let grid = try Self.grid(count: 6, columns: 3, highestX: highestX)
        let document = ReportDocument(grid.svg())
        try #require(document.parsed, "\(String(describing: document.error))")
        let panels = Self.panels(document, chart: "grid")
        #expect(panels.count == 6)
        #expect(panels.filter { !$0.labels.isEmpty }.count == 3)
        #expect(Self.expectLabelsApart(panels) == 2)
        Self.expectLabelsInside(panels)
    }
}
