import Capacity
import Foundation
import Pipeline
import Results
import TestSupport
import Testing

@testable import Run

/// What a run's record carries for capacity (issue 10): where its calibration came from, the
/// outside load of its window, and CPU per tick, and how the run table shows them.
@Suite("Run records: calibration source, noise, CPU per tick")
struct CapacityRecordTests {
    @Test("a given calibration is used as it is and the record says so; without one the run measures its own")
    func calibrationSource() async throws {
        let given = Workload.Calibration(nanosPerRound: 1.234_567_89)
        let configuration = lightConfiguration("threads", duration: 0.1)
        let withGiven = try await offPool { try LabRun.run(configuration, calibration: given) }
        #expect(withGiven.workload.calibrationNanosPerRound == given.nanosPerRound)
        #expect(withGiven.workload.calibrationSource == .given)
        #expect(withGiven.selfCheck.passed, "\(withGiven.selfCheck.failures)")
        let measured = try await offPool { try LabRun.run(configuration) }
        #expect(measured.workload.calibrationSource == .measured)
        #expect(measured.workload.calibrationNanosPerRound > 0)
    }

    @Test("a given calibration gives the rounds the request asks for at that cost per round")
    func givenCalibrationRounds() {
        // 0.5 ms at 2.5 ns a round: 200 000 rounds, whatever this machine would have measured.
        let work = Workload(requested: LabRun.duration(milliseconds: 0.5), calibration: .init(nanosPerRound: 2.5))
        #expect(work.rounds == 200_000)
    }

    @Test("a run on Linux records the outside load of its window")
    func runRecordsNoise() async throws {
        let result = try await run(lightConfiguration("threads", duration: 0.1))
        #if os(Linux)
            let noise = try #require(result.noise)
            #expect(noise.cores > 0 && noise.windowSeconds > 0)
            #expect(noise.ownSeconds >= 0 && noise.othersSeconds >= 0 && noise.stealSeconds >= 0)
        #else
            #expect(result.noise == nil)
        #endif
    }

    static func snapshot(user: UInt64, system: UInt64 = 0, idle: UInt64 = 0, steal: UInt64 = 0, cpus: Int = 2)
        -> ProcStatSnapshot
    {
        ProcStatSnapshot(aggregate: CPUTimes(user: user, system: system, idle: idle, steal: steal), cpuCount: cpus)
    }

    @Test("the noise window accounts the ticks between its readings against the process's own CPU")
    func noiseWindowAccount() throws {
        let window = try #require(
            NoiseWindow.open(readStat: { Self.snapshot(user: 1_000, system: 500) }, readOwn: { 3.0 }, now: 1_000))
        // 2 s of window; 150 ticks busy (1.5 s at 100 Hz), 0.5 s of it this process's; 20 steal.
        let account = try #require(
            window.close(
                readStat: { Self.snapshot(user: 1_100, system: 550, steal: 20) }, readOwn: { 3.5 },
                now: 2_000_001_000, ticksPerSecond: 100))
        #expect(account.windowSeconds == 2 && account.cores == 2)
        #expect(account.busySeconds == 1.5 && account.ownSeconds == 0.5 && account.othersSeconds == 1)
        #expect(account.stealSeconds == 0.2)
        #expect(abs(account.outsideCores - 0.6) < 1e-12)
        #expect(account.isNoisy())
    }

    @Test("no noise account where /proc/stat or the process's CPU cannot be read")
    func noiseUnreadable() throws {
        #expect(NoiseWindow.open(readStat: { nil }) == nil)
        #expect(NoiseWindow.open(readStat: { Self.snapshot(user: 1) }, readOwn: { nil }) == nil)
        let window = try #require(NoiseWindow.open(readStat: { Self.snapshot(user: 1) }, readOwn: { 0 }))
        #expect(window.close(readStat: { nil }) == nil)
        #expect(window.close(readStat: { Self.snapshot(user: 2) }, readOwn: { nil }) == nil)
    }

    @Test("CPU per tick: microseconds of each CPU figure per processed tick, nil with nothing processed")
    func cpuPerTick() throws {
        let threaded = RunResult.CPU(receiver: 0.01, processor: 0.5, evaluator: 0.2, process: 0.8)
        let perTick = try #require(LabRun.cpuPerTick(threaded, processed: 1_000))
        #expect(perTick.processMicros == 800)
        #expect(perTick.receiverMicros == 10 && perTick.processorMicros == 500 && perTick.evaluatorMicros == 200)
        #expect(perTick.sharedMicros == nil)
        let shared = RunResult.CPU(shared: 0.3, sharedBy: "the event loop", process: 0.4)
        let sharedPerTick = try #require(LabRun.cpuPerTick(shared, processed: 4_000))
        #expect(sharedPerTick.sharedMicros == 75 && sharedPerTick.processMicros == 100)
        #expect(sharedPerTick.receiverMicros == nil && sharedPerTick.processorMicros == nil)
        #expect(LabRun.cpuPerTick(threaded, processed: 0) == nil)
    }

    @Test("a run's record carries CPU per tick: its process CPU over its processed ticks")
    func runRecordsCPUPerTick() async throws {
        let result = try await run(lightConfiguration("threads", duration: 0.1))
        #expect(result.ticks.processed > 0)
        let perTick = try #require(result.cpuPerTick)
        #expect(perTick.processMicros == result.cpuSeconds.process * 1e6 / Double(result.ticks.processed))
        #expect(perTick.processorMicros != nil, "threads runs the processor on a thread of its own")
    }

    @Test("the run table shows CPU per tick, the calibration's source and the outside load, noisy past the threshold")
    func table() throws {
        var result = Fixture.result(model: "threads", procMs: 1, evalMs: 5, duration: 1)
        result.cpuPerTick = .init(processMicros: 41.5, processorMicros: 30.25)
        result.workload.calibrationSource = .given
        result.noise = NoiseAccount(
            windowSeconds: 10, cores: 2, busySeconds: 8, ownSeconds: 7.5, othersSeconds: 0.5, stealSeconds: 0.1)
        let quiet = RunTable.render(result)
        #expect(quiet.contains("cpu/tick    µs per processed tick: processor 30.25, process 41.50"), "\(quiet)")
        #expect(quiet.contains("(given)"))
        #expect(quiet.contains("noise       outside load 0.060 cores"), "\(quiet)")
        #expect(!quiet.contains("NOISY"))
        result.noise?.othersSeconds = 3
        let noisy = RunTable.render(result)
        #expect(noisy.contains("outside load 0.310 cores") && noisy.contains("NOISY"), "\(noisy)")
        result.noise = nil
        result.cpuPerTick = nil
        let none = RunTable.render(result)
        #expect(!none.contains("noise ") && !none.contains("cpu/tick"))
    }
}
