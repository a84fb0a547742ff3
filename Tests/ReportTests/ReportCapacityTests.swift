import Capacity
import Formats
import Foundation
import Results
import TestSupport
import Testing

@testable import Report

/// The capacity section, intervals, comparisons that respect them, noise and the machine's floor,
/// checked on the rendered report of made-up curves with known knees.
@Suite("Report capacity")
struct ReportCapacityTests {
    static let loads = [0.2, 0.5, 0.8, 0.9, 1.0, 1.1]
    /// threads meets p99 ≤ 10 ms up to ρ 0.9 (450 ticks/s at proc 2 ms); tasks up to ρ 0.5
    /// (250 ticks/s); dispatch fails at 0.8 and meets again at 0.9 (non-monotone, knee 0.5);
    /// spin-ring never meets it; event-loop meets it everywhere.
    static let records: [SweepRecord] =
        Fixture.capacityLadder(model: "threads", loads: loads, p99s: [1, 1.5, 3, 6, 30, 200])
        + Fixture.capacityLadder(model: "tasks", loads: loads, p99s: [1.2, 2, 12, 40, 150, 300])
        + Fixture.capacityLadder(model: "dispatch", loads: loads, p99s: [1, 2, 12, 5, 50, 80])
        + Fixture.capacityLadder(model: "spin-ring", loads: loads, p99s: [50, 50, 60, 70, 80, 90])
        + Fixture.capacityLadder(model: "event-loop", loads: loads, p99s: [1, 1, 1, 1, 1, 1])

    static func render(_ records: [SweepRecord], machine: MachineInfo? = Fixture.machineWithFloor) -> String {
        ReportRenderer.render([ReportSource(label: "capacity", records: records, machine: machine)])
    }

    static let html = render(records)

    /// The cells of the row of `model` in the capacity table, by class or position.
    static func row(_ document: ReportDocument, _ model: String) -> [ReportDocument.Element] {
        guard
            let start = document.elements.firstIndex(where: { $0.name == "tr" && $0.attributes["data-series"] == model }
            )
        else { return [] }
        let end = document.elements[(start + 1)...].firstIndex { $0.name == "tr" } ?? document.elements.endIndex
        return document.elements[(start + 1)..<end].filter { $0.name == "td" }
    }

    @Test("the knee and the capacity of each made-up curve are in the capacity table")
    func kneeAndCapacity() throws {
        let document = ReportDocument(Self.html)
        #expect(document.parsed, "\(String(describing: document.error))")
        #expect(document.elements.contains { $0.name == "section" && $0.attributes["id"] == "capacity" })
        let threads = Self.row(document, "threads")
        #expect(threads.count == 7)
        #expect(threads.first { $0.attributes["class"] == "knee" }?.content == "ρ 0.9")
        #expect(threads.first { $0.attributes["class"] == "capacity" }?.content == "450")
        let tasks = Self.row(document, "tasks")
        #expect(tasks.first { $0.attributes["class"] == "knee" }?.content == "ρ 0.5")
        #expect(tasks.first { $0.attributes["class"] == "capacity" }?.content == "250")
        // CPU per tick at the knee: the median of 2100, 2110, 2120 µs with its min–max interval.
        #expect(threads[3].content.hasPrefix("2110 [2100–2120]"))
        // p99 at half load (ρ 0.5): 1.5, 1.6, 1.7 ms.
        #expect(threads[4].content == "1.60 [1.50–1.70] at ρ 0.5")
        #expect(threads[5].content == "repeats' knees ρ 0.9 (3 repeats); the next step, ρ 1, fails")
        #expect(threads[6].content.contains("at ρ 1: p99 30.1 ms over 10.0 ms"))
    }

    @Test("a report asked for another objective judges the same records against it (report --slo)")
    func objectiveOverride() throws {
        var source = ReportSource(label: "c", records: Self.records)
        source.objective = LatencyObjective(percentile: .p99, boundMilliseconds: 50)
        let findings = ReportFindings(model: ReportModel([source]), source: 0).all()
        let finding = try #require(findings.first { $0.heading == "Capacity at proc 2 ms · eval 1 ms · wait kind" })
        // threads' p99 at ρ 1 is 30.1 ms: over 10 ms, within 50 ms.
        #expect(finding.text.hasPrefix("Knees against p99=50ms: "), "\(finding.text)")
        #expect(!finding.text.contains("threads ρ 0.9 (450 ticks/s)"), "\(finding.text)")
    }

    @Test("a finding lists the knees and compares the two highest capacities by their repeats' knees")
    func capacityFinding() throws {
        let findings = ReportFindings(
            model: ReportModel([ReportSource(label: "c", records: Self.records)]), source: 0
        ).all()
        let finding = try #require(findings.first { $0.heading == "Capacity at proc 2 ms · eval 1 ms · wait kind" })
        #expect(
            finding.text
                == "Knees against p99=10ms: event-loop ≥ ρ 1.1 (≥ 550 ticks/s); threads ρ 0.9 (450 ticks/s); "
                + "tasks ρ 0.5 (250 ticks/s); dispatch ρ 0.5 (250 ticks/s), non-monotone; spin-ring none. "
                + "event-loop holds the most load, measurably above threads (their repeats' knees: ρ 1.1 against ρ 0.9)."
        )
        // Repeats whose knees overlap: no measurable difference.
        let close =
            Fixture.capacityLadder(model: "threads", loads: [0.5, 0.8, 0.9, 1.0], p99s: [2, 5, 9.85, 30], jitter: 0.1)
            + Fixture.capacityLadder(model: "tasks", loads: [0.5, 0.8, 0.9, 1.0], p99s: [2, 5, 20, 30])
        let tied = try #require(
            ReportFindings(model: ReportModel([ReportSource(label: "t", records: close)]), source: 0).all().first {
                $0.heading.hasPrefix("Capacity")
            })
        #expect(
            tied.text.hasSuffix(
                "threads and tasks: no measurable difference in capacity on this machine (their repeats' knees, "
                    + "ρ 0.8–0.9 and ρ 0.8, overlap)."))
    }

    @Test("a step's extra repeats join its median, but the repeats' knees are the plan's repeats")
    func extraRepeatsMakeNoKneeOfTheirOwn() throws {
        let loads = [0.5, 0.8, 0.9, 1.0]
        // 1.0 fails in its three repeats (p99 30 ms); two extra repeats there meet the objective.
        var records = Fixture.capacityLadder(model: "threads", loads: loads, p99s: [2, 5, 8, 30], jitter: 0)
        for _ in 0..<2 {
            records.append(.run(Fixture.capacityResult(model: "threads", load: 1.0, p50: 1, p99: 5)))
        }
        let model = ReportModel([ReportSource(label: "x", records: records)])
        let curve = try #require(ReportCapacity.groups(model).first?.curves.first)
        #expect(curve.knee.knee?.load == 0.9, "the median of five at 1.0 is 30 ms: it still fails")
        #expect(curve.repeatKnees.count == 3)
        #expect(curve.repeatKnees.allSatisfy { $0?.load == 0.9 })
        #expect(ReportCapacity.mostCommon([3, 3, 5, 5, 3, 2]) == 3)
        #expect(ReportCapacity.mostCommon([5, 3]) == 3)
        #expect(ReportCapacity.mostCommon([]) == nil)
    }

    @Test("non-monotone curves, curves that never and that always meet the objective are noted")
    func notes() {
        let document = ReportDocument(Self.html)
        let dispatch = Self.row(document, "dispatch")
        #expect(dispatch.first { $0.attributes["class"] == "knee" }?.content == "ρ 0.5")
        #expect(dispatch.last?.content.contains("non-monotone: meets again at ρ 0.9") == true)
        let spin = Self.row(document, "spin-ring")
        #expect(spin.first { $0.attributes["class"] == "knee" }?.content == "none")
        #expect(spin.last?.content.contains("never meets the objective") == true)
        let loop = Self.row(document, "event-loop")
        #expect(loop.first { $0.attributes["class"] == "knee" }?.content == "≥ ρ 1.1")
        #expect(loop.first { $0.attributes["class"] == "capacity" }?.content == "≥ 550")
        #expect(loop.last?.content.contains("meets the objective at every load") == true)
    }

    @Test("the hockey stick draws every model's p50 and p99 on a log axis, the objective and the knees")
    func hockeyStick() throws {
        let document = ReportDocument(Self.html)
        // One figure for the one setting, made of one panel per model (``smallMultiples``).
        let figures = document.elements.filter {
            $0.name == "svg" && $0.chart == "hockey-stick" && $0.attributes["class"] == "chart"
        }
        #expect(figures.count == 1)
        let axis = document.elements.filter {
            $0.chart == "hockey-stick" && $0.attributes["class"] == "axis" && $0.attributes["data-axis"] == "y"
        }
        #expect(axis.count == 5)
        #expect(axis.allSatisfy { $0.attributes["data-scale"] == "log" })
        let objective = document.data("objective", in: "hockey-stick")
        #expect(objective.count == 5)
        #expect(objective.allSatisfy { $0.attributes["data-value"] == "10" })
        #expect(objective.allSatisfy { $0.tooltip == "objective p99=10ms" })
        let knees = document.data("knee", in: "hockey-stick")
        #expect(
            Dictionary(
                uniqueKeysWithValues: knees.map { ($0.attributes["data-series"] ?? "", $0.attributes["data-x"]) })
                == ["threads": "0.9", "tasks": "0.5", "dispatch": "0.5", "event-loop": "1.1"])
        let points = document.data("point", in: "hockey-stick")
        #expect(points.count == 5 * 2 * Self.loads.count)
        #expect(Set(points.compactMap { $0.attributes["data-stat"] }) == ["p50", "p99"])
        // The knee sits on the p99 line: at threads' ρ 0.9 the p99 median is 6.1 ms.
        let knee = try #require(
            points.first {
                $0.attributes["data-series"] == "threads" && $0.attributes["data-stat"] == "p99"
                    && $0.attributes["data-x"] == "0.9"
            })
        #expect(knee.attributes["data-y"] == NumberText.shortest(6 + 0.1))
        // The throughput chart has the ideal line and the knees too.
        #expect(document.data("ideal", in: "capacity-throughput").count == 1)
        #expect(document.data("knee", in: "capacity-throughput").count == 4)
        // The proc-ms charts leave these cells to the capacity section: one point per panel says nothing.
        #expect(document.data("point", in: "throughput").isEmpty)
        #expect(Self.html.contains("the throughput is drawn against offered load under"))
    }

    /// The children of the element at `index`: the elements after it up to the next one named
    /// `sibling` (the next element of its kind at its level, in the order the report writes them).
    static func children(_ document: ReportDocument, of index: Int, until sibling: String) -> [ReportDocument.Element] {
        let rest = document.elements[(index + 1)...]
        return Array(rest.prefix { $0.name != sibling })
    }

    /// The texts of a panel's axis, in order.
    static func tickLabels(_ document: ReportDocument, panel: String, axis: String) -> [String] {
        guard
            let index = document.elements.firstIndex(where: {
                $0.chart == "hockey-stick" && $0.panel == panel && $0.attributes["class"] == "axis"
                    && $0.attributes["data-axis"] == axis
            })
        else { return [] }
        return children(document, of: index, until: "g").filter { $0.name == "text" }.map(\.content)
    }

    @Test(
        "the hockey stick is small multiples: a panel per model in its colour on shared scales, each with the objective and its knee"
    )
    func smallMultiples() throws {
        let document = ReportDocument(Self.html)
        #expect(document.parsed, "\(String(describing: document.error))")
        let model = ReportModel([ReportSource(label: "capacity", records: Self.records)])
        let group = try #require(ReportCapacity.groups(model).first)
        let names = group.curves.map { model.label($0.series) }
        #expect(names == ["event-loop", "threads", "tasks", "dispatch", "spin-ring"])
        let panels = document.elements.filter {
            $0.name == "svg" && $0.chart == "hockey-stick" && $0.attributes["class"] == "panel"
        }
        #expect(panels.map { $0.attributes["data-panel"] } == names)
        for curve in group.curves {
            let name = model.label(curve.series)
            // The panel's title: the model's name in the model's colour.
            let color = ReportRenderer.seriesStyle(model, curve.series).color
            #expect(
                document.elements.contains {
                    $0.name == "text" && $0.panel == name && $0.content == name && $0.attributes["fill"] == color
                }, "\(name)")
            // Its own lines only, p99 solid and p50 dashed.
            let points = document.data("point", in: "hockey-stick").filter { $0.panel == name }
            #expect(points.count == 2 * Self.loads.count)
            #expect(points.allSatisfy { $0.attributes["data-series"] == name })
            let paths = document.elements.filter {
                $0.name == "path" && $0.panel == name && $0.attributes["fill"] == "none"
                    && $0.attributes["stroke"] == color
            }
            #expect(paths.map { $0.attributes["stroke-dasharray"] } == [nil, "6 4"])
            // The objective in every panel.
            #expect(document.data("objective", in: "hockey-stick").filter { $0.panel == name }.count == 1)
        }
        // One y scale: the same range in every panel (threads' p99 reaches 200 ms, event-loop's
        // stays at 1 ms: fitted alone, event-loop's panel would end at 10).
        let axes = document.elements.filter {
            $0.chart == "hockey-stick" && $0.attributes["class"] == "axis" && $0.attributes["data-axis"] == "y"
        }
        #expect(axes.count == names.count)
        #expect(Set(axes.map { $0.attributes["data-high"] }) == ["1000"])
        #expect(Set(axes.map { $0.attributes["data-low"] }).count == 1)
        // Tick labels on the outer panels only: y on the left column (event-loop, dispatch in a
        // grid of three columns), x under the lowest panel of each column (nothing is under
        // tasks).
        let yLabels = Self.tickLabels(document, panel: "event-loop", axis: "y")
        #expect(yLabels.contains("1") && yLabels.contains("100"), "\(yLabels)")
        #expect(Self.tickLabels(document, panel: "dispatch", axis: "y") == yLabels)
        #expect(Self.tickLabels(document, panel: "threads", axis: "y").isEmpty)
        #expect(Self.tickLabels(document, panel: "threads", axis: "x").isEmpty)
        #expect(Self.tickLabels(document, panel: "event-loop", axis: "x").isEmpty)
        let xLabels = Self.tickLabels(document, panel: "spin-ring", axis: "x")
        #expect(xLabels == ["0", "0.25", "0.5", "0.75", "1", "1.25"])
        #expect(Self.tickLabels(document, panel: "tasks", axis: "x") == xLabels)
        #expect(Self.tickLabels(document, panel: "dispatch", axis: "x") == xLabels)
        // The knee: a labelled vertical rule in the panel of each model that has one, none in
        // spin-ring's (it never meets the objective).
        let knees = document.data("knee", in: "hockey-stick")
        #expect(Set(knees.compactMap(\.panel)) == ["threads", "tasks", "dispatch", "event-loop"])
        #expect(knees.allSatisfy { $0.panel == $0.attributes["data-series"] })
        #expect(knees.first { $0.panel == "threads" }?.content.hasSuffix("knee ρ 0.9") == true)
        #expect(knees.first { $0.panel == "event-loop" }?.content.hasSuffix("knee ≥ ρ 1.1") == true)
        let rules = document.data("knee-rule", in: "hockey-stick")
        #expect(Set(rules.compactMap(\.panel)) == ["threads", "tasks", "dispatch", "event-loop"])
        #expect(!document.elements.contains { $0.panel == "spin-ring" && $0.content.contains("knee") })
        // The grid's axis titles once, outside the panels.
        let titles = document.elements.filter {
            $0.chart == "hockey-stick" && $0.name == "text" && $0.content.hasPrefix("offered load ρ")
        }
        #expect(titles.count == 1)
        #expect(titles.first?.panel == "proc 2 ms · eval 1 ms · wait kind")
    }

    @Test("every point of the hockey stick carries the interval of its repeats")
    func intervals() throws {
        let document = ReportDocument(Self.html)
        let point = try #require(
            document.data("point", in: "hockey-stick").first {
                $0.attributes["data-series"] == "tasks" && $0.attributes["data-stat"] == "p99"
                    && $0.attributes["data-x"] == "0.8"
            })
        #expect(point.attributes["data-y"] == NumberText.shortest(12 + 0.1))
        #expect(point.attributes["data-low"] == "12")
        #expect(point.attributes["data-high"] == NumberText.shortest(12 + 0.1 * 2))
        #expect(point.tooltip.contains("median of 3 runs, range 12.0–12.2"))
        // Five repeats: a bootstrap 95% interval, inside the min–max.
        let five = Fixture.capacityLadder(model: "threads", loads: [0.5, 0.9], p99s: [2, 6], repeats: 5)
        let html = Self.render(five)
        let p = try #require(
            ReportDocument(html).data("point", in: "hockey-stick").first {
                $0.attributes["data-stat"] == "p99" && $0.attributes["data-x"] == "0.5"
            })
        #expect(p.tooltip.contains("median of 5 runs, 95% interval"))
        let low = try #require(Double(p.attributes["data-low"] ?? ""))
        let high = try #require(Double(p.attributes["data-high"] ?? ""))
        #expect(low >= 2 && low <= 2.2 && high >= 2.2 && high <= 2.4)
    }

    @Test("a rate ladder (proc-ms 0) draws against the offered rate")
    func rateLadder() throws {
        let records = [50.0, 100, 200].flatMap { rate in
            (0..<3).map { k -> SweepRecord in
                .run(
                    Fixture.capacityResult(
                        model: "threads", load: nil, rate: rate, procMs: 0, p50: 0.5,
                        p99: [50: 1.0, 100: 5, 200: 20][rate]! + Double(k) * 0.1))
            }
        }
        let document = ReportDocument(Self.render(records))
        #expect(document.parsed)
        let threads = Self.row(document, "threads")
        #expect(threads.first { $0.attributes["class"] == "knee" }?.content == "100 ticks/s")
        #expect(threads.first { $0.attributes["class"] == "capacity" }?.content == "100")
        #expect(document.data("knee", in: "hockey-stick").first?.attributes["data-x"] == "100")
        #expect(document.elements.contains { $0.chart == "hockey-stick" && $0.content == "offered rate (ticks/s)" })
    }

    @Test("a sweep at one rate has no capacity section")
    func noLadder() {
        let html = ReportRenderer.render([ReportSource(label: "quick", records: Fixture.sweepRecords())])
        #expect(!html.contains("id=\"capacity\""))
        #expect(!html.contains("data-chart=\"hockey-stick\""))
    }

    @Test("noisy cells are hollow in the charts, marked in the tables and counted")
    func noisy() throws {
        var records = Self.records
        records.append(
            .run(
                Fixture.capacityResult(model: "threads", load: 0.8, p50: 0.6, p99: 3.05, cpuMicros: 2_100, noisy: true))
        )
        records.append(
            .run(
                Fixture.capacityResult(
                    model: "threads", load: 0.8, p50: 0.6, p99: 9, cpuMicros: 2_100, noisy: true, superseded: true)))
        let html = Self.render(records)
        let document = ReportDocument(html)
        #expect(document.parsed)
        let noisy = document.data("point", in: "hockey-stick").filter { $0.attributes["data-noisy"] == "true" }
        #expect(Set(noisy.map { $0.attributes["data-x"] }) == ["0.8"])
        #expect(noisy.allSatisfy { $0.attributes["data-series"] == "threads" })
        #expect(noisy.first?.tooltip.contains("noisy: 1 of 4 runs") == true)
        // The marker is hollow: filled white with a coloured outline.
        #expect(
            document.elements.contains {
                $0.chart == "hockey-stick" && $0.attributes["fill"] == "#FFFFFF"
                    && $0.attributes["stroke-width"] == "1.6"
            })
        #expect(Self.row(document, "threads").last?.content.contains("1 noisy cell") == true)
        #expect(html.contains("noisy 1/4"))
        #expect(html.contains("1 of 91 passed runs were noisy;"))
        #expect(html.contains("1 noisy run was superseded by reruns"))
        // A run a rerun replaced did not fail: the data line counts it apart.
        let findings = ReportFindings(model: ReportModel([ReportSource(label: "n", records: records)]), source: 0).all()
        #expect(
            findings.first?.text.hasSuffix("every run passed its self-check; 1 noisy run was replaced by a rerun.")
                == true)
        #expect(!findings.contains { $0.heading == "Failed runs" })
    }

    @Test("the floor block shows the wake-up lateness, the clock read, the measurement cost and the calibration")
    func floorBlock() throws {
        let document = ReportDocument(Self.html)
        let section = try #require(document.elements.first { $0.name == "section" && $0.attributes["id"] == "floor" })
        #expect(section.content.contains("p50 50.0 µs, p99 120 µs, max 900 µs over 2000 sleeps of 1.00 ms"))
        #expect(section.content.contains("clock read25 ns (median of 31 batches; 24 ns–40 ns)"))
        #expect(section.content.contains("measurement per tick310 ns (6 clock reads and 8 histogram records"))
        #expect(section.content.contains("2.10 ns per round of work, handed to every cell (9 trials, 2.05–2.20 ns)"))
        let missing = ReportDocument(Self.render(Self.records, machine: nil))
        let none = try #require(missing.elements.first { $0.name == "section" && $0.attributes["id"] == "floor" })
        #expect(none.content.contains("not measured (no floor in machine.json)"))
    }

    @Test("measured ÷ requested CPU per unit is tabulated per cell and model")
    func accuracy() throws {
        let records = (0..<3).flatMap { k -> [SweepRecord] in
            [
                .run(
                    Fixture.capacityResult(
                        model: "threads", load: 0.5, p50: 1, p99: 2, procMeasuredMs: 2.02 + 0.02 * Double(k))),
                .run(Fixture.capacityResult(model: "tasks", load: 0.5, p50: 1, p99: 2, procMeasuredMs: 2.4)),
            ]
        }
        let document = ReportDocument(Self.render(records))
        let table = try #require(document.elements.first { $0.name == "table" && $0.attributes["class"] == "accuracy" })
        #expect(table.content.contains("proc 1.02 [1.01–1.03]"))
        #expect(table.content.contains("proc 1.20"))
    }

    @Test("the trust finding is in every report: repeats, overlapping comparisons, noise and the floor")
    func trust() throws {
        let quick = ReportFindings(
            model: ReportModel([ReportSource(label: "q", records: Fixture.sweepRecords())]), source: 0
        ).all()
        let single = try #require(quick.first { $0.heading == "How far to trust this" })
        #expect(single.text.hasPrefix("1 passed run per cell: no figure has an interval"))
        #expect(single.text.contains("the machine's floor was not measured"))
        let repeated = ReportFindings(
            model: ReportModel([ReportSource(label: "c", records: Self.records, machine: Fixture.machineWithFloor)]),
            source: 0
        ).all()
        let trust = try #require(repeated.first { $0.heading == "How far to trust this" })
        #expect(trust.text.hasPrefix("3 passed runs per cell (intervals are the min–max of the repeats)"))
        #expect(trust.text.contains("no run was noisy (90 of 90 runs accounted)"))
        #expect(
            trust.text.contains(
                "the machine's floor: a timed wake-up is late by 50.0 µs at the median, 120 µs at p99 (at most 900 µs), "
                    + "a clock read costs 25 ns, the measurement 310 ns per tick"))
    }
}

/// Comparisons between two models state a difference only where their intervals do not overlap.
@Suite("Report comparisons with intervals")
struct ReportIntervalComparisonTests {
    static func runs(_ model: String, throughputs: [Double], means: [Double]? = nil) -> [SweepRecord] {
        throughputs.enumerated().map { index, throughput in
            var result = Fixture.result(model: model, procMs: 1, evalMs: 1)
            result.window.throughput = throughput
            if let means { result.latency.endToEnd.mean = means[index] }
            return .run(result)
        }
    }

    static func findings(_ records: [SweepRecord]) -> [ReportFinding] {
        ReportFindings(model: ReportModel([ReportSource(label: "s", records: records)]), source: 0).all()
    }

    @Test("overlapping intervals: no measurable difference on this machine")
    func overlapping() throws {
        let records =
            Self.runs("event-loop", throughputs: [190, 200, 210], means: [5, 6, 7])
            + Self.runs("threads", throughputs: [195, 215, 230], means: [4, 5, 6.5])
        let findings = Self.findings(records)
        let gain = try #require(findings.first { $0.heading == "Largest gain" })
        #expect(
            gain.text.hasPrefix(
                "No measurable throughput difference from event-loop on this machine: the largest median gain, +7.5% by threads"
            ))
        #expect(gain.text.contains("(215 [195–230] against 200 [190–210] ticks/s)"))
        let cut = try #require(findings.first { $0.heading == "Largest latency cut" })
        #expect(
            cut.text.hasPrefix("No measurable difference in mean end-to-end latency from event-loop on this machine"))
        let trust = try #require(findings.first { $0.heading == "How far to trust this" })
        #expect(
            trust.text.contains(
                "of 1 comparison of p99 end-to-end latency between two models in the same cell, 1 had overlapping intervals"
            ))
        // The table greys the change.
        let html = ReportRenderer.render([ReportSource(label: "s", records: records)])
        #expect(
            html.contains(
                "<span class=\"same\" title=\"the intervals overlap: no measurable difference on this machine\">≈ +7.5%</span>"
            ))
    }

    @Test("the choice counts overlapping p99 intervals as a tie, and names one model only when they are disjoint")
    func choice() throws {
        func records(threads: [Double]) -> [SweepRecord] {
            zip([10.0, 12, 14], threads).flatMap { loop, thread -> [SweepRecord] in
                var a = Fixture.result(model: "event-loop", procMs: 1, evalMs: 1)
                a.latency.endToEnd.p99 = loop
                var b = Fixture.result(model: "threads", procMs: 1, evalMs: 1)
                b.latency.endToEnd.p99 = thread
                return [.run(a), .run(b)]
            }
        }
        let tied = try #require(Self.findings(records(threads: [11, 13, 15])).first { $0.heading == "Choice" })
        #expect(tied.text.contains("(within 5% or overlapping intervals counts as a tie)"))
        #expect(
            tied.text.hasSuffix(
                "Choose event-loop or threads: the data does not separate them (no measurable difference on this machine)."
            ))
        let apart = try #require(Self.findings(records(threads: [20, 21, 22])).first { $0.heading == "Choice" })
        #expect(apart.text.hasSuffix("Choose event-loop."))
    }

    @Test("disjoint intervals: the difference is stated with both intervals")
    func disjoint() throws {
        let records =
            Self.runs("event-loop", throughputs: [190, 200, 210], means: [5, 6, 7])
            + Self.runs("threads", throughputs: [220, 230, 240], means: [2, 2.5, 3])
        let findings = Self.findings(records)
        let gain = try #require(findings.first { $0.heading == "Largest gain" })
        #expect(
            gain.text
                == "The largest throughput gain over event-loop: threads, +15% at proc 1 ms (230 [220–240] against 200 [190–210] ticks/s)."
        )
        let cut = try #require(findings.first { $0.heading == "Largest latency cut" })
        #expect(cut.text.hasPrefix("The largest cut in mean end-to-end latency against event-loop: threads, −58%"))
        #expect(cut.text.contains("(2.50 [2.00–3.00] against 6.00 [5.00–7.00] ms)"))
    }
}
