import Testing

@testable import Results
@testable import Sweep

/// ``SweepETA`` on a fake clock: what the progress line promises, with and without a deadline,
/// never reading the wall clock.
@Suite("Sweep ETA")
struct SweepETATests {
    /// `count` runs of one cell, numbered from `first`.
    static func runs(_ count: Int, first: Int = 1) -> [SweepRun] {
        (0..<count).map { SweepRun(cell: SweepCell(values: [:]), repetition: $0, index: first + $0) }
    }

    @Test("without a deadline: the run in progress's remainder and every queued run")
    func withoutDeadline() {
        let eta = SweepETA.estimate(runSeconds: 10, elapsed: 4, upcoming: Self.runs(5), deadline: nil)
        #expect(eta == SweepETA(seconds: 56, boundedByBudget: false))
        // A run past its estimate counts as ending now, not as negative time.
        let late = SweepETA.estimate(runSeconds: 10, elapsed: 25, upcoming: Self.runs(2), deadline: nil)
        #expect(late == SweepETA(seconds: 20))
        #expect(SweepETA.estimate(runSeconds: 10, elapsed: 4, upcoming: [], deadline: nil) == SweepETA(seconds: 6))
    }

    @Test("a deadline that every queued run fits before: the same ETA, not said to be the budget's")
    func deadlineFarAway() {
        let clock = FakeSweepClock(100)
        let deadline = SweepDeadline(clock: clock, instant: 1_000) { _ in 10 }
        let eta = SweepETA.estimate(runSeconds: 10, elapsed: 4, upcoming: Self.runs(5), deadline: deadline)
        #expect(eta == SweepETA(seconds: 56, boundedByBudget: false))
        // The last run's estimate ends exactly at the deadline: it still starts (`allows`).
        let exact = SweepDeadline(clock: clock, instant: 100 + 56) { _ in 10 }
        #expect(
            SweepETA.estimate(runSeconds: 10, elapsed: 4, upcoming: Self.runs(5), deadline: exact)
                == SweepETA(seconds: 56))
    }

    @Test("a deadline that cuts the queue: the ETA ends where the deadline stops starting runs, and says so")
    func deadlineCuts() {
        let clock = FakeSweepClock()
        let deadline = SweepDeadline(clock: clock, instant: 30) { _ in 10 }
        // In progress until 6; runs at 6–16 and 16–26; the next would end at 36, past 30.
        let eta = SweepETA.estimate(runSeconds: 10, elapsed: 4, upcoming: Self.runs(5), deadline: deadline)
        #expect(eta == SweepETA(seconds: 26, boundedByBudget: true))
        #expect(SweepProgressText.eta(eta) == "ETA 0:26 (budget)")
        // As the fake clock and the run move on together, the ETA counts down with them.
        clock.advance(by: 5)
        let later = SweepETA.estimate(runSeconds: 10, elapsed: 9, upcoming: Self.runs(5), deadline: deadline)
        #expect(later == SweepETA(seconds: 21, boundedByBudget: true))
    }

    @Test("under load: runs slower than the deadline's estimate end past it by at most one run, not at the plan's end")
    func underLoad() {
        // A 3-minute budget, 60 s spent on two runs that each took 30 s, while the deadline
        // estimates a run at 10 s; twenty runs are queued after the one just started.
        let clock = FakeSweepClock(60)
        let deadline = SweepDeadline(clock: clock, instant: 180) { _ in 10 }
        let upcoming = Self.runs(20)
        let unbounded = SweepETA.estimate(runSeconds: 30, elapsed: 0, upcoming: upcoming, deadline: nil)
        #expect(unbounded.seconds == 630)
        // Runs start at 60, 90, 120 and 150 (each fits by its 10 s estimate); at 180 none does.
        let eta = SweepETA.estimate(runSeconds: 30, elapsed: 0, upcoming: upcoming, deadline: deadline)
        #expect(eta == SweepETA(seconds: 120, boundedByBudget: true))
        #expect(eta.seconds <= deadline.secondsLeft + 30)
    }

    @Test("never past the later of the run in progress's end and the deadline plus one run, wherever the clock is")
    func boundedEverywhere() {
        for runSeconds in [8.0, 12, 40] {
            let clock = FakeSweepClock()
            // The deadline's estimates differ by run (a drain for some), as advise's do.
            let deadline = SweepDeadline(clock: clock, instant: 200) { run in run.index % 3 == 0 ? 25 : 12 }
            for step in 0..<60 {
                clock.advance(by: 5)
                let elapsed = Double(step % 9) * 3
                let eta = SweepETA.estimate(
                    runSeconds: runSeconds, elapsed: elapsed, upcoming: Self.runs(30), deadline: deadline)
                let inProgress = max(0, runSeconds - elapsed)
                #expect(
                    eta.seconds <= max(inProgress, deadline.secondsLeft + runSeconds),
                    "run \(runSeconds) s, clock \(clock.now()), elapsed \(elapsed): \(eta)")
                #expect(eta.seconds >= inProgress)
                // Thirty runs of 8 s or more never fit a 200 s budget: the budget bounds every ETA.
                #expect(eta.boundedByBudget)
            }
        }
    }

    @Test("past the deadline: only the run in progress is left, and the budget says so while runs are queued")
    func pastTheDeadline() {
        let clock = FakeSweepClock(50)
        let deadline = SweepDeadline(clock: clock, instant: 40) { _ in 10 }
        #expect(
            SweepETA.estimate(runSeconds: 10, elapsed: 3, upcoming: Self.runs(4), deadline: deadline)
                == SweepETA(seconds: 7, boundedByBudget: true))
        #expect(
            SweepETA.estimate(runSeconds: 10, elapsed: 3, upcoming: [], deadline: deadline)
                == SweepETA(seconds: 7, boundedByBudget: false))
    }

    @Test("the progress lines say when the budget bounds the ETA")
    func progressLines() {
        let bounded = SweepETA(seconds: 72, boundedByBudget: true)
        let live = TextSink()
        LiveSweepProgress(width: 200, write: live.write)
            .handle(.running(SweepProgressTests.run, total: 12, elapsed: 7, eta: bounded))
        #expect(live.text.hasSuffix("  0:07  ETA 1:12 (budget)"), "\(live.text)")
        let lines = TextSink()
        let progress = LineSweepProgress(write: lines.write)
        progress.handle(.running(SweepProgressTests.run, total: 12, elapsed: 1, eta: bounded))
        progress.handle(.finished(SweepProgressTests.run, total: 12, record: SweepProgressTests.passed, wallSeconds: 5))
        #expect(lines.text.hasSuffix("  [ETA 1:12 (budget)]\n"), "\(lines.text)")
        #expect(SweepProgressText.eta(SweepETA(seconds: 72)) == "ETA 1:12")
    }
}
