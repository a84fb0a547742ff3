import Capacity
import Foundation
import Locks
import Pipeline
import Report
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// A clock only the test moves: the deadline's tests never depend on how long anything took.
final class FakeSweepClock: SweepClock, Sendable {
    private let seconds: Locked<Double>

    init(_ start: Double = 0) { seconds = Locked(start) }

    func now() -> Double { seconds.withLock { $0 } }
    func advance(by delta: Double) { seconds.withLock { $0 += delta } }
}

/// Records what a progress display would print and moves the fake clock after each finished run
/// by what `secondsAfterRun` says for it (1-based: the first run made is 1), as if the run had
/// taken that long.
final class ClockMovingProgress: SweepProgress, @unchecked Sendable {
    // @unchecked Sendable: the sweep calls `handle` from its one thread, and the test reads
    // `lines` only after the sweep has returned (the thread's end orders the two); the clock is
    // Sendable itself.
    private(set) var lines: [String] = []
    private var finished = 0
    let clock: FakeSweepClock
    let secondsAfterRun: @Sendable (Int) -> Double

    init(clock: FakeSweepClock, secondsAfterRun: @escaping @Sendable (Int) -> Double) {
        self.clock = clock
        self.secondsAfterRun = secondsAfterRun
    }

    func handle(_ event: SweepEvent) {
        if case .finished(let run, let total, let record, _) = event {
            lines.append(SweepProgressText.finished(run, total: total, record: record))
            finished += 1
            clock.advance(by: secondsAfterRun(finished))
        }
        if case .notice(let text) = event { lines.append("notice: " + text) }
    }

    var notices: [String] { lines.filter { $0.hasPrefix("notice: ") } }
}

@Suite("Sweep deadline")
struct SweepDeadlineTests {
    /// Two models × two proc-ms × three repeats: twelve runs, models changing fastest.
    static let plan = SweepRunnerTests.plan(models: ["event-loop", "threads"], repeats: 3)

    /// Runs `plan` with a deadline `budget` seconds after 0 on a fake clock, every run estimated
    /// at 10 s and taking 10 s of the clock.
    static func sweep(budget: Double, secondsPerRun: Double = 10) async throws
        -> (SweepRunner.Summary, ClockMovingProgress, FakeTicklab)
    {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        for model in ["event-loop", "threads"] {
            for proc in [1.0, 2] { try fake.prepare(SweepRunnerTests.result(model, proc: proc)) }
        }
        let clock = FakeSweepClock()
        var options = fake.options
        options.deadline = SweepDeadline(clock: clock, instant: budget) { _ in 10 }
        let chosen = options
        let progress = ClockMovingProgress(clock: clock) { _ in secondsPerRun }
        let summary = try await offPool {
            try SweepRunner(
                plan: plan, directory: SweepResultsDirectory(path: out), machine: SweepRunnerTests.machine,
                options: chosen, progress: progress
            ).run()
        }
        return (summary, progress, fake)
    }

    /// `model proc` of every call the fake received, in order.
    static func cells(_ fake: FakeTicklab) -> [String] {
        fake.calls.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
    }

    static let order = ["event-loop 1", "threads 1", "event-loop 2", "threads 2"]

    @Test("the deadline cuts whole later repeats first: repeat 3 of every cell goes before repeat 2 of any")
    func cutsTheLastRepeat() async throws {
        // 80 s: eight runs of 10 s end by it; the ninth, started at 80 s, would end at 90.
        let (summary, progress, fake) = try await Self.sweep(budget: 80)
        defer { fake.remove() }
        #expect(summary.total == 12)
        #expect(summary.ran == 8)
        #expect(summary.skippedByDeadline == 4)
        #expect(!summary.interrupted)
        #expect(!summary.complete)
        #expect(Self.cells(fake) == Self.order + Self.order)
        #expect(
            progress.notices == ["notice: budget reached after 8 of 12 runs: 4 runs skipped; every cell has 2 repeats"])
    }

    @Test("a cut inside a repeat leaves every cell the same number of repeats ± 1")
    func cutsInsideARepeat() async throws {
        // 100 s: ten runs; the last two cells of the third repeat are skipped.
        let (summary, progress, fake) = try await Self.sweep(budget: 100)
        defer { fake.remove() }
        #expect(summary.ran == 10)
        #expect(summary.skippedByDeadline == 2)
        #expect(Self.cells(fake) == Self.order + Self.order + Self.order.prefix(2))
        let counts = Dictionary(Self.cells(fake).map { ($0, 1) }, uniquingKeysWith: +)
        #expect(Set(counts.values) == [2, 3])
        #expect(
            progress.notices == [
                "notice: budget reached after 10 of 12 runs: 2 runs skipped; every cell has 2 repeats (3 for some)"
            ])
    }

    @Test("a cut in the first repeat says how many cells ran none")
    func cutsTheFirstRepeat() async throws {
        let (summary, progress, fake) = try await Self.sweep(budget: 30)
        defer { fake.remove() }
        #expect(summary.ran == 3)
        #expect(summary.skippedByDeadline == 9)
        #expect(Self.cells(fake) == Array(Self.order.prefix(3)))
        #expect(
            progress.notices == [
                "notice: budget reached after 3 of 12 runs: 9 runs skipped; 1 of 4 cells ran no repeat"
            ])
    }

    @Test("nothing is skipped while the clock stays short of the deadline")
    func nothingSkipped() async throws {
        // The clock stands still: every run's 10 s estimate fits the 10 s budget, always.
        let (summary, progress, fake) = try await Self.sweep(budget: 10, secondsPerRun: 0)
        defer { fake.remove() }
        #expect(summary.ran == 12)
        #expect(summary.skippedByDeadline == 0)
        #expect(summary.complete)
        #expect(Self.cells(fake) == Self.order + Self.order + Self.order)
        #expect(progress.notices.allSatisfy { !$0.contains("budget") }, "\(progress.notices)")
    }

    @Test("a run is started only when its estimate ends by the deadline, exactly at it included")
    func allowsUpToTheInstant() {
        let clock = FakeSweepClock(5)
        let deadline = SweepDeadline(clock: clock, instant: 20) { _ in 15 }
        let run = SweepRun(cell: SweepCell(values: [:]), repetition: 0, index: 0)
        #expect(deadline.allows(run))
        clock.advance(by: 0.001)
        #expect(!deadline.allows(run))
        #expect(abs(deadline.secondsLeft - 14.999) < 1e-9)
    }
}

/// `AdviseSession` under a deadline on a fake clock, its children played by ``FakeTicklab``:
/// what the advice says was cut, and the budget that ran out before anything could run.
@Suite("Advise deadline")
struct AdviseDeadlineTests {
    static let models = ["event-loop", "threads"]

    /// Two models at 200, 250 and 300 ticks/s, proc-ms 4: eighteen runs at the standard budget.
    static func request(budget: Double = AdvisePlan.standardBudgetSeconds) -> AdviseRequest {
        AdviseRequest(procMs: 4, evalMs: 1, evalKind: .wait, rate: 200, budgetSeconds: budget, models: models)
    }

    /// The fake prints, for every cell, three records at the plan's duration: `threads` meets the
    /// objective everywhere, `event-loop` keeps up but its p99 is 100 ms.
    static func prepare(_ fake: FakeTicklab, plan: SweepPlan) throws {
        for k in 0..<3 {
            for rate in [200.0, 250, 300] {
                var threads = Fixture.capacityResult(
                    model: "threads", load: nil, rate: rate, procMs: 4, p50: 1, p99: 5 + Double(k) * 0.1,
                    cpuMicros: 4_200)
                var loop = Fixture.capacityResult(
                    model: "event-loop", load: nil, rate: rate, procMs: 4, p50: 30, p99: 100, cpuMicros: 4_100)
                threads.configuration.durationSeconds = plan.setup.durationSeconds
                loop.configuration.durationSeconds = plan.setup.durationSeconds
                try fake.enqueue([threads, loop])
            }
        }
    }

    /// Runs a session on a fake clock that jumps past the deadline after the `cutAfter`-th run
    /// (never with nil); `startUp` is the clock's advance while the sweep calibrates.
    static func advise(cutAfter: Int?, startUp: Double = 0, budget: Double = AdvisePlan.standardBudgetSeconds)
        async throws -> (AdviseSession.Outcome, ClockMovingProgress, FakeTicklab, AdviseSession)
    {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let clock = FakeSweepClock()
        var options = fake.options
        options.calibrate = {
            clock.advance(by: startUp)
            return FakeTicklab.calibration
        }
        let session = try AdviseSession(
            request: Self.request(budget: budget), directory: out + "/advice", options: options,
            lineup: ReportLineup(), clock: clock)
        try Self.prepare(fake, plan: session.plan)
        let progress = ClockMovingProgress(clock: clock) { run in run == cutAfter ? budget : 0 }
        let outcome = try await offPool {
            try session.run(machine: SweepRunnerTests.machine, progress: progress, stop: StopSignal())
        }
        return (outcome, progress, fake, session)
    }

    @Test("a cut in the second repeat: the notice, the counts in the text and the JSON, the confidence")
    func cutCounts() async throws {
        let (outcome, progress, fake, session) = try await Self.advise(cutAfter: 8)
        defer { fake.remove() }
        try #require(session.plan.runs.count == 18, "three repeats of six cells at the standard budget")
        guard case .advised(let advice) = outcome else {
            Issue.record("expected advice, got \(outcome)")
            return
        }
        #expect(fake.calls.count == 8)
        #expect(
            progress.notices.contains(
                "notice: budget reached after 8 of 18 runs: 10 runs skipped; every cell has 1 repeat (2 for some)"),
            "\(progress.notices)")
        let sweep = advice.sweep
        #expect(sweep.plannedRuns == 18)
        #expect(sweep.madeRuns == 8)
        #expect(sweep.skippedRuns == 10)
        #expect(sweep.fewestRepeats == 1 && sweep.mostRepeats == 2)
        #expect(sweep.notMeasuredWithinBudget.isEmpty)
        #expect(advice.recommended == "threads")
        #expect(
            advice.confidence.contains(
                "the budget ran out after 8 of 18 runs, so this rests on 1 repeat of every ranked cell (2 of some) "
                    + "instead of 3"), "\(advice.confidence)")
        let text = Advice.text(advice)
        #expect(
            text.contains(
                "the budget ran out after 8 of 18 runs: 10 skipped, 1 repeat of every ranked cell (2 of some)"),
            "\(text)")
        let decoded = try JSONDecoder().decode(AdviceRecord.self, from: Data(try Advice.json(advice).utf8))
        #expect(decoded == advice)
        #expect(decoded.schemaVersion == 2)
    }

    @Test("one repeat of every cell: the confidence says there is no interval")
    func oneRepeat() async throws {
        let (outcome, _, fake, _) = try await Self.advise(cutAfter: 6)
        defer { fake.remove() }
        guard case .advised(let advice) = outcome else {
            Issue.record("expected advice, got \(outcome)")
            return
        }
        #expect(advice.sweep.fewestRepeats == 1 && advice.sweep.mostRepeats == 1)
        #expect(advice.confidence.contains("one repeat gives no interval"), "\(advice.confidence)")
        for model in advice.models {
            #expect(model.latencyAtRate.map { $0.repeats == 1 && $0.lower == $0.upper } ?? true, "\(model)")
        }
    }

    @Test("a model the deadline left without a run at some rate is not measured within the budget, not failing")
    func notMeasured() async throws {
        // Five runs: both models at 200 and 250, then event-loop at 300; threads never ran at 300.
        let (outcome, _, fake, _) = try await Self.advise(cutAfter: 5)
        defer { fake.remove() }
        guard case .advised(let advice) = outcome else {
            Issue.record("expected advice, got \(outcome)")
            return
        }
        #expect(advice.sweep.notMeasuredWithinBudget == ["threads"])
        let threads = try #require(advice.models.first { $0.model == "threads" })
        #expect(threads.standing == "unmeasured")
        #expect(threads.why.hasPrefix("not measured within the budget: it ran at 2 of its 3 rates"), "\(threads.why)")
        #expect(!threads.why.contains("fail"), "\(threads.why)")
        // Not ranked, but what it measured at the asked rate is shown, as for a ranked model.
        #expect(threads.runs == 1 && threads.latencyAtRate != nil && threads.cpuMicrosPerTickAtRate != nil)
        #expect(threads.capacityTicksPerSecond == nil && threads.headroom == nil)
        #expect(advice.models.last?.model == "threads")
        // Only event-loop was ranked, and it fails its tail: no recommendation, it is the nearest.
        #expect(advice.recommended == nil)
        #expect(advice.nearest == "event-loop")
        #expect(advice.confidence.contains("not measured within the budget, so not ranked: threads"))
        let text = Advice.text(advice)
        #expect(text.contains("Not ranked:  threads: not measured within the budget"), "\(text)")
        // Its table row: the p99 it measured, and no capacity rather than a capacity of none.
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("  threads ") })
        #expect(!row.contains("none") && row.contains("—"), "\(row)")
    }

    @Test("every model cut at some rate: nothing ranked, out of budget, the advice still says what ran")
    func nothingRanked() async throws {
        let (outcome, _, fake, _) = try await Self.advise(cutAfter: 3)
        defer { fake.remove() }
        guard case .outOfBudget(let short) = outcome else {
            Issue.record("expected out of budget, got \(outcome)")
            return
        }
        let advice = try #require(short.advice)
        #expect(advice.measuredNone)
        #expect(advice.models.allSatisfy { $0.standing == "unmeasured" })
        #expect(advice.recommended == nil && advice.nearest == nil)
        #expect(short.madeRuns == 3 && short.plannedRuns == 18)
        #expect(short.neededSeconds > AdvisePlan.standardBudgetSeconds)
        #expect(Advice.text(advice).contains("No model was measured at every rate within the budget"))
    }

    @Test("a start-up that takes the whole budget: no run starts, and the budget that would fit is named")
    func nothingRan() async throws {
        let (outcome, _, fake, session) = try await Self.advise(cutAfter: nil, startUp: 100, budget: 60)
        defer { fake.remove() }
        guard case .outOfBudget(let short) = outcome else {
            Issue.record("expected out of budget, got \(outcome)")
            return
        }
        #expect(short.advice == nil)
        #expect(short.madeRuns == 0)
        #expect(fake.calls.isEmpty)
        // The 100 s spent plus one run of each of the six cells.
        let oneRepeat = session.plan.cells.reduce(0.0) {
            $0 + AdvisePlan.estimatedRunSeconds($1, plan: session.plan, request: session.request)
        }
        #expect(short.neededSeconds == (100 + oneRepeat).rounded(.up))
    }

    @Test("a clock that never reaches the deadline: every run, nothing skipped, no word of the budget")
    func nothingSkipped() async throws {
        let (outcome, progress, fake, _) = try await Self.advise(cutAfter: nil)
        defer { fake.remove() }
        guard case .advised(let advice) = outcome else {
            Issue.record("expected advice, got \(outcome)")
            return
        }
        #expect(fake.calls.count == 18)
        #expect(advice.sweep.skippedRuns == 0 && advice.sweep.madeRuns == 18)
        #expect(advice.sweep.fewestRepeats == 3 && advice.sweep.mostRepeats == 3)
        #expect(!advice.confidence.contains("budget"))
        #expect(progress.notices.allSatisfy { !$0.contains("budget") })
        #expect(advice.recommended == "threads")
    }
}
