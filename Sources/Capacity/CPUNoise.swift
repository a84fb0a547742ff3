import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The aggregate `cpu` line of /proc/stat: time the machine's CPUs spent in each state since boot,
/// in USER_HZ ticks (`sysconf(_SC_CLK_TCK)`, 100 on every common kernel), summed over all CPUs.
///
/// Kernels before 2.6.33 write fewer fields (2.4: user nice system idle; 2.5.41 adds iowait,
/// 2.6.0 irq and softirq, 2.6.11 steal, 2.6.24 guest, 2.6.33 guest_nice); missing fields are 0.
public struct CPUTimes: Hashable, Codable, Sendable {
    public var user: UInt64
    public var nice: UInt64
    public var system: UInt64
    public var idle: UInt64
    public var iowait: UInt64
    public var irq: UInt64
    public var softirq: UInt64
    /// Time the hypervisor ran something else while a virtual CPU wanted to run.
    public var steal: UInt64
    /// Time spent running guests; already counted in `user`.
    public var guest: UInt64
    /// Time spent running niced guests; already counted in `nice`.
    public var guestNice: UInt64

    public init(
        user: UInt64 = 0, nice: UInt64 = 0, system: UInt64 = 0, idle: UInt64 = 0, iowait: UInt64 = 0, irq: UInt64 = 0,
        softirq: UInt64 = 0, steal: UInt64 = 0, guest: UInt64 = 0, guestNice: UInt64 = 0
    ) {
        self.user = user
        self.nice = nice
        self.system = system
        self.idle = idle
        self.iowait = iowait
        self.irq = irq
        self.softirq = softirq
        self.steal = steal
        self.guest = guest
        self.guestNice = guestNice
    }

    /// Ticks some process or the kernel ran: user + nice + system + irq + softirq. Guest time is
    /// inside user and nice already; idle, iowait and steal are time nothing here ran.
    public var busy: UInt64 { user &+ nice &+ system &+ irq &+ softirq }
}

/// Why /proc/stat contents could not be read.
public enum ProcStatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No line starts with `cpu ` (the aggregate over all CPUs).
    case noAggregateLine
    /// The `cpu` line has fewer than the four fields every kernel writes.
    case tooFewFields(found: Int)
    /// A field of the `cpu` line is not a whole number of ticks; `field` counts from 1 (user).
    case notANumber(field: Int, text: String)

    public var description: String {
        switch self {
        case .noAggregateLine: "/proc/stat has no 'cpu' line"
        case .tooFewFields(let found):
            "/proc/stat 'cpu' line has \(found) field\(found == 1 ? "" : "s"); every kernel writes at least 4 (user nice system idle)"
        case .notANumber(let field, let text):
            "/proc/stat 'cpu' field \(field) is '\(text)', not a whole number of ticks"
        }
    }
}

/// One reading of /proc/stat: the aggregate times and how many CPUs the kernel lists.
public struct ProcStatSnapshot: Hashable, Codable, Sendable {
    /// The `cpu` line: all CPUs together.
    public var aggregate: CPUTimes
    /// The number of `cpuN` lines (0 if the contents hold only the aggregate).
    public var cpuCount: Int

    public init(aggregate: CPUTimes, cpuCount: Int) {
        self.aggregate = aggregate
        self.cpuCount = cpuCount
    }
}

/// Reading /proc/stat.
public enum ProcStat {
    /// Parses the contents of /proc/stat: the `cpu` line's fields (4 to 10 of them; more, from a
    /// future kernel, are ignored) and the count of `cpuN` lines.
    ///
    /// - Throws: `ProcStatError` when there is no `cpu` line, it has fewer than 4 fields, or a
    ///   field is not a whole number.
    public static func parse(_ contents: String) throws(ProcStatError) -> ProcStatSnapshot {
        var aggregate: CPUTimes?
        var cpuCount = 0
        for line in contents.split(separator: "\n", omittingEmptySubsequences: true) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first, first.hasPrefix("cpu") else { continue }
            if first == "cpu" {
                guard aggregate == nil else { continue }
                aggregate = try times(Array(words.dropFirst()))
            } else if first.dropFirst(3).allSatisfy(\.isASCIIDigitCharacter), first.count > 3 {
                cpuCount += 1
            }
        }
        guard let aggregate else { throw .noAggregateLine }
        return ProcStatSnapshot(aggregate: aggregate, cpuCount: cpuCount)
    }

    /// The live /proc/stat; nil off Linux or when it cannot be read or parsed.
    public static func readLive() -> ProcStatSnapshot? {
        #if os(Linux)
            guard let contents = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
            return try? parse(contents)
        #else
            return nil
        #endif
    }

    /// Ticks per second of /proc/stat's figures: `sysconf(_SC_CLK_TCK)`, or 100 if that fails.
    public static var ticksPerSecond: Double {
        #if os(Linux)
            let value = sysconf(Int32(_SC_CLK_TCK))
            return value > 0 ? Double(value) : 100
        #else
            return 100
        #endif
    }

    private static func times(_ fields: [Substring]) throws(ProcStatError) -> CPUTimes {
        guard fields.count >= 4 else { throw .tooFewFields(found: fields.count) }
        var values: [UInt64] = []
        for (index, field) in fields.prefix(10).enumerated() {
            guard let value = UInt64(field) else { throw .notANumber(field: index + 1, text: String(field)) }
            values.append(value)
        }
        values += Array(repeating: 0, count: 10 - values.count)
        return CPUTimes(
            user: values[0], nice: values[1], system: values[2], idle: values[3], iowait: values[4], irq: values[5],
            softirq: values[6], steal: values[7], guest: values[8], guestNice: values[9])
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

/// The CPU this process used: user + system time from `getrusage(RUSAGE_SELF)`.
public enum ProcessCPU {
    /// Seconds of CPU (user + system) the calling process has used since it started, all
    /// threads together; nil if getrusage fails.
    public static func ownSeconds() -> Double? {
        var usage = rusage()
        #if os(Linux)
            let who = RUSAGE_SELF.rawValue  // an enum in glibc's header, a macro elsewhere
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return nil }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// The CPU that others took from the machine during a run's window.
///
/// Others = busy − own: what every process and the kernel ran, minus what this process ran. The
/// hypervisor's share is steal. Both as seconds and as a share of the machine (cores × window).
public struct NoiseAccount: Hashable, Codable, Sendable {
    /// The window's wall-clock length in seconds.
    public var windowSeconds: Double
    /// The CPUs the machine has.
    public var cores: Int
    /// CPU seconds anything ran on the machine in the window (from /proc/stat).
    public var busySeconds: Double
    /// CPU seconds this process ran in the window.
    public var ownSeconds: Double
    /// CPU seconds other processes and the kernel on their behalf ran: busy − own, at least 0
    /// (/proc/stat counts in whole ticks of 10 ms, getrusage in µs, so over a short, quiet window
    /// own can exceed busy by a tick or so).
    public var othersSeconds: Double
    /// CPU seconds the hypervisor gave to other guests while this machine wanted to run.
    public var stealSeconds: Double

    /// The default threshold of `isNoisy`: others and steal together took more than a quarter of
    /// one core over the window. A quiet machine is not at zero: in a capacity sweep on the lab's
    /// 2-core machine with nothing else running (2026-12-02, 288 cells of 2 s), the outside load
    /// had a median of 0.09 cores and a 90th percentile of 0.25 (the sweep's own parent between
    /// cells, kernel threads, and /proc/stat counting in sampled 10 ms ticks where getrusage is
    /// exact), so a tenth of a core marked half the cells of a quiet sweep. A compile step or a
    /// `yes` takes a whole core: far above a quarter.
    public static let standardThresholdCores = 0.25

    /// The machine's capacity in the window: cores × window, in CPU seconds.
    public var machineSeconds: Double { Double(cores) * windowSeconds }
    /// Others' share of the machine: othersSeconds / (cores × window); 0 for an empty window.
    public var othersShare: Double { machineSeconds > 0 ? othersSeconds / machineSeconds : 0 }
    /// Steal's share of the machine: stealSeconds / (cores × window); 0 for an empty window.
    public var stealShare: Double { machineSeconds > 0 ? stealSeconds / machineSeconds : 0 }
    /// Cores' worth that others and steal took on average: (others + steal) / window.
    public var outsideCores: Double { windowSeconds > 0 ? (othersSeconds + stealSeconds) / windowSeconds : 0 }

    /// True when others and steal took more than `thresholdCores` cores on average over the
    /// window (default `standardThresholdCores`, a quarter of a core).
    public func isNoisy(thresholdCores: Double = NoiseAccount.standardThresholdCores) -> Bool {
        outsideCores > thresholdCores
    }

    public init(
        windowSeconds: Double, cores: Int, busySeconds: Double, ownSeconds: Double, othersSeconds: Double,
        stealSeconds: Double
    ) {
        self.windowSeconds = windowSeconds
        self.cores = cores
        self.busySeconds = busySeconds
        self.ownSeconds = ownSeconds
        self.othersSeconds = othersSeconds
        self.stealSeconds = stealSeconds
    }

    /// The account of a window from two /proc/stat snapshots taken at its ends, the process's own
    /// CPU seconds over the same window, the window's wall-clock length and the machine's cores.
    ///
    /// Counters that went backwards (a snapshot pair taken out of order, or a counter reset)
    /// count as 0 rather than wrapping to a huge number.
    ///
    /// - Parameters:
    ///   - ticksPerSecond: USER_HZ of the snapshots; `ProcStat.ticksPerSecond` by default.
    public static func between(
        _ before: CPUTimes, _ after: CPUTimes, ownCPUSeconds: Double, windowSeconds: Double, cores: Int,
        ticksPerSecond: Double = ProcStat.ticksPerSecond
    ) -> NoiseAccount {
        func delta(_ a: UInt64, _ b: UInt64) -> Double { b >= a ? Double(b - a) / ticksPerSecond : 0 }
        let busy = delta(before.busy, after.busy)
        let steal = delta(before.steal, after.steal)
        let own = max(0, ownCPUSeconds)
        return NoiseAccount(
            windowSeconds: windowSeconds, cores: cores, busySeconds: busy, ownSeconds: own,
            othersSeconds: max(0, busy - own), stealSeconds: steal)
    }
}
