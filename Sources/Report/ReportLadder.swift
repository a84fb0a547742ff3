import Capacity
import Foundation
import Pipeline
import Results

/// The capacity evidence of one setting, as the report's verdict ranks it, for a caller outside
/// the report (`ticklab advise`): the same groups, curves, knees and ``ModelRanking``, so that the
/// two cannot disagree on the same records.
public struct LadderEvidence: Sendable {
    /// One step of one model's ladder: its repeats' figures.
    public struct Step: Sendable {
        public var ticksPerSecond: Double
        /// The offered load ρ, where the records carry one or proc-ms makes one.
        public var load: Double?
        /// Passed runs, and how many of them kept up and were noisy.
        public var runs: Int
        public var keptUpRuns: Int
        public var noisyRuns: Int
        /// The objective's percentile of processing latency over the repeats, in ms.
        public var latency: Spread?
        /// CPU µs per processed tick over the repeats.
        public var cpuMicrosPerTick: Spread?
        /// The median p99 of the two segments processing latency is made of, in ms: receiver lag
        /// (arrival→received) and queue wait and work (received→processed).
        public var receiverLagP99: Double?
        public var queueAndWorkP99: Double?
    }

    /// One model's ladder.
    public struct Model: Sendable {
        public var name: String
        /// The knee of the medians of the repeats.
        public var knee: KneeResult
        /// Each repeat's knee in ticks per second, 0 for a repeat without one.
        public var repeatKnees: [Double]
        /// Ascending by rate.
        public var steps: [Step]
        /// The ranking's evidence for this model.
        public var evidence: ModelEvidence
    }

    /// Every axis but the model and the rate (and load).
    public var setting: [SweepAxis: String]
    public var objective: LatencyObjective
    public var ranking: ModelRanking
    /// In the ranking's order.
    public var models: [Model]

    /// The ladders of every setting of `sources` whose cells vary in offered rate or load, in the
    /// report's order, each ranked as the report's verdict ranks it.
    public static func all(_ sources: [ReportSource], lineup: ReportLineup = ReportLineup()) -> [LadderEvidence] {
        let model = ReportModel(sources, lineup: lineup)
        return ReportCapacity.groups(model).map { group in
            let (ranking, curves) = ReportCapacity.ranking(group, model)
            let models = zip(ranking.ranked, curves).map { evidence, curve in
                Model(
                    name: evidence.model, knee: curve.knee,
                    repeatKnees: curve.repeatKnees.map { $0?.ticksPerSecond ?? 0 },
                    steps: curve.points.compactMap { step($0, objective: group.objective) }, evidence: evidence)
            }
            return LadderEvidence(setting: group.key, objective: group.objective, ranking: ranking, models: models)
        }
    }

    static func step(_ point: ReportPoint, objective: LatencyObjective) -> Step? {
        guard let rate = Double(point.cell[.rate]) else { return nil }
        func p99(_ summary: KeyPath<RunResult, LatencySummary>) -> Double? {
            RepeatStatistics.median(
                point.results.compactMap { ReportCapacity.latency($0[keyPath: summary], .p99) })
        }
        let load =
            point.results.lazy.compactMap(\.configuration.load).first
            ?? (point.procMs > 0 ? rate * point.procMs / 1000 : nil)
        return Step(
            ticksPerSecond: rate, load: load, runs: point.results.count, keptUpRuns: point.keptUpCount,
            noisyRuns: point.noisyCount, latency: point.spread(ReportCapacity.processing(objective.percentile)),
            cpuMicrosPerTick: point.spread(ReportCapacity.cpuPerTick),
            receiverLagP99: p99(\.segments.arrivalToReceived), queueAndWorkP99: p99(\.segments.receivedToProcessed))
    }
}
