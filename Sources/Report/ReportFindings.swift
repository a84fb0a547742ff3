import Formats
import Foundation
import Results

/// One finding: a short heading, sentences with the numbers that support it, and the section id
/// of the chart (or table) it rests on, which the report links.
struct ReportFinding: Hashable {
    var heading: String
    var text: String
    var chart: String? = nil
}

/// Findings computed from a sweep's figures; nothing here is written in advance. Every number
/// quoted is a median over a cell's passed runs (the run itself when not repeated), so it can
/// be found in `results.csv`.
struct ReportFindings {
    let model: ReportModel
    let source: Int

    /// Cells a model must beat by more than this to win one alone (noise between runs).
    static let tieMargin = 0.05
    /// Processor utilisation (rate × proc-ms) from which load counts as high, as in the seed's
    /// "gains at high CPU load".
    static let highLoad = 0.5

    private var rated: [ReportPoint] { model.ratedPoints.filter { $0.source == source } }

    /// The axes worth naming for a cell at a fixed rate: proc-ms and whatever else varies
    /// between those cells.
    private var namedAxes: [SweepAxis] {
        let rated = self.rated
        let points = rated.isEmpty ? model.points.filter { $0.source == source } : rated
        return SweepAxis.allCases.filter { axis in
            axis != .model && (axis == .procMs || Set(points.map { $0.cell[axis] }).count > 1)
        }
    }

    /// `proc 5 ms, eval 50 ms`; saturation cells also say `rate max`.
    func phrase(_ point: ReportPoint) -> String {
        var axes = namedAxes
        if point.isSaturation && !axes.contains(.rate) { axes.insert(.rate, at: 0) }
        return axes.map { $0.label(point.cell[$0]) }.joined(separator: ", ")
    }

    /// Every finding, each with the section id of the chart or table it rests on.
    func all() -> [ReportFinding] {
        var findings: [ReportFinding] = []
        func add(_ new: [ReportFinding], resting chart: String) {
            findings += new.map { finding in
                var finding = finding
                if finding.chart == nil { finding.chart = chart }
                return finding
            }
        }
        add(coverage().map { [$0] } ?? [], resting: "comparison")
        add(ReportCapacity.findings(model, source: source), resting: "capacity")
        add(keptUp(), resting: "throughput")
        add(fullUtilisation().map { [$0] } ?? [], resting: "throughput")
        add(receiverLag().map { [$0] } ?? [], resting: "segments")
        add(ReportClock.findings(model, source: source), resting: "throughput")
        for gain in gains() {
            let chart = ["Largest gain": "throughput", "Largest latency cut": "latency"][gain.heading] ?? "comparison"
            add([gain], resting: chart)
        }
        for choice in recommendations() {
            add([choice], resting: choice.text.hasPrefix("Saturation") ? "saturation" : "latency")
        }
        add(repeatSpread().map { [$0] } ?? [], resting: "latency")
        add(trust().map { [$0] } ?? [], resting: "floor")
        add(failures().map { [$0] } ?? [], resting: "failed")
        return findings
    }

    func coverage() -> ReportFinding? {
        let points = model.points.filter { $0.source == source }
        guard !points.isEmpty else { return nil }
        let runs = points.reduce(0) { $0 + $1.results.count + $1.failures.count }
        let superseded = points.reduce(0) { $0 + $1.supersededCount }
        let failed = points.reduce(0) { $0 + $1.failures.count } - superseded
        let models = Set(points.map(\.model)).count
        let repeats = Set(points.map { $0.results.count + $0.failures.count })
        var text = "\(runs) runs of \(points.count) cells, \(models) model\(models == 1 ? "" : "s")"
        if repeats.count == 1, let r = repeats.first, r > 1 { text += ", \(r) runs per cell (figures are medians)" }
        text +=
            failed == 0
            ? "; every run passed its self-check" : "; \(failed) run\(failed == 1 ? "" : "s") failed (listed below)"
        text +=
            superseded == 0
            ? "." : "; \(superseded) noisy run\(superseded == 1 ? " was" : "s were") replaced by a rerun."
        return ReportFinding(heading: "Data", text: text)
    }

    /// Which models kept up where, and where each began to fall behind.
    func keptUp() -> [ReportFinding] {
        var findings: [ReportFinding] = []
        for name in model.models {
            let points = rated.filter { $0.model == name }
            guard !points.isEmpty else { continue }
            let behind = points.filter { !$0.keptUp }
            if behind.isEmpty {
                findings.append(
                    ReportFinding(
                        heading: "\(name) kept up",
                        text:
                            "\(name) kept up in all \(points.count) cells (throughput at least 98% of the offered rate, no growing backlog)."
                    ))
                continue
            }
            // The cells furthest below the offered rate first; the rest are counted.
            let worst = behind.sorted { a, b in
                (a.median(.throughput) ?? 0) / max(a.median(.offeredRate) ?? 1, 1e-9)
                    < (b.median(.throughput) ?? 0) / max(b.median(.offeredRate) ?? 1, 1e-9)
            }
            let shown = 4
            var text =
                "\(name) kept up in \(points.count - behind.count) of \(points.count) cells. It fell behind "
                + (behind.count > shown ? "in \(behind.count), furthest at " : "at ")
            let listed = worst.prefix(shown).map { p in
                "\(phrase(p)) (\(ReportFormat.number(p.median(.throughput) ?? 0)) of \(ReportFormat.number(p.median(.offeredRate) ?? 0)) ticks/s, "
                    + "backlog \(ReportFormat.number(p.median(.backlog) ?? 0)) ticks, queue peak \(ReportFormat.number(p.median(.queuePeak) ?? 0)))"
            }
            text += listed.joined(separator: "; ") + "."
            // Where it starts: the lowest proc-ms that fell behind, per panel; panels that start
            // at the same proc-ms are named together.
            let panels = ReportModel.panels(of: points, axes: ReportModel.panelAxes, alwaysNamed: [])
            var starts: [(proc: Double, panels: [String])] = []
            var recoveries: [String] = []
            for panel in panels {
                guard let first = panel.points.filter({ !$0.keptUp }).map(\.procMs).min() else { continue }
                if let index = starts.firstIndex(where: { $0.proc == first }) {
                    starts[index].panels.append(panel.title)
                } else {
                    starts.append((first, [panel.title]))
                }
                let kept = panel.points.filter { $0.keptUp && $0.procMs > first }.map(\.procMs)
                if !kept.isEmpty {
                    recoveries.append(
                        "proc \(kept.map(NumberText.shortest).joined(separator: ", ")) ms"
                            + (panel.title.isEmpty ? "" : " at \(panel.title)"))
                }
            }
            let phrases = starts.sorted { $0.proc < $1.proc }.map { start in
                let where_ = start.panels.filter { !$0.isEmpty }
                return "from proc \(NumberText.shortest(start.proc)) ms"
                    + (where_.isEmpty ? "" : " (\(Self.list(where_)))")
            }
            if !phrases.isEmpty { text += " It falls behind " + Self.list(phrases) + "." }
            if !recoveries.isEmpty { text += " It kept up again at " + Self.list(recoveries) + "." }
            findings.append(ReportFinding(heading: "\(name) fell behind", text: text))
        }
        return findings
    }

    /// The cells where rate × proc-ms reaches 1: the design says reports must say so.
    func fullUtilisation() -> ReportFinding? {
        let full = rated.filter { ($0.utilisation ?? 0) >= 0.999 }
        guard !full.isEmpty else { return nil }
        let procs = Set(full.map { "proc \(NumberText.shortest($0.procMs)) ms at \($0.cell[.rate]) ticks/s" }).sorted()
        return ReportFinding(
            heading: "No slack",
            text: "At \(procs.joined(separator: " and ")) the processor is fully utilised (rate × proc-ms ≥ 1): "
                + "no model has slack there, so any overhead or calibration error grows a backlog. "
                + "Falling behind there says little about a model; how far behind it falls still does.")
    }

    /// Where the receiver's lag (arrival→received) is most of the latency: the seed's blocked
    /// event loop, made visible.
    func receiverLag() -> ReportFinding? {
        guard !rated.isEmpty else { return nil }
        var dominated: [(ReportPoint, Double, Double)] = []
        var largest: [String: Int] = [:]
        for point in rated {
            let parts = ReportMetric.endToEndSegments.map { point.median($0) ?? 0 }
            let total = parts.reduce(0, +)
            guard total > 0, let top = parts.indices.max(by: { parts[$0] < parts[$1] }) else { continue }
            largest[ReportMetric.endToEndSegments[top].title, default: 0] += 1
            if top == 0 && parts[0] >= 0.5 * total { dominated.append((point, parts[0], total)) }
        }
        let tally = largest.sorted { $0.value > $1.value }.map { "\($0.key) in \($0.value)" }.joined(separator: ", ")
        if dominated.isEmpty {
            return ReportFinding(
                heading: "Receiver lag",
                text: "The receiver lag (arrival→received) was not the main part of the latency in any cell. "
                    + "The largest segment of the mean latency was \(tally) cells.")
        }
        let listed = dominated.sorted { $0.1 > $1.1 }.prefix(8).map { point, lag, total in
            "\(point.model) at \(phrase(point)) (\(ReportFormat.millis(lag)) of \(ReportFormat.millis(total)) ms, \(Int((lag / total * 100).rounded()))%)"
        }
        return ReportFinding(
            heading: "Receiver lag dominates",
            text:
                "The receiver lag (arrival→received: ticks waiting because the receiver could not run) is over half of "
                + "the summed mean segments in \(dominated.count) cell\(dominated.count == 1 ? "" : "s"): "
                + listed.joined(separator: "; ") + (dominated.count > 8 ? "; and \(dominated.count - 8) more" : "")
                + ". Over all cells, the largest segment was \(tally) cells.")
    }

    struct Gain {
        var point: ReportPoint
        var base: ReportPoint
        var throughput: Double
        var meanLatency: Double?
        var p99Latency: Double?
    }

    /// Each model against the baseline, cell by cell: `(model / baseline − 1) × 100`.
    func gainsAgainstBaseline() -> [Gain] {
        guard let baseline = model.baseline else { return [] }
        var gains: [Gain] = []
        for point in rated where point.model != baseline {
            guard let base = rated.first(where: { $0.model == baseline && Self.sameCellExceptModel($0, point) }),
                let t = point.median(.throughput), let bt = base.median(.throughput), bt > 0
            else { continue }
            func change(_ metric: ReportMetric) -> Double? {
                guard let v = point.median(metric), let b = base.median(metric), b > 0 else { return nil }
                return (v / b - 1) * 100
            }
            gains.append(
                Gain(
                    point: point, base: base, throughput: (t / bt - 1) * 100,
                    meanLatency: change(.endToEndMean), p99Latency: change(.endToEndP99)))
        }
        return gains
    }

    /// True when the two cells show no measurable difference in `metric`: their intervals overlap
    /// (repeated cells) or, for single runs, their values are equal.
    static func indistinct(_ a: ReportPoint, _ b: ReportPoint, _ metric: ReportMetric) -> Bool {
        guard let x = a.spread(metric), let y = b.spread(metric) else { return false }
        return x.overlaps(y)
    }

    /// A median as a finding quotes it: with its interval in brackets when the cell was repeated.
    static func figure(_ point: ReportPoint, _ metric: ReportMetric, _ format: (Double) -> String) -> String {
        guard let s = point.spread(metric) else { return "—" }
        guard s.count > 1 && s.upper > s.lower else { return format(s.median) }
        return "\(format(s.median)) [\(format(s.lower))–\(format(s.upper))]"
    }

    static func sameCellExceptModel(_ a: ReportPoint, _ b: ReportPoint) -> Bool {
        a.source == b.source && SweepAxis.allCases.allSatisfy { $0 == .model || a.cell[$0] == b.cell[$0] }
    }

    func gains() -> [ReportFinding] {
        guard let baseline = model.baseline else { return [] }
        let gains = gainsAgainstBaseline()
        guard !gains.isEmpty else { return [] }
        var findings: [ReportFinding] = []
        // A gain is stated only where the two cells' intervals do not overlap; the largest gain
        // whose intervals overlap is named as no measurable difference instead.
        let measurable = gains.filter { !Self.indistinct($0.point, $0.base, .throughput) }
        if let best = measurable.max(by: { $0.throughput < $1.throughput }), best.throughput > 2 {
            findings.append(
                ReportFinding(
                    heading: "Largest gain",
                    text:
                        "The largest throughput gain over \(baseline): \(best.point.model), \(ReportFormat.percent(best.throughput)) at "
                        + "\(phrase(best.point)) (\(Self.figure(best.point, .throughput, ReportFormat.number)) against "
                        + "\(Self.figure(best.base, .throughput, ReportFormat.number)) ticks/s)."))
        } else if let best = gains.max(by: { $0.throughput < $1.throughput }), best.throughput > 2 {
            findings.append(
                ReportFinding(
                    heading: "Largest gain",
                    text:
                        "No measurable throughput difference from \(baseline) on this machine: the largest median gain, "
                        + "\(ReportFormat.percent(best.throughput)) by \(best.point.model) at \(phrase(best.point)) "
                        + "(\(Self.figure(best.point, .throughput, ReportFormat.number)) against "
                        + "\(Self.figure(best.base, .throughput, ReportFormat.number)) ticks/s), lies within overlapping "
                        + "intervals of the repeats."))
        } else if let best = gains.max(by: { $0.throughput < $1.throughput }) {
            let text =
                "No model gained more than 2% throughput over \(baseline) in any cell (the best: \(best.point.model), "
                + "\(ReportFormat.percent(best.throughput)) at \(phrase(best.point))): where every model keeps up, "
                + "throughput is the offered rate and latency is the difference."
            findings.append(ReportFinding(heading: "Largest gain", text: text))
        }
        let cuts = gains.filter { $0.meanLatency != nil }
        let measurableCuts = cuts.filter { !Self.indistinct($0.point, $0.base, .endToEndMean) }
        if let best = measurableCuts.min(by: { $0.meanLatency! < $1.meanLatency! }), let change = best.meanLatency,
            change < 0
        {
            findings.append(
                ReportFinding(
                    heading: "Largest latency cut",
                    text:
                        "The largest cut in mean end-to-end latency against \(baseline): \(best.point.model), \(ReportFormat.percent(change)) at "
                        + "\(phrase(best.point)) (\(Self.figure(best.point, .endToEndMean, ReportFormat.millis)) against "
                        + "\(Self.figure(best.base, .endToEndMean, ReportFormat.millis)) ms)."))
        } else if let best = cuts.min(by: { $0.meanLatency! < $1.meanLatency! }), let change = best.meanLatency,
            change < 0
        {
            findings.append(
                ReportFinding(
                    heading: "Largest latency cut",
                    text:
                        "No measurable difference in mean end-to-end latency from \(baseline) on this machine: the largest "
                        + "median cut, \(ReportFormat.percent(change)) by \(best.point.model) at \(phrase(best.point)) "
                        + "(\(Self.figure(best.point, .endToEndMean, ReportFormat.millis)) against "
                        + "\(Self.figure(best.base, .endToEndMean, ReportFormat.millis)) ms), lies within overlapping "
                        + "intervals of the repeats."))
        } else if !cuts.isEmpty {
            findings.append(
                ReportFinding(
                    heading: "Largest latency cut",
                    text: "No model had a lower mean end-to-end latency than \(baseline) in any cell."))
        }
        // The seed's way: a range of gains over the cells of high CPU load.
        let high = gains.filter { ($0.point.utilisation ?? 0) >= Self.highLoad }
        let procs = Set(high.map(\.point.procMs)).sorted().map(NumberText.shortest)
        var ranges: [String] = []
        for name in model.models where name != baseline {
            let mine = high.filter { $0.point.model == name }
            guard let low = mine.map(\.throughput).min(), let top = mine.map(\.throughput).max() else { continue }
            var text = "\(name): throughput \(ReportFormat.percentRange(low, top))"
            let latency = mine.compactMap(\.meanLatency)
            if let l = latency.min(), let h = latency.max() {
                text += ", mean latency \(ReportFormat.percentRange(l, h))"
            }
            var cells = "\(mine.count) cell\(mine.count == 1 ? "" : "s")"
            let same = mine.filter { Self.indistinct($0.point, $0.base, .throughput) }.count
            if same > 0 && mine.contains(where: { $0.point.results.count > 1 }) {
                cells += "; no measurable throughput difference in \(same) of them, where the intervals overlap"
            }
            ranges.append(text + " (\(cells))")
        }
        if !ranges.isEmpty {
            findings.append(
                ReportFinding(
                    heading: "At high CPU load",
                    text:
                        "Against \(baseline) where rate × proc-ms ≥ \(NumberText.shortest(Self.highLoad)) (proc \(procs.joined(separator: ", ")) ms): "
                        + ranges.joined(separator: "; ") + "."))
        }
        return findings
    }

    /// Which model to choose for which workload: per class of cells, the model that kept up and
    /// had the lowest p99 end-to-end latency most often.
    func recommendations() -> [ReportFinding] {
        var findings: [ReportFinding] = []
        let rated = self.rated
        if Set(rated.map(\.model)).count > 1 {
            // Workload classes: light or high processor load, per eval kind and rate when they vary.
            let others = SweepAxis.allCases.filter { axis in
                ![.model, .procMs, .evalMs].contains(axis) && Set(rated.map { $0.cell[axis] }).count > 1
            }
            var classes: [(String, [ReportPoint])] = []
            for heavy in [false, true] {
                let inLoad = rated.filter { (($0.utilisation ?? 0) >= Self.highLoad) == heavy }
                var groups: [[String]: [ReportPoint]] = [:]
                var order: [[String]] = []
                for point in inLoad {
                    let key = others.map { point.cell[$0] }
                    if groups[key] == nil { order.append(key) }
                    groups[key, default: []].append(point)
                }
                for key in order {
                    let points = groups[key]!
                    let procs = Set(points.map(\.procMs)).sorted().map(NumberText.shortest).joined(separator: ", ")
                    var name = heavy ? "High processor load" : "Light processor load"
                    name +=
                        " (rate × proc-ms \(heavy ? "≥" : "<") \(NumberText.shortest(Self.highLoad)): proc \(procs) ms"
                    for (axis, value) in zip(others, key) { name += ", \(axis.label(value))" }
                    classes.append((name + ")", points))
                }
            }
            for (name, points) in classes {
                findings.append(ReportFinding(heading: "Choice", text: name + ": " + choose(points)))
            }
        }
        let saturated = model.saturatedPoints.filter { $0.source == source }
        if !saturated.isEmpty,
            let top = saturated.max(by: { ($0.median(.throughput) ?? 0) < ($1.median(.throughput) ?? 0) })
        {
            var text =
                "Saturation (--rate max): \(top.model) processed the most, \(ReportFormat.number(top.median(.throughput) ?? 0)) ticks/s"
            if Set(saturated.map(\.cell[.procMs])).count > 1 || Set(saturated.map(\.cell[.evalMs])).count > 1 {
                text += " at \(phrase(top))"
            }
            if let hop = saturated.filter({ $0.median(.hopP99) != nil }).min(by: {
                $0.median(.hopP99)! < $1.median(.hopP99)!
            }) {
                text +=
                    "; the shortest hop (received→processed p99) was \(hop.model)'s, \(ReportFormat.millis(hop.median(.hopP99)!)) ms"
            }
            text += ". For raw throughput between stages, choose \(top.model)."
            findings.append(ReportFinding(heading: "Choice", text: text))
        }
        return findings
    }

    /// Counts, over some cells, which model kept up with the lowest p99 latency (within the
    /// tie margin of the best), and names the one to choose.
    func choose(_ points: [ReportPoint]) -> String {
        var byCell: [SweepCell: [ReportPoint]] = [:]
        var order: [SweepCell] = []
        for point in points {
            var cell = point.cell
            cell.values[.model] = nil
            if byCell[cell] == nil { order.append(cell) }
            byCell[cell, default: []].append(point)
        }
        var wins: [String: Int] = [:]
        var noneKeptUp = 0
        var keptUp: [String: Int] = [:]
        // Where nobody kept up: who processed the most (within the tie margin).
        var leastBehind: [String: Int] = [:]
        for cell in order {
            let candidates = byCell[cell]!
            for point in candidates where point.keptUp { keptUp[point.model, default: 0] += 1 }
            let kept = candidates.filter { $0.keptUp && $0.median(.endToEndP99) != nil }
            guard let best = kept.map({ $0.median(.endToEndP99)! }).min() else {
                noneKeptUp += 1
                let most = candidates.compactMap { $0.median(.throughput) }.max() ?? 0
                for point in candidates where (point.median(.throughput) ?? 0) >= most * (1 - Self.tieMargin) {
                    leastBehind[point.model, default: 0] += 1
                }
                continue
            }
            // A tie: within the margin of the best, or an interval that overlaps the best's (no
            // measurable difference on this machine).
            let leader = kept.first { $0.median(.endToEndP99)! == best }
            for point in kept
            where point.median(.endToEndP99)! <= best * (1 + Self.tieMargin)
                || leader.map({ Self.indistinct(point, $0, .endToEndP99) }) == true
            {
                wins[point.model, default: 0] += 1
            }
        }
        let cells = order.count
        let everyone = model.models.filter { name in points.contains { $0.model == name } }
        var text: String
        let allKept = everyone.filter { keptUp[$0] == cells }
        if allKept.count == everyone.count {
            text = "every model kept up in all \(cells) cell\(cells == 1 ? "" : "s")"
        } else if allKept.isEmpty {
            text =
                "no model kept up in all \(cells) cells ("
                + everyone.map { "\($0) \(keptUp[$0] ?? 0)" }.joined(separator: ", ") + ")"
        } else {
            text =
                "only \(Self.list(allKept)) kept up in all \(cells) cells (others: "
                + everyone.filter { !allKept.contains($0) }.map { "\($0) \(keptUp[$0] ?? 0)" }.joined(separator: ", ")
                + ")"
        }
        func rank(_ counts: [String: Int]) -> [(key: String, value: Int)] {
            counts.sorted {
                $0.value != $1.value
                    ? $0.value > $1.value
                    : (model.models.firstIndex(of: $0.key) ?? 0) < (model.models.firstIndex(of: $1.key) ?? 0)
            }
        }
        let ranked = rank(wins)
        let behind = rank(leastBehind)
        if noneKeptUp > 0, let first = behind.first {
            text +=
                "; where none kept up (\(noneKeptUp) cell\(noneKeptUp == 1 ? "" : "s")), the most throughput: "
                + behind.map { "\($0.key) in \($0.value)" }.joined(separator: ", ")
            if ranked.isEmpty {
                let leaders = behind.filter { $0.value == first.value }.map(\.key)
                return text
                    + (leaders.count == 1
                        ? ". No model copes with this load; \(leaders[0]) falls least behind."
                        : ". No model copes with this load; \(Self.list(leaders)) fall least behind.")
            }
        }
        guard let leader = ranked.first else { return text + "." }
        text +=
            "; lowest p99 latency among those that kept up: "
            + ranked.map { "\($0.key) in \($0.value)" }.joined(separator: ", ")
        text +=
            " of \(cells - noneKeptUp) cell\(cells - noneKeptUp == 1 ? "" : "s") (within \(Int(Self.tieMargin * 100))% "
            + (points.contains { $0.results.count > 1 } ? "or overlapping intervals " : "") + "counts as a tie)"
        let leaders = ranked.filter { $0.value == leader.value }.map(\.key)
        let robust = leaders.filter { allKept.contains($0) }
        let pick = robust.isEmpty ? leaders : robust
        text +=
            pick.count == 1
            ? ". Choose \(pick[0])."
            : ". Choose \(pick.joined(separator: " or ")): the data does not separate them"
                + (points.contains { $0.results.count > 1 } ? " (no measurable difference on this machine)." : ".")
        return text
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// How much repeats of a cell differed: the honest error bar of every other finding.
    func repeatSpread() -> ReportFinding? {
        let repeated = rated.filter { $0.results.count > 1 }
        guard !repeated.isEmpty else { return nil }
        var widest: (ReportPoint, Spread)?
        for point in repeated {
            guard let s = point.spread(.endToEndMean), s.median > 0 else { continue }
            if widest == nil || (s.max - s.min) / s.median > (widest!.1.max - widest!.1.min) / widest!.1.median {
                widest = (point, s)
            }
        }
        guard let (point, s) = widest else { return nil }
        return ReportFinding(
            heading: "Run-to-run spread",
            text:
                "Repeated cells differed by up to \(Int(((s.max - s.min) / s.median * 100).rounded()))% in mean latency "
                + "(\(point.model) at \(phrase(point)): \(ReportFormat.millis(s.min))–\(ReportFormat.millis(s.max)) ms over \(s.count) runs); "
                + "differences between models smaller than that are noise.")
    }

    func failures() -> ReportFinding? {
        // Runs a rerun replaced did not fail: the coverage finding counts them.
        let failed = model.failedRecords.filter { entry in
            guard entry.source == source else { return false }
            if case .run(let result) = entry.record { return result.supersededByRerun != true }
            return true
        }
        guard !failed.isEmpty else { return nil }
        let listed = failed.prefix(5).map { _, record in
            let point = ReportPoint(
                source: source, cell: SweepCell(parameters: record.parameters), results: [], failures: [])
            return "\(record.parameters.model) at \(phrase(point)): \(record.failure ?? "")"
        }
        return ReportFinding(
            heading: "Failed runs",
            text: "\(failed.count) run\(failed.count == 1 ? "" : "s") failed and count in no figure: "
                + listed.joined(separator: "; ")
                + (failed.count > 5 ? "; and \(failed.count - 5) more (see Failed runs)." : "."))
    }
}
