import Pipeline
import Results
import Run
import Testing

/// A run's record carries its processing latency as a spectrum and over time (schema 3), on
/// short real runs: structure and counts only, never timing.
@Suite("Run records: spectrum and timeline")
struct DistributionRecordTests {
    @Test("a run's spectrum counts every processed tick and agrees with its processing summary")
    func spectrum() async throws {
        let result = try await run(lightConfiguration("threads", rate: 1_000, duration: 0.3))
        let spectrum = try #require(result.processingSpectrum)
        #expect(spectrum.count == result.ticks.processed && spectrum.count > 0)
        #expect(spectrum.percentiles == LatencySpectrum.standardPercentiles)
        #expect(spectrum.max == result.latency.processing.max)
        let p50 = try #require(spectrum.percentiles.firstIndex(of: 50))
        let p99 = try #require(spectrum.percentiles.firstIndex(of: 99))
        #expect(spectrum.milliseconds[p50] == result.latency.processing.p50)
        #expect(spectrum.milliseconds[p99] == result.latency.processing.p99)
        #expect(spectrum.milliseconds == spectrum.milliseconds.sorted())
    }

    @Test("a run's timeline holds every processed tick in intervals from the window's start")
    func timeline() async throws {
        let result = try await run(lightConfiguration("event-loop", rate: 1_000, duration: 0.3))
        let timeline = try #require(result.timeline)
        #expect(timeline.intervals.reduce(0) { $0 + $1.count } == result.ticks.processed)
        #expect(timeline.intervals.count <= timeline.capacity)
        // The synthetic feed's first tick is due at the window's start.
        #expect(timeline.startSeconds >= 0 && timeline.startSeconds < timeline.intervalSeconds)
        #expect(timeline.intervalSeconds == 0.1 && timeline.merges == 0)
        let largest = timeline.intervals.map(\.max).max() ?? 0
        #expect(largest == result.latency.processing.max)
    }
}
