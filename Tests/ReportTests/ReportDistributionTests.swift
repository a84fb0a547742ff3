import Capacity
import Foundation
import Pipeline
import Results
import TestSupport
import Testing

@testable import Report

@Suite("Report: the latency spectrum and latency over time")
struct ReportDistributionTests {
    /// A spectrum that climbs with the model's latency: event-loop's tail is ten times threads'.
    static func spectrum(_ result: RunResult) -> RunResult.Spectrum {
        let base = result.latency.processing.mean
        let tail = result.configuration.model == "event-loop" ? 10.0 : 1
        return RunResult.Spectrum(
            percentiles: LatencySpectrum.standardPercentiles,
            milliseconds: [1, 1.1, 1.3, 1.6, 2, 2.5, 3, 3.5, 4].map { base * ($0 > 1.5 ? $0 * tail : $0) },
            count: 2_000, max: base * 5 * tail)
    }

    /// A timeline whose latency grows over the window when the run fell behind, flat otherwise.
    static func timeline(_ result: RunResult) -> RunResult.Timeline {
        let behind = !result.window.keptUp
        return RunResult.Timeline(
            intervalSeconds: 0.5, startSeconds: 0, capacity: 128, merges: 0,
            intervals: (0..<10).map { i in
                let p99 = behind ? 10 * Double(i + 1) : 1.5
                return .init(
                    count: i == 4 ? 0 : 100, p50: i == 4 ? 0 : p99 / 2, p99: i == 4 ? 0 : p99,
                    max: i == 4 ? 0 : p99 * 1.2, receiverLagMax: i == 4 ? 0 : (behind ? p99 * 0.9 : 0.05))
            })
    }

    /// The fixture's sweep with a spectrum and a timeline in every passed run, and one cell of
    /// threads (proc 0.5 ms, eval 1 ms) noisy.
    static let records: [SweepRecord] = Fixture.sweepRecords().map { record in
        guard case .run(var result) = record else { return record }
        result.processingSpectrum = spectrum(result)
        result.timeline = timeline(result)
        if result.configuration.model == "threads", result.configuration.procMs == 0.5,
            result.configuration.evalMs == 1
        {
            result.noise = NoiseAccount(
                windowSeconds: 5, cores: 2, busySeconds: 6, ownSeconds: 2, othersSeconds: 3.5, stealSeconds: 0.5)
        }
        return .run(result)
    }

    static func render(_ records: [SweepRecord]) -> String {
        ReportRenderer.render([ReportSource(label: "d", records: records, machine: Fixture.machine)])
    }

    @Test("the percentile axis puts p at 1/(1 − p) and labels p50, p90, p99, p99.9 and p99.99")
    func percentileAxis() {
        #expect(PercentileAxis.position(50) == 2)
        #expect(PercentileAxis.position(90) == 10)
        #expect(abs(PercentileAxis.position(99) - 100) < 1e-9)
        #expect(abs(PercentileAxis.position(99.9) - 1_000) < 1e-6)
        #expect(abs(PercentileAxis.position(99.99) - 10_000) < 1e-4)
        #expect(PercentileAxis.ticks.map(\.label) == ["p50", "p90", "p99", "p99.9", "p99.99"])
        #expect(PercentileAxis.ticks.map(\.value) == PercentileAxis.labelled.map(PercentileAxis.position))
        #expect(PercentileAxis.range.contains(PercentileAxis.position(50)))
        #expect(PercentileAxis.range.contains(PercentileAxis.position(99.99)))
        // Each decade of rarity is the same width on the chart: p90→p99 as wide as p99→p99.9.
        let scale = ChartScale(
            low: PercentileAxis.range.lowerBound, high: PercentileAxis.range.upperBound, from: 0, to: 400,
            logarithmic: true)
        let decade1 = scale.map(PercentileAxis.position(99)) - scale.map(PercentileAxis.position(90))
        let decade2 = scale.map(PercentileAxis.position(99.9)) - scale.map(PercentileAxis.position(99))
        #expect(abs(decade1 - decade2) < 1e-6 && decade1 > 0)
    }

    @Test("a log scale over more than four decades ticks once a decade, so that a small chart's labels stay apart")
    func wideLogScale() {
        let wide = ChartScale.log(low: 0.02, high: 5_000, from: 200, to: 30)
        #expect(wide.low == 0.01 && wide.high == 10_000)
        #expect(wide.ticks == [0.01, 0.1, 1, 10, 100, 1_000, 10_000])
        #expect(ChartScale.log(low: 1.7, high: 640, from: 250, to: 30).ticks.count == 10)
    }

    @Test("the spectrum section draws one chart per setting, every model's percentiles on the 1/(1−p) axis")
    func spectrumSection() throws {
        let html = Self.render(Self.records)
        let document = ReportDocument(html)
        #expect(document.error == nil, "\(String(describing: document.error))")
        #expect(html.contains("<section id=\"spectrum\">") && html.contains("href=\"#spectrum\""))
        let charts = document.elements.filter { $0.name == "svg" && $0.attributes["data-chart"] == "spectrum" }
        // The fixture's rated settings: 3 proc-ms × 2 eval-ms.
        #expect(charts.count == Fixture.procs.count * Fixture.evals.count)
        let axes = document.elements.filter {
            $0.chart == "spectrum" && $0.attributes["data-axis"] == "x" && $0.attributes["data-scale"] == "log"
        }
        #expect(axes.count == charts.count)
        for label in ["p50", "p90", "p99", "p99.9", "p99.99"] {
            #expect(axes.allSatisfy { $0.content.contains(label) }, "\(label)")
        }
        let points = document.data("point", in: "spectrum")
        // 2,000 ticks resolve p50 … p99.95 (eight percentiles), not p99.99.
        #expect(points.count == charts.count * Fixture.models.count * 8)
        let maxX = points.compactMap { Double($0.attributes["data-x"] ?? "") }.max() ?? 0
        #expect(abs(maxX - PercentileAxis.position(99.95)) < 1e-6)
        let loopP99 = try #require(
            points.first {
                $0.attributes["data-series"] == "event-loop" && $0.panel?.contains("proc 5 ms") == true
                    && $0.panel?.contains("eval 50 ms") == true && $0.attributes["data-x"] == "100"
            })
        let result = try #require(
            Self.records.compactMap(\.passedResult).first {
                $0.configuration.model == "event-loop" && $0.configuration.procMs == 5 && $0.configuration.evalMs == 50
                    && $0.configuration.rate != nil
            })
        let expected = result.processingSpectrum!.milliseconds[4]
        #expect(abs((Double(loopP99.attributes["data-y"] ?? "") ?? 0) - expected) < 1e-9)
    }

    @Test("latency over time: a small chart for each cell that fell behind, then the noisy, none for the rest")
    func timelineSection() throws {
        let html = Self.render(Self.records)
        let document = ReportDocument(html)
        #expect(document.error == nil, "\(String(describing: document.error))")
        #expect(html.contains("<section id=\"timeline\">") && html.contains("href=\"#timeline\""))
        let charts = document.elements.filter { $0.name == "svg" && $0.attributes["data-chart"] == "timeline" }
        let rated = Self.records.compactMap(\.passedResult).filter { $0.configuration.rate != nil }
        let behind = rated.filter { !$0.window.keptUp }.count
        #expect(behind > 0)
        #expect(charts.count == behind + 1)
        // Fallen behind first, the noisy one last.
        #expect(charts.dropLast().allSatisfy { $0.attributes["data-panel"]?.hasPrefix("event-loop") == true })
        #expect(charts.last?.attributes["data-panel"]?.hasPrefix("threads") == true)
        // Every non-empty interval drawn: p50, p99 and receiver lag, 9 of 10 intervals each.
        let points = document.data("point", in: "timeline")
        #expect(points.count == charts.count * 3 * 9)
        #expect(Set(points.compactMap { $0.attributes["data-stat"] }) == ["p50", "p99", "receiver-lag-max"])
        let last = try #require(
            points.first {
                $0.attributes["data-stat"] == "p99" && $0.attributes["data-x"] == "4.75"
                    && $0.attributes["data-series"] == "event-loop"
            })
        #expect(last.attributes["data-y"] == "100")
        #expect(html.contains("fell behind: throughput"))
        #expect(html.contains("noisy: others took 0.80 cores"))
    }

    @Test("many cells: the timeline charts are capped, and a note counts the ones left out")
    func timelineCap() {
        // Every rated cell noisy, and again at a second rate: twice the cells.
        let records = Self.records.flatMap { record -> [SweepRecord] in
            guard case .run(var result) = record, result.configuration.rate != nil else { return [record] }
            result.noise = NoiseAccount(
                windowSeconds: 5, cores: 2, busySeconds: 6, ownSeconds: 2, othersSeconds: 3.5, stealSeconds: 0.5)
            var slower = result
            slower.configuration.rate = 100
            slower.window.offeredRate = 100
            return [.run(result), .run(slower)]
        }
        let rated = records.compactMap(\.passedResult).filter { $0.configuration.rate != nil }.count
        #expect(rated > ReportTimeline.chartLimit)
        let html = Self.render(records)
        let charts = ReportDocument(html).elements.filter {
            $0.name == "svg" && $0.attributes["data-chart"] == "timeline"
        }
        #expect(charts.count == ReportTimeline.chartLimit)
        #expect(html.contains("\(rated - ReportTimeline.chartLimit) more cells are left out"))
    }

    @Test("records without spectra or timelines (before schema 3) leave both sections out, and the contents too")
    func absent() {
        let html = Self.render(Fixture.sweepRecords())
        #expect(ReportDocument(html).error == nil)
        #expect(!html.contains("id=\"spectrum\"") && !html.contains("href=\"#spectrum\""))
        #expect(!html.contains("id=\"timeline\"") && !html.contains("href=\"#timeline\""))
        // Timelines, but every cell kept up and was quiet: no chart of them.
        let quiet = Fixture.sweepRecords().map { record -> SweepRecord in
            guard case .run(var result) = record, result.window.keptUp else { return record }
            result.timeline = Self.timeline(result)
            return .run(result)
        }.filter { record in record.passedResult?.window.keptUp != false }
        #expect(!Self.render(quiet).contains("id=\"timeline\""))
    }
}
