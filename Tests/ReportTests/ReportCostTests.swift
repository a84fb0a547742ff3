import Foundation
import Results
import Sweep
import TestSupport
import Testing

@testable import Report

/// The cost section and the cost columns of the CSV, on made-up records with known figures.
@Suite("Report cost")
struct ReportCostTests {
    /// spin-ring (busy): three repeats burning 1.9–2.0 cores while idle, few switches; tasks: a
    /// pool of two that ran the stages, many switches; both with 1000 ticks per run.
    static let records: [SweepRecord] = spinRing + tasks

    static let spinRing: [SweepRecord] = (0..<3).map { k -> SweepRecord in
        let n = Double(k)
        let run = Fixture.costResult(
            model: "spin-ring", cpuMicros: 900 + n, idleCores: 1.9 + 0.05 * n, voluntary: 100 + UInt64(k) * 10,
            involuntary: 400, allocations: 2_000 + UInt64(k) * 100, peak: 5, created: 4)
        return .run(run)
    }

    static let tasks: [SweepRecord] = (0..<3).map { k -> SweepRecord in
        let run = Fixture.costResult(
            model: "tasks", cpuMicros: 60 + Double(k), idleCores: 0.001, voluntary: 3_000, involuntary: 10,
            allocations: 9_000, peak: 4, created: 2, ranStageWork: 2 + k % 2, stageThreads: false)
        return .run(run)
    }

    static let html = ReportRenderer.render([ReportSource(label: "cost", records: records, machine: Fixture.machine)])

    static func row(_ document: ReportDocument, _ model: String) -> [ReportDocument.Element] {
        guard
            let start = document.elements.firstIndex(where: {
                $0.name == "tr" && $0.attributes["data-cost-series"] == model
            })
        else { return [] }
        let end = document.elements[(start + 1)...].firstIndex { $0.name == "tr" } ?? document.elements.endIndex
        return document.elements[(start + 1)..<end].filter { $0.name == "td" }
    }

    static func cell(_ row: [ReportDocument.Element], _ metric: String) -> String? {
        row.first { $0.attributes["data-metric"] == metric }?.content
    }

    @Test("the cost section lists every model's figures as median [low–high] of its repeats")
    func section() throws {
        let document = ReportDocument(Self.html)
        #expect(document.parsed, "\(String(describing: document.error))")
        #expect(document.elements.contains { $0.name == "section" && $0.attributes["id"] == "cost" })
        #expect(Self.html.contains("<a href=\"#cost\">"))
        let spin = Self.row(document, "spin-ring")
        #expect(spin.count == 2 + ReportCost.columns.count)
        #expect(spin[1].content.contains("200 ticks/s"))
        #expect(Self.cell(spin, "cpu-per-tick") == "901 [900–902]")
        #expect(Self.cell(spin, "idle-burn") == "1.95 [1.90–2.00]")
        // (110 + 400) / 1000, between (100 + 400) / 1000 and (120 + 400) / 1000.
        #expect(Self.cell(spin, "switches-per-tick") == "0.51 [0.50–0.52]")
        #expect(Self.cell(spin, "involuntary-per-tick") == "0.40")
        #expect(Self.cell(spin, "allocations-per-tick") == "2.1 [2.0–2.2]")
        #expect(Self.cell(spin, "threads-peak") == "5")
        #expect(Self.cell(spin, "threads-created") == "4")
        #expect(Self.cell(spin, "threads-ran-stage-work") == "—")
        let tasks = Self.row(document, "tasks")
        #expect(Self.cell(tasks, "threads-ran-stage-work") == "2 [2–3]")
        #expect(Self.cell(tasks, "allocations-per-tick") == "9.0")
    }

    @Test("records without a cost record (schema 1) give no cost section")
    func oldRecords() {
        let html = ReportRenderer.render([
            ReportSource(label: "old", records: Fixture.sweepRecords(), machine: Fixture.machine)
        ])
        #expect(!html.contains("id=\"cost\""))
        #expect(!html.contains("href=\"#cost\""))
    }

    @Test("runs without an allocation counter say why, and show no allocations")
    func unavailableAllocations() throws {
        let records: [SweepRecord] = [.run(Fixture.costResult(model: "threads", allocations: nil))]
        let html = ReportRenderer.render([ReportSource(label: "tsan", records: records, machine: Fixture.machine)])
        let document = ReportDocument(html)
        #expect(Self.cell(Self.row(document, "threads"), "allocations-per-tick") == "—")
        #expect(html.contains("Allocations not counted in some runs: a sanitizer replaces malloc in this build."))
    }

    @Test("the CSV's cost columns read back as the record's figures")
    func csvRoundTrip() throws {
        let run = Fixture.costResult(
            model: "tasks", idleCores: 0.25, voluntary: 1_234, involuntary: 56, allocations: 7_890, peak: 7,
            created: 3, ranStageWork: 2, stageThreads: false)
        let rows = CSVReader.parse(SweepCSV.render([.run(run)]))
        let row = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        let cost = try #require(run.cost)
        #expect(Double(row["idle_burn_cores"] ?? "") == cost.idle?.cores)
        #expect(Double(row["csw_voluntary_per_tick"] ?? "") == 1.234)
        #expect(Double(row["csw_involuntary_per_tick"] ?? "") == 0.056)
        #expect(row["csw_voluntary_count"] == "1234" && row["csw_involuntary_count"] == "56")
        #expect(Double(row["csw_shared_per_tick"] ?? "") == cost.shared?.contextSwitchesPerTick)
        #expect(row["csw_receiver_per_tick"] == "" && row["csw_processor_per_tick"] == "")
        #expect(Double(row["allocations_per_tick"] ?? "") == 7.89 && row["allocations_count"] == "7890")
        #expect(
            row["threads_peak_count"] == "7" && row["threads_created_count"] == "3"
                && row["threads_ran_stage_work_count"] == "2")
    }

    @Test("a record with a cost record survives JSON, and one without still decodes")
    func jsonRoundTrip() throws {
        let record = SweepRecord.run(Fixture.costResult(model: "spin-ring", ranStageWork: 3))
        #expect(try SweepRecord.decode(record.jsonLine()) == record)
        var old = Fixture.result(model: "threads", procMs: 1, evalMs: 1)
        old.schemaVersion = 1
        let decoded = try SweepRecord.decode(SweepRecord.run(old).jsonLine())
        if case .run(let result) = decoded { #expect(result.cost == nil && result.schemaVersion == 1) }
        #expect(decoded == .run(old))
    }
}
