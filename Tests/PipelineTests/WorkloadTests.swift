import Foundation
import Pipeline
import Testing

@Suite("Workload arithmetic and calibration")
struct WorkloadArithmeticTests {
    @Test("a request of zero nanoseconds is no work at all")
    func zeroRequest() {
        let work = Workload(requested: .nanoseconds(0), calibration: .init(nanosPerRound: 3))
        #expect(work.rounds == 0)
        #expect(work.isEmpty)
    }

    @Test(
        "rounds are the request divided by the cost of a round, rounded to the nearest, at least one",
        arguments: [
            (1_000, 2.0, 500), (10, 3.0, 3), (12, 5.0, 2), (13, 5.0, 3), (1, 10.0, 1),
            (50_000_000, 0.8, 62_500_000), (7, 7.0, 1), (15, 10.0, 2),
        ] as [(UInt64, Double, Int)])
    func roundCount(requested: UInt64, nanosPerRound: Double, rounds: Int) {
        let work = Workload(requested: .nanoseconds(requested), calibration: .init(nanosPerRound: nanosPerRound))
        #expect(work.rounds == rounds)
        #expect(work.requested == .nanoseconds(requested))
        #expect(!work.isEmpty)
    }

    /// The same chain of rounds, written out plainly: `burn` must compute exactly this, so its
    /// result (published in the state) is the same on every machine and every model.
    private static func referenceBurn(rounds: Int, over values: [Int64]) -> UInt64 {
        var accumulator: UInt64 = 0x9E37_79B9_7F4A_7C15
        guard !values.isEmpty else { return accumulator }
        for round in 0..<rounds {
            accumulator = (accumulator ^ UInt64(bitPattern: values[round % values.count])) &* 0x0000_0100_0000_01B3
            accumulator ^= accumulator >> 29
        }
        return accumulator
    }

    @Test("the work is a deterministic function of its rounds and inputs", arguments: [0, 1, 2, 39, 40, 41, 1_000])
    func deterministic(rounds: Int) {
        let values: [Int64] = (0..<40).map { Int64($0) &* 7_919 &- 123_456 }
        let result = values.withUnsafeBufferPointer { Workload.burn(rounds: rounds, over: $0) }
        #expect(result == Self.referenceBurn(rounds: rounds, over: values))
        let again = values.withUnsafeBufferPointer { Workload.burn(rounds: rounds, over: $0) }
        #expect(again == result)
    }

    @Test("no inputs, or no rounds, leave the seed value")
    func seedOnly() {
        let seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        #expect([Int64]().withUnsafeBufferPointer { Workload.burn(rounds: 100, over: $0) } == seed)
        #expect([Int64(5)].withUnsafeBufferPointer { Workload.burn(rounds: 0, over: $0) } == seed)
    }

    @Test("the result depends on every input value")
    func dependsOnInputs() {
        let values: [Int64] = [1, 2, 3, 4, 5]
        let base = values.withUnsafeBufferPointer { Workload.burn(rounds: 10, over: $0) }
        for index in values.indices {
            var changed = values
            changed[index] &+= 1
            let other = changed.withUnsafeBufferPointer { Workload.burn(rounds: 10, over: $0) }
            #expect(other != base, "changing input \(index) changes the result")
        }
    }

    @Test("run(over:) runs the workload's own number of rounds")
    func runUsesRounds() {
        let work = Workload(requested: .nanoseconds(100), calibration: .init(nanosPerRound: 4))
        let values: [Int64] = [10, 20, 30]
        let viaRun = values.withUnsafeBufferPointer { work.run(over: $0) }
        #expect(work.rounds == 25)
        #expect(viaRun == Self.referenceBurn(rounds: 25, over: values))
    }

    @Test("a measured calibration is a positive, finite cost per round")
    func measuredCalibration() {
        // Only its sign and finiteness are asserted: the figure itself depends on the machine.
        let calibration = Workload.Calibration.measure(trials: 3, trialDuration: .milliseconds(2))
        #expect(calibration.nanosPerRound > 0)
        #expect(calibration.nanosPerRound.isFinite)
    }

    @Test("a calibration survives JSON coding")
    func calibrationCoding() throws {
        let calibration = Workload.Calibration(nanosPerRound: 0.4375)
        let decoded = try JSONDecoder().decode(Workload.Calibration.self, from: JSONEncoder().encode(calibration))
        #expect(decoded == calibration)
    }

    @Test("a calibration with a cost of zero is refused: it would make every request infinite work")
    func zeroCalibration() async {
        await #expect(processExitsWith: .failure) {
            _ = Workload.Calibration(nanosPerRound: 0)
        }
    }
}
