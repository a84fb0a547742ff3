import Clocks
import Foundation

/// The readings at the start of a window that a noise account is taken against: the
/// machine's CPU times (/proc/stat), the process's own CPU and the monotonic clock.
public struct NoiseWindow: Sendable {
    public var stat: CPUTimes
    public var ownSeconds: Double
    public var openedAt: UInt64

    /// Reads the window's start; nil when /proc/stat or the process's CPU cannot be read (off
    /// Linux, or /proc not mounted).
    public static func open(
        readStat: () -> ProcStatSnapshot? = ProcStat.readLive, readOwn: () -> Double? = ProcessCPU.ownSeconds,
        now: UInt64 = MonotonicClock.now()
    ) -> NoiseWindow? {
        guard let stat = readStat(), let own = readOwn() else { return nil }
        return NoiseWindow(stat: stat.aggregate, ownSeconds: own, openedAt: now)
    }

    /// Reads the window's end and accounts for the CPU others took in between; nil when a
    /// reading fails. The machine's cores are the CPUs /proc/stat lists (its figures sum over
    /// them), or the active processor count when it lists none.
    public func close(
        readStat: () -> ProcStatSnapshot? = ProcStat.readLive, readOwn: () -> Double? = ProcessCPU.ownSeconds,
        now: UInt64 = MonotonicClock.now(),
        ticksPerSecond: Double = ProcStat.ticksPerSecond
    ) -> NoiseAccount? {
        guard let stat = readStat(), let own = readOwn() else { return nil }
        let cores = stat.cpuCount > 0 ? stat.cpuCount : ProcessInfo.processInfo.activeProcessorCount
        return NoiseAccount.between(
            self.stat, stat.aggregate, ownCPUSeconds: own - ownSeconds,
            windowSeconds: Double(now >= openedAt ? now - openedAt : 0) / 1e9, cores: cores,
            ticksPerSecond: ticksPerSecond)
    }
}
