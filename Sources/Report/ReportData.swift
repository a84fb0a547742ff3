import Capacity
import Foundation
import MarketData
import Pipeline
import Results

/// The records of one sweep directory, as the report reads them.
/// What a report knows of the models, given by the caller from the catalogue (the report reads
/// records and does not depend on the models): the order it lists them in and the baseline every
/// other is compared with.
public struct ReportLineup: Sendable, Hashable {
    /// Models in this order; others present in the records follow by name.
    public var order: [String]
    /// Compared with every other model when its runs are present; nil: no comparison.
    public var baseline: String?
    /// The models that pin stage threads to cores of their own, and how many: a cost the verdict
    /// names beside CPU per tick, since those cores serve no other process while the model runs.
    public var pinnedCores: [String: Int]

    public init(order: [String] = [], baseline: String? = nil, pinnedCores: [String: Int] = [:]) {
        self.order = order
        self.baseline = baseline
        self.pinnedCores = pinnedCores
    }
}

public struct ReportSource: Sendable {
    /// How the report names this sweep when it compares several (the directory's name).
    public var label: String
    public var directory: String?
    public var records: [SweepRecord]
    public var machine: MachineInfo?
    /// Lines of `results.jsonl` that could not be read.
    public var problems: [String]
    /// The objective capacity is judged against when it is not the plan's (`report --slo`): the
    /// same measurements, judged again.
    public var objective: LatencyObjective? = nil

    public init(
        label: String, directory: String? = nil, records: [SweepRecord], machine: MachineInfo? = nil,
        problems: [String] = []
    ) {
        self.label = label
        self.directory = directory
        self.records = records
        self.machine = machine
        self.problems = problems
    }

    /// Reads a sweep directory: its `results.jsonl` and, when present, its `machine.json`.
    public static func load(directory path: String) throws(SweepResultsDirectory.FileError) -> ReportSource {
        let directory = SweepResultsDirectory(path: path)
        guard directory.hasResults else {
            throw SweepResultsDirectory.FileError(
                description: "'\(directory.resultsPath)' does not exist: give a directory written by 'ticklab sweep'")
        }
        let contents = try directory.load()
        return ReportSource(
            label: URL(fileURLWithPath: directory.path).lastPathComponent, directory: directory.path,
            records: contents.records, machine: MachineInfo.load(directory.machinePath),
            problems: contents.problems)
    }
}

/// A figure over the repeats of a cell: the median, the range, and the interval the report
/// prints beside the median (``RepeatStatistics``: min–max below five repeats, a bootstrap 95%
/// interval of the median from five).
public struct Spread: Sendable, Hashable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var count: Int
    /// The interval of the median: `lower ≤ median ≤ upper`, within `min…max`.
    public var interval: RepeatInterval

    public init?(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty, let interval = RepeatStatistics.interval(of: sorted) else { return nil }
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        count = sorted.count
        self.interval = interval
    }

    /// The interval's lower and upper bound.
    public var lower: Double { interval.lower }
    public var upper: Double { interval.upper }

    /// True when two figures' intervals share a point: no measurable difference between them.
    public func overlaps(_ other: Spread) -> Bool { interval.overlaps(other.interval) }

    /// `range` for min–max, `95% interval` for a bootstrap: how a tooltip names the interval.
    public var intervalName: String { interval.method == .minMax ? "range" : "95% interval" }
}

/// A figure the report reads from a run's result.
public struct ReportMetric: Sendable {
    public var id: String
    public var title: String
    public var unit: String
    public var value: @Sendable (RunResult) -> Double?

    public static let throughput = ReportMetric(id: "throughput", title: "throughput", unit: "ticks/s") {
        $0.window.throughput
    }
    public static let offeredRate = ReportMetric(id: "offered", title: "offered rate", unit: "ticks/s") {
        $0.window.offeredRate
    }
    public static let endToEndMean = ReportMetric(id: "e2e-mean", title: "mean end-to-end latency", unit: "ms") {
        $0.latency.endToEnd.count > 0 ? $0.latency.endToEnd.mean : nil
    }
    public static let endToEndP99 = ReportMetric(id: "e2e-p99", title: "p99 end-to-end latency", unit: "ms") {
        $0.latency.endToEnd.count > 0 ? $0.latency.endToEnd.p99 : nil
    }
    /// The hop: received→processed (queue wait and work), per tick.
    public static let hopP50 = ReportMetric(id: "hop-p50", title: "hop p50 (received→processed)", unit: "ms") {
        $0.segments.receivedToProcessed.count > 0 ? $0.segments.receivedToProcessed.p50 : nil
    }
    public static let hopP99 = ReportMetric(id: "hop-p99", title: "hop p99 (received→processed)", unit: "ms") {
        $0.segments.receivedToProcessed.count > 0 ? $0.segments.receivedToProcessed.p99 : nil
    }
    public static let queuePeak = ReportMetric(id: "queue-peak", title: "inbound queue peak", unit: "ticks") {
        Double($0.queue.peak)
    }
    public static let backlog = ReportMetric(id: "backlog", title: "backlog at end", unit: "ticks") {
        Double($0.ticks.backlogAtEnd)
    }

    /// The mean of each segment of the end-to-end latency (tick to decision), in pipeline order.
    public static let endToEndSegments: [ReportMetric] = [
        ReportMetric(id: "seg-arrival-received", title: "arrival→received", unit: "ms") {
            mean($0.segments.arrivalToReceived)
        },
        ReportMetric(id: "seg-received-processed", title: "received→processed", unit: "ms") {
            mean($0.segments.receivedToProcessed)
        },
        ReportMetric(id: "seg-processed-picked", title: "processed→picked", unit: "ms") {
            mean($0.segments.processedToPicked)
        },
        ReportMetric(id: "seg-picked-decided", title: "picked→decided", unit: "ms") {
            mean($0.segments.pickedToDecided)
        },
    ]

    /// Every segment the charts stack: end-to-end's, then the optional ones (routing, with
    /// `--route`), which return nil for results without them and are drawn only where present.
    public static let segments: [ReportMetric] =
        endToEndSegments + [
            ReportMetric(id: "seg-decided-acked", title: "decided→acked", unit: "ms") {
                $0.segments.decidedToAcked.flatMap(mean)
            }
        ]

    /// CPU seconds per stage; `other` is what the process spent beyond the stages' own clocks
    /// (runtime threads, the pool, start-up).
    public static let cpuStages: [ReportMetric] = [
        ReportMetric(id: "cpu-receiver", title: "receiver", unit: "s") { $0.cpuSeconds.receiver },
        ReportMetric(id: "cpu-processor", title: "processor", unit: "s") { $0.cpuSeconds.processor },
        ReportMetric(id: "cpu-evaluator", title: "evaluator", unit: "s") { $0.cpuSeconds.evaluator },
        ReportMetric(id: "cpu-shared", title: "shared threads", unit: "s") { $0.cpuSeconds.shared },
        ReportMetric(id: "cpu-other", title: "rest of process", unit: "s") { r in
            let c = r.cpuSeconds
            let stages = (c.receiver ?? 0) + (c.processor ?? 0) + (c.evaluator ?? 0) + (c.shared ?? 0)
            return max(0, c.process - stages)
        },
    ]

    static func mean(_ summary: LatencySummary) -> Double? { summary.count > 0 ? summary.mean : nil }
}

/// One cell of one source: the runs that passed and the records that did not.
public struct ReportPoint: Sendable {
    public var source: Int
    public var cell: SweepCell
    /// Passed runs: the figures come from these alone.
    public var results: [RunResult]
    public var failures: [SweepRecord]

    public func spread(_ metric: ReportMetric) -> Spread? { Spread(results.compactMap(metric.value)) }

    public func median(_ metric: ReportMetric) -> Double? { spread(metric)?.median }

    public var model: String { cell[.model] }
    public var procMs: Double { Double(cell[.procMs]) ?? 0 }
    public var isSaturation: Bool { cell[.rate] == "max" }
    /// Runs that kept up.
    public var keptUpCount: Int { results.filter(\.window.keptUp).count }
    /// Kept up in most of its runs.
    public var keptUp: Bool { !results.isEmpty && keptUpCount * 2 > results.count }
    /// How busy the processor is asked to be: rate × proc-ms (1 = every millisecond spoken for).
    public var utilisation: Double? { Double(cell[.rate]).map { $0 * procMs / 1000 } }
    /// Passed runs whose window others and steal made noisy (``NoiseAccount/isNoisy(thresholdCores:)``).
    public var noisyCount: Int { results.filter { $0.noise?.isNoisy() == true }.count }
    /// Records a rerun replaced because they were noisy (`--rerun-noisy`).
    public var supersededCount: Int {
        failures.filter { record in
            if case .run(let result) = record { return result.supersededByRerun == true }
            return false
        }.count
    }
}

/// The sources regrouped as the report shows them.
struct ReportModel {
    /// A set of charts with the same axes: every cell except the model and proc-ms.
    struct Panel {
        var key: [SweepAxis: String]
        var title: String
        var points: [ReportPoint]
    }

    /// A line on a chart: one model of one source.
    struct Series: Hashable {
        var source: Int
        var model: String
    }

    let sources: [ReportSource]
    /// Every cell but ``naiveClockPoints``: what the charts, tables and findings compare.
    let points: [ReportPoint]
    /// Cells on the naive receiver clock in a sweep whose other cells ran on the exchange clock
    /// (`sweep --receiver-clock`): set aside from every comparison of models, which holds only
    /// on the honest clock, and shown beside their exchange-clock twins (``ReportClock``).
    let naiveClockPoints: [ReportPoint]
    /// Models in the lineup's order, unknown ones after them by name.
    let models: [String]
    /// The model every other is compared with, when it has runs here.
    let baseline: String?
    /// The lineup's cores pinned per model.
    let pinnedCores: [String: Int]

    init(_ sources: [ReportSource], lineup: ReportLineup) {
        self.sources = sources
        pinnedCores = lineup.pinnedCores
        var points: [ReportPoint] = []
        for (index, source) in sources.enumerated() {
            var byCell: [SweepCell: ReportPoint] = [:]
            var order: [SweepCell] = []
            for record in source.records {
                let cell = SweepCell(parameters: record.parameters)
                if byCell[cell] == nil {
                    byCell[cell] = ReportPoint(source: index, cell: cell, results: [], failures: [])
                    order.append(cell)
                }
                if let result = record.passedResult {
                    byCell[cell]!.results.append(result)
                } else {
                    byCell[cell]!.failures.append(record)
                }
            }
            points += order.map { byCell[$0]! }
        }
        let exchange = FeedClock.exchange.rawValue
        let mixed = points.contains { $0.cell[.clock] == exchange }
        naiveClockPoints = mixed ? points.filter { $0.cell[.clock] != exchange } : []
        if mixed { points = points.filter { $0.cell[.clock] == exchange } }
        let present = Set(points.map(\.model))
        let models = lineup.order.filter(present.contains) + present.subtracting(lineup.order).sorted()
        self.models = models
        baseline = lineup.baseline.flatMap { present.contains($0) ? $0 : nil }
        self.points = points.sorted { Self.precedes($0, $1, models: models) }
    }

    /// Points with figures at a fixed rate: the charts and the comparison tables.
    var ratedPoints: [ReportPoint] { points.filter { !$0.isSaturation && !$0.results.isEmpty } }
    /// Points with figures in saturation: the saturation table.
    var saturatedPoints: [ReportPoint] { points.filter { $0.isSaturation && !$0.results.isEmpty } }
    var failedRecords: [(source: Int, record: SweepRecord)] {
        (points + naiveClockPoints).flatMap { point in point.failures.map { (point.source, $0) } }
    }

    /// The axes that tell panels apart (rate, eval-ms, eval kind, and any added later).
    static let panelAxes = SweepAxis.allCases.filter { $0 != .model && $0 != .procMs }

    /// The panels of the rated points, in axis order.
    var panels: [Panel] { Self.panels(of: ratedPoints, axes: Self.panelAxes, alwaysNamed: [.evalMs]) }

    /// Groups points by the values of `axes`; titles name the axes that differ between panels
    /// and those in `alwaysNamed`.
    static func panels(of points: [ReportPoint], axes: [SweepAxis], alwaysNamed: [SweepAxis]) -> [Panel] {
        var panels: [Panel] = []
        for point in points {
            let key = Dictionary(uniqueKeysWithValues: axes.map { ($0, point.cell[$0]) })
            if let index = panels.firstIndex(where: { $0.key == key }) {
                panels[index].points.append(point)
            } else {
                panels.append(Panel(key: key, title: "", points: [point]))
            }
        }
        let named = axes.filter { axis in
            alwaysNamed.contains(axis) || Set(panels.map { $0.key[axis] ?? "" }).count > 1
        }
        for index in panels.indices {
            panels[index].title = named.map { $0.label(panels[index].key[$0] ?? "") }.joined(separator: " · ")
        }
        return panels.sorted { a, b in
            for axis in SweepAxis.nesting where a.key[axis] != b.key[axis] {
                return compare(a.key[axis] ?? "", b.key[axis] ?? "", axis: axis)
            }
            return false
        }
    }

    /// The series of some points, in source then model order.
    func series(of points: [ReportPoint]) -> [Series] {
        let present = Set(points.map { Series(source: $0.source, model: $0.model) })
        return sources.indices.flatMap { source in
            models.map { Series(source: source, model: $0) }.filter(present.contains)
        }
    }

    func label(_ series: Series) -> String {
        sources.count > 1 ? "\(series.model) (\(sources[series.source].label))" : series.model
    }

    /// The proc-ms values of some points, ascending.
    static func procValues(_ points: [ReportPoint]) -> [Double] {
        Array(Set(points.map(\.procMs))).sorted()
    }

    static func compare(_ a: String, _ b: String, axis: SweepAxis) -> Bool {
        switch (axis.number(a), axis.number(b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        case (nil, nil): return a < b
        }
    }

    static func precedes(_ a: ReportPoint, _ b: ReportPoint, models: [String]) -> Bool {
        if a.source != b.source { return a.source < b.source }
        for axis in SweepAxis.nesting where a.cell[axis] != b.cell[axis] {
            if axis == .model {
                return (models.firstIndex(of: a.model) ?? .max) < (models.firstIndex(of: b.model) ?? .max)
            }
            return compare(a.cell[axis], b.cell[axis], axis: axis)
        }
        return false
    }
}
