import Capacity
import Pipeline

extension LatencySummary {
    /// A percentile in milliseconds; nil when nothing was measured.
    public func milliseconds(at percentile: LatencyPercentile) -> Double? {
        guard count > 0 else { return nil }
        switch percentile {
        case .p50: return p50
        case .p90: return p90
        case .p99: return p99
        case .p999: return p999
        }
    }
}

extension RunResult {
    /// What this run showed, as far as capacity is concerned: whether it kept up, the objective's
    /// percentile of processing latency, its throughput. The one reading of a record that the
    /// knee of a report and the sweep's extra repeats both judge.
    public func repeatOutcome(objective: LatencyObjective) -> RepeatOutcome {
        RepeatOutcome(
            keptUp: window.keptUp, latencyMilliseconds: latency.processing.milliseconds(at: objective.percentile),
            throughput: window.throughput)
    }
}
