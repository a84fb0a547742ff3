import Capacity
import Foundation
import Locks
import Pipeline
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// A sweep's start-up and reruns (issue 10): one calibration for every cell, the machine's floor
/// in machine.json, noisy cells run again.
@Suite("Sweep start-up: calibration, floor, reruns of noisy cells")
struct SweepCapacityTests {
    static let quiet = NoiseAccount(
        windowSeconds: 1, cores: 2, busySeconds: 1, ownSeconds: 1, othersSeconds: 0.01, stealSeconds: 0)
    static let noisy = NoiseAccount(
        windowSeconds: 1, cores: 2, busySeconds: 1.5, ownSeconds: 1, othersSeconds: 0.5, stealSeconds: 0.1)

    static func calibrations(in arguments: [[String]]) -> [String?] {
        arguments.map { words in words.firstIndex(of: "--calibration").map { words[$0 + 1] } }
    }

    @Test("every child gets the sweep's one calibration, the one machine.json holds")
    func calibrationHandedToEveryChild() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        for model in ["event-loop", "threads"] {
            for proc in [1.0, 2] { try fake.prepare(SweepRunnerTests.result(model, proc: proc)) }
        }
        let measured = Locked(0)
        var options = fake.options
        options.calibrate = {
            measured.withLock { $0 += 1 }
            return FakeTicklab.calibration
        }
        let chosen = options
        let plan = SweepRunnerTests.plan(models: ["event-loop", "threads"])
        let summary = try await offPool {
            try SweepRunner(
                plan: plan, directory: SweepResultsDirectory(path: out), machine: SweepRunnerTests.machine,
                options: chosen
            ).run()
        }
        #expect(summary.ran == 4)
        #expect(measured.withLock { $0 } == 1, "the calibration is measured once, before the first cell")
        #expect(Self.calibrations(in: fake.arguments) == Array(repeating: "2.125", count: 4))
        let machine = try #require(MachineInfo.load(SweepResultsDirectory(path: out).machinePath))
        #expect(machine.calibration == FakeTicklab.calibration)
    }

    @Test("a resumed sweep hands its children the calibration machine.json holds, not a new one")
    func resumeKeepsCalibration() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        for proc in [1.0, 2] { try fake.prepare(SweepRunnerTests.result("threads", proc: proc)) }
        let plan = SweepRunnerTests.plan(models: ["threads"])
        fake.failing("threads", true)
        _ = try await SweepRunnerTests.sweep(plan, in: out, fake: fake)
        fake.failing("threads", false)
        var options = fake.options
        options.retryFailed = true
        options.calibrate = {
            MachineInfo.SweepCalibration(nanosPerRound: 9, trials: 1, minNanosPerRound: 9, maxNanosPerRound: 9)
        }
        let chosen = options
        let summary = try await offPool {
            try SweepRunner(
                plan: plan, directory: SweepResultsDirectory(path: out), machine: SweepRunnerTests.machine,
                options: chosen
            ).run()
        }
        #expect(summary.ran == 2 && summary.failed == 0)
        #expect(Self.calibrations(in: fake.arguments) == Array(repeating: "2.125", count: 4))
        #expect(MachineInfo.load(SweepResultsDirectory(path: out).machinePath)?.calibration == FakeTicklab.calibration)
    }

    @Test("the floor is measured into machine.json before the first cell")
    func floorInMachine() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        try fake.prepare(SweepRunnerTests.result("threads", proc: 1))
        let floor = MachineFloor(
            wakeUp: WakeUpLateness(
                sleepNanoseconds: 1_000_000, samples: 100, p50Nanoseconds: 60_000, p99Nanoseconds: 90_000,
                maxNanoseconds: 400_000, timerSlackNanoseconds: 1),
            clockRead: ClockReadCost(
                batches: 3, readsPerBatch: 10, medianNanosecondsPerRead: 21, minNanosecondsPerRead: 20,
                maxNanosecondsPerRead: 30),
            measurement: MeasurementCost(
                clockReadsPerTick: 5, recordsPerTick: 7, ticks: 100, medianNanosecondsPerTick: 150,
                minNanosecondsPerTick: 140, maxNanosecondsPerTick: 200))
        var options = fake.options
        options.measureFloor = { floor }
        let chosen = options
        _ = try await offPool {
            try SweepRunner(
                plan: SweepRunnerTests.plan(models: ["threads"], procs: ["1"]),
                directory: SweepResultsDirectory(path: out),
                machine: SweepRunnerTests.machine, options: chosen
            ).run()
        }
        #expect(MachineInfo.load(SweepResultsDirectory(path: out).machinePath)?.floor == floor)
    }

    @Test("the sweep's own floor is the machine's floor with the measurement's cost per tick")
    func standardFloorHasMeasurementCost() throws {
        let floor = SweepStartUp.floor()
        let cost = try #require(floor.measurement)
        #expect(cost.clockReadsPerTick == MeasurementOverhead.clockReadsPerTick && cost.medianNanosecondsPerTick > 0)
        #expect(floor.wakeUp.samples == SweepStartUp.floorSleeps)
        let calibration = SweepStartUp.calibration()
        #expect(calibration.trials == Workload.Calibration.sweepTrials)
        #expect(
            calibration.minNanosPerRound <= calibration.nanosPerRound
                && calibration.nanosPerRound <= calibration.maxNanosPerRound)
    }

    static func trials(_ nanosPerRound: Double) -> Workload.Calibration.Trials {
        Workload.Calibration.Trials(
            calibration: Workload.Calibration(nanosPerRound: nanosPerRound), count: 21,
            minNanosPerRound: nanosPerRound - 0.01, maxNanosPerRound: nanosPerRound + 0.01)
    }

    /// Runs the calibration loop on scripted attempts: the n-th attempt measures
    /// `attempts[n].nanos` in a window whose account is `attempts[n].noise`.
    static func calibrate(_ attempts: [(nanos: Double, noise: NoiseAccount?)], limit: Int)
        -> (calibration: MachineInfo.SweepCalibration, measured: Int, pauses: Int)
    {
        var measured = 0
        var pauses = 0
        let calibration = SweepStartUp.calibration(attempts: limit) {
            defer { measured += 1 }
            return (trials(attempts[measured].nanos), attempts[measured].noise)
        } pause: {
            pauses += 1
        }
        return (calibration, measured, pauses)
    }

    @Test("a quiet first calibration is kept at once, with its noise and one attempt")
    func quietCalibrationIsKept() {
        let run = Self.calibrate([(2.0, Self.quiet), (9, Self.quiet)], limit: 3)
        #expect(run.measured == 1 && run.pauses == 0)
        #expect(run.calibration.nanosPerRound == 2.0)
        #expect(run.calibration.noise == Self.quiet && run.calibration.attempts == 1)
        #expect(run.calibration.trials == 21 && run.calibration.minNanosPerRound == 1.99)
    }

    @Test("a noisy calibration is tried again after a pause, and the first quiet attempt kept")
    func noisyCalibrationIsRetried() {
        let run = Self.calibrate([(2.2, Self.noisy), (2.0, Self.quiet), (9, Self.quiet)], limit: 3)
        #expect(run.measured == 2 && run.pauses == 1)
        #expect(run.calibration.nanosPerRound == 2.0 && run.calibration.attempts == 2)
        #expect(run.calibration.noise == Self.quiet)
    }

    @Test("when every attempt is noisy, the quietest is kept and the record says it was noisy")
    func quietestOfNoisyAttempts() {
        let lessNoisy = NoiseAccount(
            windowSeconds: 1, cores: 2, busySeconds: 1.3, ownSeconds: 1, othersSeconds: 0.3, stealSeconds: 0)
        let run = Self.calibrate([(2.3, Self.noisy), (2.1, lessNoisy), (2.4, Self.noisy)], limit: 3)
        #expect(run.measured == 3 && run.pauses == 2)
        #expect(run.calibration.nanosPerRound == 2.1 && run.calibration.attempts == 3)
        #expect(run.calibration.noise == lessNoisy && run.calibration.noise?.isNoisy() == true)
    }

    @Test("a machine whose noise cannot be read is taken as quiet: one attempt, no account")
    func unreadableNoiseIsOneAttempt() {
        let run = Self.calibrate([(2.0, nil), (9, nil)], limit: 3)
        #expect(run.measured == 1 && run.calibration.nanosPerRound == 2.0)
        #expect(run.calibration.noise == nil && run.calibration.attempts == 1)
    }

    /// A fake `ticklab` that prints `record-1.json`, `record-2.json`, … on its successive calls,
    /// and the last of them once it runs out.
    struct SequenceTicklab {
        let directory = Fixture.temporaryDirectory("sequence-ticklab")

        init(_ results: [RunResult]) throws {
            let script = """
                #!/bin/sh
                dir=$(dirname "$0")
                n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
                echo "$n" > "$dir/count"
                if [ -f "$dir/record-$n.json" ]; then cat "$dir/record-$n.json"; else cat "$dir/record-last.json"; fi

                """
            _ = FileManager.default.createFile(atPath: directory + "/ticklab.sh", contents: Data(script.utf8))
            for (index, result) in results.enumerated() {
                let line = try ResultCoding.jsonLine(result) + "\n"
                try line.write(toFile: "\(directory)/record-\(index + 1).json", atomically: true, encoding: .utf8)
                if index == results.count - 1 {
                    try line.write(toFile: "\(directory)/record-last.json", atomically: true, encoding: .utf8)
                }
            }
        }

        var calls: Int {
            Int(((try? String(contentsOfFile: directory + "/count", encoding: .utf8)) ?? "0").filter(\.isNumber)) ?? 0
        }

        func sweep(rerunNoisy: Int, in out: String) async throws -> SweepRunner.Summary {
            let options = SweepRunner.Options(
                executable: "/bin/sh", leadingArguments: [directory + "/ticklab.sh"],
                calibrate: { FakeTicklab.calibration }, measureFloor: nil, rerunNoisy: rerunNoisy)
            return try await offPool {
                try SweepRunner(
                    plan: SweepRunnerTests.plan(models: ["threads"], procs: ["1"]),
                    directory: SweepResultsDirectory(path: out), machine: SweepRunnerTests.machine, options: options
                ).run()
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func result(noise: NoiseAccount) -> RunResult {
        var result = SweepRunnerTests.result("threads", proc: 1)
        result.noise = noise
        return result
    }

    @Test("a noisy cell runs again: the noisy record stays, superseded, and the quiet one is the cell's")
    func rerunNoisy() async throws {
        let fake = try SequenceTicklab([Self.result(noise: Self.noisy), Self.result(noise: Self.quiet)])
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        let summary = try await fake.sweep(rerunNoisy: 3, in: out)
        #expect(summary.ran == 1 && summary.complete && fake.calls == 2)
        let records = try SweepResultsDirectory(path: out).load().records
        guard records.count == 2, case .run(let first) = records[0], case .run(let second) = records[1] else {
            Issue.record("expected two run records, got \(records)"); return
        }
        #expect(first.supersededByRerun == true && first.noise == Self.noisy)
        #expect(second.supersededByRerun == nil && second.noise == Self.quiet)
        #expect(records.compactMap(\.passedResult).count == 1)
        let plan = SweepRunnerTests.plan(models: ["threads"], procs: ["1"])
        #expect(SweepRunner.pending(plan, records: records, retryFailed: false).isEmpty)
    }

    @Test("reruns stop after N: the last attempt is kept as the cell's record, noisy as it is")
    func rerunsAreBounded() async throws {
        let fake = try SequenceTicklab([Self.result(noise: Self.noisy)])
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        let summary = try await fake.sweep(rerunNoisy: 2, in: out)
        #expect(summary.ran == 1 && fake.calls == 3)
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.map(\.isSupersededByRerun) == [true, true, false])
        #expect(records.last?.passedResult?.noise == Self.noisy)
    }

    @Test("without --rerun-noisy a noisy cell runs once")
    func noRerunByDefault() async throws {
        let fake = try SequenceTicklab([Self.result(noise: Self.noisy), Self.result(noise: Self.quiet)])
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        _ = try await fake.sweep(rerunNoisy: 0, in: out)
        #expect(fake.calls == 1)
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.count == 1 && records.first?.passedResult?.noise == Self.noisy)
    }

    @Test("resume counts a superseded record as no repetition")
    func supersededIsNotARepetition() {
        let plan = SweepRunnerTests.plan(models: ["threads"], procs: ["1"], repeats: 2)
        var superseded = Self.result(noise: Self.noisy)
        superseded.supersededByRerun = true
        let quiet = Self.result(noise: Self.quiet)
        #expect(SweepRunner.pending(plan, records: [.run(superseded)], retryFailed: false).map(\.repetition) == [0, 1])
        #expect(
            SweepRunner.pending(plan, records: [.run(superseded), .run(quiet)], retryFailed: false).map(\.repetition)
                == [1])
        #expect(
            SweepRunner.pending(plan, records: [.run(superseded), .run(quiet)], retryFailed: true).map(\.repetition)
                == [1])
    }

    @Test("the CSV ends with CPU per tick, the outside load, steal, noisy, the calibration's source and reruns")
    func csvColumns() throws {
        var result = Self.result(noise: Self.noisy)
        result.cpuPerTick = .init(processMicros: 41.5)
        result.workload.calibrationSource = .given
        let rows = CSVReader.parse(SweepCSV.render([.run(result)]))
        let row = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        #expect(row["cpu_us_per_tick"] == "41.5")
        #expect(row["noise_outside_cores"] == "0.6" && row["noise_steal_cores"] == "0.1")
        #expect(row["noisy"] == "true" && row["calibration_source"] == "given")
        #expect(row["superseded_by_rerun"] == "false")
        // After every column that was there before them.
        let signal = try #require(rows[0].firstIndex(of: "signal"))
        let added = [
            "cpu_us_per_tick", "noise_outside_cores", "noise_steal_cores", "noisy", "calibration_source",
            "superseded_by_rerun",
        ].compactMap { rows[0].firstIndex(of: $0) }
        #expect(added == Array(signal + 1...signal + 6))
    }
}
