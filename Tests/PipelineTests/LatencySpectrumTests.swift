import Pipeline
import PropertyBased
import Testing

@Suite("Latency spectrum: the value at p50 … p99.99 of a run's histogram")
struct LatencySpectrumTests {
    /// The exact percentile of `sorted`: rank ⌈p/100 · n⌉ taken just below p, at least 1.
    static func exact(_ sorted: [UInt64], _ percentile: Double) -> UInt64 {
        let rank = max(1, Int((percentile.nextDown / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    static func check(_ values: [UInt64]) {
        var recorder = LatencyRecorder()
        for value in values { recorder.record(value) }
        let spectrum = recorder.spectrum()
        let sorted = values.sorted()
        #expect(spectrum.percentiles == LatencySpectrum.standardPercentiles)
        #expect(spectrum.count == UInt64(values.count))
        #expect(spectrum.max == sorted.last)
        for (percentile, value) in zip(spectrum.percentiles, spectrum.nanoseconds) {
            let reference = exact(sorted, percentile)
            #expect(
                value >= reference && value - reference <= reference / 1_024 && value <= spectrum.max,
                "p\(percentile): \(value) against \(reference)")
        }
        #expect(spectrum.nanoseconds == spectrum.nanoseconds.sorted(), "a spectrum never falls")
    }

    @Test("a known distribution: 20,000 latencies from 1 µs to 20 ms, and a tail of ten 1-second stalls")
    func knownContents() {
        let body = (1...20_000).map { UInt64($0) * 1_000 }
        let stalls = Array(repeating: UInt64(1_000_000_000), count: 10)
        Self.check(body + stalls)
        var recorder = LatencyRecorder()
        for value in body + stalls { recorder.record(value) }
        let spectrum = recorder.spectrum()
        // 10 stalls in 20,010: p99.95 (rank 20,000) is still the body, p99.99 (rank 20,008) a stall.
        #expect(spectrum.nanoseconds[spectrum.percentiles.firstIndex(of: 99.95)!] < 21_000_000)
        #expect(spectrum.nanoseconds[spectrum.percentiles.firstIndex(of: 99.99)!] == 1_000_000_000)
    }

    @Test("random latencies over every power of two agree with a sorted array to three digits")
    func randomContents() async {
        let latencies = zip(Gen.int(in: 0...42), Gen.uint64()).array(of: 1...300)
        await propertyCheck(count: 200, input: latencies) { raw in
            Self.check(
                raw.map { exponent, bits in min(bits >> UInt64(63 - exponent), LatencyHistogram.highestTrackable) })
        }
    }

    @Test("an empty recorder's spectrum has no count and zero values")
    func empty() {
        let spectrum = LatencyRecorder().spectrum()
        #expect(spectrum.count == 0 && spectrum.max == 0)
        #expect(spectrum.nanoseconds.allSatisfy { $0 == 0 })
    }
}
