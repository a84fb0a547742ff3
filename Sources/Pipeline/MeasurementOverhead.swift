import Capacity
import Clocks

/// What the lab's own measurement costs a tick on the hot path: the stamps that mark it (each
/// stage's ``StampClock``) and the histogram records of its latencies (``LatencyRecorder``), as
/// the stages make them (the processor's processing record also feeds the run's timeline, from
/// the same buffer: ``ProcessingLatency``).
///
/// The counts are those of a tick that arrives alone in its batch and is evaluated (the case of
/// every tick at a rate the pipeline keeps up with): fewer per tick when a batch holds several
/// ticks (one poll and one receipt stamp for all) or states are conflated (no evaluation); see
/// ``TickPath/saturatedBatch(ticks:)``. The thread-CPU reads that time the workload (two per
/// unit of work, a system call each) are not counted: they exist only when there is work, and
/// they time it rather than the tick.
public enum MeasurementOverhead {
    /// Stamps per tick: the receiver's poll (`now` for the feed) and its receipt stamp, the
    /// processor's stamp, the evaluator's pick-up and decision stamps.
    public static let clockReadsPerTick = 5
    /// Histogram records per tick: arrival→received (receiver); processing (histogram and
    /// timeline together) and received→processed (processor); end-to-end, reaction,
    /// processed→picked and picked→decided (evaluator).
    public static let recordsPerTick = 7

    /// Batches of the default measurement; the median of an odd count is one batch's figure.
    public static let standardBatches = 31
    /// Ticks per batch: about 0.3 ms of work at 80 ns a tick, short against a time slice, so
    /// most batches run unpreempted and the median is the measurement's cost, not a neighbour's.
    public static let standardTicksPerBatch = 4_000

    /// Times `batches` loops of `ticksPerBatch` lone ticks' worth of the stages' measurement
    /// (``TickPath/loneTick()``: the stamps and records above) and gives the cost per tick:
    /// median, fastest and slowest batch.
    ///
    /// - Precondition: `batches` > 0, `ticksPerBatch` > 0.
    public static func measure(batches: Int = standardBatches, ticksPerBatch: Int = standardTicksPerBatch)
        -> MeasurementCost
    {
        precondition(batches > 0 && ticksPerBatch > 0, "at least one batch of one tick")
        var path = TickPath()
        let perTick = timeBatches(batches) {
            for _ in 0..<ticksPerBatch { path.loneTick() }
            return ticksPerBatch
        }
        // The histograms hold every record: the optimiser cannot drop the loop's work.
        blackHole(path.records)
        return MeasurementCost(
            clockReadsPerTick: clockReadsPerTick, recordsPerTick: recordsPerTick, ticks: batches * ticksPerBatch,
            medianNanosecondsPerTick: perTick.median, minNanosecondsPerTick: perTick.min,
            maxNanosecondsPerTick: perTick.max)
    }

    /// Nanoseconds per tick of `batches` runs of `batch` (which returns its tick count): median,
    /// fastest, slowest.
    static func timeBatches(_ batches: Int, _ batch: () -> Int) -> (median: Double, min: Double, max: Double) {
        var perTick: [Double] = []
        perTick.reserveCapacity(batches)
        for _ in 0..<batches {
            let start = MonotonicClock.now()
            let ticks = batch()
            let end = MonotonicClock.now()
            perTick.append(Double(end &- start) / Double(ticks))
        }
        perTick.sort()
        let median =
            perTick.count % 2 == 1
            ? perTick[perTick.count / 2]
            : (perTick[perTick.count / 2 - 1] + perTick[perTick.count / 2]) / 2
        return (median, perTick[0], perTick[perTick.count - 1])
    }

    /// The seven histograms of one tick's path (the processing one with the run's timeline), fed
    /// as the stages feed them, and the stamp clock each stage owns: the measurement of the
    /// stages without their other work. Public for the package's benchmark
    /// (`Benchmarks/MeasurementBenchmarks`).
    public struct TickPath: Sendable {
        var receiverClock = StampClock()
        var processorClock = StampClock()
        var evaluatorClock = StampClock()
        var arrivalToReceived = LatencyRecorder()
        var processing = ProcessingLatency()
        var receivedToProcessed = LatencyRecorder()
        var endToEnd = LatencyRecorder()
        var reaction = LatencyRecorder()
        var processedToPicked = LatencyRecorder()
        var pickedToDecided = LatencyRecorder()

        public init() {}

        /// One tick alone in its batch, evaluated: five stamps and seven records. The scheduled
        /// arrival is the poll's reading, as for a tick due the moment it is polled.
        @inline(never)
        public mutating func loneTick() {
            let arrival = receiverClock.now()  // the receiver's poll
            let received = receiverClock.now()
            arrivalToReceived.record(from: arrival, to: received)
            let processed = processorClock.now()
            processing.record(arrival: arrival, received: received, processed: processed)
            receivedToProcessed.record(from: received, to: processed)
            let picked = evaluatorClock.now()
            let decided = evaluatorClock.now()
            endToEnd.record(from: arrival, to: decided)
            reaction.record(from: arrival, to: picked)
            processedToPicked.record(from: processed, to: picked)
            pickedToDecided.record(from: picked, to: decided)
        }

        /// A batch of `ticks` at saturation, as spin-ring's stages measure it: one poll and one
        /// receipt stamp for the batch and an arrival→received record per tick (receiver); a
        /// stamp and two records per tick (processor, the processing one with the timeline); the
        /// batch's newest state evaluated, the others conflated (two stamps and four records for
        /// the batch). The three stages' shares in turn, each fed the stamps of the one before.
        /// Returns `ticks`.
        ///
        /// - Precondition: `ticks` > 0.
        @inline(never)
        @discardableResult
        public mutating func saturatedBatch(ticks: Int) -> Int {
            precondition(ticks > 0, "a batch of at least one tick")
            receiveBatch(ticks: ticks)
            processBatch(ticks: ticks)
            evaluateNewest()
            return ticks
        }

        /// The receiver's share of ``saturatedBatch(ticks:)`` alone: its two stamps and its
        /// record per tick. At saturation each stage has a core of its own, so the slowest
        /// stage's share, not the sum, is what the measurement takes from the pipeline's pace.
        /// Returns `ticks`.
        ///
        /// - Precondition: `ticks` > 0.
        @inline(never)
        @discardableResult
        public mutating func receiverShare(ticks: Int) -> Int {
            precondition(ticks > 0, "a batch of at least one tick")
            receiveBatch(ticks: ticks)
            return ticks
        }

        /// The processor's share of ``saturatedBatch(ticks:)`` alone: a stamp and two records per
        /// tick. The ticks were received when this stage's previous batch ended (its last stamp:
        /// no clock read the processor would not make). Returns `ticks`.
        ///
        /// - Precondition: `ticks` > 0.
        @inline(never)
        @discardableResult
        public mutating func processorShare(ticks: Int) -> Int {
            precondition(ticks > 0, "a batch of at least one tick")
            poll = processed
            received = processed
            processBatch(ticks: ticks)
            return ticks
        }

        /// The evaluator's share of ``saturatedBatch(ticks:)`` alone, once for the batch: two
        /// stamps and four records. The state it picks up arrived and was processed when its
        /// previous decision was made.
        @inline(never)
        public mutating func evaluatorShare() {
            poll = decided
            processed = decided
            evaluateNewest()
        }

        /// The stamps of the last batch, as each stage hands them to the next.
        var poll: UInt64 = 0
        var received: UInt64 = 0
        var processed: UInt64 = 0
        var decided: UInt64 = 0

        @inline(__always)
        mutating func receiveBatch(ticks: Int) {
            poll = receiverClock.now()
            received = receiverClock.now()
            // The ticks fell due over the last microsecond or so before the poll.
            for k in 0..<ticks { arrivalToReceived.record(from: poll &- UInt64(k &* 128), to: received) }
        }

        @inline(__always)
        mutating func processBatch(ticks: Int) {
            for k in 0..<ticks {
                processed = processorClock.now()
                let arrival = poll &- UInt64(k &* 128)
                processing.record(arrival: arrival, received: received, processed: processed)
                receivedToProcessed.record(from: received, to: processed)
            }
        }

        @inline(__always)
        mutating func evaluateNewest() {
            let picked = evaluatorClock.now()
            decided = evaluatorClock.now()
            endToEnd.record(from: poll, to: decided)
            reaction.record(from: poll, to: picked)
            processedToPicked.record(from: processed, to: picked)
            pickedToDecided.record(from: picked, to: decided)
        }

        /// Histogram records made so far, all histograms together.
        public var records: UInt64 {
            [arrivalToReceived, receivedToProcessed, endToEnd, reaction, processedToPicked, pickedToDecided]
                .reduce(processing.count) { $0 + $1.count }
        }

        /// Whether the stamps come from the time-stamp counter (else `clock_gettime`).
        public var stampsReadTimeStampCounter: Bool { receiverClock.readsTimeStampCounter }
    }
}
