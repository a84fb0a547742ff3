package ticklab.peers;

/**
 * xoshiro256** seeded through SplitMix64: a port of TickLab's {@code SeededRandom}
 * (Sources/MarketData/SeededRandom.swift), bit for bit, so that a seed gives the same ticks here
 * as in {@code ticklab run}.
 */
final class SeededRandom {
    private long s0, s1, s2, s3;
    private long splitMixState;

    SeededRandom(long seed) {
        splitMixState = seed;
        s0 = splitMix();
        s1 = splitMix();
        s2 = splitMix();
        s3 = splitMix();
    }

    private long splitMix() {
        splitMixState += 0x9E3779B97F4A7C15L;
        long z = splitMixState;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits (read as unsigned where TickLab takes a remainder). */
    long next() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** A uniform double in [0, 1). */
    double unit() {
        return (next() >>> 11) * 0x1.0p-53;
    }
}
