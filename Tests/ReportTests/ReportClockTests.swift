import Foundation
import Results
import TestSupport
import Testing

@testable import Report

/// The naive receiver-clock cell beside its exchange-clock twin: set aside from the model
/// comparison, drawn on one chart with its twin, and the finding that says what it hides.
@Suite("Report: the naive receiver clock")
struct ReportClockTests {
    /// The event loop at proc-ms 4, 20 ms of CPU evaluation, with the figures measured for
    /// issue 13 (10 s runs): the exchange clock offered 200 ticks/s, 198.4 processed, processing
    /// p99 127 ms; the receiver clock offered 42.6 ticks/s, p99 4.2 ms.
    static func run(clock: String, offered: Double, throughput: Double, p99: Double, model: String = "event-loop")
        -> SweepRecord
    {
        var result = Fixture.result(model: model, procMs: 4, evalMs: 20, evalKind: "cpu")
        result.configuration.clock = clock
        result.window.offeredRate = offered
        result.window.throughput = throughput
        result.latency.processing = Fixture.summary(mean: p99 / 3, p99: p99)
        return .run(result)
    }

    static let records: [SweepRecord] = [
        run(clock: "exchange", offered: 200, throughput: 198.4, p99: 127),
        run(clock: "exchange", offered: 200, throughput: 199.5, p99: 1.5, model: "threads"),
        run(clock: "receiver", offered: 42.6, throughput: 42.6, p99: 4.2),
    ]

    static var model: ReportModel { ReportModel([ReportSource(label: "s", records: records)]) }

    @Test("the receiver-clock cell is set aside from the comparison and paired with its exchange-clock twin")
    func setAside() throws {
        let model = Self.model
        #expect(model.points.count == 2 && model.points.allSatisfy { $0.cell[.clock] == "exchange" })
        #expect(model.naiveClockPoints.count == 1)
        let pair = try #require(ReportClock.pairs(model).first)
        #expect(pair.naive.cell[.clock] == "receiver" && pair.honest?.model == "event-loop")
        #expect(pair.honest?.cell[.clock] == "exchange")
        // A sweep run entirely on the receiver clock is compared as it is: nothing set aside.
        let receiverOnly = ReportModel([ReportSource(label: "r", records: [Self.records[2]])])
        #expect(receiverOnly.naiveClockPoints.isEmpty && receiverOnly.points.count == 1)
    }

    @Test("the finding sets offered rate and p99 of both clocks side by side and says what the naive one hides")
    func finding() throws {
        let findings = ReportFindings(model: Self.model, source: 0).all()
        let finding = try #require(findings.first { $0.heading == "A naive generator hides the stall" })
        #expect(finding.chart == "throughput")
        #expect(
            finding.text
                == "event-loop at 200 ticks/s, proc 4 ms, eval 20 ms, cpu kind: on the exchange clock (ticks arrive on "
                + "their schedule, ready or not) offered 200 ticks/s, processed 198.4, processing p99 127 ms; on the naive "
                + "receiver clock (the receiver sleeps 1/rate between pulls) offered 42.6 ticks/s, processed 42.6, "
                + "processing p99 4.20 ms. The naive generator waited for the receiver, so it offered 42.6 ticks/s where "
                + "the exchange offered 200, and the p99 it shows (4.20 ms) hides the 127 ms the exchange clock "
                + "measures: a naive generator turns a latency problem into a throughput drop and hides it. That drop "
                + "is the seed's “async throughput falls off sharply”.")
        // The model comparison does not see the receiver-clock cell: one event-loop cell only.
        #expect(!findings.contains { $0.text.contains("receiver clock") && $0.heading != finding.heading })
    }

    @Test("where both clocks offered the same rate the finding says the receiver was never late enough")
    func noDifference() throws {
        let model = ReportModel([
            ReportSource(
                label: "s",
                records: [
                    Self.run(clock: "exchange", offered: 200, throughput: 199.5, p99: 2),
                    Self.run(clock: "receiver", offered: 199.8, throughput: 199.8, p99: 1.9),
                ])
        ])
        let finding = try #require(ReportClock.findings(model, source: 0).first)
        #expect(finding.text.hasSuffix("the receiver was never late enough for the two clocks to differ."))
        #expect(!finding.text.contains("hides it"))
    }

    @Test("the chart draws both cells on one chart: offered and processed rate, and the p99 of each")
    func chart() throws {
        let html = ReportRenderer.render([ReportSource(label: "s", records: Self.records)])
        let document = ReportDocument(html)
        #expect(document.parsed)
        let bars = document.data("point", in: "naive-clock")
        func value(_ series: String, _ stat: String) -> String? {
            bars.first { $0.attributes["data-series"] == series && $0.attributes["data-stat"] == stat }?
                .attributes["data-y"]
        }
        #expect(bars.count == 6)
        #expect(value("exchange clock", "offered") == "200" && value("receiver clock", "offered") == "42.6")
        #expect(value("exchange clock", "throughput") == "198.4" && value("receiver clock", "throughput") == "42.6")
        #expect(value("exchange clock", "p99") == "127" && value("receiver clock", "p99") == "4.2")
        // In the model's colour, the event loop's everywhere.
        let colour = ReportPalette.model(0).color
        #expect(
            document.elements.filter {
                $0.chart == "naive-clock" && $0.name == "rect" && $0.attributes["fill"] == colour
            }
            .count == 4)
        // The receiver-clock cell is in no other chart.
        #expect(document.data("point", in: "throughput").count == 2)
    }
}
