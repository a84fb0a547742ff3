import Foundation
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// Resume and the stand-in records of a sweep of offered loads, without spawning anything.
@Suite("A sweep of loads: resume and failed cells")
struct LoadSweepPlanTests {
    static let plan = try! SweepPlan.make(
        lists: [.model: "threads,tasks", .load: "0.5,1.1", .procMs: "2"], evaluations: "1:wait,20:cpu",
        durationSeconds: 1, repeats: 2, models: ["threads", "tasks"])

    @Test("a failed load cell's stand-in parameters carry its load and rate and lead back to it")
    func standInParameters() throws {
        for cell in Self.plan.cells {
            let parameters = SweepRunner.parameters(of: cell, plan: Self.plan)
            #expect(parameters.load == Double(cell[.load]))
            #expect(parameters.rate == Double(cell[.rate]))
            #expect(Self.plan.cell(of: parameters) == cell)
        }
    }

    @Test("records of load cells count as done: resume runs the rest, in the interleaved order")
    func resume() throws {
        let plan = Self.plan
        #expect(plan.runs.count == 2 * 2 * 2 * 2)
        // The first repeat of every cell and the second of the first cell are done.
        var records = plan.cells.map { cell in
            var result = Fixture.result(model: cell[.model], procMs: 2, evalMs: Double(cell[.evalMs])!, duration: 1)
            result.configuration = SweepRunner.parameters(of: cell, plan: plan)
            return SweepRecord.run(result)
        }
        records.append(records[0])
        let pending = SweepRunner.pending(plan, records: records, retryFailed: false)
        #expect(pending == Array(plan.runs.dropFirst(plan.cells.count + 1)))
        #expect(pending.allSatisfy { $0.repetition == 1 })
    }
}

/// `--load`, `--evaluations` and `--slo` on the built `ticklab`, as a user meets them.
@Suite(
    "ticklab run and sweep with --load", .serialized,
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct LoadSweepCommandTests {
    static func ticklab(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 120)
    }

    @Test("run --load records the load asked for and the rate it made")
    func runRecordsLoad() async throws {
        let outcome = try await Self.ticklab([
            "run", "--json", "--model", "threads", "--load", "0.5", "--proc-ms", "0.05", "--eval-ms", "0.1",
            "--duration", "100ms",
        ])
        #expect(outcome.ending == .exited(0), "\(outcome.stderr)")
        let line = try #require(outcome.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try ResultCoding.decode(line)
        #expect(result.configuration.load == 0.5)
        #expect(result.configuration.rate == 10_000)
        #expect(line.contains(#""load":0.5"#))
    }

    @Test("a sweep of loads: records carry load and rate, the CSV a load column, machine.json the plan; it resumes")
    func loadSweep() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let arguments = [
            "sweep", "--models", "threads", "--load", "0.5,1", "--proc-ms", "0.05", "--eval-ms", "0.1",
            "--duration", "100ms", "--repeats", "1", "--slo", "p99=5ms", "--quiet", "--out", out,
        ]
        let first = try await Self.ticklab(arguments)
        #expect(first.ending == .exited(0), "\(first.stderr)")
        let directory = SweepResultsDirectory(path: out)
        let records = try directory.load().records
        #expect(records.map(\.parameters.load) == [0.5, 1])
        #expect(records.map(\.parameters.rate) == [10_000, 20_000])
        let csv = CSVReader.parse(try String(contentsOfFile: directory.csvPath, encoding: .utf8))
        let column = try #require(csv.first?.firstIndex(of: "load"))
        #expect(csv.dropFirst().map { $0[column] } == ["0.5", "1"])
        let machine = try #require(MachineInfo.load(directory.machinePath))
        let plan = try #require(machine.plan)
        #expect(plan.sweepsLoad && plan.values(of: .load) == ["0.5", "1"])
        #expect(plan.objective?.description == "p99=5ms")
        #expect(machine.reproduce.contains("--slo") && machine.reproduce.contains("p99=5ms"))

        let resumed = try await Self.ticklab(arguments + ["--resume"])
        #expect(resumed.ending == .exited(0), "\(resumed.stderr)")
        #expect(try directory.load().records.count == 2, "every load cell was found done")

        let otherObjective = try await Self.ticklab(
            arguments.map { $0 == "p99=5ms" ? "p99=20ms" : $0 } + ["--resume"])
        #expect(otherObjective.ending == .exited(64))
        #expect(otherObjective.stderr.contains("--slo p99=5ms"), "\(otherObjective.stderr)")
        #expect(otherObjective.stderr.contains("--slo p99=20ms"), "\(otherObjective.stderr)")
    }

    @Test("help says what --load, --evaluations, --slo and the capacity preset do")
    func help() async throws {
        let sweep = try await Self.ticklab(["sweep", "--help"])
        #expect(sweep.ending == .exited(0))
        for word in ["--load", "--evaluations", "--slo", "p99=10ms", "capacity:", "minutes"] {
            #expect(sweep.stdout.contains(word), "\(word): \(sweep.stdout)")
        }
        let run = try await Self.ticklab(["run", "--help"])
        #expect(run.stdout.contains("--load") && run.stdout.contains("utilisation"), "\(run.stdout)")
    }
}
