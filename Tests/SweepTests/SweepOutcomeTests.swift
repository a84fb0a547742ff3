import Formats
import Foundation
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// How a child's outcome becomes a record: the rules behind "a failed cell is recorded with
/// its error", without spawning anything.
@Suite("Sweep outcomes")
struct SweepOutcomeTests {
    static let plan = SweepPlan(
        dimensions: [
            .init(axis: .model, values: ["threads", "spin-ring"]), .init(axis: .rate, values: ["200", "max"]),
            .init(axis: .procMs, values: ["2"]), .init(axis: .evalMs, values: ["50"]),
            .init(axis: .evalKind, values: ["wait"]),
        ], setup: .init(durationSeconds: 5, seed: 3, arrivals: .poisson, clock: .exchange, waitStrategy: .park),
        waitStrategyModels: ["spin-ring"])

    static let cell = plan.cells[0]

    static func outcome(
        _ ending: ChildProcess.Ending, stdout: String = "", stderr: String = "", timedOut: Bool = false,
        stopped: Bool = false
    ) -> ChildProcess.Outcome {
        ChildProcess.Outcome(
            ending: ending, stdout: stdout, stderr: stderr, wallSeconds: 7.4, timedOut: timedOut, stopped: stopped)
    }

    static func record(_ outcome: ChildProcess.Outcome) -> SweepRecord? {
        SweepRunner.record(
            for: cell, plan: plan, outcome: outcome, startedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static var line: String { try! ResultCoding.jsonLine(Fixture.result(model: "threads", procMs: 2, evalMs: 50)) }

    @Test("a printed result is the record, whatever else the child printed before it")
    func printedResult() throws {
        let record = try #require(Self.record(Self.outcome(.exited(0), stdout: "warming up\n" + Self.line + "\n")))
        #expect(record.passedResult?.configuration.model == "threads")
    }

    @Test("a stopped child leaves no record: its cell stays to do")
    func stopped() {
        #expect(Self.record(Self.outcome(.signalled(SIGKILL), stdout: Self.line, stopped: true)) == nil)
    }

    @Test("a child past its time limit is a failed cell even if it printed something")
    func timedOut() throws {
        let record = try #require(
            Self.record(Self.outcome(.signalled(SIGTERM), stdout: Self.line, stderr: "draining\n", timedOut: true)))
        guard case .failed(let failed) = record else { Issue.record("not a failed cell"); return }
        #expect(
            failed.error
                == "the run did not finish within 7 s and was stopped; it was killed by signal 15 (SIGTERM): draining")
        #expect(failed.wallSeconds == 7.4)
    }

    @Test("an unreadable result line is named as such")
    func unreadable() throws {
        let record = try #require(
            Self.record(Self.outcome(.exited(0), stdout: "{\"schema\":\"ticklab.run\",\"oops\":1}\n")))
        #expect(
            record.failure?.hasPrefix(
                "the run exited normally and printed an unreadable result (a ticklab.run record with missing or mistyped fields"
            ) == true)
        let other = try #require(Self.record(Self.outcome(.exited(0), stdout: "{\"x\":1}\n")))
        #expect(other.failure?.contains("unknown schema 'none'") == true)
    }

    @Test("a child that printed a failed-cell record is not taken at its word")
    func notARunResult() throws {
        let failed = try SweepRecord.failed(
            FailedCell(
                startedAt: "t", configuration: Fixture.parameters(model: "threads", procMs: 2, evalMs: 50),
                error: "x")
        ).jsonLine()
        let record = try #require(Self.record(Self.outcome(.exited(0), stdout: failed)))
        #expect(record.failure == "the run exited normally and printed a record that is not a run result")
    }

    @Test("the failed cell carries the cell's parameters and the plan's settings")
    func failedParameters() throws {
        let record = try #require(Self.record(Self.outcome(.exited(2), stderr: "ticklab: bad\n")))
        let p = record.parameters
        #expect(p.model == "threads" && p.rate == 200 && p.procMs == 2 && p.evalMs == 50 && p.evalKind == "wait")
        #expect(
            p.durationSeconds == 5 && p.seed == 3 && p.arrivals == "poisson" && p.clock == "exchange"
                && p.feed == "synthetic")
        #expect(p.waitStrategy == nil)
        #expect(record.startedAt == "2027-01-15T08:00:00Z")
        #expect(Self.plan.cell(of: p) == Self.cell)
        // Only the records of models that take a wait strategy carry it, as their runs do.
        let spin = SweepRunner.parameters(of: Self.plan.cells[1], plan: Self.plan)
        #expect(spin.model == "spin-ring" && spin.waitStrategy == "park")
        let saturated = try #require(Self.plan.cells.first { $0[.rate] == "max" })
        #expect(SweepRunner.parameters(of: saturated, plan: Self.plan).rate == nil)
    }

    @Test("only the end of a long standard error is kept, and its last line names the error")
    func stderrTail() throws {
        let noise = String(repeating: "x", count: 10_000)
        let record = try #require(
            Self.record(Self.outcome(.signalled(SIGABRT), stderr: noise + "\nFatal error: index out of range\n")))
        guard case .failed(let failed) = record else { Issue.record("not a failed cell"); return }
        #expect(failed.stderr.count == 4_000)
        #expect(failed.error.hasSuffix("(SIGABRT) without printing a result: Fatal error: index out of range"))
    }

    @Test(
        "signals are named",
        arguments: [(SIGSEGV, "SIGSEGV"), (SIGKILL, "SIGKILL"), (SIGABRT, "SIGABRT"), (Int32(63), "signal 63")])
    func signalNames(number: Int32, name: String) {
        #expect(SweepRunner.signalName(number) == name)
    }

    @Test("pending runs: a run is done when its cell has more records than its repeat index")
    func pending() {
        let plan = SweepPlan(dimensions: Self.plan.dimensions, setup: .init(durationSeconds: 5), repeats: 2)
        let one = SweepRecord.run(Fixture.result(model: "threads", procMs: 2, evalMs: 50))
        #expect(SweepRunner.pending(plan, records: [], retryFailed: false).count == 8)
        #expect(SweepRunner.pending(plan, records: [one], retryFailed: false).count == 7)
        #expect(SweepRunner.pending(plan, records: [one, one], retryFailed: false).count == 6)
        #expect(SweepRunner.pending(plan, records: [one, one, one], retryFailed: false).count == 6)
        // Records of other settings or cells do not count.
        let elsewhere = SweepRecord.run(Fixture.result(model: "threads", procMs: 3, evalMs: 50))
        let otherSeed = SweepRecord.run(Fixture.result(model: "threads", procMs: 2, evalMs: 50, seed: 9))
        #expect(SweepRunner.pending(plan, records: [elsewhere, otherSeed], retryFailed: false).count == 8)
        // A failed record counts unless failures are retried.
        let failed = SweepRecord.run(Fixture.result(model: "threads", procMs: 2, evalMs: 50, selfCheckPassed: false))
        #expect(SweepRunner.pending(plan, records: [failed], retryFailed: false).count == 7)
        #expect(SweepRunner.pending(plan, records: [failed], retryFailed: true).count == 8)
        // The first pending run keeps its place in the plan.
        #expect(SweepRunner.pending(plan, records: [one], retryFailed: false).first?.index == 1)
    }

    @Test("the plan survives machine.json: it encodes and decodes unchanged")
    func planCoding() throws {
        let data = try JSONEncoder().encode(Self.plan)
        #expect(try JSONDecoder().decode(SweepPlan.self, from: data) == Self.plan)
    }

    @Test("a plan lists every axis even when built from some of them")
    func planNormalises() {
        let plan = SweepPlan(dimensions: [.init(axis: .procMs, values: ["1"])], setup: .init(durationSeconds: 1))
        #expect(plan.dimensions.map(\.axis) == SweepAxis.allCases)
        #expect(plan.values(of: .model).isEmpty)
        #expect(plan.cells.isEmpty)
    }

    @Test(
        "durations are passed to the child in the shortest form it reads back",
        arguments: [
            (5.0, "5s"), (0.3, "0.3s"), (60, "60s"), (2.5, "2.5s"),
        ])
    func durationArgument(seconds: Double, text: String) {
        #expect(SweepPlan.Setup(durationSeconds: seconds).runArguments(takingWaitStrategy: false)[1] == text)
    }

    @Test("each axis: options, units, labels and numbers")
    func axes() throws {
        #expect(SweepAxis.model.sweepOption == "--models" && SweepAxis.model.runOption == "--model")
        #expect(SweepAxis.procMs.sweepOption == "--proc-ms" && SweepAxis.procMs.runOption == "--proc-ms")
        #expect(SweepAxis.rate.unit == "ticks/s" && SweepAxis.evalMs.unit == "ms" && SweepAxis.evalKind.unit == nil)
        #expect(SweepAxis.rate.label("max") == "rate max" && SweepAxis.rate.label("200") == "200 ticks/s")
        #expect(SweepAxis.evalKind.label("cpu") == "cpu kind")
        #expect(
            SweepAxis.rate.number("max") == nil && SweepAxis.procMs.number("0.5") == 0.5
                && SweepAxis.model.number("1") == nil)
        #expect(try SweepAxis.rate.value(parsing: " 1e3 ", models: []) == "1000")
        #expect(try SweepAxis.procMs.value(parsing: "0.10", models: []) == "0.1")
        #expect(throws: SweepPlan.InvalidOption.self) { try SweepAxis.rate.value(parsing: "nan", models: []) }
        #expect(throws: SweepPlan.InvalidOption.self) { try SweepAxis.evalMs.value(parsing: "60001", models: []) }
        #expect(Set(SweepAxis.nesting) == Set(SweepAxis.allCases))
        #expect(SweepAxis.nesting.last == .model)
    }

    @Test(
        "numbers are written so that they read back exactly",
        arguments: [0.1, 0.5, 2, 199.75, 1e-5, 123_456_789, 0.30000000000000004])
    func numbersRoundTrip(value: Double) {
        #expect(Double(NumberText.shortest(value)) == value)
    }
}
