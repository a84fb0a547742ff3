import Capacity
import Foundation
import Testing

/// /proc/stat as a 2-CPU Linux 6 kernel writes it (abridged after the cpu lines).
private let modern = """
    cpu  143091 48 21453 61038 578 0 462 2236 0 0
    cpu0 70936 12 10231 32057 86 0 83 1035 0 0
    cpu1 72155 36 11222 28981 491 0 378 1201 0 0
    intr 9371035 0 9 0 0 0 0 0 0 0 0
    ctxt 21352339
    btime 1764629000
    processes 51234
    procs_running 3
    procs_blocked 0
    softirq 4719934 0 900339 12 151106 0 0 2 1689043 0 1979432
    """

@Suite struct CPUNoiseTests {
    @Test func parsesTheAggregateLineAndCountsCPUs() throws {
        let snapshot = try ProcStat.parse(modern)
        #expect(snapshot.cpuCount == 2)
        #expect(
            snapshot.aggregate
                == CPUTimes(
                    user: 143_091, nice: 48, system: 21_453, idle: 61_038, iowait: 578, irq: 0,
                    softirq: 462, steal: 2_236, guest: 0, guestNice: 0))
        #expect(snapshot.aggregate.busy == 143_091 + 48 + 21_453 + 0 + 462)
    }

    @Test func oldKernelsWriteFewerFields() throws {
        // Linux 2.4: four fields; 2.6.0-2.6.10: seven; 2.6.11-2.6.23: eight.
        let four = try ProcStat.parse("cpu  100 2 30 400\ncpu0 100 2 30 400\n")
        #expect(four.aggregate == CPUTimes(user: 100, nice: 2, system: 30, idle: 400))
        #expect(four.cpuCount == 1)
        let seven = try ProcStat.parse("cpu 1 2 3 4 5 6 7")
        #expect(seven.aggregate == CPUTimes(user: 1, nice: 2, system: 3, idle: 4, iowait: 5, irq: 6, softirq: 7))
        #expect(seven.aggregate.steal == 0)
        #expect(seven.cpuCount == 0)
        let eight = try ProcStat.parse("cpu 1 2 3 4 5 6 7 8")
        #expect(eight.aggregate.steal == 8 && eight.aggregate.guest == 0)
        // A future kernel's eleventh field is ignored; tabs separate as well as spaces.
        let eleven = try ProcStat.parse("cpu\t1 2 3 4 5 6 7 8 9 10 11")
        #expect(eleven.aggregate.guestNice == 10)
    }

    @Test func garbageIsATypedError() {
        #expect(throws: ProcStatError.noAggregateLine) { try ProcStat.parse("") }
        #expect(throws: ProcStatError.noAggregateLine) { try ProcStat.parse("cpu0 1 2 3 4\nintr 5\n") }
        #expect(throws: ProcStatError.noAggregateLine) { try ProcStat.parse("<html>not found</html>") }
        #expect(throws: ProcStatError.tooFewFields(found: 3)) { try ProcStat.parse("cpu 1 2 3\n") }
        #expect(throws: ProcStatError.tooFewFields(found: 0)) { try ProcStat.parse("cpu\n") }
        #expect(throws: ProcStatError.notANumber(field: 2, text: "x")) { try ProcStat.parse("cpu 1 x 3 4\n") }
        #expect(throws: ProcStatError.notANumber(field: 4, text: "-4")) { try ProcStat.parse("cpu 1 2 3 -4\n") }
        #expect(throws: ProcStatError.notANumber(field: 1, text: "1.5")) { try ProcStat.parse("cpu 1.5 2 3 4\n") }
        #expect(ProcStatError.tooFewFields(found: 3).description.contains("at least 4"))
    }

    @Test func othersAreBusyMinusOwnAndStealIsApart() throws {
        // 2 cores, 10 s window, USER_HZ 100: busy grows by 1,400 ticks (14 s), steal by 50 (0.5 s).
        let before = CPUTimes(user: 1_000, nice: 0, system: 500, idle: 10_000, steal: 100)
        let after = CPUTimes(user: 2_000, nice: 100, system: 700, idle: 10_700, irq: 0, softirq: 100, steal: 150)
        let account = NoiseAccount.between(
            before, after, ownCPUSeconds: 10.5, windowSeconds: 10, cores: 2, ticksPerSecond: 100)
        #expect(account.busySeconds == 14)
        #expect(account.ownSeconds == 10.5)
        #expect(account.othersSeconds == 3.5)
        #expect(account.stealSeconds == 0.5)
        #expect(account.machineSeconds == 20)
        #expect(account.othersShare == 3.5 / 20)
        #expect(account.stealShare == 0.5 / 20)
        #expect(account.outsideCores == 0.4)
        #expect(account.isNoisy())
        #expect(!account.isNoisy(thresholdCores: 0.5))
    }

    @Test func aQuietWindowIsNotNoisy() {
        // Others took 0.05 s of a 1 s window: 5% of one core, under the 25% default.
        let before = CPUTimes(user: 0, system: 0, idle: 0)
        let after = CPUTimes(user: 95, system: 10, idle: 95)
        let account = NoiseAccount.between(
            before, after, ownCPUSeconds: 1.0, windowSeconds: 1, cores: 2, ticksPerSecond: 100)
        #expect(abs(account.othersSeconds - 0.05) < 1e-12)
        #expect(!account.isNoisy())
        #expect(NoiseAccount.standardThresholdCores == 0.25)
    }

    @Test func ownTimeAboveBusyAndCountersGoingBackCountAsZero() {
        // getrusage counts in µs, /proc/stat in 10 ms ticks: own can exceed busy by a tick.
        let account = NoiseAccount.between(
            CPUTimes(user: 100), CPUTimes(user: 150), ownCPUSeconds: 0.52, windowSeconds: 1, cores: 2,
            ticksPerSecond: 100)
        #expect(account.othersSeconds == 0)
        let backwards = NoiseAccount.between(
            CPUTimes(user: 150, steal: 9), CPUTimes(user: 100, steal: 3), ownCPUSeconds: 0, windowSeconds: 1, cores: 2,
            ticksPerSecond: 100)
        #expect(backwards.busySeconds == 0 && backwards.stealSeconds == 0 && !backwards.isNoisy())
        let empty = NoiseAccount.between(
            CPUTimes(), CPUTimes(), ownCPUSeconds: 0, windowSeconds: 0, cores: 0, ticksPerSecond: 100)
        #expect(empty.othersShare == 0 && empty.stealShare == 0 && empty.outsideCores == 0)
    }

    @Test func accountsAreCodable() throws {
        let account = NoiseAccount.between(
            CPUTimes(user: 1), CPUTimes(user: 300, steal: 4), ownCPUSeconds: 1, windowSeconds: 2, cores: 2,
            ticksPerSecond: 100)
        let data = try JSONEncoder().encode(account)
        #expect(try JSONDecoder().decode(NoiseAccount.self, from: data) == account)
    }

    @Test func theLiveReaderReadsThisMachineOnLinuxOnly() throws {
        #if os(Linux)
            let snapshot = try #require(ProcStat.readLive())
            #expect(snapshot.cpuCount >= 1)
            #expect(snapshot.aggregate.busy + snapshot.aggregate.idle > 0)
            #expect(ProcStat.ticksPerSecond > 0)
            let own = try #require(ProcessCPU.ownSeconds())
            #expect(own >= 0)
        #else
            #expect(ProcStat.readLive() == nil)
        #endif
    }
}
