import Capacity
import Foundation
import Testing

/// Only what does not depend on time: the counts asked for, the order of the percentiles, and the
/// JSON round trip. The figures themselves belong to the machine and its load, never to a test.
@Suite struct MachineFloorTests {
    @Test func wakeUpLatenessHasTheSamplesAskedForInOrder() {
        let wake = FloorMeasurement.wakeUpLateness(sleeps: 50, sleepNanoseconds: 200_000)
        #expect(wake.samples == 50)
        #expect(wake.sleepNanoseconds == 200_000)
        #expect(wake.p50Nanoseconds <= wake.p99Nanoseconds && wake.p99Nanoseconds <= wake.maxNanoseconds)
    }

    @Test func clockReadCostHasTheBatchesAskedForInOrder() {
        let clock = FloorMeasurement.clockReadCost(batches: 5, readsPerBatch: 1_000)
        #expect(clock.batches == 5 && clock.readsPerBatch == 1_000)
        #expect(clock.minNanosecondsPerRead >= 0)
        #expect(
            clock.minNanosecondsPerRead <= clock.medianNanosecondsPerRead
                && clock.medianNanosecondsPerRead <= clock.maxNanosecondsPerRead)
        #expect(clock.medianNanosecondsPerRead.isFinite)
    }

    @Test func theMonotonicClockDoesNotGoBack() {
        var previous = FloorMeasurement.monotonicNanoseconds()
        for _ in 0..<10_000 {
            let now = FloorMeasurement.monotonicNanoseconds()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test func aFloorRoundTripsThroughJSON() throws {
        let measured = FloorMeasurement.measure(sleeps: 20)
        #expect(measured.wakeUp.samples == 20)
        #expect(
            measured.clockRead.batches == FloorMeasurement.standardBatches
                && measured.clockRead.readsPerBatch == FloorMeasurement.standardReadsPerBatch)
        let data = try JSONEncoder().encode(measured)
        #expect(try JSONDecoder().decode(MachineFloor.self, from: data) == measured)

        let made = MachineFloor(
            wakeUp: WakeUpLateness(
                sleepNanoseconds: 1_000_000, samples: 2_000, p50Nanoseconds: 55_000, p99Nanoseconds: 120_000,
                maxNanoseconds: 2_300_000, timerSlackNanoseconds: nil),
            clockRead: ClockReadCost(
                batches: 15, readsPerBatch: 100_000, medianNanosecondsPerRead: 21.5, minNanosecondsPerRead: 20.1,
                maxNanosecondsPerRead: 30))
        #expect(try JSONDecoder().decode(MachineFloor.self, from: JSONEncoder().encode(made)) == made)
    }
}
