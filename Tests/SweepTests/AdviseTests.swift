import Capacity
import Formats
import Foundation
import Pipeline
import Report
import Results
import TestSupport
import Testing

@testable import Sweep

/// `ticklab advise`: its plan (the rates, the budget's fit, a budget too small), its advice on
/// made-up records, and the command end to end at a tiny budget.
@Suite("Advise")
struct AdviseTests {
    static let models = ["event-loop", "threads", "tasks", "task-executors", "dispatch", "spin-ring"]

    static func request(
        procMs: Double = 4, evalMs: Double = 20, evalKind: EvaluationKind = .cpu, rate: Double = 200,
        budget: Double = AdvisePlan.standardBudgetSeconds, models: [String] = models
    ) -> AdviseRequest {
        AdviseRequest(
            procMs: procMs, evalMs: evalMs, evalKind: evalKind, rate: rate, budgetSeconds: budget, models: models,
            waitStrategyModels: ["spin-ring"])
    }

    @Test("the ladder is the user's rate and 1.25, 1.5 and 2 times it, without the rates whose load passes 1.2")
    func rates() {
        #expect(AdvisePlan.rates(for: Self.request(procMs: 4, rate: 200)) == ["200", "250", "300"])
        #expect(AdvisePlan.rates(for: Self.request(procMs: 0, rate: 200)) == ["200", "250", "300", "400"])
        #expect(AdvisePlan.rates(for: Self.request(procMs: 1, rate: 333)) == ["333", "416.25", "499.5", "666"])
        // The user's own rate stays, whatever its load.
        #expect(AdvisePlan.rates(for: Self.request(procMs: 10, rate: 200)) == ["200"])
    }

    @Test("the plan runs every model at every rate of the ladder, at the user's workload and objective")
    func planCells() throws {
        let plan = try AdvisePlan.make(Self.request())
        #expect(plan.values(of: .model) == Self.models)
        #expect(plan.values(of: .rate) == ["200", "250", "300"])
        #expect(plan.values(of: .procMs) == ["4"])
        #expect(plan.values(of: .evalMs) == ["20"])
        #expect(plan.values(of: .evalKind) == ["cpu"])
        #expect(plan.objective == .standard)
        #expect(plan.cells.count == 18)
        #expect(plan.repeats == AdvisePlan.standardRepeats)
        #expect(plan.command(out: nil).starts(with: ["ticklab", "sweep"]))
    }

    @Test("the cells are as long as the budget allows, fewer repeats where three do not fit, never over it")
    func budgetFit() throws {
        var repeats: [Int] = []
        for budget in [40.0, 80, 180, 600] {
            let request = Self.request(budget: budget)
            let plan = try AdvisePlan.make(request)
            let estimate = AdvisePlan.estimatedSeconds(plan, request: request)
            #expect(estimate <= budget, "budget \(budget): estimated \(estimate)")
            #expect(plan.setup.durationSeconds >= AdvisePlan.minimumCellSeconds(rate: 200))
            #expect(plan.setup.durationSeconds <= AdvisePlan.maximumCellSeconds)
            // Longest that fits: 10 ms more would not (unless at the longest cell).
            if plan.setup.durationSeconds < AdvisePlan.maximumCellSeconds {
                let longer = AdvisePlan.estimatedSeconds(
                    plan, request: request, durationSeconds: plan.setup.durationSeconds + 0.01)
                #expect(longer > budget, "budget \(budget): \(plan.setup.durationSeconds) s is not the longest")
            }
            repeats.append(plan.repeats)
        }
        #expect(repeats == repeats.sorted())
        #expect(repeats.first == 1)
        #expect(repeats.last == AdvisePlan.standardRepeats)
    }

    @Test("a budget too small for one repeat is refused, naming the budget that would do")
    func budgetTooSmall() throws {
        var request = Self.request(budget: 10)
        request.budgetText = "10s"
        let error = try #require(throws: InvalidValue.self) { try AdvisePlan.make(request) }
        #expect(error.option == "--budget")
        #expect(error.value == "10s")
        #expect(error.allowed.hasPrefix("at least "), "\(error.allowed)")
        #expect(error.description.split(separator: "\n").count == 1)
    }

    /// Three repeats at each rate of a ladder at proc-ms 4 (200, 250, 300 ticks/s): `threads`
    /// meets the objective at every rate; `event-loop` keeps up but its receiver lags, p99 96 ms.
    static func records() -> [SweepRecord] {
        var records: [SweepRecord] = []
        for k in 0..<3 {
            for rate in [200.0, 250, 300] {
                let threads = Fixture.capacityResult(
                    model: "threads", load: nil, rate: rate, procMs: 4, p50: 1, p99: 5 + Double(k) * 0.1,
                    cpuMicros: 4_200)
                var loop = Fixture.capacityResult(
                    model: "event-loop", load: nil, rate: rate, procMs: 4, p50: 30, p99: 100, cpuMicros: 4_100)
                loop.segments.arrivalToReceived = Fixture.summary(mean: 40, p99: 96)
                loop.segments.receivedToProcessed = Fixture.summary(mean: 4, p99: 5)
                records += [.run(threads), .run(loop)]
            }
        }
        return records
    }

    @Test("the advice on made-up records: the winner, the failing model's breaking segment, the table, the JSON")
    func adviceOnRecords() throws {
        let request = Self.request(evalMs: 1, evalKind: .wait, models: ["event-loop", "threads"])
        let plan = try AdvisePlan.plan(request, durationSeconds: 5, repeats: 3)
        let advice = Advice.record(
            request: request, plan: plan, records: Self.records(), lineup: ReportLineup(), wallSeconds: 42,
            directory: nil)
        #expect(advice.recommended == "threads")
        #expect(advice.runnerUp == "event-loop")
        #expect(advice.nearest == nil)
        #expect(advice.measurable)
        #expect(advice.models.map(\.model) == ["threads", "event-loop"])
        let threads = advice.models[0], loop = advice.models[1]
        #expect(threads.standing == "meets")
        #expect(threads.capacityTicksPerSecond == 300 && threads.capacityAtLeast)
        #expect(threads.headroom == 1.5)
        #expect(threads.why.hasPrefix("meets p99=10ms at 200 ticks/s"), "\(threads.why)")
        #expect(threads.why.contains("4200 µs of CPU a tick"), "\(threads.why)")
        #expect(loop.standing == "fails-tail")
        #expect(loop.breakingSegment?.name == "receiver lag (arrival→received)")
        #expect(loop.breakingSegment?.p99Milliseconds == 96)
        #expect(loop.why.contains("receiver lag (arrival→received) p99 96.0 ms"), "\(loop.why)")

        let text = Advice.text(advice)
        for line in ["Recommended: threads", "Runner-up:   event-loop", "How sure:", "How ranked:", "ticklab sweep"] {
            #expect(text.contains(line), "\(line)")
        }
        #expect(text.contains("  threads     5.10 [5.00–5.20]"), "\(text)")

        let decoded = try JSONDecoder().decode(AdviceRecord.self, from: Data(try Advice.json(advice).utf8))
        #expect(decoded == advice)
        #expect(decoded.schema == "ticklab.advice")
    }

    @Test("no model meets the objective: no recommendation, the nearest named")
    func noneMeets() throws {
        let request = Self.request(evalMs: 1, evalKind: .wait, models: ["event-loop", "threads"])
        let plan = try AdvisePlan.plan(request, durationSeconds: 5, repeats: 3)
        let onlyLoop = Self.records().filter { $0.parameters.model == "event-loop" }
        let advice = Advice.record(
            request: request, plan: plan, records: onlyLoop, lineup: ReportLineup(), wallSeconds: nil, directory: nil)
        #expect(advice.recommended == nil)
        #expect(advice.nearest == "event-loop")
        #expect(advice.models.last?.model == "threads")
        #expect(advice.models.last?.standing == "unmeasured")
        #expect(Advice.text(advice).contains("No model meets p99=10ms at 200 ticks/s."))
    }

    @Test("a recommendation with no headroom says that the rate is the machine's edge")
    func noHeadroomCaution() throws {
        let request = Self.request(evalMs: 1, evalKind: .wait, models: ["event-loop", "threads"])
        let plan = try AdvisePlan.plan(request, durationSeconds: 5, repeats: 3)
        // threads meets at 200 ticks/s only: its p99 is 50 ms above it.
        let records = Self.records().map { record -> SweepRecord in
            guard case .run(var result) = record, result.configuration.model == "threads",
                (result.configuration.rate ?? 0) > 200
            else { return record }
            result.latency.processing = Fixture.summary(mean: 20, p99: 50)
            return .run(result)
        }
        let advice = Advice.record(
            request: request, plan: plan, records: records, lineup: ReportLineup(), wallSeconds: nil, directory: nil)
        #expect(advice.recommended == "threads")
        #expect(advice.models.first?.headroom == 1)
        #expect(
            advice.confidence.contains("threads has no headroom: your rate is this machine's edge"),
            "\(advice.confidence)")
        let roomy = Advice.record(
            request: request, plan: plan, records: Self.records(), lineup: ReportLineup(), wallSeconds: nil,
            directory: nil)
        #expect(!roomy.confidence.contains("no headroom"), "\(roomy.confidence)")
    }

    @Test("the ranking judges the user's objective, not the standard one")
    func userObjective() throws {
        // threads's p99 is 5.0–5.2 ms: it meets the standard 10 ms, not 4 ms.
        let request = AdviseRequest(
            procMs: 4, evalMs: 1, evalKind: .wait, rate: 200,
            objective: LatencyObjective(percentile: .p99, boundMilliseconds: 4),
            models: ["event-loop", "threads"])
        let plan = try AdvisePlan.plan(request, durationSeconds: 5, repeats: 3)
        let advice = Advice.record(
            request: request, plan: plan, records: Self.records(), lineup: ReportLineup(), wallSeconds: nil,
            directory: nil)
        #expect(advice.recommended == nil)
        #expect(advice.models.first { $0.model == "threads" }?.standing == "fails-tail")
        #expect(advice.method.hasPrefix("Ranked by meeting p99=4ms"), "\(advice.method)")
        #expect(!advice.confidence.contains("10ms"), "\(advice.confidence)")
    }
}

/// `ticklab advise` run by the built binary at a tiny budget: the structure of what it prints
/// and writes, not which model wins (that depends on the machine).
@Suite(
    "ticklab advise end to end", .serialized,
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct AdviseEndToEnd {
    static func ticklab(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 300)
    }

    @Test("a tiny budget: one JSON record, the sweep's files and advice.json in --out, progress on stderr")
    func tinyBudget() async throws {
        let parent = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let out = parent + "/advice"
        let outcome = try await Self.ticklab([
            "advise", "--models", "threads,tasks", "--proc-ms", "0.2", "--eval-ms", "0.1", "--rate", "200",
            "--budget", "25s", "--json", "--out", out,
        ])
        // The budget is a deadline on real time: a machine slower than the estimate (a debug build,
        // others' work, a stopped process) cuts runs, and one that ran out before any model had run
        // at every rate exits 64 naming the budget that would fit. All three endings are correct.
        let ending = outcome.ending
        #expect(ending == .exited(0) || ending == .exited(3) || ending == .exited(64), "\(outcome.stderr)")
        let directory = SweepResultsDirectory(path: out)
        for file in [directory.resultsPath, directory.csvPath, directory.machinePath, directory.reportPath] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        #expect(ReportDocument(try String(contentsOfFile: directory.reportPath, encoding: .utf8)).parsed)
        if ending == .exited(64) {
            #expect(outcome.stderr.contains("--budget: '25s' is not allowed: at least"), "\(outcome.stderr)")
        }
        guard let line = outcome.stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            // Only when not one run could start within the budget.
            #expect(ending == .exited(64), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("cell 1/"), "\(outcome.stderr)")
            return
        }
        let advice = try JSONDecoder().decode(AdviceRecord.self, from: Data(line.utf8))
        #expect(advice.schema == "ticklab.advice")
        #expect(advice.models.map(\.rank) == [1, 2])
        #expect(Set(advice.models.map(\.model)) == ["threads", "tasks"])
        #expect(advice.models.allSatisfy { !$0.why.isEmpty })
        #expect(advice.sweep.rates == [200, 250, 300, 400])
        #expect(advice.sweep.repeats >= 1)
        #expect(advice.sweep.plannedRuns == advice.sweep.madeRuns + advice.sweep.skippedRuns)
        #expect(advice.sweep.madeRuns >= 1)
        #expect(advice.measuredNone == (ending == .exited(64)))
        #expect((advice.recommended == nil) == (ending != .exited(0)))
        if advice.sweep.skippedRuns > 0 {
            #expect(outcome.stderr.contains("budget reached after"), "\(outcome.stderr)")
        }
        #expect(advice.reproduce.hasPrefix("ticklab sweep --models threads,tasks --rate 200,250,300,400"))
        #expect(advice.directory == out)
        let written = try JSONDecoder().decode(
            AdviceRecord.self, from: try Data(contentsOf: URL(fileURLWithPath: out + "/advice.json")))
        #expect(written == advice)
        #expect(outcome.stderr.contains("cell 1/"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("ETA"), "\(outcome.stderr)")
    }

    @Test(
        "bad values are one line and exit 64",
        arguments: [
            (
                ["advise", "--proc-ms", "4", "--eval-ms", "1", "--rate", "200", "--budget", "5s"],
                "--budget: '5s' is not allowed: at least"
            ),
            (["advise", "--proc-ms", "4", "--eval-ms", "1", "--rate", "max"], "--rate: 'max' is not allowed"),
            (["advise", "--proc-ms", "4", "--eval-ms", "1", "--rate", "0"], "--rate: '0' is not allowed"),
            (["advise", "--proc-ms", "-1", "--eval-ms", "1", "--rate", "200"], "--proc-ms: '-1' is not allowed"),
            (["advise", "--proc-ms", "4", "--eval-ms", "1", "--rate", "200", "--slo", "p98=1ms"], "--slo percentile"),
            (
                ["advise", "--proc-ms", "4", "--eval-ms", "1", "--rate", "200", "--models", "fibers"],
                "--models: 'fibers' is not allowed"
            ),
            (["advise", "--proc-ms", "4", "--eval-ms", "1"], "--rate"),
        ])
    func usageErrors(arguments: [String], message: String) async throws {
        let outcome = try await Self.ticklab(arguments)
        #expect(outcome.ending == .exited(64), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }
}
