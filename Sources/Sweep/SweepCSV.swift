import Capacity
import Formats
import Foundation
import Pipeline
import Results

/// `results.csv`: one flat row per record of `results.jsonl`, for spreadsheets and pandas.
///
/// Every column name ends with its unit (`_ms`, `_s`, `_ticks_per_s`, `_ticks`) unless it is a
/// name, a flag, a count or the offered load (`load`, a utilisation: no unit). Numbers are written in Swift's shortest form that reads back to the
/// same `Double`, so the CSV holds exactly the figures of the JSON records; a value a record does
/// not have (a failed cell's latencies, a stage with no CPU clock of its own) is empty.
public enum SweepCSV {
    public struct Column: Sendable {
        public var name: String
        public var value: @Sendable (SweepRecord) -> String
    }

    /// The latency distributions, in the order of the columns.
    public static let latencies: [(name: String, summary: @Sendable (RunResult) -> LatencySummaryValue?)] = [
        ("e2e", { .init($0.latency.endToEnd) }),
        ("reaction", { .init($0.latency.reaction) }),
        ("processing", { .init($0.latency.processing) }),
        ("seg_arrival_to_received", { .init($0.segments.arrivalToReceived) }),
        ("seg_received_to_processed", { .init($0.segments.receivedToProcessed) }),
        ("seg_processed_to_picked", { .init($0.segments.processedToPicked) }),
        ("seg_picked_to_decided", { .init($0.segments.pickedToDecided) }),
        // Only with --route; empty otherwise.
        ("seg_decided_to_acked", { $0.segments.decidedToAcked.map(LatencySummaryValue.init) }),
    ]

    /// A latency summary's fields as the CSV lists them.
    public struct LatencySummaryValue: Sendable {
        public var mean, p50, p90, p99, p999, max: Double
        public var count: UInt64

        public init(_ s: LatencySummary) {
            (mean, p50, p90, p99, p999, max, count) = (s.mean, s.p50, s.p90, s.p99, s.p999, s.max, s.count)
        }
    }

    public static let columns: [Column] = {
        func text(_ name: String, _ value: @escaping @Sendable (SweepRecord) -> String?) -> Column {
            Column(name: name) { value($0) ?? "" }
        }
        func parameter(_ name: String, _ value: @escaping @Sendable (RunResult.Parameters) -> String?) -> Column {
            text(name) { value($0.parameters) }
        }
        func result(_ name: String, _ value: @escaping @Sendable (RunResult) -> String?) -> Column {
            text(name) { record in
                if case .run(let r) = record { return value(r) }
                return nil
            }
        }
        var columns: [Column] = [
            text("status") { record in
                switch record {
                case .failed: "failed"
                case .run(let r): !r.selfCheck.passed ? "self-check-failed" : r.interrupted ? "interrupted" : "ok"
                }
            },
            text("error") { $0.failure },
            text("started_at_utc") { $0.startedAt },
            parameter("model") { $0.model },
            parameter("feed") { $0.feed },
            parameter("rate_ticks_per_s") { $0.rate.map(number) ?? "max" },
            // Offered load ρ = rate × proc-ms / 1000 (no unit); empty for a run given a rate.
            parameter("load") { $0.load.map(number) },
            parameter("duration_s") { number($0.durationSeconds) },
            parameter("arrivals") { $0.arrivals },
            parameter("clock") { $0.clock },
            parameter("seed") { String($0.seed) },
            parameter("proc_ms") { number($0.procMs) },
            parameter("eval_ms") { number($0.evalMs) },
            parameter("eval_kind") { $0.evalKind },
            parameter("wait_strategy") { $0.waitStrategy },
            result("ticklab_version") { $0.ticklabVersion },
            result("interrupted") { String($0.interrupted) },
            result("window_s") { number($0.window.seconds) },
            result("offered_ticks_per_s") { number($0.window.offeredRate) },
            result("throughput_ticks_per_s") { number($0.window.throughput) },
            result("kept_up") { String($0.window.keptUp) },
            result("ticks_offered") { String($0.ticks.offered) },
            result("ticks_received") { String($0.ticks.received) },
            result("ticks_processed") { String($0.ticks.processed) },
            result("ticks_processed_in_window") { String($0.ticks.processedInWindow) },
            result("backlog_at_end_ticks") { String($0.ticks.backlogAtEnd) },
            result("rejected_deltas") { String($0.ticks.rejectedDeltas) },
            result("evaluations") { String($0.evaluator.evaluations) },
            result("conflated_states") { String($0.evaluator.conflatedStates) },
            result("decisions_buy") { String($0.evaluator.buy) },
            result("decisions_sell") { String($0.evaluator.sell) },
            result("decisions_hold") { String($0.evaluator.hold) },
        ]
        for latency in latencies {
            let fields: [(String, @Sendable (LatencySummaryValue) -> String)] = [
                ("mean_ms", { number($0.mean) }), ("p50_ms", { number($0.p50) }), ("p90_ms", { number($0.p90) }),
                ("p99_ms", { number($0.p99) }), ("p999_ms", { number($0.p999) }), ("max_ms", { number($0.max) }),
                ("count", { String($0.count) }),
            ]
            for (suffix, field) in fields {
                let summary = latency.summary
                columns.append(result("\(latency.name)_\(suffix)") { summary($0).map(field) })
            }
        }
        columns += [
            result("queue_peak_ticks") { String($0.queue.peak) },
            result("queue_mean_ticks") { number($0.queue.mean) },
            result("queue_at_end_ticks") { String($0.queue.atEnd) },
            result("cpu_receiver_s") { $0.cpuSeconds.receiver.map(number) },
            result("cpu_processor_s") { $0.cpuSeconds.processor.map(number) },
            result("cpu_evaluator_s") { $0.cpuSeconds.evaluator.map(number) },
            result("cpu_shared_s") { $0.cpuSeconds.shared.map(number) },
            result("cpu_shared_by") { $0.cpuSeconds.sharedBy },
            result("cpu_process_s") { number($0.cpuSeconds.process) },
            result("calibration_ns_per_round") { number($0.workload.calibrationNanosPerRound) },
            result("proc_requested_ms") { number($0.workload.procRequestedMs) },
            result("proc_measured_cpu_ms") { $0.workload.procMeasuredMs.map(number) },
            result("eval_requested_ms") { number($0.workload.evalRequestedMs) },
            result("eval_measured_ms") { $0.workload.evalMeasuredMs.map(number) },
            result("eval_measured_as") { $0.workload.evalMeasuredAs },
            result("self_check_passed") { String($0.selfCheck.passed) },
            text("exit_status") { record in
                if case .failed(let f) = record { return f.exitStatus.map { String($0) } }
                return nil
            },
            text("signal") { record in
                if case .failed(let f) = record { return f.signal.map { String($0) } }
                return nil
            },
        ]
        // Issue 10's measurements: CPU per tick, the outside load of the run's window (nil where
        // /proc/stat could not be read), where the calibration came from, and reruns.
        columns += [
            result("cpu_us_per_tick") { $0.cpuPerTick.map { number($0.processMicros) } },
            result("noise_outside_cores") { $0.noise.map { number($0.outsideCores) } },
            result("noise_steal_cores") { r in
                r.noise.map { number($0.windowSeconds > 0 ? $0.stealSeconds / $0.windowSeconds : 0) }
            },
            result("noisy") { $0.noise.map { String($0.isNoisy()) } },
            result("calibration_source") { $0.workload.calibrationSource?.rawValue },
            result("superseded_by_rerun") { String($0.supersededByRerun == true) },
        ]
        // Issue 12's cost diagnostics (schema 2; empty for older records): the process's context
        // switches and allocations from the window's start, per processed tick and in all; each
        // stage's switches per tick where it owns a thread (or the shared threads'); threads; the
        // CPU burnt in the idle stretch before the first tick, in cores.
        func cost(_ name: String, _ value: @escaping @Sendable (RunResult.Cost) -> String?) -> Column {
            result(name) { $0.cost.flatMap(value) }
        }
        columns += [
            cost("idle_burn_cores") { $0.idle.map { number($0.cores) } },
            cost("csw_voluntary_per_tick") { $0.process.voluntaryContextSwitchesPerTick.map(number) },
            cost("csw_involuntary_per_tick") { $0.process.involuntaryContextSwitchesPerTick.map(number) },
            cost("csw_voluntary_count") { String($0.process.voluntaryContextSwitches) },
            cost("csw_involuntary_count") { String($0.process.involuntaryContextSwitches) },
            cost("csw_receiver_per_tick") { $0.receiver?.contextSwitchesPerTick.map(number) },
            cost("csw_processor_per_tick") { $0.processor?.contextSwitchesPerTick.map(number) },
            cost("csw_evaluator_per_tick") { $0.evaluator?.contextSwitchesPerTick.map(number) },
            cost("csw_shared_per_tick") { $0.shared?.contextSwitchesPerTick.map(number) },
            cost("allocations_per_tick") { $0.process.allocationsPerTick.map(number) },
            cost("allocations_count") { $0.process.allocations.map { String($0) } },
            cost("threads_peak_count") { String($0.threads.peak) },
            cost("threads_created_count") { String($0.threads.created) },
            cost("threads_ran_stage_work_count") { $0.threads.ranStageWork.map { String($0) } },
        ]
        return columns
    }()

    /// The whole file: a header and one row per record, in file order.
    public static func render(_ records: [SweepRecord]) -> String {
        var lines = [columns.map(\.name).joined(separator: ",")]
        for record in records {
            lines.append(columns.map { escape($0.value(record)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field that holds a comma, a quote or a line break (RFC 4180).
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ value: Double) -> String { NumberText.shortest(value) }
}
