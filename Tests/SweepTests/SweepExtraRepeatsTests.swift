import Capacity
import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// The extra repeats of the steps a knee may turn on (`--extra-repeats`): which cells get them,
/// how many, in what order, and that a resumed sweep finishes them.
@Suite("Sweep: extra repeats of split ladder steps")
struct SweepExtraRepeatsTests {
    static let duration = 0.5
    static let objective = LatencyObjective(percentile: .p99, boundMilliseconds: 10)

    /// One model on a rate ladder of 100, 200, 300 ticks/s at proc 1 ms, eval 5 ms wait.
    static func plan(repeats: Int = 3, extraRepeats: Int = 2, models: [String] = ["threads"]) -> SweepPlan {
        SweepPlan(
            dimensions: [
                .init(axis: .model, values: models), .init(axis: .rate, values: ["100", "200", "300"]),
                .init(axis: .procMs, values: ["1"]), .init(axis: .evalMs, values: ["5"]),
                .init(axis: .evalKind, values: ["wait"]),
            ], setup: .init(durationSeconds: duration), repeats: repeats, objective: objective,
            extraRepeats: extraRepeats)
    }

    /// A run of `model` at `rate` with a processing p99 of `p99` ms.
    static func result(_ model: String = "threads", rate: Double, p99: Double, keptUp: Bool = true) -> RunResult {
        var result = Fixture.result(model: model, rate: rate, procMs: 1, evalMs: 5, duration: duration)
        result.latency.processing = LatencySummary(
            count: 100, mean: p99 / 2, p50: p99 / 3, p90: p99 / 2, p99: p99, p999: p99, max: p99)
        result.window.keptUp = keptUp
        return result
    }

    /// Records for every rate, repeat by repeat: `p99s[rate]` lists the p99 of each repeat.
    static func records(_ p99s: [Double: [Double]], model: String = "threads") -> [SweepRecord] {
        p99s.sorted { $0.key < $1.key }.flatMap { rate, values in
            values.map { SweepRecord.run(result(model, rate: rate, p99: $0)) }
        }
    }

    @Test("a split step at or below the first unanimous failure gets its extra repeats, interleaved, numbered on")
    func splitStepsGetExtraRuns() {
        let plan = Self.plan(models: ["threads", "tasks"])
        let records =
            Self.records([100: [5, 5, 5], 200: [5, 20, 5], 300: [20, 5, 20]], model: "threads")
            + Self.records([100: [5, 20, 20], 200: [20, 20, 20], 300: [5, 20, 20]], model: "tasks")
        let extra = SweepRunner.extraRuns(plan, records: records, retryFailed: false, after: 18)
        // threads: 200 is split (300 too: it fails on its median, but not unanimously); tasks: 100
        // is split, 200 fails unanimously, so its split 300 cannot move the knee. In the plan's
        // cell order (models fastest), one round of extra repeats after the other.
        let cells = extra.map { "\($0.cell[.model]) \($0.cell[.rate]) #\($0.repetition) @\($0.index)" }
        #expect(
            cells == [
                "tasks 100 #3 @18", "threads 200 #3 @19", "threads 300 #3 @20",
                "tasks 100 #4 @21", "threads 200 #4 @22", "threads 300 #4 @23",
            ])
    }

    @Test("no extra runs without --extra-repeats, before every step has its repeats, or once they are made")
    func noExtraRunsWhenNotCalledFor() {
        let split = Self.records([100: [5, 5, 5], 200: [5, 20, 5], 300: [20, 20, 20]])
        #expect(SweepRunner.extraRuns(Self.plan(extraRepeats: 0), records: split, retryFailed: false, after: 9).isEmpty)
        let unfinished = Self.records([100: [5, 5, 5], 200: [5, 20], 300: [20, 20, 20]])
        #expect(SweepRunner.extraRuns(Self.plan(), records: unfinished, retryFailed: false, after: 8).isEmpty)
        let oneMade = split + Self.records([200: [20]])
        let remaining = SweepRunner.extraRuns(Self.plan(), records: oneMade, retryFailed: false, after: 10)
        #expect(remaining.map(\.repetition) == [4])
        let allMade = oneMade + Self.records([200: [5]])
        #expect(SweepRunner.extraRuns(Self.plan(), records: allMade, retryFailed: false, after: 11).isEmpty)
    }

    @Test("a repeat that fell behind does not meet the objective, whatever its latency")
    func fallingBehindSplitsAStep() {
        var records = Self.records([100: [5, 5, 5], 300: [50, 50, 50]])
        records += [200, 200].map { SweepRecord.run(Self.result(rate: $0, p99: 5)) }
        records.append(.run(Self.result(rate: 200, p99: 5, keptUp: false)))
        let extra = SweepRunner.extraRuns(Self.plan(), records: records, retryFailed: false, after: 9)
        #expect(extra.map(\.cell[.rate]) == ["200", "200"])
    }

    @Test("the sweep runs the extra repeats after the plan's, and a resumed sweep has none left")
    func sweepRunsThemAndResumeKeepsThem() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        // Interleaved: every rate once, then again. 200 splits 1 : 2 and gets two more repeats.
        let rounds: [[Double]] = [[5, 5, 40], [5, 20, 40], [5, 5, 40]]
        for round in rounds {
            try fake.enqueue(zip([100.0, 200, 300], round).map { Self.result(rate: $0, p99: $1) })
        }
        try fake.enqueue([Self.result(rate: 200, p99: 20), Self.result(rate: 200, p99: 5)])
        let (summary, progress) = try await SweepRunnerTests.sweep(Self.plan(), in: out, fake: fake)
        #expect(summary.total == 11)
        #expect(summary.ran == 11)
        #expect(summary.complete)
        #expect(fake.calls.count == 11)
        let rates = fake.arguments.map { words in words.firstIndex(of: "--rate").map { words[$0 + 1] } ?? "" }
        #expect(rates == ["100", "200", "300", "100", "200", "300", "100", "200", "300", "200", "200"])
        #expect(
            progress.lines.contains {
                $0 == "notice: 1 ladder step split on the objective: running up to 2 more repeats of each (2 runs)"
            })
        #expect(progress.lines.last?.hasPrefix("cell 11/11 threads, 200 ticks/s") == true)

        let (again, _) = try await SweepRunnerTests.sweep(Self.plan(), in: out, fake: fake)
        #expect(again.ran == 0)
        #expect(again.total == 9, "no extra run is left, so none is added to the plan's nine")
        #expect(fake.calls.count == 11)
    }
}
