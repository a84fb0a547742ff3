package ticklab.peers;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

/**
 * TickLab's saturation ({@code ticklab run --rate max --proc-ms 0 --eval-ms 0}) between a
 * receiver thread and a processor thread, over the LMAX Disruptor (one producer,
 * {@code ProducerType.SINGLE}, one event handler, the wait strategy named) or over
 * {@code java.util.concurrent.ArrayBlockingQueue}, the Disruptor paper's baseline.
 *
 * <p>The receiver makes ticks with TickLab's synthetic market as fast as it can, stamps each when
 * it is ready to hand over (before it waits for room, as TickLab's receiver stamps before its
 * put) and hands it over; the processor applies it to its book and records received → processed.
 * The first {@code --warmup} is run but not counted (the JIT compiles the hot path there); then
 * {@code --duration} is measured, and one JSON line is printed.
 */
public final class SaturationPeer {
    private static final String USAGE =
            "usage: saturation-peer --variant busy-spin|yielding|blocking|abq [--duration 5s] [--warmup 1s]"
                    + " [--capacity N] [--seed N] | --replay-ticks N [--seed N]";

    enum Variant {
        BUSY_SPIN("busy-spin", "disruptor", "BusySpinWaitStrategy"),
        YIELDING("yielding", "disruptor", "YieldingWaitStrategy"),
        BLOCKING("blocking", "disruptor", "BlockingWaitStrategy"),
        ABQ("abq", "array-blocking-queue", "ArrayBlockingQueue.put/take");

        final String name, peer, waits;

        Variant(String name, String peer, String waits) {
            this.name = name;
            this.peer = peer;
            this.waits = waits;
        }

        WaitStrategy waitStrategy() {
            switch (this) {
                case BUSY_SPIN: return new BusySpinWaitStrategy();
                case YIELDING: return new YieldingWaitStrategy();
                case BLOCKING: return new BlockingWaitStrategy();
                default: throw new IllegalStateException(name + " has no wait strategy");
            }
        }

        /**
         * The hand-over's capacity mirrors the TickLab model it is compared with: spin-ring's
         * ring holds 64 ticks (SpinRingModel.ringCapacity), threads' queue 65 536
         * (RunConfiguration.queueCapacity).
         */
        int defaultCapacity() {
            return this == ABQ ? 65_536 : 64;
        }

        static Variant named(String name) {
            for (Variant v : values()) if (v.name.equals(name)) return v;
            return null;
        }
    }

    /** What one run measured. */
    private static final class Outcome {
        Processor processor;
        SyntheticMarket market;
    }

    public static void main(String[] args) throws Exception {
        Variant variant = null;
        long durationNanos = 5_000_000_000L;
        long warmupNanos = 1_000_000_000L;
        int capacity = -1;
        long seed = 1;
        long replayTicks = -1;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                System.out.println(USAGE);
                return;
            }
            if (i + 1 >= args.length) usage(option + " needs a value");
            String value = args[++i];
            switch (option) {
                case "--variant":
                    variant = Variant.named(value);
                    if (variant == null) usage("--variant '" + value + "' is not one of busy-spin, yielding, blocking, abq");
                    break;
                case "--duration": durationNanos = parseDuration(option, value, false); break;
                case "--warmup": warmupNanos = parseDuration(option, value, true); break;
                case "--capacity":
                    capacity = (int) parseCount(option, value);
                    if (Integer.bitCount(capacity) != 1) usage("--capacity '" + value + "' must be a power of two");
                    break;
                case "--seed": seed = parseCount(option, value); break;
                case "--replay-ticks": replayTicks = parseCount(option, value); break;
                default: usage("unknown option '" + option + "'");
            }
        }
        if (replayTicks >= 0) {
            // The book a sequential consumer holds after N ticks: compare with the
            // selfCheck.replayChecksum of a ticklab run whose ticks.processed is N.
            SyntheticMarket market = new SyntheticMarket(seed);
            for (long n = 0; n < replayTicks; n++) market.next();
            System.out.printf("{\"seed\":%d,\"ticks\":%d,\"bookChecksum\":\"%016x\"}%n", seed, replayTicks,
                    market.book.checksum());
            return;
        }
        if (variant == null) usage("--variant is required (busy-spin, yielding, blocking or abq)");
        if (capacity < 0) capacity = variant.defaultCapacity();

        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long windowEnd = measureFrom + durationNanos;
        Outcome outcome = variant == Variant.ABQ
                ? runArrayBlockingQueue(capacity, seed, measureFrom, windowEnd)
                : runDisruptor(variant.waitStrategy(), capacity, seed, measureFrom, windowEnd);
        print(variant, capacity, seed, durationNanos, warmupNanos, outcome);
        boolean passed = selfCheckFailure(outcome) == null;
        if (!passed) {
            System.err.println("saturation-peer: self-check failed: " + selfCheckFailure(outcome));
            System.exit(1);
        }
    }

    // MARK: - The Disruptor

    /** The processor: TickLab's stage, the state published at the end of each batch. */
    private static final class TickHandler implements EventHandler<TickEvent> {
        final Processor processor;
        final CountDownLatch finished = new CountDownLatch(1);

        TickHandler(Processor processor) {
            this.processor = processor;
        }

        @Override
        public void onEvent(TickEvent tick, long sequence, boolean endOfBatch) {
            if (tick.last) {
                processor.publishState();
                finished.countDown();
                return;
            }
            processor.process(tick);
            if (endOfBatch) processor.publishState();
        }
    }

    private static Outcome runDisruptor(WaitStrategy waits, int capacity, long seed, long measureFrom, long windowEnd)
            throws InterruptedException {
        Processor processor = new Processor(measureFrom, windowEnd);
        TickHandler handler = new TickHandler(processor);
        Disruptor<TickEvent> disruptor = new Disruptor<>(
                TickEvent::new, capacity, named("peer-processor"), ProducerType.SINGLE, waits);
        disruptor.handleEventsWith(handler);
        RingBuffer<TickEvent> ring = disruptor.start();
        Outcome outcome = new Outcome();
        outcome.processor = processor;
        outcome.market = new SyntheticMarket(seed);
        Thread receiver = new Thread(() -> {
            SyntheticMarket market = outcome.market;
            while (true) {
                market.next();
                long received = System.nanoTime();
                long slot = ring.next();
                try {
                    ring.get(slot).set(market, received);
                } finally {
                    ring.publish(slot);
                }
                if (received >= windowEnd) break;
            }
            long slot = ring.next();
            try {
                ring.get(slot).last = true;
            } finally {
                ring.publish(slot);
            }
        }, "peer-receiver");
        receiver.start();
        receiver.join();
        handler.finished.await();
        disruptor.shutdown();
        return outcome;
    }

    // MARK: - ArrayBlockingQueue

    private static Outcome runArrayBlockingQueue(int capacity, long seed, long measureFrom, long windowEnd)
            throws InterruptedException {
        ArrayBlockingQueue<TickEvent> queue = new ArrayBlockingQueue<>(capacity);
        Processor processor = new Processor(measureFrom, windowEnd);
        Outcome outcome = new Outcome();
        outcome.processor = processor;
        outcome.market = new SyntheticMarket(seed);
        Thread processorThread = named("peer-processor").newThread(() -> {
            try {
                while (true) {
                    TickEvent tick = queue.take();
                    if (tick.last) return;
                    processor.process(tick);
                    processor.publishState();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread receiver = new Thread(() -> {
            SyntheticMarket market = outcome.market;
            try {
                while (true) {
                    market.next();
                    long received = System.nanoTime();
                    TickEvent tick = new TickEvent();
                    tick.set(market, received);
                    queue.put(tick);
                    if (received >= windowEnd) break;
                }
                TickEvent end = new TickEvent();
                end.last = true;
                queue.put(end);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "peer-receiver");
        processorThread.start();
        receiver.start();
        receiver.join();
        processorThread.join();
        return outcome;
    }

    // MARK: - Report

    private static String selfCheckFailure(Outcome outcome) {
        Processor p = outcome.processor;
        if (p.processed != outcome.market.emitted)
            return "processed " + p.processed + " of " + outcome.market.emitted + " ticks";
        if (p.sequenceBreaks != 0) return p.sequenceBreaks + " sequence breaks";
        if (p.book.rejected != 0) return p.book.rejected + " deltas refused";
        if (p.book.checksum() != outcome.market.book.checksum()) return "the book differs from the market's";
        return null;
    }

    private static void print(Variant variant, int capacity, long seed, long durationNanos, long warmupNanos,
            Outcome outcome) {
        Processor p = outcome.processor;
        double seconds = durationNanos / 1e9;
        String failure = selfCheckFailure(outcome);
        StringBuilder json = new StringBuilder(512);
        json.append('{');
        field(json, "schema", "ticklab.peer").append(',');
        field(json, "peer", variant.peer).append(',');
        field(json, "variant", variant.name).append(',');
        field(json, "waits", variant.waits).append(',');
        json.append("\"producer\":\"").append(variant == Variant.ABQ ? "one thread" : "SINGLE").append("\",");
        json.append("\"capacity\":").append(capacity).append(',');
        json.append("\"seed\":").append(seed).append(',');
        json.append("\"ticks\":").append(p.processedInWindow).append(',');
        json.append("\"seconds\":").append(fmt(seconds)).append(',');
        json.append("\"warmupSeconds\":").append(fmt(warmupNanos / 1e9)).append(',');
        json.append("\"ticksPerSecond\":").append(fmt(p.processedInWindow / seconds)).append(',');
        json.append("\"hopMicros\":{")
                .append("\"count\":").append(p.hop.getTotalCount()).append(',')
                .append("\"p50\":").append(fmt(p.hop.getValueAtPercentile(50) / 1e3)).append(',')
                .append("\"p99\":").append(fmt(p.hop.getValueAtPercentile(99) / 1e3)).append(',')
                .append("\"max\":").append(fmt(p.hop.getMaxValue() / 1e3)).append("},");
        json.append("\"processedTotal\":").append(p.processed).append(',');
        json.append("\"publishedStates\":").append(p.publishedStates).append(',');
        json.append(String.format("\"stateDigest\":\"%016x\",", p.publishedDigest));
        json.append(String.format("\"bookChecksum\":\"%016x\",", p.book.checksum()));
        json.append("\"selfCheck\":{\"passed\":").append(failure == null);
        if (failure != null) json.append(",\"failure\":\"").append(failure).append('"');
        json.append("},");
        field(json, "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        json.append('}');
        System.out.println(json);
    }

    private static StringBuilder field(StringBuilder json, String key, String value) {
        return json.append('"').append(key).append("\":\"").append(value.replace("\"", "\\\"")).append('"');
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    // MARK: - Options

    private static ThreadFactory named(String name) {
        return runnable -> new Thread(runnable, name);
    }

    private static void usage(String problem) {
        System.err.println("saturation-peer: " + problem + " (--help for usage)");
        System.exit(64);
    }

    /** 5s, 500ms, 2m or plain seconds. */
    private static long parseDuration(String option, String value, boolean zeroAllowed) {
        double scale = 1e9;
        String number = value;
        if (value.endsWith("ms")) {
            scale = 1e6;
            number = value.substring(0, value.length() - 2);
        } else if (value.endsWith("s")) {
            number = value.substring(0, value.length() - 1);
        } else if (value.endsWith("m")) {
            scale = 60e9;
            number = value.substring(0, value.length() - 1);
        }
        try {
            double amount = Double.parseDouble(number);
            if (amount > 0 || (zeroAllowed && amount == 0)) return (long) (amount * scale);
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(option + " '" + value + "' is not a " + (zeroAllowed ? "non-negative" : "positive")
                + " duration such as 5s, 500ms or 2m");
        return 0;
    }

    private static long parseCount(String option, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0 || (n == 0 && option.equals("--seed"))) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(option + " '" + value + "' is not a positive integer");
        return 0;
    }
}
