// What reading the time-stamp counter costs on this machine, and what it does to the work around
// it: the floor under TickLab's stage stamps (issue 11, item 3). x86-64 only.
//
//   clang -O2 -o /tmp/counter-read Benchmarks/Probes/counter-read.c && /tmp/counter-read
//
// Each line is nanoseconds per loop iteration, the median of 5 passes of 20 M iterations:
//   rdtsc                      the counter read alone (a stage stamp is this plus a multiply)
//   rdtsc + dependent store    the reading stored at a running index (a buffered record)
//   rdtsc + dependent bin      a histogram bin chosen by the reading incremented at once
//   rdtsc + bins every 16      readings buffered, 16 bins incremented at once (RecordBuffer)
//   saturated batch            TickLab's saturated tick path, written in C: a batch of 8 ticks,
//                              one receiver poll and receipt stamp, a stamp per tick at the
//                              processor, two evaluator stamps; three buffered records a tick
//                              plus the timeline's, four for the batch, binned by Double bits
//                              as the Swift code bins them (per tick)
//   saturated, stamps only     the same stamps without the records (per tick)
//   bin by leading zeros       16 buffered latencies put into the bins, each bin found with a
//                              leading-zero count and a variable shift (per value); without
//                              -march, x86-64's baseline has no lzcnt and this is a slow bsr
//   bin by Double bits         the same, each bin found from the value's Double: its exponent
//                              and first mantissa bits (LogLinearBin, per value)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

enum { iterations = 20000000, passes = 5 };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Bins as LatencyHistogram's: the value itself below 2^11, then 1,024 per power of two.
static inline int bin(uint64_t v) {
    int shift = 53 - __builtin_clzll(v | 1024);
    return (shift << 10) + (int)(v >> shift);
}

// The same bins from the value's Double: exponent and first 10 mantissa bits, exact below 2^53.
static inline int bin_by_double(uint64_t v) {
    double d = (double)(int64_t)v;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return v < 2048 ? (int)v : (int)(bits >> 42) - (1032 << 10);
}

typedef struct {
    uint64_t held[16];
    int count;
    uint64_t sum, max, *bins;  // their own storage, as a LatencyHistogram's array
} histogram;

static void insert(histogram *h, const uint64_t *values, int n) {
    for (int i = 0; i < n; i++) {
        uint64_t v = values[i] > 3600000000000u ? 3600000000000u : values[i];
        h->bins[bin_by_double(v)]++;
        h->sum += v;
        h->max = v > h->max ? v : h->max;
    }
}

static inline void record(histogram *h, uint64_t earlier, uint64_t later) {
    h->held[h->count++] = later >= earlier ? later - earlier : 0;
    if (__builtin_expect(h->count == 16, 0)) {
        insert(h, h->held, 16);
        h->count = 0;
    }
}

static histogram hs[8];
static volatile uint64_t sink;

static uint64_t saturated_batch(int with_records) {
    uint64_t poll = __rdtsc(), received = __rdtsc(), processed = 0;
    if (with_records)
        for (int k = 0; k < 8; k++) record(&hs[0], poll - 128u * k, received);
    for (int k = 0; k < 8; k++) {
        processed = __rdtsc();
        if (with_records) {
            record(&hs[1], poll - 128u * k, processed);  // processing
            record(&hs[2], received, processed);         // received → processed
            record(&hs[3], poll - 128u * k, processed);  // the timeline's
        }
    }
    uint64_t picked = __rdtsc(), decided = __rdtsc();
    if (with_records) {
        record(&hs[4], poll, decided);
        record(&hs[5], poll, picked);
        record(&hs[6], processed, picked);
        record(&hs[7], picked, decided);
    }
    return picked ^ decided ^ processed;
}

// Latencies of a few hundred ns to a few ms, as a stage buffers them (filled in main).
static uint64_t latencies[1024];

// 16 of the latencies from `first` binned with `by_double` or by leading zeros; returns 16.
static int bin_values(int by_double, int first) {
    const uint64_t *values = &latencies[first & 1008];
    uint64_t sum = hs[0].sum, max = hs[0].max, *bins = hs[0].bins;
    for (int k = 0; k < 16; k++) {
        uint64_t v = values[k] > 3600000000000u ? 3600000000000u : values[k];
        bins[by_double ? bin_by_double(v) : bin(v)]++;
        sum += v;
        max = v > max ? v : max;
    }
    hs[0].sum = sum;
    hs[0].max = max;
    return 16;
}

static double pass(int mode) {
    static uint64_t buffer[16];
    uint64_t s = 0, start = now_ns();
    int count = 0;
    int n = mode >= 6 ? iterations / 16 : mode >= 4 ? iterations / 8 : iterations;
    for (int i = 0; i < n; i++) {
        uint64_t t = mode < 4 ? __rdtsc() : 0;
        switch (mode) {
        case 0: s += t; break;
        case 1: buffer[count] = t; count = (count + 1) & 15; break;
        case 2: hs[0].bins[(t >> 3) & 4095]++; break;
        case 3:
            buffer[count++] = t;
            if (count == 16) { for (int k = 0; k < 16; k++) hs[0].bins[(buffer[k] >> 3) & 4095]++; count = 0; }
            break;
        case 4: s += saturated_batch(1); break;
        case 5: s += saturated_batch(0); break;
        case 6: s += bin_values(0, i * 16); break;
        case 7: s += bin_values(1, i * 16); break;
        }
    }
    sink = s + buffer[3];
    return (double)(now_ns() - start) / (mode >= 6 ? n * 16.0 : mode >= 4 ? n * 8.0 : n);
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    for (int i = 0; i < 8; i++) hs[i].bins = calloc(45 << 10, 8);
    for (int i = 0; i < 1024; i++) latencies[i] = 300u + ((uint64_t)i * 2654435761u) % (1u << (8 + i % 14));
    static const char *names[] = {
        "rdtsc", "rdtsc + dependent store", "rdtsc + dependent bin", "rdtsc + bins every 16",
        "saturated batch (per tick)", "saturated, stamps only (per tick)",
        "bin by leading zeros (per value)", "bin by Double bits (per value)"};
    double runs[8][passes];
    for (int p = 0; p < passes; p++)  // interleaved: every mode once per pass
        for (int m = 0; m < 8; m++) runs[m][p] = pass(m);
    for (int m = 0; m < 8; m++) {
        qsort(runs[m], passes, sizeof(double), ascending);
        printf("%-36s %6.1f ns  [%.1f-%.1f]\n", names[m], runs[m][passes / 2], runs[m][0], runs[m][passes - 1]);
    }
    return 0;
}
