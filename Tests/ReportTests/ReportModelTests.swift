import Foundation
import Models
import Results
import TestSupport
import Testing

@testable import Report

@Suite("Report model, scales and tables")
struct ReportModelTests {
    // MARK: Spread

    @Test("the median of an odd count is the middle value, of an even count the mean of the two middle ones")
    func median() throws {
        let odd = try #require(Spread([5, 1, 3]))
        #expect(odd.median == 3 && odd.min == 1 && odd.max == 5 && odd.count == 3)
        let even = try #require(Spread([4, 1, 3, 2]))
        #expect(even.median == 2.5 && even.count == 4)
        #expect(Spread([]) == nil)
        #expect(Spread([.nan, .infinity]) == nil)
        #expect(Spread([.nan, 2])?.median == 2)
    }

    // MARK: Scales

    @Test("a linear scale starts at zero, ends on a round number and maps its ends onto the pixels")
    func linearScale() {
        let scale = ChartScale.linear(high: 203, from: 250, to: 30)
        #expect(scale.low == 0 && scale.high == 250)
        #expect(scale.map(0) == 250 && scale.map(250) == 30)
        #expect(scale.ticks == [0, 50, 100, 150, 200, 250])
        #expect(ChartScale.linear(high: 1.04, from: 1, to: 0).ticks == [0, 0.25, 0.5, 0.75, 1, 1.25])
    }

    @Test("a log scale spans whole decades and ticks at 1, 2 and 5 of each")
    func logScale() {
        let scale = ChartScale.log(low: 1.7, high: 640, from: 250, to: 30)
        #expect(scale.low == 1 && scale.high == 1_000)
        #expect(scale.ticks == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000])
        #expect(abs(scale.map(10) - (250 - 220.0 / 3)) < 1e-9)
        // Values at or below the floor sit on the axis rather than off the chart.
        #expect(scale.map(0) == 250)
        // A narrow range is widened to two decades so that the ticks still say something.
        let narrow = ChartScale.log(low: 52, high: 60, from: 1, to: 0)
        #expect(narrow.low == 1 && narrow.high == 100)
    }

    @Test("a rule's label goes below its line when another rule's line runs just above it")
    func crowdedRuleLabels() throws {
        func chart(low: Double) -> String {
            let point = LineChart.Point(x: 1, y: Spread([low + 1])!, tooltip: "")
            return LineChart(
                chart: "t", panel: "p", xTitle: "x", yTitle: "y", logarithmic: false,
                lines: [
                    LineChart.Line(
                        seriesLabel: "s", statistic: "y", color: "#000000", marker: .circle, dashed: false,
                        points: [point])
                ],
                rules: [
                    LineChart.Rule(value: 100, label: "offered", style: .reference),
                    LineChart.Rule(value: 98, label: "kept up", style: .objective),
                ]
            ).svg()
        }
        func labelBelowLine(_ svg: String, _ label: String) throws -> Bool {
            let document = ReportDocument(svg)
            let group = try #require(document.elements.firstIndex { $0.name == "title" && $0.content == label })
            let line = try #require(document.elements[group...].first { $0.name == "line" })
            let text = try #require(document.elements[group...].first { $0.name == "text" })
            return Double(text.attributes["y"] ?? "") ?? 0 > Double(line.attributes["y1"] ?? "") ?? 0
        }
        // From 0 the two lines are a few pixels apart: the lower one's label moves below it.
        let crowded = chart(low: 0)
        #expect(try labelBelowLine(crowded, "kept up"))
        #expect(try !labelBelowLine(crowded, "offered"))
    }

    @Test("nice steps are 1, 2, 2.5 or 5 times a power of ten")
    func niceSteps() {
        #expect(ChartScale.niceStep(0.9) == 1)
        #expect(ChartScale.niceStep(1.3) == 2)
        #expect(ChartScale.niceStep(2.2) == 2.5)
        #expect(ChartScale.niceStep(37) == 50)
        #expect(ChartScale.niceStep(0.031) == 0.05)
        #expect(ChartScale.niceStep(0) == 1)
    }

    // MARK: Palette and markers

    @Test("series colours are the Okabe–Ito palette, every model gets its own marker shape")
    func palette() {
        #expect(ReportPalette.series.count == 8)
        #expect(Set(ReportPalette.series).count == 8)
        #expect(ReportPalette.color(0) == "#0072B2" && ReportPalette.color(8) == ReportPalette.color(0))
        let names = ModelCatalog.names
        let shapes = names.indices.map { ReportPalette.marker($0) }
        #expect(Set(shapes.map { "\($0)" }).count == min(names.count, ReportMarker.allCases.count))
    }

    @Test("the sequential scale runs dark to bright and says which text colour reads on it")
    func sequential() {
        let dark = ReportPalette.sequential(0)
        let bright = ReportPalette.sequential(1)
        #expect(dark.color == "#440154" && !dark.darkText)
        #expect(bright.color == "#FDE725" && bright.darkText)
        #expect(ReportPalette.sequential(-1).color == dark.color)
        #expect(ReportPalette.sequential(.nan).color == dark.color)
    }

    @Test("every marker is one well-formed SVG element, filled or hollow", arguments: ReportMarker.allCases)
    func markers(marker: ReportMarker) {
        for hollow in [false, true] {
            let svg =
                "<svg xmlns=\"http://www.w3.org/2000/svg\">"
                + marker.svg(x: 10, y: 10, size: 4, color: "#0072B2", hollow: hollow) + "</svg>"
            let document = ReportDocument(svg)
            #expect(document.parsed)
            #expect(document.elements.count == 2)
            #expect(document.elements[1].attributes["fill"] == (hollow ? "#FFFFFF" : "#0072B2"))
        }
    }

    // MARK: Grouping

    static func results(models: [String], procs: [Double], evals: [Double]) -> [SweepRecord] {
        evals.flatMap { e in
            procs.flatMap { p in models.map { m in SweepRecord.run(Fixture.result(model: m, procMs: p, evalMs: e)) } }
        }
    }

    @Test("panels are ordered by value, not by text: eval 2 ms before eval 10 ms")
    func panelOrder() {
        let model = ReportModel([
            ReportSource(label: "s", records: Self.results(models: ["threads"], procs: [1], evals: [10, 2, 50]))
        ])
        #expect(model.panels.map(\.title) == ["eval 2 ms", "eval 10 ms", "eval 50 ms"])
    }

    @Test("panel titles name eval-ms always and other axes only when they vary")
    func panelTitles() {
        var records = Self.results(models: ["threads"], procs: [1], evals: [1])
        records.append(.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, evalKind: "cpu")))
        let model = ReportModel([ReportSource(label: "s", records: records)])
        #expect(model.panels.map(\.title) == ["eval 1 ms · cpu kind", "eval 1 ms · wait kind"])
    }

    @Test("models are listed in catalogue order, unknown ones after them by name")
    func modelOrder() {
        let records = Self.results(models: ["zebra", "threads", "alpha", "event-loop"], procs: [1], evals: [1])
        let model = ReportModel([ReportSource(label: "s", records: records)])
        #expect(model.models == ["event-loop", "threads", "alpha", "zebra"])
        #expect(model.series(of: model.ratedPoints).map(\.model) == model.models)
    }

    @Test("repeats of a cell are one point; failed runs are kept apart from the figures")
    func grouping() throws {
        var records = Self.results(models: ["threads"], procs: [1], evals: [1])
        records.append(.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, jitter: 2)))
        records.append(.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, selfCheckPassed: false)))
        let model = ReportModel([ReportSource(label: "s", records: records)])
        #expect(model.points.count == 1)
        let point = try #require(model.points.first)
        #expect(point.results.count == 2 && point.failures.count == 1)
        #expect(point.spread(.throughput)?.count == 2)
        #expect(model.failedRecords.count == 1)
    }

    @Test("kept up means kept up in most runs of a cell")
    func keptUpMajority() {
        func point(_ flags: [Bool]) -> ReportPoint {
            let results = flags.map { flag -> RunResult in
                var r = Fixture.result(model: "threads", procMs: 1, evalMs: 1)
                r.window.keptUp = flag
                return r
            }
            return ReportPoint(
                source: 0, cell: SweepCell(parameters: results[0].configuration), results: results, failures: [])
        }
        #expect(point([true, true, false]).keptUp)
        #expect(!point([true, false]).keptUp)
        #expect(point([true, false, false]).keptUpCount == 1)
        #expect(!ReportPoint(source: 0, cell: SweepCell(values: [:]), results: [], failures: []).keptUp)
    }

    @Test("utilisation is rate × proc-ms, and saturation has none")
    func utilisation() {
        let rated = ReportPoint(
            source: 0, cell: SweepCell(parameters: Fixture.parameters(model: "threads", procMs: 5, evalMs: 1)),
            results: [], failures: [])
        #expect(rated.utilisation == 1)
        let saturated = ReportPoint(
            source: 0,
            cell: SweepCell(parameters: Fixture.parameters(model: "threads", rate: nil, procMs: 5, evalMs: 1)),
            results: [], failures: [])
        #expect(saturated.utilisation == nil && saturated.isSaturation)
    }

    // MARK: Tables and document

    @Test("without an event-loop run there is no baseline: no Δ columns, no gain findings")
    func noBaseline() {
        let records = Self.results(models: ["threads", "tasks"], procs: [1, 5], evals: [1])
        let html = ReportRenderer.render([ReportSource(label: "s", records: records)])
        #expect(ReportDocument(html).parsed)
        #expect(!html.contains("Δ throughput vs"))
        #expect(html.contains("There is no event-loop run to compare with"))
        let findings = ReportFindings(model: ReportModel([ReportSource(label: "s", records: records)]), source: 0).all()
        #expect(!findings.contains { $0.heading == "Largest gain" || $0.heading == "At high CPU load" })
        #expect(findings.contains { $0.heading == "Choice" })
    }

    @Test("a single model gets no choice between models")
    func singleModel() {
        let records = Self.results(models: ["threads"], procs: [1, 5], evals: [1])
        let findings = ReportFindings(model: ReportModel([ReportSource(label: "s", records: records)]), source: 0).all()
        #expect(!findings.contains { $0.heading == "Choice" })
        #expect(findings.contains { $0.text.contains("threads kept up in all 2 cells") })
    }

    @Test("every link of the contents leads to a section of the report")
    func anchors() {
        let document = ReportRendererTests.document
        let ids = Set(document.elements.compactMap { $0.attributes["id"] })
        let links = document.elements.compactMap { $0.attributes["href"] }
        #expect(!links.isEmpty)
        for link in links { #expect(ids.contains(String(link.dropFirst())), "\(link) leads nowhere") }
        #expect(
            ids.isSuperset(of: [
                "findings", "throughput", "latency", "segments", "queue", "cpu", "saturation", "comparison",
                "failed", "machine", "reading",
            ]))
    }

    @Test("ids are unique and every chart has a label for screen readers")
    func accessibility() {
        let document = ReportRendererTests.document
        let ids = document.elements.compactMap { $0.attributes["id"] }
        #expect(ids.count == Set(ids).count)
        let charts = document.elements.filter { $0.attributes["class"] == "chart" }
        #expect(!charts.isEmpty)
        #expect(charts.allSatisfy { $0.attributes["role"] == "img" && !($0.attributes["aria-label"] ?? "").isEmpty })
    }

    @Test("without machine.json the command to reproduce is rebuilt from the records")
    func reproduceFromRecords() throws {
        let records = Self.results(models: ["event-loop", "threads"], procs: [0.5, 5], evals: [1, 50])
        let command = try #require(ReportTables.reproduceCommand(records, directory: "results/x"))
        #expect(
            command
                == "ticklab sweep --models event-loop,threads --rate 200 --proc-ms 0.5,5 --eval-ms 1,50 --eval-kind wait "
                + "--slo p99=10ms --duration 5s --repeats 1 --extra-repeats 0 --seed 1 --arrivals uniform --clock exchange --wait park --out results/x"
        )
        let twice = try #require(ReportTables.reproduceCommand(records + records, directory: nil))
        #expect(twice.contains("--repeats 2") && !twice.contains("--out"))
        #expect(ReportTables.reproduceCommand([], directory: nil) == nil)
        let html = ReportRenderer.render([ReportSource(label: "s", records: records)])
        #expect(html.contains("No machine.json beside the results"))
        #expect(html.contains(ReportFormat.escape(command).replacingOccurrences(of: " --out results/x", with: "")))
    }

    @Test("the machine block lists the machine, the versions and every resume")
    func machineBlock() {
        var machine = Fixture.machine
        machine.gitCommit = "0123abcd"
        machine.gitDirty = true
        machine.resumes = [
            .init(
                date: "2026-01-26T09:00:00Z", commandLine: "ticklab sweep --resume", cpuModel: "Test CPU",
                gitCommit: nil)
        ]
        let html = ReportRenderer.render([ReportSource(label: "s", records: Fixture.sweepRecords(), machine: machine)])
        for text in [
            "Test CPU", "2 logical", "1.0 GiB", "Test OS", "Test 1.0", "6.3.1", "0123abcd (with uncommitted changes)",
            "2026-01-26T09:00:00Z: ticklab sweep --resume",
        ] {
            #expect(html.contains(text), "\(text) missing")
        }
    }

    @Test("unreadable lines of a results file are noted in the report")
    func problemsNoted() {
        let html = ReportRenderer.render([
            ReportSource(
                label: "s", records: Fixture.sweepRecords(),
                problems: ["results.jsonl line 7 is ignored: not a JSON object"])
        ])
        #expect(html.contains("Note: results.jsonl line 7 is ignored: not a JSON object."))
    }

    @Test("a sweep without a model another has still overlays: the missing lines are simply absent")
    func overlayWithDifferentModels() {
        let a = Self.results(models: ["event-loop", "threads"], procs: [1, 5], evals: [1])
        let b = Self.results(models: ["threads"], procs: [1, 5], evals: [1])
        let html = ReportRenderer.render([ReportSource(label: "A", records: a), ReportSource(label: "B", records: b)])
        let document = ReportDocument(html)
        #expect(document.parsed)
        let series = Set(document.data("point", in: "throughput").compactMap { $0.attributes["data-series"] })
        #expect(series == ["event-loop (A)", "threads (A)", "threads (B)"])
    }

    @Test("the bar chart grows with the number of bars, within limits")
    func barWidth() {
        func chart(bars: Int, groups: Int) -> StackedBarChart {
            let bar = StackedBarChart.Bar(
                seriesLabel: "m", color: "#000000", marker: .circle, hollow: false, parts: [Spread([1])], tooltip: "t")
            return StackedBarChart(
                chart: "c", panel: "p", xTitle: "x", yTitle: "y", stacks: [("s", "#000000")],
                groups: (0..<groups).map {
                    StackedBarChart.Group(x: Double($0), bars: Array(repeating: bar, count: bars))
                })
        }
        #expect(chart(bars: 2, groups: 3).width == 440)
        #expect(chart(bars: 6, groups: 6).width > 440)
        #expect(chart(bars: 12, groups: 12).width == 900)
        #expect(ReportDocument(chart(bars: 6, groups: 6).svg()).parsed)
    }

    @Test("a heatmap has a cell per value and a grey placeholder where a run is missing")
    func heatmapGaps() {
        let map = Heatmap(
            chart: "queue", panel: "p", seriesLabel: "threads", rowTitle: "r", columnTitle: "c", rows: [1, 50],
            columns: [0.5, 5], values: [[Spread([1]), nil], [Spread([3]), Spread([26])]], scaleMax: 26
        ) { _, _, s in
            "peak \(s.median)"
        }
        let document = ReportDocument(map.svg())
        #expect(document.parsed)
        let cells = document.elements.filter { $0.attributes["class"] == "cell" }
        #expect(cells.map { $0.attributes["data-value"] } == ["1", "3", "26"])
        #expect(document.elements.contains { $0.attributes["fill"] == "#F2F2F2" })
        #expect(document.elements.contains { $0.name == "rect" && $0.attributes["fill"] == "#FDE725" })
    }
}
