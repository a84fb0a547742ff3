package ticklab.peers;

import org.HdrHistogram.Histogram;

/**
 * TickLab's processor stage at {@code --proc-ms 0} ({@code ProcessorStage.process} in
 * Sources/Pipeline/Stages.swift): check the sequence, apply the delta to the book it alone owns,
 * read the top five levels of each side, stamp the tick processed, record its received →
 * processed time in a histogram (every tick, no sampling), and make the state (best bid and ask,
 * imbalance) that TickLab would publish to its evaluator.
 *
 * <p>Owned by the processor thread; the harness reads it only after that thread has finished
 * (a latch or a join orders the reads after the writes).
 */
final class Processor {
    final OrderBook book = new OrderBook();
    /** Received → processed in nanoseconds; the bounds and precision of TickLab's LatencyRecorder. */
    final Histogram hop = new Histogram(1, 3_600_000_000_000L, 3);
    private static final long HIGHEST = 3_600_000_000_000L;

    /** Ticks processed from {@code measureFrom} on are recorded; those by {@code windowEnd} are counted. */
    private final long measureFrom;
    private final long windowEnd;

    private long expectedSequence = 1;
    long sequenceBreaks;
    long processed;
    long processedInWindow;

    /** The newest state, as TickLab's processor makes it after each tick. */
    private long stateSequence, stateBidPrice, stateBidSize, stateAskPrice, stateAskSize;
    private double stateImbalance;
    /** A fold of every published state, printed so that the JIT cannot drop the state's work. */
    long publishedDigest;
    long publishedStates;

    Processor(long measureFrom, long windowEnd) {
        this.measureFrom = measureFrom;
        this.windowEnd = windowEnd;
    }

    void process(TickEvent tick) {
        if (tick.sequence != expectedSequence) sequenceBreaks++;
        expectedSequence = tick.sequence + 1;
        book.apply(tick.action, tick.side, tick.price, tick.size);
        long bidSize = book.topSize(OrderBook.BID, 5);
        long askSize = book.topSize(OrderBook.ASK, 5);
        long now = System.nanoTime();
        processed++;
        if (now >= measureFrom) {
            long hopNanos = now - tick.received;
            hop.recordValue(hopNanos < 0 ? 0 : Math.min(hopNanos, HIGHEST));
            if (now <= windowEnd) processedInWindow++;
        }
        long total = bidSize + askSize;
        stateSequence = tick.sequence;
        stateBidPrice = book.bestPrice(OrderBook.BID);
        stateBidSize = book.bestSize(OrderBook.BID);
        stateAskPrice = book.bestPrice(OrderBook.ASK);
        stateAskSize = book.bestSize(OrderBook.ASK);
        stateImbalance = total == 0 ? 0 : (double) (bidSize - askSize) / total;
    }

    /** Publishes the newest state (the Disruptor's end of batch): here, folds it into a digest. */
    void publishState() {
        publishedStates++;
        publishedDigest = publishedDigest * 31
                + (stateSequence ^ stateBidPrice ^ stateBidSize ^ stateAskPrice ^ stateAskSize
                        ^ Double.doubleToRawLongBits(stateImbalance));
    }
}
