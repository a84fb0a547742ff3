package ticklab.peers;

/**
 * A level-2 book with the semantics of TickLab's {@code OrderBook}
 * (Sources/OrderBook/OrderBook.swift): sizes aggregated by integer price, each side a contiguous
 * array sorted so that the best level is last; a level is found by scanning the top 16 levels
 * backwards, then by binary search; {@code reduce} to exactly zero removes a level; an invalid
 * delta is refused and leaves the book untouched. Prices and sizes are held in parallel
 * {@code long} arrays (TickLab's array of structs), so the hot path allocates nothing.
 */
final class OrderBook {
    static final int BID = 0;
    static final int ASK = 1;

    static final int ADD = 0;
    static final int REDUCE = 1;
    static final int DELETE = 2;

    /** Per side: prices and sizes, bids ascending and asks descending (best last), and the count. */
    private final long[][] prices = {new long[64], new long[64]};
    private final long[][] sizes = {new long[64], new long[64]};
    private final int[] counts = new int[2];

    long applied;
    long rejected;

    int depth(int side) {
        return counts[side];
    }

    /** The price of the level {@code index} steps from the top (0 is the best); needs index < depth. */
    long priceAt(int side, int index) {
        return prices[side][counts[side] - 1 - index];
    }

    long sizeAtIndex(int side, int index) {
        return sizes[side][counts[side] - 1 - index];
    }

    /** The size at {@code price}, zero where there is no level. */
    long size(int side, long price) {
        int located = locate(side, price);
        return located >= 0 ? sizes[side][located] : 0;
    }

    /** Total size of the best {@code n} levels of a side (TickLab's topSize over five levels). */
    long topSize(int side, int n) {
        long[] s = sizes[side];
        int count = counts[side];
        long total = 0;
        for (int i = Math.max(0, count - n); i < count; i++) total += s[i];
        return total;
    }

    /** The best level's price and size, zero when the side is empty. */
    long bestPrice(int side) {
        return counts[side] == 0 ? 0 : prices[side][counts[side] - 1];
    }

    long bestSize(int side) {
        return counts[side] == 0 ? 0 : sizes[side][counts[side] - 1];
    }

    /** {@code a} ranks below {@code b} in the array order of {@code side} (further from the top). */
    private static boolean ranksBelow(long a, long b, int side) {
        return side == BID ? a < b : a > b;
    }

    /**
     * Where {@code price} is (its index, {@code >= 0}) or where it would be inserted
     * ({@code -(index + 1)}).
     */
    private int locate(int side, long price) {
        long[] p = prices[side];
        int count = counts[side];
        int scanFloor = Math.max(0, count - 16);
        for (int i = count - 1; i >= scanFloor; i--) {
            long level = p[i];
            if (level == price) return i;
            if (ranksBelow(level, price, side)) return -(i + 1 + 1);
        }
        if (scanFloor == 0) return -(0 + 1);
        int low = 0, high = scanFloor;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ranksBelow(p[mid], price, side)) low = mid + 1;
            else high = mid;
        }
        return low < scanFloor && p[low] == price ? low : -(low + 1);
    }

    /** Applies a delta; returns false (and counts a refusal) when it is invalid. */
    boolean apply(int action, int side, long price, long size) {
        if (applyToSide(action, side, price, size)) {
            applied++;
            return true;
        }
        rejected++;
        return false;
    }

    private boolean applyToSide(int action, int side, long price, long size) {
        if (price <= 0) return false;
        switch (action) {
            case ADD: {
                if (size <= 0) return false;
                int at = locate(side, price);
                if (at >= 0) sizes[side][at] += size;
                else insert(side, -at - 1, price, size);
                return true;
            }
            case REDUCE: {
                if (size <= 0) return false;
                int at = locate(side, price);
                if (at < 0) return false;
                long available = sizes[side][at];
                if (size > available) return false;
                if (size == available) remove(side, at);
                else sizes[side][at] = available - size;
                return true;
            }
            case DELETE: {
                int at = locate(side, price);
                if (at < 0) return false;
                remove(side, at);
                return true;
            }
            default:
                return false;
        }
    }

    private void insert(int side, int index, long price, long size) {
        int count = counts[side];
        if (count == prices[side].length) {
            prices[side] = java.util.Arrays.copyOf(prices[side], count * 2);
            sizes[side] = java.util.Arrays.copyOf(sizes[side], count * 2);
        }
        System.arraycopy(prices[side], index, prices[side], index + 1, count - index);
        System.arraycopy(sizes[side], index, sizes[side], index + 1, count - index);
        prices[side][index] = price;
        sizes[side][index] = size;
        counts[side] = count + 1;
    }

    private void remove(int side, int index) {
        int count = counts[side];
        System.arraycopy(prices[side], index + 1, prices[side], index, count - index - 1);
        System.arraycopy(sizes[side], index + 1, sizes[side], index, count - index - 1);
        counts[side] = count - 1;
    }

    /**
     * TickLab's book checksum: 64-bit FNV-1a over (tag, level count, then price and size of each
     * level best first) for bids (tag 1), then asks (tag 2), every value as 8 little-endian bytes.
     * The same book gives the same checksum here and in {@code ticklab run --json}.
     */
    long checksum() {
        long[] hash = {0xcbf29ce484222325L};
        for (int side = BID; side <= ASK; side++) {
            mix(hash, side + 1);
            mix(hash, counts[side]);
            for (int i = counts[side] - 1; i >= 0; i--) {
                mix(hash, prices[side][i]);
                mix(hash, sizes[side][i]);
            }
        }
        return hash[0];
    }

    private static void mix(long[] hash, long value) {
        long v = value;
        for (int i = 0; i < 8; i++) {
            hash[0] ^= v & 0xff;
            hash[0] *= 0x100000001b3L;
            v >>>= 8;
        }
    }
}
