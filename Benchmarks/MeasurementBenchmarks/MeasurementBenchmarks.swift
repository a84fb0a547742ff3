import Benchmark
import Clocks
import Pipeline

// What the lab's own measurement costs on the hot path (issue 11: at most 25 ns a tick, every
// tick measured). Each iteration is 1M operations (`scalingFactor: .mega`), so the wall clock
// column reads as nanoseconds per operation: per stamp, per record, per tick.
//
// - "stamp …": one stage stamp, `StampClock.now()` (the time-stamp counter where invariant)
//   against `MonotonicClock.now()` (clock_gettime).
// - "record": one `LatencyRecorder.record` of a latency in the microseconds.
// - "tick, saturated …": `MeasurementOverhead.TickPath.saturatedBatch`, the stamps and records
//   of ticks in spin-ring's batches of 8 at saturation, the batch's newest state evaluated:
//   the hot path issue 11 is about, whose target is 25 ns a tick.
// - "tick, saturated: the receiver's / processor's / evaluator's share": the same batch, one
//   stage's stamps and records alone, per tick of the batch. At saturation each stage has a core
//   of its own (spin-ring's receiver and processor are pinned), so the pipeline's pace is the
//   slowest stage's, and the measurement takes from it that stage's share, not the sum.
// - "tick, alone": `TickPath.loneTick`, a tick alone in its batch and evaluated (5 stamps, 7
//   records), what `ticklab floor` reports: the most a tick's measurement costs.
//
// Run from Benchmarks/:
//   swift package --scratch-path ../.build-bench benchmark --target MeasurementBenchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 31
    )

    Benchmark("stamp StampClock.now") { benchmark in
        var clock = StampClock()
        var sum: UInt64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { sum &+= clock.now() }
        benchmark.stopMeasurement()
        Pipeline.blackHole(sum)
    }

    Benchmark("stamp MonotonicClock.now (clock_gettime)") { benchmark in
        var sum: UInt64 = 0
        for _ in benchmark.scaledIterations { sum &+= MonotonicClock.now() }
        Pipeline.blackHole(sum)
    }

    Benchmark("record LatencyRecorder.record") { benchmark in
        var recorder = LatencyRecorder()
        // Latencies of 1 to 33 µs, a new one each time, as consecutive ticks' hops differ.
        var latency: UInt64 = 1_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            recorder.record(latency)
            latency = 1_000 &+ (latency &* 2_654_435_761) & 0x7FFF
        }
        benchmark.stopMeasurement()
        Pipeline.blackHole(recorder.count)
    }

    /// `name`, timing `batch` on one path once for every 8 of the iterations: ns per tick of
    /// a batch of 8.
    func perTickOfBatchesOf8(_ name: String, _ batch: @escaping @Sendable (inout MeasurementOverhead.TickPath) -> Void)
    {
        Benchmark(name) { benchmark in
            var path = MeasurementOverhead.TickPath()
            let batches = benchmark.scaledIterations.count / 8
            benchmark.startMeasurement()
            for _ in 0..<batches { batch(&path) }
            benchmark.stopMeasurement()
            Pipeline.blackHole(path.records)
        }
    }

    perTickOfBatchesOf8("tick, saturated (batches of 8)") { $0.saturatedBatch(ticks: 8) }
    perTickOfBatchesOf8("tick, saturated: the receiver's share") { $0.receiverShare(ticks: 8) }
    perTickOfBatchesOf8("tick, saturated: the processor's share") { $0.processorShare(ticks: 8) }
    perTickOfBatchesOf8("tick, saturated: the evaluator's share") { $0.evaluatorShare() }

    Benchmark("tick, alone (5 stamps, 7 records)") { benchmark in
        var path = MeasurementOverhead.TickPath()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { path.loneTick() }
        benchmark.stopMeasurement()
        Pipeline.blackHole(path.records)
    }
}
