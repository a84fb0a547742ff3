import Capacity
import Foundation
import Pipeline
import Results

/// Made-up capacity curves: runs on a ladder of offered loads with chosen processing latencies,
/// so that the report's knees, capacities and intervals can be checked against known figures.
extension Fixture {
    /// One run at load ρ (rate = ρ × 1000 / proc-ms) or, with `load` nil, at `rate` (a rate
    /// ladder), whose processing latency has the given p50 and p99 (ms).
    ///
    /// - Parameters:
    ///   - keptUp: the window's verdict; a run that did not keep up processed 80% of the offer.
    ///   - cpuMicros: process CPU per tick; nil leaves `cpuPerTick` out.
    ///   - noisy: others took 0.4 of a core during the window (above the 0.25 threshold), rather
    ///     than 0.01.
    public static func capacityResult(
        model: String, load: Double?, rate: Double? = nil, procMs: Double = 2, evalMs: Double = 1, p50: Double,
        p99: Double, keptUp: Bool = true, cpuMicros: Double? = nil, noisy: Bool = false, superseded: Bool = false,
        procMeasuredMs: Double? = nil
    ) -> RunResult {
        let offered = rate ?? (load ?? 0) * 1000 / max(procMs, 1e-9)
        var run = result(model: model, rate: offered, procMs: procMs, evalMs: evalMs)
        run.configuration.load = load
        run.latency.processing = LatencySummary(
            count: 1000, mean: p50 * 1.1, p50: p50, p90: (p50 + p99) / 2, p99: p99, p999: p99 * 1.2, max: p99 * 1.5)
        run.window.keptUp = keptUp
        run.window.throughput = keptUp ? offered * 0.999 : offered * 0.8
        run.cpuPerTick = cpuMicros.map { RunResult.CPUPerTick(processMicros: $0) }
        run.noise = NoiseAccount(
            windowSeconds: 5, cores: 2, busySeconds: noisy ? 4 : 2.05, ownSeconds: 2, othersSeconds: noisy ? 2 : 0.05,
            stealSeconds: 0)
        run.supersededByRerun = superseded ? true : nil
        if let procMeasuredMs { run.workload.procMeasuredMs = procMeasuredMs }
        return run
    }

    /// A ladder of loads, one run per load and repeat: `p99s[i]` is the p99 at `loads[i]` (the
    /// p50 a fifth of it), kept up while the p99 is under 100 ms; `jitter` adds `jitter × k` ms
    /// to every latency of repeat k (0, 1, 2, …), so that the repeats spread.
    public static func capacityLadder(
        model: String, loads: [Double], p99s: [Double], repeats: Int = 3, jitter: Double = 0.1, procMs: Double = 2,
        cpuMicros: Double = 2_100
    ) -> [SweepRecord] {
        precondition(loads.count == p99s.count, "one p99 per load")
        var records: [SweepRecord] = []
        for k in 0..<repeats {
            for (load, p99) in zip(loads, p99s) {
                let shift = jitter * Double(k)
                records.append(
                    .run(
                        capacityResult(
                            model: model, load: load, procMs: procMs, p50: p99 / 5 + shift, p99: p99 + shift,
                            keptUp: p99 < 100, cpuMicros: cpuMicros + 10 * Double(k))))
            }
        }
        return records
    }

    /// A machine whose floor and calibration are known: wake-up p50 50 µs, p99 120 µs, max 900 µs;
    /// clock read 25 ns; measurement 310 ns per tick; calibration 2.1 ns per round.
    public static var machineWithFloor: MachineInfo {
        var machine = Fixture.machine
        machine.floor = MachineFloor(
            wakeUp: WakeUpLateness(
                sleepNanoseconds: 1_000_000, samples: 2_000, p50Nanoseconds: 50_000, p99Nanoseconds: 120_000,
                maxNanoseconds: 900_000, timerSlackNanoseconds: 1),
            clockRead: ClockReadCost(
                batches: 31, readsPerBatch: 10_000, medianNanosecondsPerRead: 25, minNanosecondsPerRead: 24,
                maxNanosecondsPerRead: 40),
            measurement: MeasurementCost(
                clockReadsPerTick: 6, recordsPerTick: 8, ticks: 100_000, medianNanosecondsPerTick: 310,
                minNanosecondsPerTick: 300, maxNanosecondsPerTick: 420))
        machine.calibration = MachineInfo.SweepCalibration(
            nanosPerRound: 2.1, trials: 9, minNanosPerRound: 2.05, maxNanosPerRound: 2.2)
        return machine
    }
}
