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
}
