import Capacity
import Foundation
import Results
import TestSupport
import Testing

@testable import Report

/// The verdict that opens the report: per setting the recommended model, its figure and cost, the
/// runner-up and how sure, on made-up records whose answer is known.
@Suite("Report verdict")
struct ReportVerdictTests {
    static let loads = [0.2, 0.5, 0.8, 0.9, 1.0, 1.1]

    static func rows(_ records: [SweepRecord]) -> [ReportVerdict.Row] {
        ReportVerdict(model: ReportModel([ReportSource(label: "v", records: records)])).rows()
    }

    /// The first row of the verdict on ladders of `loads`, one per model with its p99s.
    static func ladderRow(_ ladders: KeyValuePairs<String, [Double]>) throws -> ReportVerdict.Row {
        try #require(
            rows(ladders.flatMap { Fixture.capacityLadder(model: $0.key, loads: loads, p99s: $0.value) }).first)
    }

    /// Three repeats at one rate (200 ticks/s, proc 2 ms) whose processing p99s are `p99s`.
    static func cells(_ model: String, p99s: [Double], keptUp: Bool = true) -> [SweepRecord] {
        p99s.map { .run(Fixture.capacityResult(model: model, load: nil, rate: 200, p50: 1, p99: $0, keptUp: keptUp)) }
    }

    @Test("a clear winner on a load ladder: the highest capacity, its CPU per tick at the knee, measurably ahead")
    func clearCapacityWinner() throws {
        let row = try Self.ladderRow(["threads": [1, 1.5, 3, 6, 30, 200], "tasks": [1.2, 2, 12, 40, 150, 300]])
        #expect(row.evidence == .capacity)
        #expect(row.setting == "proc 2 ms · eval 1 ms · wait kind")
        #expect(row.recommended == "threads")
        #expect(row.figure == "450 ticks/s (ρ 0.9)")
        #expect(row.cost == "CPU 2110 [2100–2120] µs per tick")
        #expect(row.runnerUp == "tasks: 250 ticks/s (ρ 0.5)")
        #expect(row.measurable)
        #expect(row.confidence == "measurably more load than tasks: repeats' knees ρ 0.9 against ρ 0.5")
    }

    @Test("a tie on a ladder: no measurable difference; the model that pins no cores goes first")
    func capacityTie() throws {
        let p99s = [1, 1.5, 3, 6, 30, 200.0]
        let row = try Self.ladderRow(["spin-ring": p99s, "dispatch": p99s])
        #expect(row.recommended == "dispatch")
        #expect(row.runnerUp == "spin-ring: 450 ticks/s (ρ 0.9)")
        #expect(!row.measurable)
        #expect(row.confidence.hasPrefix("no measurable difference on this machine"), "\(row.confidence)")
    }

    @Test("spin-ring's cost says that it pins two cores")
    func pinnedCost() throws {
        let row = try Self.ladderRow(["spin-ring": [1, 1.5, 3, 6, 8, 200], "threads": [1, 1.5, 30, 60, 80, 200]])
        #expect(row.recommended == "spin-ring")
        #expect(row.cost.contains("pins 2 cores"), "\(row.cost)")
    }

    @Test("no model meets the objective at the lowest load: nothing is recommended")
    func noneMeets() throws {
        let row = try Self.ladderRow(["threads": [50, 60, 70, 80, 90, 99], "tasks": [50, 60, 70, 80, 90, 99]])
        #expect(row.recommended == nil)
        #expect(row.figure.hasPrefix("no model met p99=10ms"), "\(row.figure)")
    }

    @Test("without a ladder the verdict ranks by processing p99 and judges by the repeats' intervals")
    func latencyEvidence() throws {
        let apart = try #require(
            Self.rows(Self.cells("threads", p99s: [4, 4.1, 4.2]) + Self.cells("tasks", p99s: [9, 9.5, 10])).first)
        #expect(apart.evidence == .latency)
        #expect(apart.recommended == "threads")
        #expect(apart.figure == "p99 4.10 [4.00–4.20] ms")
        #expect(apart.runnerUp == "tasks: p99 9.50 [9.00–10.0] ms")
        #expect(apart.measurable)
        #expect(apart.confidence.hasPrefix("measurably lower p99 than tasks"))

        let close = try #require(
            Self.rows(Self.cells("threads", p99s: [4, 4.1, 4.4]) + Self.cells("tasks", p99s: [4.3, 4.5, 4.6])).first)
        #expect(close.recommended == "threads")
        #expect(!close.measurable)
        #expect(close.confidence.hasPrefix("no measurable difference on this machine"), "\(close.confidence)")
    }

    @Test("a model that fell behind ranks after those that kept up, whatever its p99")
    func keptUpFirst() throws {
        let row = try #require(
            Self.rows(Self.cells("threads", p99s: [8, 8, 8]) + Self.cells("tasks", p99s: [2, 2, 2], keptUp: false))
                .first)
        #expect(row.recommended == "threads")
        #expect(row.confidence == "the only model that kept up")
    }

    @Test("the verdict comes first, then the charts, then the findings, each linking a section that exists")
    func ordering() throws {
        let html = ReportRenderer.render([ReportSource(label: "f", records: Fixture.sweepRecords())])
        let document = ReportDocument(html)
        #expect(document.parsed, "\(String(describing: document.error))")
        let ids = document.elements.filter { $0.name == "section" }.compactMap { $0.attributes["id"] }
        let verdict = try #require(ids.firstIndex(of: "verdict"))
        let throughput = try #require(ids.firstIndex(of: "throughput"))
        let cpu = try #require(ids.firstIndex(of: "cpu"))
        let findings = try #require(ids.firstIndex(of: "findings"))
        #expect(verdict == 0)
        #expect(verdict < throughput && throughput < cpu && cpu < findings)
        let links = document.elements.filter { $0.name == "a" && $0.attributes["class"] == "chart-link" }
        #expect(!links.isEmpty)
        for link in links {
            let target = String((link.attributes["href"] ?? "").dropFirst())
            #expect(ids.contains(target), "\(target)")
        }
        let table = try #require(document.elements.first { $0.name == "table" && $0.attributes["class"] == "verdict" })
        #expect(table.attributes["data-evidence"] == "latency")
        // The fixture's threads keep up everywhere, and event-loop falls behind at proc 5 ms.
        let row = try #require(
            document.elements.first { $0.name == "tr" && $0.attributes["data-setting"] == "proc 5 ms · eval 50 ms" })
        #expect(row.content.contains("threads"))
    }
}
