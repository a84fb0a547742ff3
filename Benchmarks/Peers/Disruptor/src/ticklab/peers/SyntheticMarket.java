package ticklab.peers;

/**
 * A port of TickLab's synthetic exchange (Sources/MarketData/SyntheticMarket.swift), call for
 * call on the same random stream, so that a seed gives the same deltas as {@code ticklab run
 * --seed}: a random-walk mid with adds, cancels and trades over twelve quoted levels a side. Like
 * TickLab's, it keeps its own book so that every delta it emits is valid, and it runs on the
 * receiver's thread, as TickLab's feed does at {@code --rate max}.
 *
 * <p>{@link #next()} writes the event into the public fields instead of returning an object:
 * the hot path allocates nothing.
 */
final class SyntheticMarket {
    static final int KIND_ADD = 0;
    static final int KIND_CANCEL = 1;
    static final int KIND_TRADE = 2;

    private static final int LEVELS_PER_SIDE = 12;
    private static final long INITIAL_MID = 1_000_000;
    private static final double MID_MOVE_PROBABILITY = 0.05;
    private static final double CANCEL_PROBABILITY = 0.3;
    private static final double TRADE_PROBABILITY = 0.15;
    private static final long MAX_ORDER_SIZE = 500;

    private final SeededRandom random;
    final OrderBook book = new OrderBook();
    private long mid = INITIAL_MID;
    /** Levels made invalid by a mid move, removed one per event (a stack, as TickLab's). */
    private int[] pendingSides = new int[64];
    private long[] pendingPrices = new long[64];
    private int pendingCount;
    long emitted;

    /** The event {@link #next()} made. */
    int action, side, kind;
    long price, size;

    SyntheticMarket(long seed) {
        random = new SeededRandom(seed ^ 0x7469636B6C616221L);
    }

    /** Makes the next event, applies it to the market's own book and leaves it in the fields. */
    void next() {
        makeEvent();
        emitted++;
        if (!book.apply(action, side, price, size)) {
            throw new IllegalStateException("synthetic market produced an invalid delta at " + emitted);
        }
    }

    private void emit(int action, int side, long price, long size, int kind) {
        this.action = action;
        this.side = side;
        this.price = price;
        this.size = size;
        this.kind = kind;
    }

    private void makeEvent() {
        int levels = LEVELS_PER_SIDE;
        if (emitted < 2L * levels) {
            int s = emitted % 2 == 0 ? OrderBook.BID : OrderBook.ASK;
            int depth = (int) (emitted / 2);
            emit(OrderBook.ADD, s, price(s, depth), randomSize(), KIND_ADD);
            return;
        }
        if (pendingCount > 0) {
            pendingCount--;
            int s = pendingSides[pendingCount];
            long p = pendingPrices[pendingCount];
            if (book.size(s, p) > 0) {
                emit(OrderBook.DELETE, s, p, 0, KIND_CANCEL);
                return;
            }
        }
        if (pendingCount == 0 && random.unit() < MID_MOVE_PROBABILITY) {
            moveMid((random.next() & 1) == 0);
            if (pendingCount > 0) {
                pendingCount--;
                int s = pendingSides[pendingCount];
                long p = pendingPrices[pendingCount];
                if (book.size(s, p) > 0) {
                    emit(OrderBook.DELETE, s, p, 0, KIND_CANCEL);
                    return;
                }
            }
        }
        int s = (random.next() & 1) == 0 ? OrderBook.BID : OrderBook.ASK;
        if (book.depth(s) < levels && random.unit() < 0.8) {
            int missing = firstMissingDepth(s);
            if (missing >= 0) {
                emit(OrderBook.ADD, s, price(s, missing), randomSize(), KIND_ADD);
                return;
            }
        }
        double roll = random.unit();
        if (roll < TRADE_PROBABILITY && book.depth(s) > 0) {
            long best = book.sizeAtIndex(s, 0);
            long take = Math.min(best, randomSize());
            emit(OrderBook.REDUCE, s, book.priceAt(s, 0), take, KIND_TRADE);
            return;
        }
        if (roll < TRADE_PROBABILITY + CANCEL_PROBABILITY && book.depth(s) > 0) {
            int depth = Math.min(book.depth(s) - 1, skewedDepth(levels));
            long levelPrice = book.priceAt(s, depth);
            long levelSize = book.sizeAtIndex(s, depth);
            if (Long.remainderUnsigned(random.next(), 4) == 0) {
                emit(OrderBook.DELETE, s, levelPrice, 0, KIND_CANCEL);
                return;
            }
            long take = 1 + Long.remainderUnsigned(random.next(), levelSize);
            emit(OrderBook.REDUCE, s, levelPrice, take, KIND_CANCEL);
            return;
        }
        if (book.depth(s) > 2 * levels) {
            emit(OrderBook.DELETE, s, book.priceAt(s, book.depth(s) - 1), 0, KIND_CANCEL);
            return;
        }
        int depth = skewedDepth(levels);
        emit(OrderBook.ADD, s, price(s, depth), randomSize(), KIND_ADD);
    }

    /** Price {@code depth} ticks behind the best quote of a side (the spread is two ticks). */
    private long price(int s, int depth) {
        return s == OrderBook.BID ? mid - 1 - depth : mid + 1 + depth;
    }

    private int firstMissingDepth(int s) {
        for (int d = 0; d < LEVELS_PER_SIDE; d++) {
            if (book.size(s, price(s, d)) == 0) return d;
        }
        return -1;
    }

    private int skewedDepth(int levels) {
        double u = random.unit();
        return Math.min(levels - 1, (int) (levels * u * u));
    }

    private long randomSize() {
        return 1 + Long.remainderUnsigned(random.next(), MAX_ORDER_SIZE);
    }

    private void moveMid(boolean up) {
        mid += up ? 1 : -1;
        if (!(mid - 1 - LEVELS_PER_SIDE > 0)) {
            mid += 1;
            return;
        }
        long bidLimit = mid - 1;
        long askLimit = mid + 1;
        for (int i = 0; i < book.depth(OrderBook.BID) && book.priceAt(OrderBook.BID, i) > bidLimit; i++) {
            pushPending(OrderBook.BID, book.priceAt(OrderBook.BID, i));
        }
        for (int i = 0; i < book.depth(OrderBook.ASK) && book.priceAt(OrderBook.ASK, i) < askLimit; i++) {
            pushPending(OrderBook.ASK, book.priceAt(OrderBook.ASK, i));
        }
    }

    private void pushPending(int s, long p) {
        if (pendingCount == pendingSides.length) {
            pendingSides = java.util.Arrays.copyOf(pendingSides, pendingCount * 2);
            pendingPrices = java.util.Arrays.copyOf(pendingPrices, pendingCount * 2);
        }
        pendingSides[pendingCount] = s;
        pendingPrices[pendingCount] = p;
        pendingCount++;
    }
}
