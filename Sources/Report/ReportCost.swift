import Formats
import Foundation
import Results

/// The cost section: per model and setting, what a model spends besides latency: CPU per tick,
/// the CPU it burns while nothing is due, context switches and heap allocations per tick, and
/// its threads. Every figure is the median of the cell's passed runs with its interval.
enum ReportCost {
    static let idleBurn = ReportMetric(id: "idle-burn", title: "idle burn", unit: "cores") {
        $0.cost?.idle?.cores
    }
    static let switchesPerTick = ReportMetric(
        id: "switches-per-tick", title: "context switches per tick", unit: "per tick"
    ) { $0.cost?.process.contextSwitchesPerTick }
    static let involuntaryPerTick = ReportMetric(
        id: "involuntary-per-tick", title: "involuntary context switches per tick", unit: "per tick"
    ) { $0.cost?.process.involuntaryContextSwitchesPerTick }
    static let allocationsPerTick = ReportMetric(
        id: "allocations-per-tick", title: "heap allocations per tick", unit: "per tick"
    ) { $0.cost?.process.allocationsPerTick }
    static let threadsPeak = ReportMetric(id: "threads-peak", title: "threads alive at peak", unit: "threads") {
        $0.cost.map { Double($0.threads.peak) }
    }
    static let threadsCreated = ReportMetric(id: "threads-created", title: "threads created", unit: "threads") {
        $0.cost.map { Double($0.threads.created) }
    }
    static let ranStageWork = ReportMetric(
        id: "threads-ran-stage-work", title: "threads that ran stage work", unit: "threads"
    ) { $0.cost?.threads.ranStageWork.map(Double.init) }

    /// The columns of the table, in order, with how each figure is written.
    static let columns: [(metric: ReportMetric, heading: String, format: @Sendable (Double) -> String)] = [
        (ReportCapacity.cpuPerTick, "CPU per tick (µs)", { ReportFormat.number($0) }),
        (idleBurn, "idle burn (cores)", { NumberText.fixed($0, digits: 2) }),
        (switchesPerTick, "context switches per tick", { NumberText.fixed($0, digits: 2) }),
        (involuntaryPerTick, "of them involuntary", { NumberText.fixed($0, digits: 2) }),
        (allocationsPerTick, "allocations per tick", { NumberText.fixed($0, digits: 1) }),
        (threadsPeak, "threads at peak", { ReportFormat.number($0) }),
        (threadsCreated, "threads created", { ReportFormat.number($0) }),
        (ranStageWork, "threads that ran stage work", { ReportFormat.number($0) }),
    ]

    /// The cells that have a cost record (schema 2) in at least one passed run.
    static func points(_ model: ReportModel) -> [ReportPoint] {
        model.points.filter { point in point.results.contains { $0.cost != nil } }
    }

    static func section(_ model: ReportModel) -> String {
        let points = points(model)
        guard !points.isEmpty else { return "" }
        let e = ReportFormat.escape
        var out = "<section id=\"cost\"><h2>What each model costs</h2>"
        out +=
            "<p class=\"note\">Per model and setting, the median of the cell's passed runs (small print: the interval, "
            + "min–max below five runs, a bootstrap 95% interval of the median from five). CPU per tick is the "
            + "process's CPU ÷ ticks processed. Idle burn is the process's CPU per second in a stretch of "
            + "200 ms before the first tick, when nothing is due: a spinning thread shows about "
            + "one core, a parked one about none. Context switches (voluntary: the thread waited; involuntary: the "
            + "scheduler took its core) and heap allocations are the process's from the window's start to the end of "
            + "the drain, per processed tick. Threads are sampled from /proc/self/task; “ran stage work” counts the "
            + "distinct OS threads a pool-based model's stages resumed on (its real width).</p>"
        for source in model.sources.indices {
            let mine = points.filter { $0.source == source }
            guard !mine.isEmpty else { continue }
            if model.sources.count > 1 { out += "<h3>\(e(model.sources[source].label))</h3>" }
            out += "<table class=\"cost\"><thead><tr><th class=\"name\">model</th><th class=\"text\">setting</th>"
            out += columns.map { "<th>\(e($0.heading))</th>" }.joined() + "</tr></thead><tbody>"
            for point in mine {
                let label = model.label(.init(source: point.source, model: point.model))
                out += "<tr data-cost-series=\"\(e(label))\"><td class=\"name\">\(e(label))</td>"
                out += "<td class=\"text\">\(e(setting(point)))</td>"
                for column in columns {
                    out +=
                        "<td data-metric=\"\(e(column.metric.id))\">"
                        + ReportTables.figure(point.spread(column.metric), column.format) + "</td>"
                }
                out += "</tr>"
            }
            out += "</tbody></table>"
            let unavailable = Set(mine.flatMap { $0.results.compactMap { $0.cost?.allocationsUnavailable } })
            if !unavailable.isEmpty {
                out +=
                    "<p class=\"note\">Allocations not counted in some runs: "
                    + e(unavailable.sorted().joined(separator: "; ")) + ".</p>"
            }
        }
        return out + "</section>"
    }

    /// The cell's axes but the model: `200 ticks/s · proc 2 ms · eval 1 ms · wait kind`.
    static func setting(_ point: ReportPoint) -> String {
        SweepAxis.allCases.filter { $0 != .model && $0.isSaid(point.cell[$0]) }.map { $0.label(point.cell[$0]) }
            .joined(separator: " · ")
    }
}
