import Clocks
import Pipeline
import Testing

@Suite("Stop signal")
struct StopSignalTests {
    @Test("a request is seen together with its instant, and the first request's instant stays")
    func requestCarriesItsInstant() throws {
        let stop = StopSignal()
        #expect(!stop.isRequested)
        #expect(stop.instant == nil)
        let before = MonotonicClock.now()
        stop.request()
        let after = MonotonicClock.now()
        #expect(stop.isRequested)
        let first = try #require(stop.instant)
        #expect(first.nanoseconds >= before && first.nanoseconds <= after)
        stop.request()
        #expect(stop.instant == first, "a second request does not move the window's end")
    }

    @Test("whoever sees the request from another thread sees its instant")
    func requestSeenFromAnotherThread() async {
        for _ in 0..<200 {
            let stop = StopSignal()
            async let requester: Void = stop.request()
            while !stop.isRequested { await Task.yield() }
            #expect(stop.instant != nil)
            await requester
        }
    }
}
