import Foundation
import Pipeline
import Results

/// Made-up cost records (schema 2), so that the cost section, the CSV and the table can be
/// checked against known figures.
extension Fixture {
    /// A run of `model` at 200 ticks/s that processed `processed` ticks, with the given process
    /// counts (so that per tick = count ÷ processed), thread figures and idle burn.
    public static func costResult(
        model: String, procMs: Double = 2, processed: UInt64 = 1_000, cpuMicros: Double = 40,
        idleCores: Double? = 0.01, voluntary: UInt64 = 2_000, involuntary: UInt64 = 500,
        allocations: UInt64? = 3_000, peak: Int = 6, created: Int = 3, ranStageWork: Int? = nil,
        stageThreads: Bool = true
    ) -> RunResult {
        var run = result(model: model, procMs: procMs, evalMs: 1)
        run.ticks.processed = processed
        run.cpuPerTick = RunResult.CPUPerTick(processMicros: cpuMicros)
        func usage(_ v: UInt64, _ i: UInt64, _ a: UInt64?) -> RunResult.Cost.Usage {
            RunResult.Cost.Usage(
                voluntaryContextSwitches: v, involuntaryContextSwitches: i, allocations: a, processedTicks: processed)
        }
        run.cost = RunResult.Cost(
            process: usage(voluntary, involuntary, allocations),
            receiver: stageThreads ? usage(voluntary / 4, involuntary / 4, allocations.map { $0 / 4 }) : nil,
            processor: stageThreads ? usage(voluntary / 2, involuntary / 2, allocations.map { $0 / 2 }) : nil,
            evaluator: stageThreads ? usage(voluntary / 4, involuntary / 4, allocations.map { $0 / 4 }) : nil,
            shared: stageThreads ? nil : usage(voluntary, involuntary, allocations),
            threads: .init(peak: peak, created: created, ranStageWork: ranStageWork, sampleIntervalMilliseconds: 50),
            idle: idleCores.map { RunResult.Cost.IdleBurn(seconds: 0.2, cpuSeconds: $0 * 0.2) },
            allocationsUnavailable: allocations == nil ? "a sanitizer replaces malloc in this build" : nil)
        return run
    }
}
