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
        let deadline = MonotonicClock.now() + 2_000_000
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
        let past = MonotonicClock.now() - 1
        MonotonicClock.sleep(until: past)
        #expect(MonotonicClock.now() > past)
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
