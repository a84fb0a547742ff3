import Formats
import Foundation
import Results
import Sweep
import TestSupport
import Testing

@testable import Report

@Suite("Report")
struct ReportRendererTests {
    static let records = Fixture.sweepRecords()
    static let html = ReportRenderer.render([
        ReportSource(
            label: "fixture", directory: "results/fixture", records: records,
            machine: Fixture.machine)
    ])
    /// Parsed afresh for each use: the document is a class, and tests run in parallel.
    static var document: ReportDocument { ReportDocument(html) }

    /// The passed runs at a fixed rate: what the charts draw.
    static var rated: [RunResult] { records.compactMap(\.passedResult).filter { $0.configuration.rate != nil } }

    static func result(_ model: String?, proc: String?, panel: String?) -> RunResult? {
        rated.first { r in
            r.configuration.model == model && NumberText.shortest(r.configuration.procMs) == proc
                && panel?.contains("eval \(NumberText.shortest(r.configuration.evalMs)) ms") == true
        }
    }

    @Test("the report parses as well-formed XML and is an XHTML document")
    func wellFormed() throws {
        let document = Self.document
        #expect(document.error == nil, "\(String(describing: document.error))")
        #expect(document.elements.first?.name == "html")
        #expect(document.elements.first?.attributes["xmlns"] == "http://www.w3.org/1999/xhtml")
        #expect(document.elements.contains { $0.name == "style" })
    }

    @Test("the report is self-contained: no script, no external stylesheet, image or link")
    func selfContained() {
        for element in Self.document.elements {
            #expect(!["script", "link", "img", "iframe", "object", "embed"].contains(element.name), "\(element.name)")
            #expect(element.attributes["src"] == nil)
            if let href = element.attributes["href"] { #expect(href.hasPrefix("#"), "external link \(href)") }
            for (name, value) in element.attributes where name != "xmlns" {
                #expect(!value.contains("http://") && !value.contains("https://"), "\(name)=\(value)")
            }
        }
        #expect(Self.html.contains("@media print"))
        #expect(!Self.html.contains("@import") && !Self.html.contains("url("))
    }

    @Test(
        "the throughput chart draws each cell's throughput as a share of its offered rate, one panel per eval-ms, with the offered rate"
    )
    func throughputChart() throws {
        let points = Self.document.data("point", in: "throughput")
        #expect(points.count == Self.rated.count)
        for point in points {
            let result = try #require(
                Self.result(point.attributes["data-series"], proc: point.attributes["data-x"], panel: point.panel))
            // Issue 13: drawn as processed ÷ offered in percent, the absolute rate in the tooltip.
            let share = result.window.throughput / result.window.offeredRate * 100
            #expect(point.attributes["data-y"] == NumberText.shortest(share))
            #expect(point.tooltip.contains("throughput \(ReportFormat.number(result.window.throughput)) ticks/s"))
        }
        let panels = Set(points.compactMap(\.panel))
        #expect(panels == ["eval 1 ms", "eval 50 ms"])
        let references = Self.document.elements.filter {
            $0.attributes["class"] == "reference" && $0.chart == "throughput"
        }
        #expect(references.count == 2)
        #expect(references.allSatisfy { $0.tooltip == "offered 200 ticks/s" })
    }

    @Test("the latency chart carries the fixture's mean and p99 of every cell")
    func latencyChart() throws {
        let points = Self.document.data("point", in: "latency")
        #expect(points.count == 2 * Self.rated.count)
        for point in points {
            let result = try #require(
                Self.result(point.attributes["data-series"], proc: point.attributes["data-x"], panel: point.panel))
            let expected =
                point.attributes["data-stat"] == "mean" ? result.latency.endToEnd.mean : result.latency.endToEnd.p99
            #expect(point.attributes["data-y"] == NumberText.shortest(expected))
        }
        #expect(points.filter { $0.attributes["data-stat"] == "p99" }.count == Self.rated.count)
    }

    @Test("the stacked bars carry the four mean segments of every cell")
    func segmentsChart() throws {
        let segments = Self.document.data("segment", in: "segments")
        #expect(segments.count == 4 * Self.rated.count)
        for segment in segments {
            let result = try #require(
                Self.result(segment.attributes["data-series"], proc: segment.attributes["data-x"], panel: segment.panel)
            )
            let expected: Double =
                switch segment.attributes["data-stack"] {
                case "arrival→received": result.segments.arrivalToReceived.mean
                case "received→processed": result.segments.receivedToProcessed.mean
                case "processed→picked": result.segments.processedToPicked.mean
                case "picked→decided": result.segments.pickedToDecided.mean
                default: .nan
                }
            #expect(segment.attributes["data-value"] == NumberText.shortest(expected), "\(segment.attributes)")
        }
    }

    @Test("an optional segment (decided→acked, with --route) is stacked only where a run has it")
    func optionalSegment() throws {
        let routed = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record, r.configuration.model == "threads", r.configuration.procMs == 2,
                r.configuration.evalMs == 1
            else { return record }
            r.segments.decidedToAcked = Fixture.summary(mean: 1.25, count: 40)
            r.configuration.route = "gateway 1 ms"
            r.configuration.routeRttMs = 1
            return .run(r)
        }
        let document = ReportDocument(ReportRenderer.render([ReportSource(label: "routed", records: routed)]))
        #expect(document.parsed)
        let acked = document.data("segment", in: "segments").filter { $0.attributes["data-stack"] == "decided→acked" }
        #expect(acked.count == 1)
        #expect(acked.first?.attributes["data-series"] == "threads" && acked.first?.attributes["data-x"] == "2")
        #expect(acked.first?.attributes["data-value"] == "1.25")
        #expect(document.data("segment", in: "segments").count == 4 * Self.rated.count + 1)
        // Without any routed run there is no such stack, and no legend entry for it.
        #expect(
            !Self.document.data("segment", in: "segments").contains { $0.attributes["data-stack"] == "decided→acked" })
        #expect(!Self.html.contains("</svg>decided→acked</span>"))
        #expect(
            ReportRenderer.render([ReportSource(label: "routed", records: routed)]).contains(
                "</svg>decided→acked</span>"))
        // The CSV has the segment's columns, filled for the routed run only.
        let rows = CSVReader.parse(SweepCSV.render(routed))
        let column = try #require(rows[0].firstIndex(of: "seg_decided_to_acked_mean_ms"))
        #expect(rows.dropFirst().map { $0[column] }.filter { !$0.isEmpty } == ["1.25"])
    }

    @Test("the heatmaps carry every cell's inbound queue peak")
    func queueHeatmap() throws {
        let cells = Self.document.data("cell", in: "queue")
        #expect(cells.count == Self.rated.count)
        for cell in cells {
            let result = try #require(
                Self.rated.first {
                    $0.configuration.model == cell.attributes["data-series"]
                        && NumberText.shortest($0.configuration.procMs) == cell.attributes["data-x"]
                        && NumberText.shortest($0.configuration.evalMs) == cell.attributes["data-y"]
                })
            #expect(cell.attributes["data-value"] == String(result.queue.peak))
            #expect(cell.tooltip.contains("inbound queue peak \(result.queue.peak) ticks"))
        }
    }

    @Test("the CPU chart carries each stage's CPU seconds, shared threads for the event loop")
    func cpuChart() throws {
        let segments = Self.document.data("segment", in: "cpu")
        var expected = 0
        for result in Self.rated {
            let c = result.cpuSeconds
            let stages = [c.receiver, c.processor, c.evaluator, c.shared].compactMap { $0 }
            expected += stages.count + 1
        }
        #expect(segments.count == expected)
        for segment in segments where segment.attributes["data-stack"] == "processor" {
            let result = try #require(
                Self.result(segment.attributes["data-series"], proc: segment.attributes["data-x"], panel: segment.panel)
            )
            #expect(segment.attributes["data-value"] == result.cpuSeconds.processor.map { NumberText.shortest($0) })
        }
        let shared = segments.filter { $0.attributes["data-stack"] == "shared threads" }
        #expect(!shared.isEmpty && shared.allSatisfy { $0.attributes["data-series"] == "event-loop" })
    }

    @Test("every data point has a tooltip and the axes name their units")
    func tooltipsAndAxes() {
        let data = Self.document.elements.filter {
            ["point", "segment", "cell"].contains($0.attributes["class"] ?? "")
        }
        #expect(!data.isEmpty)
        #expect(data.allSatisfy { !$0.tooltip.isEmpty })
        for unit in [
            "throughput (ticks/s)", "proc-ms (ms)", "end-to-end latency (ms)", "mean latency (ms)", "CPU time (s)",
        ] {
            #expect(Self.document.text.contains(unit), "no axis \(unit)")
        }
    }

    @Test("the comparison table gives each model's change against event-loop, as the seed reports gains")
    func comparisonTable() {
        // threads vs event-loop at proc 5 ms, eval 50 ms: 199.75 against 120.25 ticks/s.
        let gain = ReportFormat.percent((199.75 / 120.25 - 1) * 100)
        #expect(gain == "+66%")
        #expect(Self.html.contains("<span class=\"better\">\(gain)</span>"))
        #expect(Self.html.contains("Δ throughput vs event-loop"))
        #expect(Self.html.contains("baseline"))
    }

    @Test("saturation runs get their own table: ticks/s and the hop's p50 and p99")
    func saturationTable() {
        #expect(Self.html.contains("id=\"saturation\""))
        #expect(Self.html.contains("<td>410000</td>"))
        #expect(Self.html.contains("hop p99 (ms)"))
        // Saturation runs are not drawn on the rate charts.
        #expect(!Self.document.data("point", in: "throughput").contains { $0.attributes["data-y"] == "410000" })
    }

    @Test("failed runs are listed with their error, escaped")
    func failedRuns() {
        #expect(Self.html.contains("id=\"failed\""))
        #expect(Self.html.contains("Fatal error, &quot;quoted&quot; &amp; &lt;bracketed&gt;"))
    }

    @Test("the machine block and the command to reproduce are shown")
    func machineBlock() {
        #expect(Self.html.contains("Test CPU"))
        #expect(Self.html.contains("ticklab sweep --models threads"))
        #expect(Self.html.contains("ticklab report results/fixture"))
    }

    @Test("findings are computed from the figures")
    func findings() throws {
        let findings = ReportFindings(model: ReportModel([ReportSource(label: "f", records: Self.records)]), source: 0)
            .all()
        let text = findings.map { "\($0.heading). \($0.text)" }
        #expect(text.contains { $0.contains("threads kept up in all 6 cells") })
        #expect(
            text.contains {
                $0.contains("event-loop kept up in 4 of 6 cells")
                    && $0.contains("proc 5 ms, eval 1 ms (150.5 of 200 ticks/s")
            })
        #expect(text.contains { $0.contains("It falls behind from proc 5 ms (eval 1 ms and eval 50 ms).") })
        #expect(text.contains { $0.hasPrefix("No slack") && $0.contains("proc 5 ms at 200 ticks/s") })
        #expect(
            text.contains {
                $0.hasPrefix("Receiver lag dominates") && $0.contains("event-loop at proc 5 ms, eval 50 ms")
            })
        #expect(
            text.contains {
                $0.contains(
                    "The largest throughput gain over event-loop: threads, +66% at proc 5 ms, eval 50 ms (199.8 against 120.2 ticks/s)"
                )
            })
        #expect(text.contains { $0.hasPrefix("At high CPU load") && $0.contains("threads: throughput +33% to +66%") })
        #expect(
            text.contains { $0.contains("Light processor load") && $0.contains("every model kept up in all 4 cells") })
        #expect(
            text.contains {
                $0.contains("High processor load") && $0.contains("only threads kept up")
                    && $0.hasSuffix("Choose threads.")
            })
        #expect(text.contains { $0.contains("Saturation (--rate max): threads processed the most, 410000 ticks/s") })
        #expect(
            text.contains {
                $0.hasPrefix("Failed runs") && $0.contains("1 run failed")
                    && $0.contains("threads at proc 5 ms, eval 50 ms: the run was killed")
            })
        // Change the figures and the findings change with them.
        let swapped = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record, r.configuration.model == "event-loop", r.configuration.rate != nil else {
                return record
            }
            r.window.keptUp = true
            r.window.throughput = 199.75
            r.segments.arrivalToReceived.mean = 0.05
            return .run(r)
        }
        let after = ReportFindings(model: ReportModel([ReportSource(label: "f", records: swapped)]), source: 0).all()
        #expect(after.contains { $0.text.contains("event-loop kept up in all 6 cells") })
        #expect(!after.contains { $0.heading == "Receiver lag dominates" })
        // With many cells behind, the furthest behind are named and the rest counted.
        let manyBehind = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record, r.configuration.model == "threads", r.configuration.rate != nil else {
                return record
            }
            r.window.keptUp = false
            r.window.throughput = 100 + r.configuration.procMs * 10 + r.configuration.evalMs
            return .run(r)
        }
        let many = ReportFindings(model: ReportModel([ReportSource(label: "f", records: manyBehind)]), source: 0).all()
        #expect(
            many.contains {
                $0.text.hasPrefix(
                    "threads kept up in 0 of 6 cells. It fell behind in 6, furthest at proc 0.5 ms, eval 1 ms (106 of 200 ticks/s"
                )
                    && $0.text.components(separatedBy: " of 200 ticks/s").count == 5
            })
        // A model that falls behind at 2 ms but keeps up at 5 ms is said to recover there.
        let recovering = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record, r.configuration.model == "event-loop", r.configuration.rate != nil,
                r.configuration.evalMs == 1, r.configuration.procMs >= 2
            else { return record }
            r.window.keptUp = r.configuration.procMs == 5
            return .run(r)
        }
        let recovered = ReportFindings(model: ReportModel([ReportSource(label: "f", records: recovering)]), source: 0)
            .all()
        #expect(
            recovered.contains {
                $0.text.contains(
                    "It falls behind from proc 2 ms (eval 1 ms) and from proc 5 ms (eval 50 ms). It kept up again at proc 5 ms at eval 1 ms."
                )
            })
        // Where no model keeps up, the one that falls least behind is named.
        let bothBehind = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record, r.configuration.model == "threads", r.configuration.procMs == 5,
                r.configuration.rate != nil
            else { return record }
            r.window.keptUp = false
            r.window.throughput = 100
            return .run(r)
        }
        let overloaded = ReportFindings(model: ReportModel([ReportSource(label: "f", records: bothBehind)]), source: 0)
            .all()
        #expect(
            overloaded.contains {
                $0.text.hasPrefix("High processor load")
                    && $0.text.contains("no model kept up in all 2 cells (event-loop 0, threads 0)")
                    && $0.text.contains("where none kept up (2 cells), the most throughput: event-loop in 2")
                    && $0.text.hasSuffix("No model copes with this load; event-loop falls least behind.")
            })
    }

    @Test("repeated cells draw the median with whiskers and the table shows the range")
    func repeats() throws {
        var records: [SweepRecord] = []
        for jitter in [0.0, -3, 1] {
            records.append(.run(Fixture.result(model: "event-loop", procMs: 5, evalMs: 50, jitter: jitter)))
        }
        let html = ReportRenderer.render([ReportSource(label: "r", records: records)])
        let document = ReportDocument(html)
        #expect(document.parsed)
        let points = document.data("point", in: "throughput")
        #expect(points.count == 1)
        // The median run's throughput as a share of its offered rate (issue 13's scale).
        let offered = try #require(records.first?.passedResult?.window.offeredRate)
        #expect(points.first?.attributes["data-y"] == NumberText.shortest(120.25 / offered * 100))
        let range = "\(ReportFormat.number(117.25))–\(ReportFormat.number(121.25))"
        #expect(points.first?.tooltip.contains("median of 3 runs, range \(range)") == true)
        #expect(html.contains("<span class=\"spread\" title=\"range of 3 runs\">[\(range)]</span>"))
    }

    @Test("two sweeps overlay: both sets of lines, the second hollow, and a comparison of the two")
    func overlay() throws {
        let second = Self.records.map { record -> SweepRecord in
            guard case .run(var r) = record else { return record }
            r.latency.endToEnd.mean *= 1.5
            return .run(r)
        }
        let html = ReportRenderer.render([
            ReportSource(label: "A", records: Self.records), ReportSource(label: "B", records: second),
        ])
        let document = ReportDocument(html)
        #expect(document.parsed, "\(String(describing: document.error))")
        let points = document.data("point", in: "throughput")
        #expect(points.count == 2 * Self.rated.count)
        #expect(points.filter { $0.attributes["data-series"] == "threads (B)" }.count == 6)
        #expect(html.contains("Between the sweeps"))
        #expect(html.contains("the largest difference in mean latency is +50%"))
    }

    @Test("a report with no passed run still renders and says so")
    func nothingPassed() {
        let records = Self.records.filter { $0.passedResult == nil }
        let html = ReportRenderer.render([ReportSource(label: "empty", records: records)])
        let document = ReportDocument(html)
        #expect(document.parsed)
        #expect(html.contains("No passed runs at a fixed rate"))
        #expect(document.data("point", in: "throughput").isEmpty)
    }

    @Test("a report built from a results directory equals the one the sweep wrote")
    func fromDirectory() throws {
        let path = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = SweepResultsDirectory(path: path)
        for record in Self.records { try directory.append(record) }
        let source = try ReportSource.load(directory: path)
        #expect(source.records == Self.records)
        #expect(source.label == URL(fileURLWithPath: path).lastPathComponent)
        let document = ReportDocument(ReportRenderer.render([source]))
        #expect(document.parsed)
        #expect(document.data("point", in: "throughput").count == Self.rated.count)
        #expect(throws: SweepResultsDirectory.FileError.self) { try ReportSource.load(directory: path + "/none") }
    }

    @Test("formatting: three significant digits for milliseconds, signed percentages")
    func formatting() {
        #expect(ReportFormat.millis(130.4) == "130")
        #expect(ReportFormat.millis(52.14) == "52.1")
        #expect(ReportFormat.millis(1.234) == "1.23")
        #expect(ReportFormat.millis(0.01234) == "0.0123")
        #expect(ReportFormat.percent(47.2) == "+47%")
        #expect(ReportFormat.percent(-12.34) == "−12%")
        #expect(ReportFormat.percent(3.45) == "+3.5%")
        #expect(ReportFormat.percent(0.01) == "±0%")
        #expect(ReportFormat.percentRange(47, 123) == "+47% to +123%")
        #expect(ReportFindings.list(["a"]) == "a")
        #expect(ReportFindings.list(["a", "b", "c"]) == "a, b and c")
        #expect(ReportFormat.number(96.6) == "96.6")
        #expect(ReportFormat.number(6.5) == "6.50")
        #expect(ReportFormat.tick(0.25) == "0.25")
        #expect(ReportFormat.tick(50) == "50")
        #expect(ReportFormat.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
        #expect(SweepProgressText.clock(7) == "0:07")
        #expect(SweepProgressText.clock(3_723) == "1:02:03")
    }
}
