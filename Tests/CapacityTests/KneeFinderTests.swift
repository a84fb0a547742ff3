import Capacity
import Foundation
import PropertyBased
import Testing

/// The seed's heavy setting: 4 ms of processing a tick, so ρ 1 is 250 ticks/s.
private let procMs = 4.0
private let objective = LatencyObjective.standard  // p99 ≤ 10 ms

/// A repeat that kept up (or not) with a p99 of `p99` ms.
private func outcome(_ p99: Double?, keptUp: Bool = true, throughput: Double = 0) -> RepeatOutcome {
    RepeatOutcome(keptUp: keptUp, latencyMilliseconds: p99, throughput: throughput)
}

/// A step at load ρ with the given repeats.
private func step(_ load: Double, _ repeats: [RepeatOutcome]) -> LoadStep {
    LoadStep(ticksPerSecond: load * 1000 / procMs, load: load, repeats: repeats)
}

/// A step whose repeats all kept up with the given p99s.
private func step(_ load: Double, p99s: [Double]) -> LoadStep {
    step(load, p99s.map { outcome($0) })
}

@Suite struct KneeFinderTests {
    @Test func aNoisyHockeyStickHasItsKneeBelowTheTurn() throws {
        let curve = [
            step(0.5, p99s: [4.6, 4.4, 7.9]),  // one noisy repeat, the median meets
            step(0.8, p99s: [5.4, 5.1, 5.9]),
            step(0.9, p99s: [6.5, 9.8, 12.0]),  // median 9.8 ≤ 10
            step(1.0, p99s: [46, 80, 31]),
            step(1.1, [outcome(400, keptUp: false), outcome(350, keptUp: false), outcome(500, keptUp: false)]),
        ]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.knee?.load == 0.9)
        #expect(result.capacityTicksPerSecond == 225)
        #expect(result.knee?.medianLatencyMilliseconds == 9.8)
        #expect(!result.metAtEveryLoad)
        #expect(result.firstFailure?.load == 1.0)
        #expect(result.firstFailure?.failure == StepFailure(notKeptUp: false, latencyOverObjective: true))
        #expect(!result.isNonMonotone)
        #expect(result.steps.map(\.load) == [0.5, 0.8, 0.9, 1.0, 1.1])
        #expect(
            result.description
                == "capacity 225 ticks/s at ρ 0.9 (p99=10ms); first fails at ρ 1: p99 46 ms over the objective")
    }

    @Test func aNonMonotoneCurveKeepsTheKneeBelowTheFirstFailureAndWarns() {
        let curve = [
            step(0.8, p99s: [5, 5, 5]),
            step(0.9, p99s: [6, 7, 6]),
            step(1.0, p99s: [11, 12, 9]),  // fails by a little
            step(1.05, p99s: [8, 9, 9.5]),  // meets again by noise
            step(1.1, p99s: [40, 50, 60]),
            step(1.2, p99s: [9, 9, 9]),  // and once more
        ]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.knee?.load == 0.9)
        #expect(result.firstFailure?.load == 1.0)
        #expect(result.isNonMonotone)
        #expect(result.passingAboveFirstFailure.map(\.load) == [1.05, 1.2])
        #expect(!result.metAtEveryLoad)
        #expect(result.description.hasSuffix("meets again at ρ 1.05, ρ 1.2 (non-monotone)"), "\(result.description)")
    }

    @Test func aModelThatNeverMeetsTheObjectiveHasNoKnee() {
        let curve = [step(0.5, p99s: [12, 15, 11]), step(0.8, p99s: [20, 25, 30]), step(1.0, p99s: [90, 80, 85])]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.knee == nil)
        #expect(result.capacityTicksPerSecond == nil)
        #expect(!result.metAtEveryLoad)
        #expect(result.firstFailure?.load == 0.5)
        #expect(!result.isNonMonotone)
        #expect(
            result.description.hasPrefix("no capacity: the lowest load already fails p99=10ms"), "\(result.description)"
        )
    }

    @Test func aModelThatAlwaysMeetsItHasALowerBound() {
        let curve = [step(0.5, p99s: [4, 4, 4]), step(1.0, p99s: [6, 7, 8]), step(1.2, p99s: [9, 9.9, 10])]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.knee?.load == 1.2)
        #expect(result.capacityTicksPerSecond == 300)
        #expect(result.metAtEveryLoad)
        #expect(result.firstFailure == nil)
        #expect(result.description == "capacity ≥ 300 ticks/s at ρ 1.2 (p99=10ms)")
    }

    @Test func aSinglePointIsAKneeOrAFailure() {
        let meets = KneeFinder.knee(of: [step(0.9, p99s: [5])], objective: objective)
        #expect(meets.knee?.load == 0.9 && meets.metAtEveryLoad)

        let fails = KneeFinder.knee(of: [step(0.9, p99s: [50])], objective: objective)
        #expect(fails.knee == nil && fails.firstFailure?.load == 0.9 && !fails.metAtEveryLoad)

        let nothing = KneeFinder.knee(of: [], objective: objective)
        #expect(nothing.knee == nil && nothing.firstFailure == nil && !nothing.metAtEveryLoad && nothing.steps.isEmpty)
        #expect(nothing.description == "no capacity: nothing measured")
    }

    @Test func repeatsThatDisagreeAreDecidedByTheirMedians() {
        // Kept up in two of three: a majority. Latency: one repeat over, two under.
        let majority = step(0.9, [outcome(5, keptUp: true), outcome(50, keptUp: false), outcome(6, keptUp: true)])
        #expect(KneeFinder.verdict(on: majority, objective: objective).meets)

        // Kept up in one of three: no majority, although the median latency meets.
        let minority = step(0.9, [outcome(5, keptUp: false), outcome(6, keptUp: true), outcome(7, keptUp: false)])
        let minorityVerdict = KneeFinder.verdict(on: minority, objective: objective)
        #expect(minorityVerdict.failure == StepFailure(notKeptUp: true, latencyOverObjective: false))
        #expect(minorityVerdict.keptUpRepeats == 1 && minorityVerdict.repeats == 3)

        // Two repeats, one each way: a tie fails.
        let tie = step(0.9, [outcome(5, keptUp: true), outcome(5, keptUp: false)])
        #expect(KneeFinder.verdict(on: tie, objective: objective).failure?.notKeptUp == true)

        // Latency medians: two of four over the bound → the mean of 9 and 11 is 10, which meets.
        let even = step(0.9, p99s: [9, 11, 3, 30])
        #expect(KneeFinder.verdict(on: even, objective: objective).medianLatencyMilliseconds == 10)
        #expect(KneeFinder.verdict(on: even, objective: objective).meets)

        // Both reasons at once.
        let both = step(1.1, [outcome(50, keptUp: false), outcome(60, keptUp: false), outcome(5, keptUp: true)])
        #expect(
            KneeFinder.verdict(on: both, objective: objective).failure
                == StepFailure(notKeptUp: true, latencyOverObjective: true))
    }

    @Test func aRepeatWithoutLatencyCountsAsOverTheBound() {
        let one = step(0.9, [outcome(nil), outcome(5), outcome(6)])
        #expect(KneeFinder.verdict(on: one, objective: objective).medianLatencyMilliseconds == 6)
        let two = step(0.9, [outcome(nil), outcome(.nan), outcome(6)])
        let verdict = KneeFinder.verdict(on: two, objective: objective)
        #expect(verdict.medianLatencyMilliseconds == nil)
        #expect(verdict.failure == StepFailure(notKeptUp: false, latencyOverObjective: true))
        let result = KneeFinder.knee(of: [two], objective: objective)
        #expect(result.description.contains("p99 none measured over the objective"), "\(result.description)")
    }

    @Test func theLadderMayBeUnsortedWithGapsAndRepeatedSteps() {
        let sorted = [step(0.5, p99s: [4]), step(0.9, p99s: [6]), step(1.0, p99s: [20])]
        let shuffled = [step(1.0, p99s: [20]), step(0.5, p99s: [4]), step(0.9, p99s: [6])]
        #expect(
            KneeFinder.knee(of: shuffled, objective: objective) == KneeFinder.knee(of: sorted, objective: objective))

        // The same load given twice (say, a resumed sweep's two halves) is one step of all its repeats.
        let split = [step(0.9, p99s: [6, 20]), step(0.9, p99s: [7]), step(0.5, p99s: [4])]
        let merged = KneeFinder.knee(of: split, objective: objective)
        #expect(merged.steps.count == 2)
        #expect(merged.steps.last?.repeats == 3 && merged.steps.last?.medianLatencyMilliseconds == 7)
        #expect(merged.knee?.load == 0.9)
    }

    @Test func aStepWithoutRepeatsNeitherMeetsNorFails() {
        let curve = [step(0.5, p99s: [4]), step(0.8, []), step(0.9, p99s: [6]), step(1.0, p99s: [30])]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.knee?.load == 0.9)
        #expect(result.firstFailure?.load == 1.0)
        #expect(result.steps.count == 4)
        #expect(result.steps[1].isMeasured == false && result.steps[1].meets == false && result.steps[1].failure == nil)
    }

    @Test func aRateLadderHasNoLoads() {
        let curve = [
            LoadStep(ticksPerSecond: 1_000, load: nil, repeats: [outcome(0.5, throughput: 1_000)]),
            LoadStep(ticksPerSecond: 100_000, load: nil, repeats: [outcome(0.9, throughput: 99_000)]),
            LoadStep(ticksPerSecond: 1_000_000, load: nil, repeats: [outcome(900, keptUp: false, throughput: 600_000)]),
        ]
        let result = KneeFinder.knee(of: curve, objective: objective)
        #expect(result.capacityTicksPerSecond == 100_000)
        #expect(result.knee?.medianThroughput == 99_000)
        #expect(
            result.description
                == "capacity 100000 ticks/s (p99=10ms); first fails at 1000000 ticks/s: kept up in 0 of 1 repeats, p99 900 ms over the objective"
        )
    }

    /// Against a reference written the plain way: walk the sorted loads and stop at the first
    /// whose repeats' median fails.
    @Test func theKneeIsTheLastMeetingStepBeforeTheFirstFailure() async {
        let repeatGen = zip(Gen.bool(0.8), Gen.int(in: 1...30)).map { keptUp, p99 in
            outcome(Double(p99), keptUp: keptUp)
        }
        let stepGen = zip(Gen.int(in: 1...24), repeatGen.array(of: 1...5)).map { twentieth, repeats in
            step(Double(twentieth) / 20, repeats)
        }
        await propertyCheck(count: 100, input: stepGen.array(of: 0...12)) { steps in
            let result = KneeFinder.knee(of: steps, objective: objective)

            var byLoad: [Double: [RepeatOutcome]] = [:]
            for step in steps { byLoad[step.load!, default: []] += step.repeats }
            var expectedKnee: Double?
            var expectedFailure: Double?
            for load in byLoad.keys.sorted() {
                let repeats = byLoad[load]!
                let keptUp = repeats.filter(\.keptUp).count * 2 > repeats.count
                let latencies = repeats.map { $0.latencyMilliseconds! }.sorted()
                let middle = latencies.count / 2
                let median =
                    latencies.count % 2 == 1 ? latencies[middle] : (latencies[middle - 1] + latencies[middle]) / 2
                if keptUp && median <= 10 { expectedKnee = load } else { expectedFailure = load; break }
            }
            #expect(result.knee?.load == expectedKnee, "\(steps)")
            #expect(result.firstFailure?.load == expectedFailure)
            #expect(result.metAtEveryLoad == (expectedKnee != nil && expectedFailure == nil))
            #expect(
                result.passingAboveFirstFailure.allSatisfy {
                    $0.meets && $0.ticksPerSecond > result.firstFailure!.ticksPerSecond
                })
            #expect(result.steps.map(\.ticksPerSecond) == result.steps.map(\.ticksPerSecond).sorted())
        }
    }

    @Test func resultsAreCodable() throws {
        let unmeasured = step(1.05, [outcome(nil, keptUp: false), outcome(nil, keptUp: false)])
        let result = KneeFinder.knee(
            of: [step(0.9, p99s: [5, 6, 7]), step(1.0, p99s: [20, 30, 40]), unmeasured, step(1.1, p99s: [5, 5, 5])],
            objective: objective)
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(KneeResult.self, from: data) == result)
    }
}

/// The steps that get more repeats: split ones at or below the first unanimous failure.
@Suite struct SplitStepTests {
    @Test func theSplitStepsBelowTheFirstUnanimousFailureAreTheOnesThatCanMoveTheKnee() {
        let curve = [
            step(1.2, p99s: [40, 9, 50]),  // split, but above a unanimous failure: cannot move the knee
            step(0.5, p99s: [4, 5, 6]),  // unanimous pass
            step(0.8, p99s: [4, 12, 6]),  // split by latency
            step(0.9, [outcome(5), outcome(6, keptUp: false), outcome(7)]),  // split by keeping up
            step(1.0, p99s: [11, 30, 12]),  // unanimous failure: the walk stops here
            step(1.1, p99s: [9, 30, 40]),
        ]
        let split = KneeFinder.splitSteps(of: curve, objective: objective)
        #expect(split.map(\.load) == [0.8, 0.9])
        #expect(split.map(\.repeats.count) == [3, 3])
    }

    @Test func aRepeatWithoutALatencyOrANaNOneDoesNotMeet() {
        let curve = [step(0.5, [outcome(nil), outcome(5)]), step(0.8, [outcome(.nan), outcome(.nan)])]
        #expect(KneeFinder.splitSteps(of: curve, objective: objective).map(\.load) == [0.5])
    }

    @Test func stepsOfOneRateAreJudgedTogetherAndUnmeasuredOnesSkipped() {
        let curve = [
            step(0.5, p99s: [4]), step(0.5, p99s: [40]),  // one step, split
            step(0.8, []),  // no repeats: neither split nor a failure
            step(0.9, p99s: [5, 6, 7]),
        ]
        let split = KneeFinder.splitSteps(of: curve, objective: objective)
        #expect(split.map(\.load) == [0.5])
        #expect(split.first?.repeats.count == 2)
    }

    @Test func aCurveEveryRepeatAgreesOnHasNoSplitStep() {
        let agreeing = [step(0.5, p99s: [4, 5, 6]), step(0.9, p99s: [8, 9, 9]), step(1.0, p99s: [20, 30, 40])]
        #expect(KneeFinder.splitSteps(of: agreeing, objective: objective).isEmpty)
        #expect(KneeFinder.splitSteps(of: [], objective: objective).isEmpty)
        let failingFromTheStart = [step(0.1, p99s: [20, 30, 40]), step(0.5, p99s: [5, 30, 40])]
        #expect(KneeFinder.splitSteps(of: failingFromTheStart, objective: objective).isEmpty)
    }
}
