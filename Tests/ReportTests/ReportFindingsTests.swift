import Foundation
import Results
import Sweep
import TestSupport
import Testing

@testable import Report

/// The branches of the findings and tables: each sentence appears when the data call for it,
/// and not otherwise.
@Suite("Report findings and tables")
struct ReportFindingsTests {
    static func findings(_ records: [SweepRecord]) -> [ReportFinding] {
        ReportFindings(model: ReportModel([ReportSource(label: "s", records: records)]), source: 0).all()
    }

    static func run(
        _ model: String, proc: Double, eval: Double = 1, rate: Double? = 200, jitter: Double = 0,
        _ change: (inout RunResult) -> Void = { _ in }
    ) -> SweepRecord {
        var result = Fixture.result(model: model, rate: rate, procMs: proc, evalMs: eval, jitter: jitter)
        change(&result)
        return .run(result)
    }

    @Test("the data line counts runs, cells, models and repeats")
    func coverage() {
        let once = Self.findings([Self.run("threads", proc: 1), Self.run("tasks", proc: 1)])
        #expect(
            once.first
                == ReportFinding(
                    heading: "Data", text: "2 runs of 2 cells, 2 models; every run passed its self-check.",
                    chart: "comparison"))
        let thrice = Self.findings((0..<3).map { Self.run("threads", proc: 1, jitter: Double($0)) })
        #expect(
            thrice.first?.text
                == "3 runs of 1 cells, 1 model, 3 runs per cell (figures are medians); every run passed its self-check."
        )
        #expect(Self.findings([]).isEmpty)
    }

    @Test("when every model keeps up at the offered rate, throughput cannot separate them and the finding says so")
    func noThroughputGain() {
        let records = [Self.run("event-loop", proc: 1), Self.run("threads", proc: 1)]
        let gain = Self.findings(records).first { $0.heading == "Largest gain" }
        #expect(gain?.text.hasPrefix("No model gained more than 2% throughput over event-loop in any cell") == true)
        #expect(
            gain?.text.hasSuffix(
                "where every model keeps up, throughput is the offered rate and latency is the difference.") == true)
    }

    @Test("when no model beats event-loop's latency, the finding says so")
    func noLatencyCut() {
        let records = [Self.run("event-loop", proc: 1), Self.run("threads", proc: 1) { $0.latency.endToEnd.mean *= 2 }]
        let cut = Self.findings(records).first { $0.heading == "Largest latency cut" }
        #expect(cut?.text == "No model had a lower mean end-to-end latency than event-loop in any cell.")
    }

    @Test("the high-load range covers only cells with rate × proc-ms of at least one half")
    func highLoadRange() throws {
        let records = [
            Self.run("event-loop", proc: 1), Self.run("threads", proc: 1) { $0.window.throughput = 400 },
            Self.run("event-loop", proc: 3) { $0.window.throughput = 100 },
            Self.run("threads", proc: 3) { $0.window.throughput = 150 },
            Self.run("event-loop", proc: 4) { $0.window.throughput = 100 },
            Self.run("threads", proc: 4) { $0.window.throughput = 190 },
        ]
        let range = try #require(Self.findings(records).first { $0.heading == "At high CPU load" })
        #expect(
            range.text.hasPrefix(
                "Against event-loop where rate × proc-ms ≥ 0.5 (proc 3, 4 ms): threads: throughput +50% to +90%"))
        #expect(range.text.hasSuffix("(2 cells)."))
    }

    @Test("the receiver-lag finding lists at most eight cells, largest lag first, and counts the rest")
    func receiverLagList() throws {
        var records: [SweepRecord] = []
        for proc in stride(from: 5.0, through: 14, by: 1) {
            records.append(
                Self.run("event-loop", proc: proc, eval: 1) { $0.segments.arrivalToReceived.mean = 400 + proc })
        }
        let lag = try #require(Self.findings(records).first { $0.heading == "Receiver lag dominates" })
        #expect(lag.text.contains("in 10 cells: event-loop at proc 14 ms"))
        #expect(lag.text.contains("; and 2 more."))
    }

    @Test("saturation: the fastest model is named, and the shortest hop")
    func saturation() throws {
        let records = [
            Self.run("event-loop", proc: 0, eval: 0, rate: nil),
            Self.run("spin-ring", proc: 0, eval: 0, rate: nil) { r in
                r.window.throughput = 9_000_000
                r.segments.receivedToProcessed.p99 = 0.0005
            },
        ]
        let choice = try #require(Self.findings(records).first { $0.text.hasPrefix("Saturation") })
        #expect(
            choice.text == "Saturation (--rate max): spin-ring processed the most, 9000000 ticks/s; the shortest hop "
                + "(received→processed p99) was spin-ring's, 0.0005 ms. For raw throughput between stages, choose spin-ring."
        )
    }

    @Test("saturation runs at several settings name the setting of the fastest")
    func saturationSettings() throws {
        let records = [
            Self.run("threads", proc: 0, eval: 0, rate: nil),
            Self.run("threads", proc: 1, eval: 0, rate: nil) { $0.window.throughput = 1 },
        ]
        let choice = try #require(Self.findings(records).first { $0.text.hasPrefix("Saturation") })
        #expect(choice.text.contains("threads processed the most, 410000 ticks/s at rate max, proc 0 ms"))
    }

    @Test("failed runs: five are listed and the rest counted")
    func failedList() throws {
        let records = (0..<7).map { i in
            SweepRecord.failed(
                FailedCell(
                    startedAt: "t", configuration: Fixture.parameters(model: "threads", procMs: Double(i), evalMs: 1),
                    error: "boom \(i)"))
        }
        let failed = try #require(Self.findings(records).first { $0.heading == "Failed runs" })
        #expect(failed.text.hasPrefix("7 runs failed and count in no figure: threads at proc 0 ms: boom 0; "))
        #expect(failed.text.hasSuffix("; and 2 more (see Failed runs)."))
        #expect(!failed.text.contains("boom 5"))
    }

    @Test("the run-to-run spread names the widest cell")
    func spread() throws {
        let records =
            [80.0, 100, 120].map { mean in Self.run("threads", proc: 1) { $0.latency.endToEnd.mean = mean } }
            + [10.0, 10.5].map { mean in Self.run("threads", proc: 2) { $0.latency.endToEnd.mean = mean } }
        let spread = try #require(Self.findings(records).first { $0.heading == "Run-to-run spread" })
        #expect(
            spread.text
                == "Repeated cells differed by up to 40% in mean latency (threads at proc 1 ms: 80.0–120 ms over 3 runs); "
                + "differences between models smaller than that are noise.")
    }

    @Test("two sweeps without a shared cell say so")
    func noSharedCell() {
        let html = ReportRenderer.render([
            ReportSource(label: "A", records: [Self.run("threads", proc: 1)]),
            ReportSource(label: "B", records: [Self.run("threads", proc: 2)]),
        ])
        #expect(html.contains("The sweeps share no cell to compare."))
        #expect(ReportDocument(html).parsed)
    }

    // MARK: Tables

    @Test("changes under 2% carry no colour; larger ones are better or worse by direction")
    func changeClasses() {
        #expect(ReportTables.change(1.9, higherIsBetter: true) == "+1.9%")
        #expect(ReportTables.change(5, higherIsBetter: true) == "<span class=\"better\">+5.0%</span>")
        #expect(ReportTables.change(5, higherIsBetter: false) == "<span class=\"worse\">+5.0%</span>")
        #expect(ReportTables.change(-30, higherIsBetter: false) == "<span class=\"better\">−30%</span>")
        #expect(ReportTables.change(nil, higherIsBetter: true) == "—")
        #expect(ReportTables.change(.infinity, higherIsBetter: true) == "—")
    }

    @Test("a figure shows its range only when repeats differ")
    func figures() {
        #expect(ReportTables.figure(Spread([5]), ReportFormat.number) == "5")
        #expect(ReportTables.figure(Spread([5, 5]), ReportFormat.number) == "5")
        #expect(
            ReportTables.figure(Spread([4, 5, 7]), ReportFormat.number)
                == "5 <span class=\"spread\" title=\"range of 3 runs\">[4–7]</span>")
        #expect(ReportTables.figure(nil, ReportFormat.number) == "—")
    }

    @Test("the saturation table compares every model with event-loop")
    func saturationTable() {
        let html = ReportRenderer.render([
            ReportSource(
                label: "s",
                records: [
                    Self.run("event-loop", proc: 0, eval: 0, rate: nil),
                    Self.run("threads", proc: 0, eval: 0, rate: nil),
                ])
        ])
        #expect(html.contains("<td class=\"name\">baseline</td>"))
        // 410000 against 150000 ticks/s.
        #expect(html.contains("<span class=\"better\">+173%</span>"))
        #expect(html.contains("No passed runs at a fixed rate"))
    }

    @Test("different eval kinds get their own heatmap groups")
    func kindsGroupHeatmaps() {
        let html = ReportRenderer.render([
            ReportSource(
                label: "s",
                records: [
                    Self.run("threads", proc: 1) { _ in },
                    .run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, evalKind: "cpu")),
                ])
        ])
        let document = ReportDocument(html)
        #expect(document.parsed)
        #expect(Set(document.data("cell", in: "queue").compactMap(\.panel)) == ["wait kind", "cpu kind"])
    }

    @Test("a chart's legend lists every series once")
    func legends() {
        let document = ReportRendererTests.document
        let legendSpans = document.elements.filter { $0.name == "span" }.count
        #expect(legendSpans > 0)
        // Throughput, latency, segments and CPU each have one legend.
        #expect(ReportRendererTests.html.components(separatedBy: "</svg>threads</span>").count - 1 == 4)
        #expect(ReportRendererTests.html.components(separatedBy: "</svg>event-loop</span>").count - 1 == 4)
    }

    // MARK: CSV header

    @Test("the CSV header is stable: scripts read these names")
    func csvHeader() {
        let latency = ["mean_ms", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "count"]
        let distributions = [
            "e2e", "reaction", "processing", "seg_arrival_to_received", "seg_received_to_processed",
            "seg_processed_to_picked", "seg_picked_to_decided", "seg_decided_to_acked",
        ]
        let expected =
            [
                "status", "error", "started_at_utc", "model", "feed", "rate_ticks_per_s", "load", "duration_s",
                "arrivals",
                "clock",
                "seed", "proc_ms", "eval_ms", "eval_kind", "wait_strategy", "ticklab_version", "interrupted",
                "window_s",
                "offered_ticks_per_s", "throughput_ticks_per_s", "kept_up", "ticks_offered", "ticks_received",
                "ticks_processed", "ticks_processed_in_window", "backlog_at_end_ticks", "rejected_deltas",
                "evaluations",
                "conflated_states", "decisions_buy", "decisions_sell", "decisions_hold",
            ]
            + distributions.flatMap { d in latency.map { "\(d)_\($0)" } }
            + [
                "queue_peak_ticks", "queue_mean_ticks", "queue_at_end_ticks", "cpu_receiver_s", "cpu_processor_s",
                "cpu_evaluator_s",
                "cpu_shared_s", "cpu_shared_by", "cpu_process_s", "calibration_ns_per_round", "proc_requested_ms",
                "proc_measured_cpu_ms", "eval_requested_ms", "eval_measured_ms", "eval_measured_as",
                "self_check_passed",
                "exit_status", "signal",
                "cpu_us_per_tick", "noise_outside_cores", "noise_steal_cores", "noisy", "calibration_source",
                "superseded_by_rerun",
            ] + Self.costColumns
        #expect(SweepCSV.columns.map(\.name) == expected)
        #expect(SweepCSV.render([]) == expected.joined(separator: ",") + "\n")
    }

    /// Issue 12's cost columns, in order.
    static let costColumns = [
        "idle_burn_cores", "csw_voluntary_per_tick", "csw_involuntary_per_tick", "csw_voluntary_count",
        "csw_involuntary_count",
        "csw_receiver_per_tick", "csw_processor_per_tick", "csw_evaluator_per_tick", "csw_shared_per_tick",
        "allocations_per_tick", "allocations_count", "threads_peak_count", "threads_created_count",
        "threads_ran_stage_work_count",
    ]

    @Test("a failed cell's CSV row has its parameters and error, and no figures")
    func failedRow() throws {
        let failed = SweepRecord.failed(
            FailedCell(
                startedAt: "2026-01-01T00:00:00Z",
                configuration: Fixture.parameters(model: "tasks", rate: nil, procMs: 2, evalMs: 10),
                error: "the run exited with status 3", exitStatus: 3))
        let rows = CSVReader.parse(SweepCSV.render([failed]))
        let row = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        #expect(
            row["status"] == "failed" && row["error"] == "the run exited with status 3" && row["exit_status"] == "3")
        #expect(
            row["model"] == "tasks" && row["rate_ticks_per_s"] == "max" && row["proc_ms"] == "2"
                && row["eval_ms"] == "10")
        #expect(row["throughput_ticks_per_s"] == "" && row["e2e_mean_ms"] == "" && row["signal"] == "")
    }

    @Test("a passed run's CSV row leaves empty only what the run does not have")
    func passedRow() throws {
        let rows = CSVReader.parse(SweepCSV.render([Self.run("threads", proc: 1)]))
        let empty = Set(zip(rows[0], rows[1]).filter { $0.1.isEmpty }.map(\.0))
        let optional = Set(
            ["error", "wait_strategy", "cpu_shared_s", "cpu_shared_by", "exit_status", "signal", "load"]
                // The fixture's runs carry no CPU per tick, noise account or calibration source.
                + ["cpu_us_per_tick", "noise_outside_cores", "noise_steal_cores", "noisy", "calibration_source"]
                // Nor a cost record (schema 2).
                + Self.costColumns
                + ["mean_ms", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "count"].map {
                    "seg_decided_to_acked_\($0)"
                })
        #expect(empty == optional)
    }
}
