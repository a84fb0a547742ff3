import Clocks
import Testing

@Suite("Clocks")
struct ClocksTests {
    @Test("the monotonic clock never goes back")
    func monotonicNeverGoesBack() {
        var previous = MonotonicClock.now()
        for _ in 0..<10_000 {
            let now = MonotonicClock.now()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test("sleeping until a deadline returns at or after it, and at once for a past one")
    func sleepReachesDeadline() {
        let deadline = MonotonicInstant.now() + .milliseconds(2)
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicInstant.now() >= deadline)
        let past = MonotonicInstant.now() - .nanoseconds(1)
        MonotonicClock.sleep(until: past)
        #expect(MonotonicInstant.now() > past)
    }

    @Test("the hot path's nanosecond sleep returns at or after its deadline")
    func nanosecondSleepReachesDeadline() {
        let deadline = MonotonicClock.now() + 2_000_000
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
    }

    @Test("an instant is the clock's nanoseconds, and the typed reading never goes back")
    func instantReadsTheClock() {
        let before = MonotonicClock.now()
        let instant = MonotonicInstant.now()
        let after = MonotonicClock.now()
        #expect(instant.nanoseconds >= before && instant.nanoseconds <= after)
        #expect(MonotonicInstant.now() >= instant)
    }

    @Test("instants move by durations and their difference is the duration between them")
    func instantArithmetic() {
        let start = MonotonicInstant(nanoseconds: 5_000)
        #expect((start + .microseconds(2)).nanoseconds == 7_000)
        #expect((start - .nanoseconds(1_500)).nanoseconds == 3_500)
        #expect(start.advanced(by: .seconds(1)).nanoseconds == 1_000_005_000)
        #expect(start.advanced(by: .nanoseconds(-5_000)) == MonotonicInstant(nanoseconds: 0))
        let later = MonotonicInstant(nanoseconds: 1_000_005_000)
        #expect(later - start == .seconds(1))
        #expect(start - later == .seconds(-1))
        #expect(start.duration(to: later) == .seconds(1))
        #expect(start < later && !(later < start) && start == MonotonicInstant(nanoseconds: 5_000))
    }

    @Test("instant arithmetic saturates at the clock's origin and at UInt64.max nanoseconds")
    func instantArithmeticSaturates() {
        let early = MonotonicInstant(nanoseconds: 10)
        #expect((early - .seconds(1)).nanoseconds == 0)
        #expect((early + .seconds(-1)).nanoseconds == 0)
        let late = MonotonicInstant(nanoseconds: .max - 10)
        #expect((late + .seconds(1)).nanoseconds == .max)
        #expect((late - .seconds(-1)).nanoseconds == .max)
        let origin = MonotonicInstant(nanoseconds: 0)
        let end = MonotonicInstant(nanoseconds: .max)
        #expect(end - origin == .nanoseconds(UInt64.max))
        #expect(origin + (end - origin) == end)
    }

    @Test("a duration's nanoseconds truncate below a nanosecond and saturate at 0 and UInt64.max")
    func durationNanoseconds() {
        #expect(Duration.zero.saturatingNanoseconds == 0)
        #expect(Duration.seconds(3).saturatingNanoseconds == 3_000_000_000)
        #expect(Duration.milliseconds(1.5).saturatingNanoseconds == 1_500_000)
        #expect((Duration.nanoseconds(7) + .seconds(2)).saturatingNanoseconds == 2_000_000_007)
        #expect(Duration.nanoseconds(UInt64.max).saturatingNanoseconds == .max)
        #expect((Duration.nanoseconds(UInt64.max) + .nanoseconds(1)).saturatingNanoseconds == .max)
        #expect(Duration.seconds(Int64.max).saturatingNanoseconds == .max)
        #expect(Duration.nanoseconds(-1).saturatingNanoseconds == 0)
        #expect(Duration.seconds(-3).saturatingNanoseconds == 0)
        #expect((Duration.nanoseconds(1) / 2).saturatingNanoseconds == 0)
    }

    @Test("thread and process CPU time never go back")
    func cpuClocksNeverGoBack() {
        let thread = ThreadCPUClock.now()
        let process = ThreadCPUClock.process()
        var sum = 0
        for i in 0..<100_000 { sum &+= i }
        #expect(sum > 0)
        #expect(ThreadCPUClock.now() >= thread)
        #expect(ThreadCPUClock.process() >= process)
    }

    /// Stamps over `span` of the monotonic clock (bounded by a count only a hang reaches), each
    /// bracketed by monotonic reads: (before, stamp, after).
    private func bracketedStamps(_ clock: inout StampClock, span: UInt64) -> [(UInt64, UInt64, UInt64)] {
        var stamps: [(UInt64, UInt64, UInt64)] = []
        let start = MonotonicClock.now()
        while stamps.count < 50_000_000 {
            let before = MonotonicClock.now()
            let stamp = clock.now()
            let after = MonotonicClock.now()
            stamps.append((before, stamp, after))
            if after - start > span { break }
        }
        return stamps
    }

    @Test("a stamp is the monotonic clock's reading to within its anchor's bracket, across anchors")
    func stampsAreMonotonicNanoseconds() {
        var clock = StampClock()
        // 3 ms: three anchors' lifetimes, so that stamps are checked after each of their ends.
        let stamps = bracketedStamps(&clock, span: 3 * TSCConversion.anchorLifetimeNanoseconds)
        // The anchor's bracket is tens of nanoseconds and the conversion's drift over an anchor's
        // lifetime a few; a microsecond is far beyond both, and preemption only widens the window.
        let tolerance: UInt64 = 1_000
        for (before, stamp, after) in stamps {
            #expect(stamp + tolerance >= before && stamp <= after + tolerance, "\(before) ≤ \(stamp) ≤ \(after)")
        }
    }

    @Test("the stamps of one clock never go back, across anchors")
    func stampsNeverGoBack() {
        var clock = StampClock()
        var previous = clock.now()
        let end = MonotonicClock.now() + 3 * TSCConversion.anchorLifetimeNanoseconds
        var stamps = 0
        while MonotonicClock.now() < end && stamps < 50_000_000 {
            let stamp = clock.now()
            #expect(stamp >= previous)
            previous = stamp
            stamps += 1
        }
        #expect(stamps > 0)
    }

    @Test("without an invariant counter every stamp is a clock_gettime")
    func withoutCounter() {
        var clock = StampClock(conversion: nil)
        #expect(!clock.readsTimeStampCounter)
        for (before, stamp, after) in bracketedStamps(&clock, span: 100_000) {
            #expect(before <= stamp && stamp <= after)
        }
    }

    @Test("a conversion's anchor lives a millisecond of counter ticks")
    func anchorLifetime() {
        // One tick a nanosecond (32.32 fixed point), and one every 0.4 ns (2.5 GHz).
        #expect(TSCConversion(nanosPerTick: 1 << 32).anchorLifetimeTicks == 1_000_000)
        let fast = TSCConversion(nanosPerTick: (1 << 32) * 2 / 5)
        #expect(fast.anchorLifetimeTicks >= 2_499_999 && fast.anchorLifetimeTicks <= 2_500_001)
        #expect(StampClock(conversion: fast).readsTimeStampCounter)
    }

    @Test("the process's conversion, where there is one, is what a calibration measures again")
    func calibrationRepeats() throws {
        guard let shared = TSCConversion.shared else {
            #expect(!StampClock().readsTimeStampCounter, "no conversion: every stamp is a clock_gettime")
            return
        }
        let again = try #require(TSCConversion.calibrate())
        // Two calibrations of 10 ms, each to within tens of nanoseconds at each end: a few parts
        // per million apart; a thousandth is far beyond that, and far below any other counter.
        let difference = max(shared.nanosPerTick, again.nanosPerTick) - min(shared.nanosPerTick, again.nanosPerTick)
        #expect(difference <= shared.nanosPerTick / 1_000, "\(shared.nanosPerTick) against \(again.nanosPerTick)")
    }
}
