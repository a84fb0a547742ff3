import Capacity
import Formats
import Foundation
import Results

/// What the figures stand on: the machine's floor, the sweep's calibration, noisy runs, and how
/// much CPU each cell's work really took against what it asked for.
enum ReportTrust {
    static func e(_ text: String) -> String { ReportFormat.escape(text) }

    /// Nanoseconds as the floor block writes them: `850 ns`, `62.1 µs`, `1.20 ms`.
    static func nanos(_ value: Double) -> String {
        if value < 1_000 { return ReportFormat.number(value) + " ns" }
        if value < 1_000_000 { return ReportFormat.millis(value / 1_000) + " µs" }
        return ReportFormat.millis(value / 1_000_000) + " ms"
    }

    /// The floor in one sentence, for a finding: wake-up p99, clock read, measurement per tick.
    static func floorSummary(_ floor: MachineFloor) -> String {
        var text =
            "a timed wake-up is late by \(nanos(Double(floor.wakeUp.p50Nanoseconds))) at the median, "
            + "\(nanos(Double(floor.wakeUp.p99Nanoseconds))) at p99 (at most \(nanos(Double(floor.wakeUp.maxNanoseconds)))), "
            + "a clock read costs \(nanos(floor.clockRead.medianNanosecondsPerRead))"
        if let cost = floor.measurement {
            text += ", the measurement \(nanos(cost.medianNanosecondsPerTick)) per tick"
        }
        return text
    }

    /// Passed runs, noisy ones among them, and records a rerun replaced, over some points.
    static func noiseCounts(_ points: [ReportPoint]) -> (runs: Int, accounted: Int, noisy: Int, superseded: Int) {
        let results = points.flatMap(\.results)
        return (
            results.count, results.filter { $0.noise != nil }.count, points.reduce(0) { $0 + $1.noisyCount },
            points.reduce(0) { $0 + $1.supersededCount }
        )
    }

    /// The block beside the results: the floor, the calibration, the noise.
    static func section(_ model: ReportModel) -> String {
        var out = "<section id=\"floor\"><h2>The machine's floor and noise</h2>"
        out +=
            "<p class=\"note\">What the machine itself adds to every latency, measured when the sweep started "
            + "(<code>ticklab floor</code>): a latency near the wake-up figures is the machine's, not the model's. "
            + "A run is noisy when other processes and the hypervisor (steal) took more than "
            + NumberText.shortest(NoiseAccount.standardThresholdCores)
            + " of a core during its window (from /proc/stat); its cells are drawn hollow and marked in the tables.</p>"
        for (index, source) in model.sources.enumerated() {
            if model.sources.count > 1 { out += "<h3>\(e(source.label))</h3>" }
            var rows: [(String, String)] = []
            if let floor = source.machine?.floor {
                let wake = floor.wakeUp
                rows.append(
                    (
                        "wake-up lateness",
                        "p50 \(nanos(Double(wake.p50Nanoseconds))), p99 \(nanos(Double(wake.p99Nanoseconds))), "
                            + "max \(nanos(Double(wake.maxNanoseconds))) over \(wake.samples) sleeps of "
                            + nanos(Double(wake.sleepNanoseconds))
                            + (wake.timerSlackNanoseconds.map { ", timer slack \(nanos(Double($0)))" } ?? "")
                    ))
                let clock = floor.clockRead
                rows.append(
                    (
                        "clock read",
                        "\(nanos(clock.medianNanosecondsPerRead)) (median of \(clock.batches) batches; "
                            + "\(nanos(clock.minNanosecondsPerRead))–\(nanos(clock.maxNanosecondsPerRead)))"
                    ))
                if let cost = floor.measurement {
                    rows.append(
                        (
                            "measurement per tick",
                            "\(nanos(cost.medianNanosecondsPerTick)) (\(cost.clockReadsPerTick) clock reads and "
                                + "\(cost.recordsPerTick) histogram records; "
                                + "\(nanos(cost.minNanosecondsPerTick))–\(nanos(cost.maxNanosecondsPerTick)))"
                        ))
                } else {
                    rows.append(("measurement per tick", "not measured"))
                }
            } else {
                rows.append(("floor", "not measured (no floor in machine.json): run ticklab floor on this machine"))
            }
            if let calibration = source.machine?.calibration {
                rows.append(
                    (
                        "calibration",
                        "\(ReportFormat.number(calibration.nanosPerRound)) ns per round of work, handed to every cell "
                            + "(\(calibration.trials) trials, \(ReportFormat.number(calibration.minNanosPerRound))–"
                            + "\(ReportFormat.number(calibration.maxNanosPerRound)) ns)"
                            + calibrationNoise(calibration)
                    ))
            }
            let results = source.records.compactMap { record -> RunResult? in
                if case .run(let result) = record { return result }
                return nil
            }
            let calibrations = Set(results.map(\.workload.calibrationNanosPerRound))
            if calibrations.count > 1, let low = calibrations.min(), let high = calibrations.max() {
                rows.append(
                    (
                        "calibration in the records",
                        "\(calibrations.count) different values, \(ReportFormat.number(low))–\(ReportFormat.number(high)) "
                            + "ns per round: cells that ask for the same work did different amounts of it"
                    ))
            } else if let only = calibrations.first {
                rows.append(("calibration in the records", "\(ReportFormat.number(only)) ns per round in every record"))
            }
            let counts = noiseCounts(model.points.filter { $0.source == index })
            rows.append(("noise", noiseSentence(counts)))
            out +=
                "<dl class=\"machine floor\">" + rows.map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined()
                + "</dl>"
        }
        out += accuracy(model)
        return out + "</section>"
    }

    /// How quiet the machine was while the calibration was taken: a noisy one times slower
    /// rounds, so every cell does less work than it asks for.
    static func calibrationNoise(_ calibration: MachineInfo.SweepCalibration) -> String {
        guard let noise = calibration.noise else { return "" }
        let attempts = calibration.attempts.map { $0 > 1 ? ", the quietest of \($0) attempts" : "" } ?? ""
        let cores = ReportFormat.number(noise.outsideCores)
        return noise.isNoisy()
            ? "; taken while others took \(cores) cores\(attempts): NOISY, so the cells' work may be a few percent "
                + "off what they ask for (see measured ÷ requested below)"
            : "; taken on a quiet machine (others took \(cores) cores\(attempts))"
    }

    static func noiseSentence(_ counts: (runs: Int, accounted: Int, noisy: Int, superseded: Int)) -> String {
        var text: String
        if counts.accounted == 0 {
            text = "no run carries a noise account (/proc/stat could not be read, or older records)"
        } else if counts.noisy == 0 {
            text = "no run was noisy (\(counts.accounted) of \(counts.runs) runs accounted)"
        } else {
            text =
                "\(counts.noisy) of \(counts.runs) passed runs were noisy"
                + (counts.accounted < counts.runs ? " (\(counts.accounted) accounted)" : "")
        }
        if counts.superseded > 0 {
            text += "; \(counts.superseded) noisy run\(counts.superseded == 1 ? " was" : "s were") superseded by reruns"
        }
        return text
    }

    static let procRatio = ReportMetric(id: "proc-ratio", title: "processor work measured ÷ requested", unit: "") { r in
        guard let measured = r.workload.procMeasuredMs, r.workload.procRequestedMs > 0 else { return nil }
        return measured / r.workload.procRequestedMs
    }

    static let evalRatio = ReportMetric(id: "eval-ratio", title: "evaluation CPU measured ÷ requested", unit: "") { r in
        guard r.workload.evalMeasuredAs == "cpu", let measured = r.workload.evalMeasuredMs,
            r.workload.evalRequestedMs > 0
        else { return nil }
        return measured / r.workload.evalRequestedMs
    }

    static func ratio(_ value: Double) -> String { NumberText.fixed(value, digits: 2) }

    /// Measured ÷ requested CPU per unit of work, per cell and model: with one calibration for
    /// every cell, a ratio above 1 is what a model's interference (its other threads, its wake-ups
    /// on the same cores) costs the work.
    static func accuracy(_ model: ReportModel) -> String {
        let points = model.points.filter { point in point.results.contains { procRatio.value($0) != nil } }
        guard !points.isEmpty else { return "" }
        let hasEval = points.contains { point in point.results.contains { evalRatio.value($0) != nil } }
        var out =
            "<h3>CPU per unit of work: measured ÷ requested</h3><p class=\"note\">Thread CPU per tick of processor "
            + "work (and per evaluation, for the cpu kind) ÷ what the cell asked for, median of the repeats with its "
            + "interval. Every cell of a sweep runs the same rounds per unit, so a ratio above 1 is what the model's "
            + "interference costs the work, and the same ratio in every model is the machine's.</p>"
        let models = model.models
        let cells = ReportModel.panels(
            of: points, axes: SweepAxis.allCases.filter { $0 != .model }, alwaysNamed: [.rate, .procMs, .evalMs])
        out +=
            "<table class=\"accuracy\"><thead><tr>" + (model.sources.count > 1 ? "<th class=\"name\">sweep</th>" : "")
            + "<th class=\"name\">cell</th>" + models.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for cell in cells {
            for source in model.sources.indices {
                let mine = cell.points.filter { $0.source == source }
                guard !mine.isEmpty else { continue }
                out +=
                    "<tr>"
                    + (model.sources.count > 1 ? "<td class=\"name\">\(e(model.sources[source].label))</td>" : "")
                out += "<td class=\"name\">\(e(cell.title))</td>"
                for name in models {
                    guard let point = mine.first(where: { $0.model == name }) else {
                        out += "<td>—</td>"
                        continue
                    }
                    var text = "proc " + ReportTables.figure(point.spread(procRatio), ratio)
                    if hasEval, let eval = point.spread(evalRatio) {
                        text += "<br/>eval " + ReportTables.figure(eval, ratio)
                    }
                    out += "<td>\(text)\(noisyMark(point))</td>"
                }
                out += "</tr>"
            }
        }
        return out + "</tbody></table>"
    }

    /// A small mark beside a cell with noisy runs: `noisy 1/3`.
    static func noisyMark(_ point: ReportPoint) -> String {
        guard point.noisyCount > 0 else { return "" }
        return
            " <span class=\"noisy\" title=\"\(point.noisyCount) of \(point.results.count) runs noisy\">noisy \(point.noisyCount)/\(point.results.count)</span>"
    }
}

extension ReportFindings {
    /// The pairs of models in the same cell at a fixed rate whose p99 end-to-end latency was
    /// compared: how many, and how many of them overlap (no measurable difference).
    func comparedPairs() -> (pairs: Int, overlapping: Int) {
        var pairs = 0
        var overlapping = 0
        let rated = model.ratedPoints.filter { $0.source == source }
        for (index, a) in rated.enumerated() {
            for b in rated[(index + 1)...] where Self.sameCellExceptModel(a, b) && a.model != b.model {
                guard let x = a.spread(.endToEndP99), let y = b.spread(.endToEndP99) else { continue }
                pairs += 1
                if x.overlaps(y) { overlapping += 1 }
            }
        }
        return (pairs, overlapping)
    }

    /// How far the verdicts of this report can be trusted: repeats, overlapping intervals, noisy
    /// runs, the machine's floor. In every report, the quick preset's included.
    func trust() -> ReportFinding? {
        let points = model.points.filter { $0.source == source && !$0.results.isEmpty }
        guard !points.isEmpty else { return nil }
        let repeats = points.map(\.results.count)
        let low = repeats.min() ?? 0, high = repeats.max() ?? 0
        var text =
            low == high
            ? "\(low) passed run\(low == 1 ? "" : "s") per cell" : "\(low) to \(high) passed runs per cell"
        if high <= 1 {
            text +=
                ": no figure has an interval, and a single run decides nothing on a shared machine; "
                + "treat every difference below as unconfirmed (--repeats 3 or more tells signal from noise)"
        } else {
            text +=
                high < RepeatStatistics.bootstrapMinimumRepeats
                ? " (intervals are the min–max of the repeats)" : " (intervals from five repeats on are bootstrap 95%)"
            let compared = comparedPairs()
            if compared.pairs > 0 {
                text +=
                    "; of \(compared.pairs) comparison\(compared.pairs == 1 ? "" : "s") of p99 end-to-end latency "
                    + "between two models in the same cell, "
                    + "\(compared.overlapping) had overlapping intervals (no measurable difference on this machine)"
            }
        }
        text += "; " + ReportTrust.noiseSentence(ReportTrust.noiseCounts(points))
        if let floor = model.sources[source].machine?.floor {
            text += "; the machine's floor: " + ReportTrust.floorSummary(floor)
        } else {
            text += "; the machine's floor was not measured"
        }
        return ReportFinding(heading: "How far to trust this", text: text + ".")
    }
}
