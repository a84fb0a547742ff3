import Foundation
import Models
import Pipeline
import Results
import TestSupport
import Testing

@testable import Run

/// The cost record of a run (issue 12): context switches, allocations, threads and the idle burn,
/// on short real runs (structure and lower bounds only, never timing) and on made-up readings.
@Suite("Run records: cost")
struct CostRecordTests {
    @Test("a threads run records per-stage and process switches, threads and an idle stretch")
    func threadsRun() async throws {
        let result = try await run(lightConfiguration("threads", rate: 500, duration: 0.2))
        // The cost record came with schema 2; later versions keep it.
        #expect(result.schemaVersion == RunResult.currentSchemaVersion && RunResult.currentSchemaVersion >= 2)
        #expect(result.ticks.processed > 0)
        let cost = try #require(result.cost)
        // Every stage waits on a condition or a sleep between ticks at least once: voluntary.
        for stage in [cost.receiver, cost.processor, cost.evaluator] {
            let usage = try #require(stage, "threads gives each stage a thread of its own")
            #expect(usage.voluntaryContextSwitches > 0)
            #expect(usage.voluntaryContextSwitchesPerTick != nil)
        }
        #expect(cost.shared == nil)
        #expect(cost.process.voluntaryContextSwitches > 0)
        let perTick = try #require(cost.process.contextSwitchesPerTick)
        // The sum of the two per-tick rates: equal to the total over the ticks up to rounding.
        let expected =
            Double(cost.process.voluntaryContextSwitches + cost.process.involuntaryContextSwitches)
            / Double(result.ticks.processed)
        #expect(abs(perTick - expected) <= 1e-9 * expected, "\(perTick) against \(expected)")
        // The calling thread and the three stage threads at least, the stage threads new.
        #expect(cost.threads.peak >= 4)
        #expect(cost.threads.created >= 3)
        #expect(cost.threads.ranStageWork == nil)
        let idle = try #require(cost.idle, "a synthetic feed has an idle stretch before its first tick")
        #expect(idle.seconds > 0 && idle.cpuSeconds >= 0 && idle.cores == idle.cpuSeconds / idle.seconds)
        if AllocationCounter.isAvailable {
            // Every tick is at least one heap allocation somewhere (the receiver's batch array).
            let allocations = try #require(cost.process.allocations)
            #expect(allocations > 0 && cost.process.allocationsPerTick != nil)
            #expect(cost.allocationsUnavailable == nil)
        } else {
            #expect(cost.process.allocations == nil && cost.allocationsUnavailable != nil)
        }
    }

    @Test("pool-based models record the threads that ran stage work, and the shared threads' usage")
    func poolRuns() async throws {
        for model in ["tasks", "dispatch", "event-loop", "task-executors"] {
            let result = try await run(lightConfiguration(model, rate: 500, duration: 0.2))
            let cost = try #require(result.cost, "\(model)")
            let width = try #require(cost.threads.ranStageWork, "\(model) records its workers")
            #expect(width >= 1, "\(model)")
            if model == "event-loop" { #expect(width == 1, "one loop thread runs every stage") }
            if model == "task-executors" {
                #expect(width == 3, "each stage runs on its own executor's thread")
                #expect(cost.receiver != nil && cost.processor != nil && cost.evaluator != nil)
            } else {
                let shared = try #require(cost.shared, "\(model) shares threads between stages")
                #expect(shared.voluntaryContextSwitches > 0, "\(model)")
            }
        }
    }

    @Test("the process's figures are taken from the window's start, less the probe's own")
    func processArithmetic() {
        let findings = CostProbe.Findings(
            idle: .init(seconds: 0.2, cpuSeconds: 0.1),
            processAtWindowStart: ThreadUsage(
                voluntaryContextSwitches: 100, involuntaryContextSwitches: 10, allocations: 1_000),
            probeSinceWindowStart: ThreadUsage(
                voluntaryContextSwitches: 20, involuntaryContextSwitches: 1, allocations: 40),
            peakThreads: 9, createdThreads: 4, sampleIntervalMilliseconds: 50)
        let cost = LabRun.cost(
            findings,
            processUsage: ThreadUsage(
                voluntaryContextSwitches: 620, involuntaryContextSwitches: 61, allocations: 5_040),
            stages: StageUsage(
                processor: ThreadUsage(voluntaryContextSwitches: 7, involuntaryContextSwitches: 3, allocations: 2),
                workerThreads: 2),
            processed: 100)
        #expect(cost.process.voluntaryContextSwitches == 500 && cost.process.involuntaryContextSwitches == 50)
        #expect(cost.process.allocations == 4_000 && cost.process.allocationsPerTick == 40)
        #expect(cost.process.voluntaryContextSwitchesPerTick == 5 && cost.process.contextSwitchesPerTick == 5.5)
        #expect(cost.processor?.contextSwitchesPerTick == 0.1 && cost.receiver == nil)
        #expect(cost.threads.peak == 9 && cost.threads.created == 4 && cost.threads.ranStageWork == 2)
        #expect(cost.idle?.cores == 0.5)
        // Nothing processed: counts, but no per-tick figures.
        let empty = LabRun.cost(
            findings, processUsage: findings.processAtWindowStart, stages: StageUsage(), processed: 0)
        #expect(empty.process.voluntaryContextSwitchesPerTick == nil && empty.process.allocationsPerTick == nil)
    }

    @Test("the thread census reads the numeric entries of a task directory")
    func threadCensus() throws {
        let directory = temporaryPath("task")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["101", "202", "303", "not-a-thread"] {
            try FileManager.default.createDirectory(
                atPath: directory + "/" + name, withIntermediateDirectories: true)
        }
        #expect(CostProbe.liveThreads(directory: directory) == [101, 202, 303])
        #expect(CostProbe.liveThreads(directory: directory + "/missing") == nil)
        let live = try #require(CostProbe.liveThreads())
        #expect(live.contains(ThreadIdentity.current()))
    }

    @Test("the run table shows the idle burn, switches, allocations and threads")
    func table() {
        var result = Fixture.costResult(model: "spin-ring", idleCores: 1.5, ranStageWork: nil)
        let text = RunTable.render(result)
        #expect(text.contains("idle burn   1.500 cores (300.0 ms CPU over 0.20 s with nothing due)"), "\(text)")
        #expect(text.contains("switches    voluntary+involuntary: receiver 500+125 (0.625/tick)"), "\(text)")
        #expect(text.contains("process 2000+500 (2.500/tick)"), "\(text)")
        #expect(text.contains("allocs      heap allocations: receiver 750 (0.75/tick)"), "\(text)")
        #expect(text.contains("threads     peak 6 alive, 3 created during the run (sampled every 50 ms)"), "\(text)")
        result.cost = Fixture.costResult(model: "tasks", allocations: nil, ranStageWork: 2, stageThreads: false).cost
        let pool = RunTable.render(result)
        #expect(pool.contains("allocs      not counted: a sanitizer replaces malloc in this build"), "\(pool)")
        #expect(pool.contains(", 2 ran stage work"), "\(pool)")
        result.cost = nil
        #expect(!RunTable.render(result).contains("idle burn"))
    }
}
