package ticklab.peers;

/**
 * One tick as TickLab's receiver hands it to the processor ({@code ReceivedTick}: a {@code Tick}
 * and its {@code received} stamp): a contiguous sequence number, the book delta (action, side,
 * price level, size), the exchange event kind, and the monotonic instant it was received. In the
 * Disruptor it is the ring's preallocated, reused entry; through the ArrayBlockingQueue a fresh
 * object per tick, as that queue is used.
 */
final class TickEvent {
    long sequence;
    int action;
    int side;
    long price;
    long size;
    int kind;
    /** {@link System#nanoTime()} when the receiver had the tick ready to hand over. */
    long received;
    /** The end-of-run marker after the last tick: carries no delta. */
    boolean last;

    void set(SyntheticMarket market, long received) {
        this.sequence = market.emitted;
        this.action = market.action;
        this.side = market.side;
        this.price = market.price;
        this.size = market.size;
        this.kind = market.kind;
        this.received = received;
        this.last = false;
    }
}
