import Capacity
import Formats
import Foundation
import MarketData
import Pipeline
import Results

/// The human-readable form of a ``RunResult``.
public enum RunTable {
    public static func render(_ r: RunResult) -> String {
        var out: [String] = []
        let c = r.configuration
        let rate =
            (c.rate.map { "\(number($0)) ticks/s" } ?? "max (saturation)")
            + (c.load.map { " (load ρ \(number($0)))" } ?? "")
        out.append(
            "TickLab \(r.ticklabVersion) — model \(c.model)\(r.interrupted ? "  [INTERRUPTED: partial result]" : "")")
        // A tcp:// feed's rate, arrivals and seed are the exchange's, not this run's options.
        let schedule =
            c.feed.hasPrefix(ExchangeAddress.scheme)
            ? "rate and seed set by the exchange"
            : "\(rate), \(c.arrivals) arrivals, \(c.clock) clock, seed \(c.seed)"
        out.append(
            "feed \(c.feed), \(schedule), \(number(c.durationSeconds)) s"
                + "; proc \(number(c.procMs)) ms, eval \(number(c.evalMs)) ms (\(c.evalKind))"
                + (c.waitStrategy.map { ", wait \($0)" } ?? ""))
        out.append("")
        let w = r.window
        out.append(
            "window      \(DurationText.seconds(w.seconds, digits: 2))   offered \(fixed(w.offeredRate, 1)) ticks/s   "
                + "throughput \(fixed(w.throughput, 1)) ticks/s   kept up: \(w.keptUp ? "yes" : "NO")")
        if let failure = r.feedFailure {
            out.append("FEED FAILED \(failure.reason); " + feedFailureTiming(failure))
        }
        let t = r.ticks
        out.append(
            "ticks       offered \(t.offered), received \(t.received), processed \(t.processed) "
                + "(\(t.processedInWindow) in window), backlog at end \(t.backlogAtEnd), rejected deltas \(t.rejectedDeltas)"
                + (t.abandoned.map { ", abandoned after the stop \($0)" } ?? ""))
        let e = r.evaluator
        out.append(
            "evaluator   \(e.evaluations) evaluations, \(e.conflatedStates) conflated states, "
                + "\(e.decisions) decisions (buy \(e.buy), sell \(e.sell); hold \(e.hold))")
        out.append(
            "queue       inbound depth peak \(r.queue.peak), mean \(fixed(r.queue.mean, 2)), at end \(r.queue.atEnd)")
        if let routing = r.routing {
            out.append(
                "routing     \(routing.orders) orders to the \(routing.destination): \(routing.accepted) accepted, "
                    + "\(routing.rejected) rejected, \(routing.failed) failed"
                    + (routing.firstProblem.map { " (first: \($0))" } ?? ""))
        }
        if let counters = r.feedCounters {
            let shown = counters.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            out.append(
                "feed        " + (shown.isEmpty ? "all counters 0" : shown.joined(separator: ", ") + " (others 0)"))
        }
        out.append("")
        out.append(
            pad("latency (ms)", 22)
                + ["mean", "p50", "p90", "p99", "p99.9", "max", "count"].map { lpad($0, 9) }.joined())
        let rows: [(String, LatencySummary)] =
            [
                ("end-to-end", r.latency.endToEnd), ("reaction", r.latency.reaction),
                ("processing", r.latency.processing),
                ("  arrival→received", r.segments.arrivalToReceived),
                ("  received→processed", r.segments.receivedToProcessed),
                ("  processed→picked", r.segments.processedToPicked),
                ("  picked→decided", r.segments.pickedToDecided),
            ] + (r.segments.decidedToAcked.map { [("  decided→acked", $0)] } ?? [])
        for (name, s) in rows {
            out.append(
                pad(name, 22) + [s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map { lpad(fixed($0, 3), 9) }.joined()
                    + lpad(String(s.count), 9))
        }
        out.append("")
        let cpu = r.cpuSeconds
        var cpuParts: [String] = []
        if let v = cpu.receiver { cpuParts.append("receiver \(fixed(v, 3))") }
        if let v = cpu.processor { cpuParts.append("processor \(fixed(v, 3))") }
        if let v = cpu.evaluator { cpuParts.append("evaluator \(fixed(v, 3))") }
        if let v = cpu.shared { cpuParts.append("all stages \(fixed(v, 3)) (\(cpu.sharedBy ?? "shared"))") }
        cpuParts.append("process \(fixed(cpu.process, 3))")
        out.append("cpu (s)     " + cpuParts.joined(separator: ", "))
        if let line = cpuPerTickLine(r.cpuPerTick) { out.append(line) }
        if let cost = r.cost { out += costLines(cost) }
        let wl = r.workload
        out.append(
            "workload    proc requested \(fixed(wl.procRequestedMs, 3)) ms, measured "
                + (wl.procMeasuredMs.map { "\(fixed($0, 3)) ms cpu (\(percent($0, wl.procRequestedMs)))" } ?? "—")
                + "; eval requested \(fixed(wl.evalRequestedMs, 3)) ms, measured "
                + (wl.evalMeasuredMs.map {
                    "\(fixed($0, 3)) ms \(wl.evalMeasuredAs) (\(percent($0, wl.evalRequestedMs)))"
                } ?? "—"))
        out.append(
            "calibration \(fixed(wl.calibrationNanosPerRound, 4)) ns per round of work"
                + (wl.calibrationSource.map { $0 == .given ? " (given)" : " (measured at start-up)" } ?? ""))
        if let noise = r.noise { out.append(noiseLine(noise)) }
        if r.selfCheck.passed {
            out.append(
                "self-check  passed: every tick processed once, in order; book = sequential replay (\(r.selfCheck.bookChecksum))"
            )
        } else {
            out.append("self-check  FAILED:")
            for failure in r.selfCheck.failures { out.append("  - \(failure)") }
        }
        return out.joined(separator: "\n")
    }

    /// "cpu/tick    process 41.2 µs, receiver 3.1 µs, …", nil when nothing was processed.
    static func cpuPerTickLine(_ perTick: RunResult.CPUPerTick?) -> String? {
        guard let perTick else { return nil }
        var parts: [String] = []
        if let v = perTick.receiverMicros { parts.append("receiver \(fixed(v, 2))") }
        if let v = perTick.processorMicros { parts.append("processor \(fixed(v, 2))") }
        if let v = perTick.evaluatorMicros { parts.append("evaluator \(fixed(v, 2))") }
        if let v = perTick.sharedMicros { parts.append("all stages \(fixed(v, 2))") }
        parts.append("process \(fixed(perTick.processMicros, 2))")
        return "cpu/tick    µs per processed tick: " + parts.joined(separator: ", ")
    }

    /// The cost lines: idle burn, context switches and allocations per stage and process (in all
    /// and per processed tick), threads.
    static func costLines(_ cost: RunResult.Cost) -> [String] {
        var out: [String] = []
        if let idle = cost.idle {
            out.append(
                "idle burn   \(fixed(idle.cores, 3)) cores (\(fixed(idle.cpuSeconds * 1000, 1)) ms CPU over "
                    + "\(DurationText.seconds(idle.seconds, digits: 2)) with nothing due)")
        }
        let stages: [(String, RunResult.Cost.Usage?)] = [
            ("receiver", cost.receiver), ("processor", cost.processor), ("evaluator", cost.evaluator),
            ("shared", cost.shared), ("process", cost.process),
        ]
        var switches: [String] = []
        var allocations: [String] = []
        for (name, usage) in stages {
            guard let usage else { continue }
            switches.append(
                "\(name) \(usage.voluntaryContextSwitches)+\(usage.involuntaryContextSwitches)"
                    + (usage.contextSwitchesPerTick.map { " (\(fixed($0, 3))/tick)" } ?? ""))
            if let count = usage.allocations {
                allocations.append(
                    "\(name) \(count)" + (usage.allocationsPerTick.map { " (\(fixed($0, 2))/tick)" } ?? ""))
            }
        }
        out.append("switches    voluntary+involuntary: " + switches.joined(separator: ", "))
        out.append(
            "allocs      "
                + (allocations.isEmpty
                    ? "not counted: \(cost.allocationsUnavailable ?? "the counter is unavailable")"
                    : "heap allocations: " + allocations.joined(separator: ", ")))
        let t = cost.threads
        out.append(
            "threads     peak \(t.peak) alive, \(t.created) created during the run"
                + (t.ranStageWork.map { ", \($0) ran stage work" } ?? "")
                + " (sampled every \(number(t.sampleIntervalMilliseconds)) ms)")
        return out
    }

    /// "noise       outside load 0.03 cores (others 0.021, steal 0.009) of 2 over 10.05 s", and
    /// "NOISY" past ``NoiseAccount/standardThresholdCores``.
    static func noiseLine(_ noise: NoiseAccount) -> String {
        let window = noise.windowSeconds > 0 ? noise.windowSeconds : 1
        let verdict =
            noise.isNoisy()
            ? "  NOISY: over \(number(NoiseAccount.standardThresholdCores)) cores taken by others"
            : ""
        return "noise       outside load \(fixed(noise.outsideCores, 3)) cores "
            + "(other processes \(fixed(noise.othersSeconds / window, 3)), steal \(fixed(noise.stealSeconds / window, 3))) "
            + "of \(noise.cores) over \(DurationText.seconds(noise.windowSeconds, digits: 2))" + verdict
    }

    /// "last data at 2.96 s, then 7.04 s without data" (or "no data ever came").
    public static func feedFailureTiming(_ failure: RunResult.FeedFailure) -> String {
        let without = DurationText.seconds(failure.secondsWithoutData, digits: 2)
        guard let last = failure.lastDataAt else { return "no data came (\(without) of the window without data)" }
        return "last data at \(DurationText.seconds(last, digits: 2)) into the window, then \(without) without data"
    }

    static func percent(_ measured: Double, _ requested: Double) -> String {
        guard requested > 0 else { return "n/a" }
        let delta = (measured / requested - 1) * 100
        return (delta >= 0 ? "+" : "") + fixed(delta, 1) + "%"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { NumberText.fixed(value, digits: digits) }

    static func number(_ value: Double) -> String { NumberText.shortest(value) }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func lpad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }
}
