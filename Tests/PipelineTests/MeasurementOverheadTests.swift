import Capacity
import MarketData
import OrderBook
import Pipeline
import Testing

@Suite("The measurement's own cost per tick, and a sweep's calibration trials")
struct MeasurementOverheadTests {
    @Test("the cost is filled: the counts of the stage code, every tick timed, a positive time per tick")
    func measured() {
        let cost = MeasurementOverhead.measure(batches: 5, ticksPerBatch: 200)
        #expect(cost.clockReadsPerTick == MeasurementOverhead.clockReadsPerTick)
        #expect(cost.recordsPerTick == MeasurementOverhead.recordsPerTick)
        #expect(cost.ticks == 1_000)
        #expect(cost.medianNanosecondsPerTick > 0)
        #expect(
            cost.minNanosecondsPerTick <= cost.medianNanosecondsPerTick
                && cost.medianNanosecondsPerTick <= cost.maxNanosecondsPerTick)
    }

    @Test("the records per tick are the histogram records the stages make for a tick alone in its batch, evaluated")
    func recordsMatchTheStages() {
        let ticks = 25
        var receiver = ReceiverStage(
            feed: ScriptedFeed(alternatingTicks(ticks).map { .ticks([$0]) }), stop: StopSignal(), batchLimit: 1)
        let calibration = Workload.Calibration(nanosPerRound: 1)
        var processor = ProcessorStage(
            work: Workload(requested: .nanoseconds(0), calibration: calibration), stop: StopSignal(),
            windowEnd: .init(nanoseconds: .max))
        var evaluator = EvaluatorStage(kind: .cpu, work: Workload(requested: .nanoseconds(0), calibration: calibration))
        var handedOver = 0
        while receiver.receive() == .handOver {
            for item in receiver.batch {
                #expect(evaluator.pickUp(processor.process(item)) == .pickUp)
                handedOver += 1
            }
        }
        #expect(handedOver == ticks)
        let r = receiver.metrics, p = processor.metrics, e = evaluator.metrics
        let records = [
            r.arrivalToReceived.count, p.processing.count, p.receivedToProcessed.count, e.endToEnd.count,
            e.reaction.count, e.processedToPicked.count, e.pickedToDecided.count, e.routing.decidedToAcked.count,
        ].reduce(0, +)
        #expect(records == UInt64(MeasurementOverhead.recordsPerTick * ticks))
        // One poll and one receipt stamp per batch of one, one stamp in the processor, two in
        // the evaluator: the clock reads the constant counts.
        #expect(r.batches == UInt64(ticks))
        #expect(MeasurementOverhead.clockReadsPerTick == 2 + 1 + 2)
    }

    @Test("a saturated batch records three latencies a tick and the evaluated state's four")
    func saturatedBatchRecords() {
        var path = MeasurementOverhead.TickPath()
        #expect(path.saturatedBatch(ticks: 8) == 8)
        #expect(path.records == 3 * 8 + 4)
        path.loneTick()
        #expect(path.records == 3 * 8 + 4 + UInt64(MeasurementOverhead.recordsPerTick))
    }

    @Test("the three stages' shares of a saturated batch make its records between them")
    func sharesMakeTheBatch() {
        var receiver = MeasurementOverhead.TickPath()
        var processor = MeasurementOverhead.TickPath()
        var evaluator = MeasurementOverhead.TickPath()
        #expect(receiver.receiverShare(ticks: 8) == 8 && processor.processorShare(ticks: 8) == 8)
        evaluator.evaluatorShare()
        #expect(receiver.records == 8)
        #expect(processor.records == 2 * 8)
        #expect(evaluator.records == 4)
        var whole = MeasurementOverhead.TickPath()
        whole.saturatedBatch(ticks: 8)
        #expect(whole.records == receiver.records + processor.records + evaluator.records)
    }

    @Test("a sweep's calibration keeps the median, fastest and slowest of its trials")
    func calibrationTrials() {
        let trials = Workload.Calibration.measureTrials(trials: 5, trialDuration: .milliseconds(2))
        #expect(trials.count == 5)
        #expect(trials.minNanosPerRound > 0)
        #expect(
            trials.minNanosPerRound <= trials.calibration.nanosPerRound
                && trials.calibration.nanosPerRound <= trials.maxNanosPerRound)
        #expect(Workload.Calibration.sweepTrials >= 15 && Workload.Calibration.sweepTrials % 2 == 1)
    }
}
