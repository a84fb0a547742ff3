import Clocks
import Models
import Pipeline
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The readings under the cost record: the allocation counter, context switches and the log of
/// the threads that ran stage work.
@Suite("Cost diagnostics")
struct CostDiagnosticsTests {
    /// A class instance: one heap allocation each, kept alive so none can be elided.
    final class Box {
        var value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test(
        "the allocation counter counts a known loop of allocations on this thread, and no fewer in the process",
        .enabled(
            if: AllocationCounter.isAvailable,
            "the counter is unavailable in this build: ThreadSanitizer and AddressSanitizer replace malloc themselves")
    )
    func knownLoop() throws {
        let count = 10_000
        var boxes: [Box] = []
        boxes.reserveCapacity(count)
        // The process's readings bracket the thread's, so its interval holds the thread's.
        let process0 = try #require(AllocationCounter.process())
        let thread0 = try #require(AllocationCounter.currentThread())
        for i in 0..<count { boxes.append(Box(i)) }
        let thread1 = try #require(AllocationCounter.currentThread())
        let process1 = try #require(AllocationCounter.process())
        #expect(boxes.count == count)
        let counted = thread1 - thread0
        // Exactly one allocation per instance; a few more are the runtime's own (metadata on first use).
        #expect(counted >= UInt64(count) && counted <= UInt64(count) + 64, "counted \(counted)")
        #expect(process1 - process0 >= counted)
        // Other threads' allocations reach the process's count, not this thread's.
        let other = OSThread(name: "tl-alloc-test") { (0..<1_000).map { Box($0) }.count }
        #expect(other.join().result == 1_000)
        let other1 = try #require(AllocationCounter.currentThread())
        #expect(other1 - thread1 < 1_000)
        #expect(try #require(AllocationCounter.process()) - process1 >= 1_000)
    }

    @Test("where the counter is unavailable it says why and counts nothing")
    func unavailable() {
        if AllocationCounter.isAvailable {
            #expect(AllocationCounter.unavailableReason == nil && AllocationCounter.process() != nil)
        } else {
            #expect(AllocationCounter.unavailableReason != nil && AllocationCounter.process() == nil)
        }
    }

    @Test("a thread that sleeps switches voluntarily at least once per sleep, and its join says so")
    func threadSwitches() {
        let sleeps = 5
        let thread = OSThread(name: "tl-csw-test") {
            for _ in 0..<sleeps { usleep(1_000) }
        }
        let usage = thread.join().usage
        #expect(usage.voluntaryContextSwitches >= UInt64(sleeps))
        let process = ThreadUsage.process()
        #expect(process.voluntaryContextSwitches >= usage.voluntaryContextSwitches)
    }

    @Test("a usage since an earlier reading is the difference, never below zero")
    func usageDifference() {
        let later = ThreadUsage(voluntaryContextSwitches: 10, involuntaryContextSwitches: 4, allocations: 100)
        let earlier = ThreadUsage(voluntaryContextSwitches: 3, involuntaryContextSwitches: 5, allocations: nil)
        #expect(
            later.since(earlier)
                == ThreadUsage(voluntaryContextSwitches: 7, involuntaryContextSwitches: 0, allocations: nil))
        #expect(
            later.since(later)
                == ThreadUsage(voluntaryContextSwitches: 0, involuntaryContextSwitches: 0, allocations: 0))
    }

    @Test("the worker log counts each distinct thread once, however often it records")
    func workerLog() {
        let logs = [WorkerThreadLog(), WorkerThreadLog()]
        let threads = (0..<3).map { index in
            OSThread(name: "tl-log-\(index)") {
                for _ in 0..<100 { logs[index % 2].record() }
                return ThreadIdentity.current()
            }
        }
        let ids = Set(threads.map { $0.join().result })
        for _ in 0..<10 { logs[0].record() }
        #expect(ids.count == 3)
        #expect(WorkerThreadLog.width(logs) == 4)
        #expect(logs[0].threads.contains(ThreadIdentity.current()))
        #expect(logs[1].threads.count == 1)
    }
}
