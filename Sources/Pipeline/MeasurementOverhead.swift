import Capacity
import Clocks

/// What the lab's own measurement costs a tick on the hot path: the monotonic clock reads that
/// stamp it and the histogram records of its latencies, as the stages make them.
///
/// The counts are those of a tick that arrives alone in its batch and is evaluated (the case of
/// every tick at a rate the pipeline keeps up with): fewer per tick when a batch holds several
/// ticks (one poll and one receipt stamp for all) or states are conflated (no evaluation). The
/// thread-CPU reads that time the workload (two per unit of work, a system call each) are not
/// counted: they exist only when there is work, and they time it rather than the tick.
public enum MeasurementOverhead {
    /// Monotonic clock reads per tick: the receiver's poll (`now` for the feed) and its receipt
    /// stamp, the processor's stamp, the evaluator's pick-up and decision stamps.
    public static let clockReadsPerTick = 5
    /// Histogram records per tick: arrival→received (receiver); processing and
    /// received→processed (processor); end-to-end, reaction, processed→picked and
    /// picked→decided (evaluator).
    public static let recordsPerTick = 7

    /// Batches of the default measurement; the median of an odd count is one batch's figure.
    public static let standardBatches = 31
    /// Ticks per batch: about 0.5 ms of work at 150 ns a tick, short against a time slice, so
    /// most batches run unpreempted and the median is the measurement's cost, not a neighbour's.
    public static let standardTicksPerBatch = 4_000

    /// Times `batches` loops of `ticksPerBatch` ticks' worth of the stages' measurement (the
    /// clock reads and histogram records above, into seven histograms as the stages keep them)
    /// and gives the cost per tick: median, fastest and slowest batch.
    ///
    /// - Precondition: `batches` > 0, `ticksPerBatch` > 0.
    public static func measure(batches: Int = standardBatches, ticksPerBatch: Int = standardTicksPerBatch)
        -> MeasurementCost
    {
        precondition(batches > 0 && ticksPerBatch > 0, "at least one batch of one tick")
        var recorders = Recorders()
        var perTick: [Double] = []
        perTick.reserveCapacity(batches)
        for _ in 0..<batches {
            let start = MonotonicClock.now()
            for _ in 0..<ticksPerBatch { recorders.tick() }
            let end = MonotonicClock.now()
            perTick.append(Double(end &- start) / Double(ticksPerBatch))
        }
        // The histograms hold every record: the optimiser cannot drop the loop's work.
        blackHole(recorders.total)
        perTick.sort()
        let median =
            perTick.count % 2 == 1
            ? perTick[perTick.count / 2]
            : (perTick[perTick.count / 2 - 1] + perTick[perTick.count / 2]) / 2
        return MeasurementCost(
            clockReadsPerTick: clockReadsPerTick, recordsPerTick: recordsPerTick, ticks: batches * ticksPerBatch,
            medianNanosecondsPerTick: median, minNanosecondsPerTick: perTick[0],
            maxNanosecondsPerTick: perTick[perTick.count - 1])
    }

    /// The seven histograms of one tick's path, fed as the stages feed them.
    struct Recorders {
        var arrivalToReceived = LatencyRecorder()
        var processing = LatencyRecorder()
        var receivedToProcessed = LatencyRecorder()
        var endToEnd = LatencyRecorder()
        var reaction = LatencyRecorder()
        var processedToPicked = LatencyRecorder()
        var pickedToDecided = LatencyRecorder()

        /// One tick's measurement: five clock reads, seven records. The scheduled arrival is the
        /// poll's reading, as for a tick due the moment it is polled.
        @inline(never)
        mutating func tick() {
            let arrival = MonotonicClock.now()  // the receiver's poll
            let received = MonotonicClock.now()
            arrivalToReceived.record(from: arrival, to: received)
            let processed = MonotonicClock.now()
            processing.record(from: arrival, to: processed)
            receivedToProcessed.record(from: received, to: processed)
            let picked = MonotonicClock.now()
            let decided = MonotonicClock.now()
            endToEnd.record(from: arrival, to: decided)
            reaction.record(from: arrival, to: picked)
            processedToPicked.record(from: processed, to: picked)
            pickedToDecided.record(from: picked, to: decided)
        }

        /// Records made so far, all histograms together.
        var total: UInt64 {
            [
                arrivalToReceived, processing, receivedToProcessed, endToEnd, reaction, processedToPicked,
                pickedToDecided,
            ]
            .reduce(0) { $0 + $1.count }
        }
    }
}
