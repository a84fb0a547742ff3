import Clocks
import Dispatch
import MarketData
import Pipeline
import Testing

@Suite("Stop signal")
struct StopSignalTests {
    @Test("a fresh signal is not requested and has no instant")
    func fresh() {
        let stop = StopSignal()
        #expect(!stop.isRequested)
        #expect(stop.instant == nil)
    }

    @Test("a request is seen, with the instant it was made")
    func request() throws {
        let stop = StopSignal()
        let before = MonotonicClock.now()
        stop.request()
        let after = MonotonicClock.now()
        #expect(stop.isRequested)
        let instant = try #require(stop.instant)
        #expect(instant.nanoseconds >= before && instant.nanoseconds <= after)
    }

    @Test("the first request's instant is kept; later ones change nothing")
    func firstWins() throws {
        let stop = StopSignal()
        stop.request()
        let first = try #require(stop.instant)
        // Until the clock has moved on, so that a second instant would differ.
        while MonotonicInstant.now() == first {}
        stop.request()
        #expect(stop.instant == first)
    }

    @Test("requests from many threads at once leave one instant")
    func concurrentRequests() {
        let stop = StopSignal()
        let seen = (0..<8).map { _ in StopSignalObservation() }
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            stop.request()
            seen[index].record(stop.instant)
        }
        #expect(stop.isRequested)
        let instant = stop.instant
        #expect(instant != nil)
        // A requester that lost the race may return before the winner stored its instant: it
        // sees none yet, never another one.
        #expect(seen.allSatisfy { $0.value == instant || $0.value == nil })
    }
}

/// One thread's reading of the signal's instant.
private final class StopSignalObservation: @unchecked Sendable {
    // @unchecked Sendable: written by exactly one iteration of `concurrentPerform`, read after
    // it returned (which orders the write before the read).
    private(set) var value: MonotonicInstant? = MonotonicInstant(nanoseconds: 0)
    func record(_ instant: MonotonicInstant?) { value = instant }
}
