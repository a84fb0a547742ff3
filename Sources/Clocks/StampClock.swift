import CSystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hot path's stamps: ``MonotonicClock`` nanoseconds, read from the processor's time-stamp
/// counter where it is invariant (about 14 ns a stamp here, against 32 ns for `clock_gettime`).
///
/// Each stage owns one (a value: no sharing, no synchronisation). A stamp is the clock's
/// anchor, a `CLOCK_MONOTONIC` reading taken with the counter read on either side of it, plus
/// the counter's ticks since then converted with the process's ``TSCConversion``. The anchor is
/// taken again once it is ``TSCConversion/anchorLifetimeNanoseconds`` old (or the counter went
/// back, on another core), so the conversion's error, a few parts per million of the time since
/// the anchor, stays below a few nanoseconds: a stamp is `CLOCK_MONOTONIC` to within the width
/// of the anchor's bracket (tens of nanoseconds), and stamps compare with the clock's readings
/// (schedules, windows, deadlines) and with other stages' stamps.
///
/// Where the counter is not invariant (or not there), every stamp is `MonotonicClock.now()`.
/// Stamps of one `StampClock` do not go back while the counter goes forward.
public struct StampClock: Sendable {
    @usableFromInline var anchorTicks: UInt64 = 0
    @usableFromInline var anchorNanos: UInt64 = 0
    /// Nanoseconds per counter tick in 32.32 fixed point (0 without an invariant counter).
    @usableFromInline let nanosPerTick: UInt64
    /// Ticks after which the anchor is taken again; 0 without an invariant counter, so that
    /// every stamp takes the slow path, a `clock_gettime`.
    @usableFromInline let anchorLifetimeTicks: UInt64

    /// A clock of the process's ``TSCConversion/shared`` conversion (the first one made in a
    /// process calibrates it, about 10 ms).
    public init() {
        self.init(conversion: TSCConversion.shared)
    }

    /// A clock converting with `conversion`; nil: every stamp a `clock_gettime`.
    public init(conversion: TSCConversion?) {
        nanosPerTick = conversion?.nanosPerTick ?? 0
        anchorLifetimeTicks = conversion?.anchorLifetimeTicks ?? 0
    }

    /// Whether stamps come from the time-stamp counter.
    public var readsTimeStampCounter: Bool { anchorLifetimeTicks > 0 }

    /// Now, in `CLOCK_MONOTONIC` nanoseconds: the anchor plus the counter's ticks since.
    @inlinable
    public mutating func now() -> UInt64 {
        let elapsed = ticklab_read_tsc() &- anchorTicks
        // elapsed < lifetime (about 2^22 ticks) keeps the product below 2^54: no overflow.
        if _fastPath(elapsed < anchorLifetimeTicks) { return anchorNanos &+ (elapsed &* nanosPerTick) &>> 32 }
        return anchorAgain()
    }

    /// Takes a new anchor and returns it: not before what the old anchor makes of the instant
    /// (so stamps do not go back), unless that is more than 1 µs ahead of the clock.
    @usableFromInline
    @inline(never)
    mutating func anchorAgain() -> UInt64 {
        guard anchorLifetimeTicks > 0 else { return MonotonicClock.now() }
        let fresh = TSCConversion.anchor()
        // What the old anchor makes of the new one's instant, if the counter went forward.
        var previous: UInt64 = 0
        if anchorNanos > 0, fresh.ticks >= anchorTicks {
            let product = (fresh.ticks - anchorTicks).multipliedFullWidth(by: nanosPerTick)
            previous = anchorNanos &+ (product.high << 32 | product.low >> 32)
        }
        anchorTicks = fresh.ticks
        anchorNanos = max(fresh.nanos, min(previous, fresh.nanos &+ 1_000))
        return anchorNanos
    }
}

/// The conversion of the processor's time-stamp counter to `CLOCK_MONOTONIC` nanoseconds,
/// calibrated against that clock; there only where the counter is invariant.
public struct TSCConversion: Sendable, Hashable {
    /// Nanoseconds per counter tick in 32.32 fixed point.
    public let nanosPerTick: UInt64
    /// The counter's ticks in ``anchorLifetimeNanoseconds``.
    public let anchorLifetimeTicks: UInt64

    /// How long a ``StampClock`` keeps its anchor: 1 ms, so that a calibration error of a few
    /// parts per million stays a few nanoseconds, and an anchor (about 100 ns) costs a stamp
    /// taken every microsecond a tenth of a nanosecond.
    public static let anchorLifetimeNanoseconds: UInt64 = 1_000_000
    /// How long the calibration measures: its error is the anchors' bracket (tens of ns) over this.
    public static let calibrationNanoseconds: UInt64 = 10_000_000

    /// The process's conversion, calibrated at first use; nil where the counter is not
    /// invariant (``counterIsInvariant``) or the environment's `TICKLAB_STAMP_CLOCK` is
    /// `monotonic`.
    public static let shared: TSCConversion? = {
        if let choice = getenv("TICKLAB_STAMP_CLOCK"), String(cString: choice) == "monotonic" { return nil }
        guard counterIsInvariant() else { return nil }
        return calibrate()
    }()

    /// - Precondition: `nanosPerTick` > 0.
    public init(nanosPerTick: UInt64) {
        precondition(nanosPerTick > 0, "a counter that ticks")
        self.nanosPerTick = nanosPerTick
        anchorLifetimeTicks = max(1, (Self.anchorLifetimeNanoseconds << 32) / nanosPerTick)
    }

    /// Whether the counter runs at one rate on every core, through sleep states, and the kernel
    /// trusts it for its own monotonic clock: the `constant_tsc` and `nonstop_tsc` flags in
    /// `/proc/cpuinfo` and `tsc` as the current clock source (which the kernel keeps only while
    /// the counters of all cores agree). Linux on x86-64 only.
    public static func counterIsInvariant() -> Bool {
        #if os(Linux) && arch(x86_64)
            guard let source = readFile("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
                source.split(whereSeparator: \.isWhitespace).first == "tsc",
                let cpuinfo = readFile("/proc/cpuinfo"),
                let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
            else { return false }
            let names = Set(flags.split(separator: " ").map(String.init))
            return names.contains("constant_tsc") && names.contains("nonstop_tsc")
        #else
            return false
        #endif
    }

    /// Calibrates against `CLOCK_MONOTONIC`: two anchors ``calibrationNanoseconds`` apart.
    /// Nil if the counter did not move forward.
    public static func calibrate() -> TSCConversion? {
        let start = anchor()
        MonotonicClock.sleep(until: start.nanos &+ calibrationNanoseconds)
        let end = anchor()
        let ticks = end.ticks &- start.ticks, nanos = end.nanos &- start.nanos
        guard end.ticks > start.ticks, end.nanos > start.nanos, nanos < 1 << 31 else { return nil }
        let nanosPerTick = (nanos << 32) / ticks
        return nanosPerTick > 0 ? TSCConversion(nanosPerTick: nanosPerTick) : nil
    }

    /// A `CLOCK_MONOTONIC` reading and the counter at its instant: the midpoint of the counter
    /// read before and after it, the tightest of a few tries (a preempted try is wide).
    public static func anchor() -> (ticks: UInt64, nanos: UInt64) {
        var best: (ticks: UInt64, nanos: UInt64, width: UInt64) = (0, 0, .max)
        for _ in 0..<5 {
            let before = ticklab_read_tsc()
            let nanos = MonotonicClock.now()
            let after = ticklab_read_tsc()
            guard after >= before else { continue }
            if after - before < best.width { best = (before + (after - before) / 2, nanos, after - before) }
        }
        return best.width == .max ? (ticklab_read_tsc(), MonotonicClock.now()) : (best.ticks, best.nanos)
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
