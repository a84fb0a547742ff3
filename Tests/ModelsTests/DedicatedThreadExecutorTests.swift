import Clocks
import MarketData
import Models
import Pipeline
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A flag one thread sets and another polls.
private final class WokenFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// The calling OS thread's identity (pthread_t is an integer on Linux, a pointer on Darwin).
private func currentThread() -> UInt { unsafeBitCast(pthread_self(), to: UInt.self) }

@Suite("Dedicated-thread task executor")
struct DedicatedThreadExecutorTests {
    @Test("a task that prefers the executor runs on its one thread, across suspensions and sleeps")
    func pinned() async {
        let executor = DedicatedThreadExecutor(name: "test-executor")
        let other = DedicatedThreadExecutor(name: "test-other")
        let sleeper = DedicatedThreadSleeper(executor)
        let threads = await Task(executorPreference: executor) { () -> [UInt] in
            var seen = [currentThread()]
            await sleeper.sleep(until: MonotonicClock.now() + 1_000_000)
            seen.append(currentThread())
            await Task.yield()
            seen.append(currentThread())
            return seen
        }.value
        let otherThread = await Task(executorPreference: other) { currentThread() }.value
        #expect(Set(threads).count == 1)
        #expect(threads.first != otherThread)
        #expect(threads.first != currentThread())
        #expect(executor.shutdown() >= 0)
        other.shutdown()
    }

    @Test("its sleeper waits at least until the deadline, and wakes")
    func sleeper() async {
        let executor = DedicatedThreadExecutor(name: "test-executor")
        let sleeper = DedicatedThreadSleeper(executor)
        let lateness = await Task(executorPreference: executor) { () -> [Int64] in
            var late: [Int64] = []
            for delay: UInt64 in [0, 1_000_000, 5_000_000] {
                let deadline = MonotonicClock.now() + delay
                await sleeper.sleep(until: deadline)
                late.append(Int64(bitPattern: MonotonicClock.now() &- deadline))
            }
            return late
        }.value
        // How late it wakes depends on the machine's load: only the lower bound is the design's.
        #expect(lateness.count == 3 && lateness.allSatisfy { $0 >= 0 }, "woke \(lateness) ns late")
        executor.shutdown()
    }

    @Test("timers fire in deadline order, whatever the order they were set in")
    func timerOrder() async {
        let executor = DedicatedThreadExecutor(name: "test-executor")
        let fired = Mutex<[Int]>([])
        let now = MonotonicClock.now()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for (index, delay) in [(2, 6_000_000), (0, 2_000_000), (1, 4_000_000)] as [(Int, UInt64)] {
                executor.schedule(at: now + delay) {
                    let count = fired.withLock {
                        $0.append(index); return $0.count
                    }
                    if count == 3 { done.resume() }
                }
            }
        }
        #expect(fired.withLock { $0 } == [0, 1, 2])
        executor.shutdown()
    }

    @Test("a task busy on one executor does not delay a sleeper on another")
    func isolation() async {
        let busy = DedicatedThreadExecutor(name: "test-busy")
        let calm = DedicatedThreadExecutor(name: "test-calm")
        let sleeper = DedicatedThreadSleeper(calm)
        // The spinner holds its executor until the sleeper on the other one has woken: were the
        // two sharing a thread, the sleeper could not wake while the spinner spins, and the
        // spinner would give up at its 60 s bound against a hang. No wall-time margin involved.
        let woken = WokenFlag()
        let spinner = Task(executorPreference: busy) { () -> Bool in
            let bound = MonotonicClock.now() + 60_000_000_000
            while !woken.isSet {
                if MonotonicClock.now() > bound { return false }
            }
            return true
        }
        await Task(executorPreference: calm) {
            await sleeper.sleep(until: MonotonicClock.now() + 2_000_000)
            woken.set()
        }.value
        #expect(await spinner.value, "the sleeper did not wake while the other executor was busy")
        busy.shutdown()
        calm.shutdown()
    }

    @Test("shutdown runs what is queued, then reports the thread's CPU time")
    func shutdownDrains() async {
        let executor = DedicatedThreadExecutor(name: "test-executor")
        let value = await Task(executorPreference: executor) { () -> UInt64 in
            var x: UInt64 = 1
            for i in 0..<2_000_000 as Range<UInt64> { x = x &* 6_364_136_223_846_793_005 &+ i }
            return x
        }.value
        #expect(value != 0)
        let cpu = executor.shutdown()
        #expect(cpu > 0 && cpu < 60)
    }
}
