import Clocks
import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Report
@testable import Results
@testable import Sweep

@Suite("What --resume compares")
struct SweepPlanDifferenceTests {
    static let models = ["event-loop", "spin-ring", "threads"]

    @Test("the same plan has no differences; each changed setting is named with both values, in option order")
    func differences() throws {
        let recorded = try SweepPlan.make(lists: [.model: "threads"], durationSeconds: 5, seed: 1, models: Self.models)
        #expect(
            try SweepPlan.make(lists: [.model: "threads"], durationSeconds: 5, seed: 1, models: Self.models)
                .differences(from: recorded).isEmpty)
        let other = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "1"], durationSeconds: 2, seed: 7,
            models: Self.models)
        #expect(
            other.differences(from: recorded) == [
                .init(option: "--proc-ms", recorded: "0.5,4", requested: "1"),
                .init(option: "--duration", recorded: "5s", requested: "2s"),
                .init(option: "--seed", recorded: "1", requested: "7"),
            ])
    }

    @Test("--wait counts only when a model that takes it is swept")
    func waitStrategy() throws {
        let threads = try SweepPlan.make(
            lists: [.model: "threads"], waitStrategy: .park, models: Self.models, waitStrategyModels: ["spin-ring"])
        #expect(
            try SweepPlan.make(
                lists: [.model: "threads"], waitStrategy: .busy, models: Self.models, waitStrategyModels: ["spin-ring"]
            )
            .differences(from: threads).isEmpty)
        let spin = try SweepPlan.make(
            lists: [.model: "spin-ring"], waitStrategy: .park, models: Self.models, waitStrategyModels: ["spin-ring"])
        #expect(
            try SweepPlan.make(
                lists: [.model: "spin-ring"], waitStrategy: .busy, models: Self.models,
                waitStrategyModels: ["spin-ring"]
            )
            .differences(from: spin) == [.init(option: "--wait", recorded: "park", requested: "busy")])
    }
}

/// `ticklab sweep --resume` refusing what is not the same sweep, as a user meets it.
@Suite(
    "ticklab sweep --resume refuses another sweep", .serialized,
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct SweepResumeGuardTests {
    static let tiny = [
        "sweep", "--models", "threads", "--proc-ms", "0", "--eval-ms", "0.1", "--rate", "500", "--repeats", "1",
        "--quiet",
    ]

    static func ticklab(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 120)
    }

    /// A sweep directory as `ticklab sweep <arguments>` leaves it before its first record.
    static func recordedSweep(at out: String, duration: Double, seed: UInt64) throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "0", .evalMs: "0.1", .rate: "500"],
            durationSeconds: duration, repeats: 1, seed: seed, models: ["threads"])
        var machine = SweepRunnerTests.machine
        machine.plan = plan
        try SweepResultsDirectory(path: out).create()
        try SweepResultsDirectory.writeAtomically(try machine.jsonText(), to: out + "/machine.json")
        try SweepResultsDirectory.writeAtomically("", to: out + "/results.jsonl")
    }

    @Test("an existing directory that holds no sweep is refused, exit 64, and nothing is written there")
    func emptyDirectory() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try await Self.ticklab(Self.tiny + ["--duration", "200ms", "--resume", "--out", out])
        #expect(outcome.ending == .exited(64), "\(outcome.stderr)")
        #expect(
            outcome.stderr.hasPrefix(
                "ticklab: --resume: '\(out)' holds no sweep (no results.jsonl, no machine.json); "
                    + "drop --resume to start one there, or use --force to resume anyway or --out for a new directory"),
            "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    @Test("a sweep made with another --duration and --seed is refused, naming both; nothing is run")
    func otherSettings() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.recordedSweep(at: out, duration: 0.3, seed: 2)
        let outcome = try await Self.ticklab(Self.tiny + ["--duration", "200ms", "--resume", "--out", out])
        #expect(outcome.ending == .exited(64), "\(outcome.stderr)")
        #expect(
            outcome.stderr.hasPrefix(
                "ticklab: --resume: '\(out)' was swept with --duration 0.3s --seed 2, "
                    + "this command says --duration 0.2s --seed 1; use --force to resume anyway or --out for a new directory"
            ),
            "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(try SweepResultsDirectory(path: out).load().records.isEmpty)
    }

    @Test("--force resumes anyway; --force without --resume is a usage error")
    func force() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.recordedSweep(at: out, duration: 0.3, seed: 2)
        let forced = try await Self.ticklab(Self.tiny + ["--duration", "200ms", "--resume", "--force", "--out", out])
        #expect(forced.ending == .exited(0), "\(forced.stderr)")
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.count == 1)
        #expect(records.first?.parameters.durationSeconds == 0.2)

        let empty = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let started = try await Self.ticklab(
            Self.tiny + ["--duration", "200ms", "--resume", "--force", "--out", empty])
        #expect(
            started.ending == .exited(0), "--resume --force on an empty directory starts the sweep: \(started.stderr)")
        #expect(try SweepResultsDirectory(path: empty).load().records.count == 1)

        let misplaced = try await Self.ticklab(Self.tiny + ["--force", "--out", out + "/new"])
        #expect(misplaced.ending == .exited(64))
        #expect(misplaced.stderr.hasPrefix("ticklab: --force: only with --resume"), "\(misplaced.stderr)")
    }

    @Test("the same settings resume as before")
    func sameSettings() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.recordedSweep(at: out, duration: 0.2, seed: 1)
        let outcome = try await Self.ticklab(Self.tiny + ["--duration", "200ms", "--resume", "--out", out])
        #expect(outcome.ending == .exited(0), "\(outcome.stderr)")
        #expect(try SweepResultsDirectory(path: out).load().records.count == 1)
    }
}
