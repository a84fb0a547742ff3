import Foundation
import Pipeline
import Results
import TestSupport
import Testing

@Suite("The run record's spectrum and timeline (schema 3)")
struct RunResultDistributionTests {
    static func withDistribution() -> RunResult {
        var result = Fixture.result(model: "threads", procMs: 0.5, evalMs: 1)
        result.processingSpectrum = RunResult.Spectrum(
            percentiles: LatencySpectrum.standardPercentiles,
            milliseconds: [0.6, 0.7, 0.9, 1.1, 2.5, 3, 4.25, 5, 8], count: 1_000, max: 9.5)
        result.timeline = RunResult.Timeline(
            intervalSeconds: 0.1, startSeconds: 0, capacity: 128, merges: 0,
            intervals: [
                .init(count: 20, p50: 0.6, p99: 2.5, max: 2.5, receiverLagMax: 0.05),
                .init(count: 0, p50: 0, p99: 0, max: 0, receiverLagMax: 0),
                .init(count: 21, p50: 0.65, p99: 9.5, max: 9.5, receiverLagMax: 8.75),
            ])
        return result
    }

    @Test("a record with a spectrum and a timeline encodes and decodes to itself, at schema 3")
    func roundTrip() throws {
        let result = Self.withDistribution()
        #expect(result.schemaVersion == 3 && RunResult.currentSchemaVersion == 3)
        let line = try ResultCoding.jsonLine(result)
        #expect(line.contains("\"processingSpectrum\":{") && line.contains("\"timeline\":{"))
        #expect(line.contains("\"receiverLagMax\":8.75"))
        #expect(try ResultCoding.decode(line) == result)
    }

    @Test("a schema 2 record, without the two fields, still decodes, with neither")
    func oldRecord() throws {
        var old = Fixture.result(model: "threads", procMs: 0.5, evalMs: 1)
        old.schemaVersion = 2
        let line = try ResultCoding.jsonLine(old)
        #expect(!line.contains("processingSpectrum") && !line.contains("timeline"))
        let decoded = try ResultCoding.decode(line)
        #expect(decoded.schemaVersion == 2)
        #expect(decoded.processingSpectrum == nil && decoded.timeline == nil)
        #expect(decoded == old)
    }

    @Test("a spectrum resolves the percentiles its ticks can tell from the maximum: p99.9 needs 1,000 ticks")
    func resolved() {
        var spectrum = Self.withDistribution().processingSpectrum!
        #expect(spectrum.resolved.map(\.percentile) == [50, 75, 90, 95, 99, 99.5, 99.9])
        spectrum.count = 10_000
        #expect(spectrum.resolved.count == 9)
        spectrum.count = 1
        #expect(spectrum.resolved.map(\.percentile) == [50])
    }

    @Test("a recorded timeline and spectrum convert to milliseconds, the timeline's start from the window's")
    func converted() throws {
        var timeline = LatencyTimeline(capacity: 8, initialWidth: .milliseconds(100))
        timeline.record(2_000_000, at: 1_050_000_000, receiverLag: 500_000)
        timeline.record(4_000_000, at: 1_250_000_000, receiverLag: 0)
        let record = try #require(RunResult.Timeline(timeline, windowStart: 1_000_000_000))
        #expect(record.intervalSeconds == 0.1 && record.capacity == 8 && record.merges == 0)
        #expect(abs(record.startSeconds - 0.05) < 1e-12)
        #expect(record.intervals.map(\.count) == [1, 0, 1])
        #expect(record.intervals[0].max == 2 && record.intervals[0].receiverLagMax == 0.5)
        #expect(abs(record.start(of: 2) - 0.25) < 1e-12)
        #expect(RunResult.Timeline(LatencyTimeline(), windowStart: 0) == nil)

        var recorder = LatencyRecorder()
        recorder.record(3_000_000)
        let spectrum = try #require(RunResult.Spectrum(recorder.spectrum()))
        #expect(spectrum.count == 1 && spectrum.max == 3 && spectrum.milliseconds.allSatisfy { $0 == 3 })
        #expect(RunResult.Spectrum(LatencyRecorder().spectrum()) == nil)
    }
}
