import Capacity
import Formats
import Foundation
import Pipeline
import Report
import Results

/// What `ticklab advise` concludes, and what `--json` prints: one record, schema `ticklab.advice`
/// (documented in the README). Figures are medians of the repeats with their interval (min–max
/// below five repeats).
public struct AdviceRecord: Sendable, Hashable, Codable {
    public static let schemaName = "ticklab.advice"
    public static let currentSchemaVersion = 2

    public var schema: String = AdviceRecord.schemaName
    public var schemaVersion: Int = AdviceRecord.currentSchemaVersion

    /// The workload asked about.
    public struct Workload: Sendable, Hashable, Codable {
        public var procMs: Double
        public var evalMs: Double
        public var evalKind: String
        /// The user's rate, ticks per second, and its load ρ (nil at proc-ms 0).
        public var rate: Double
        public var load: Double?
    }

    /// How the evidence was gathered.
    public struct Sweep: Sendable, Hashable, Codable {
        /// The rates every model ran at, ascending; the first is the user's.
        public var rates: [Double]
        public var durationSeconds: Double
        public var repeats: Int
        public var budgetSeconds: Double
        /// The estimate the plan was fitted with, and the wall time it took (nil until it ran).
        public var estimatedSeconds: Double
        public var wallSeconds: Double?
        /// Runs that failed (no figures) and runs others made noisy.
        public var failedRuns: Int
        public var noisyRuns: Int
        /// The budget is a deadline: the plan's runs, the runs made (failed ones included) and
        /// the runs not started because they would have ended after it (the last repeats).
        public var plannedRuns: Int
        public var madeRuns: Int
        public var skippedRuns: Int
        /// The fewest and the most runs a cell of the ranked models has: `repeats` unless the
        /// deadline cut (then they differ by one at most); 0 when no model was ranked.
        public var fewestRepeats: Int
        public var mostRepeats: Int
        /// Models the deadline left with a rate they never ran at: not ranked (standing
        /// `unmeasured`), never said to fail.
        public var notMeasuredWithinBudget: [String]
    }

    /// A figure over the repeats: median and interval.
    public struct Figure: Sendable, Hashable, Codable {
        public var median: Double
        public var lower: Double
        public var upper: Double
        public var repeats: Int

        init(_ spread: Spread) {
            median = spread.median
            lower = spread.lower
            upper = spread.upper
            repeats = spread.count
        }
    }

    /// The segment of processing latency with the largest p99 where a model fails.
    public struct Segment: Sendable, Hashable, Codable {
        /// `receiver lag (arrival→received)` or `queue wait and work (received→processed)`.
        public var name: String
        /// Its median p99 over the repeats, ms, at `rate`.
        public var p99Milliseconds: Double
        public var rate: Double
        /// Why that segment grows, in words.
        public var because: String
    }

    /// One model's evidence and its line of why.
    public struct Model: Sendable, Hashable, Codable {
        public var model: String
        /// 1 for the first.
        public var rank: Int
        /// `meets`, `fails-tail`, `falls-behind` or `unmeasured` (``ModelEvidence/Standing``).
        public var standing: String
        /// One line: why it ranks where it does.
        public var why: String
        /// At the user's rate: the objective's percentile, ms, and how many runs kept up.
        public var latencyAtRate: Figure?
        public var keptUpRuns: Int
        public var runs: Int
        /// The knee's rate (the highest rate of the ladder that met the objective below the first
        /// that failed), nil without one; `capacityAtLeast` when no rate of the ladder failed.
        public var capacityTicksPerSecond: Double?
        public var capacityAtLeast: Bool
        /// Capacity ÷ the user's rate.
        public var headroom: Double?
        /// Each repeat's knee, ticks per second (0: that repeat failed at the user's rate).
        public var repeatKnees: [Double]
        /// CPU µs per processed tick at the user's rate.
        public var cpuMicrosPerTickAtRate: Figure?
        public var pinnedCores: Int
        public var noisyRuns: Int
        /// The segment that breaks at the first failing rate; nil when none failed.
        public var breakingSegment: Segment?
    }

    public var workload: Workload
    /// `p99=10ms`.
    public var objective: String
    public var sweep: Sweep
    /// The model to choose; nil when none meets the objective at the user's rate.
    public var recommended: String?
    public var runnerUp: String?
    /// With no recommendation: the model nearest to meeting the objective.
    public var nearest: String?
    /// The first is measurably ahead of the second.
    public var measurable: Bool
    /// How sure, in words.
    public var confidence: String
    /// How the models were ranked, in words.
    public var method: String
    /// Best first.
    public var models: [Model]
    /// The `ticklab sweep` command that runs the same cells as a full sweep with its report.
    public var reproduce: String
    /// Where the sweep's files are (`--out`); nil when they were not kept.
    public var directory: String?
}

extension AdviceRecord {
    /// The deadline left every model unmeasured at some rate: nothing was ranked.
    public var measuredNone: Bool {
        !models.isEmpty && sweep.notMeasuredWithinBudget.count == models.count
    }
}

/// Turns a finished advise sweep into its advice, through the report's own ladders and ranking
/// (``LadderEvidence``), and renders it.
public enum Advice {
    /// Exit status when no model meets the objective at the user's rate (the nearest is named).
    public static let noModelMeetsExitStatus: Int32 = 3

    /// The advice on `records`, the sweep of `plan` for `request`, of which the deadline skipped
    /// `skippedRuns` runs. When it skipped any, a model with a cell that has no record is not
    /// ranked on what it lacks: it is "not measured within the budget".
    public static func record(
        request: AdviseRequest, plan: SweepPlan, records: [SweepRecord], lineup: ReportLineup,
        wallSeconds: Double?, directory: String?, skippedRuns: Int = 0
    ) -> AdviceRecord {
        let done = SweepRunner.counted(plan, records: records, retryFailed: false).done
        let cut =
            skippedRuns > 0
            ? request.models.filter { model in plan.cells.contains { $0[.model] == model && (done[$0] ?? 0) == 0 } }
            : []
        let objective = request.objective
        var source = ReportSource(
            label: "advise",
            records: records.filter { plan.cell(of: $0.parameters) != nil && !cut.contains($0.parameters.model) })
        // The user's objective judges the ladder (a source without a plan would get the standard one).
        source.objective = objective
        let ladder = LadderEvidence.all([source], lineup: lineup).first
        let ranking = ladder?.ranking ?? ModelRanking([], basis: .capacity, objective: objective)
        var models: [AdviceRecord.Model] = []
        for (index, model) in (ladder?.models ?? []).enumerated() {
            models.append(entry(model, rank: index + 1, request: request))
        }
        // What the deadline's cut models did measure: not ranked, but their runs at your rate are
        // shown, not hidden behind "unmeasured".
        var cutSource = ReportSource(
            label: "advise",
            records: records.filter { plan.cell(of: $0.parameters) != nil && cut.contains($0.parameters.model) })
        cutSource.objective = objective
        let cutSteps = cut.isEmpty ? [] : (LadderEvidence.all([cutSource], lineup: lineup).first?.models ?? [])
        // A model with no passed run at all has no curve, and one the deadline cut is not ranked:
        // they rank last, unmeasured.
        for name in request.models where !models.contains(where: { $0.model == name }) {
            let measured = cutSteps.first { $0.name == name }
            let atRate = measured?.steps.first { $0.ticksPerSecond == request.rate }
            let cells = plan.cells.filter { $0[.model] == name }
            let why =
                cut.contains(name)
                ? "not measured within the budget: it ran at \(cells.filter { (done[$0] ?? 0) > 0 }.count) of its "
                    + "\(cells.count) rates before the budget ran out, so it is not ranked"
                : "not measured: none of its runs passed (see the sweep's report)"
            models.append(
                AdviceRecord.Model(
                    model: name, rank: models.count + 1, standing: ModelEvidence.Standing.unmeasured.rawValue,
                    why: why, latencyAtRate: atRate?.latency.map(AdviceRecord.Figure.init),
                    keptUpRuns: atRate?.keptUpRuns ?? 0, runs: atRate?.runs ?? 0, capacityTicksPerSecond: nil,
                    capacityAtLeast: false, headroom: nil, repeatKnees: [],
                    cpuMicrosPerTickAtRate: atRate?.cpuMicrosPerTick.map(AdviceRecord.Figure.init),
                    pinnedCores: lineup.pinnedCores[name] ?? 0,
                    noisyRuns: measured?.evidence.noisyRuns ?? 0, breakingSegment: nil))
        }
        let failed = records.filter { $0.passedResult == nil && !$0.isSupersededByRerun }.count
        let noisy = records.compactMap(\.passedResult).filter { $0.noise?.isNoisy() == true }.count
        let rates = plan.values(of: .rate).compactMap(Double.init).sorted()
        let ranked = plan.cells.filter { !cut.contains($0[.model]) }.map { done[$0] ?? 0 }
        let made = plan.cells.reduce(0) { $0 + (done[$1] ?? 0) }
        let fewest = ranked.min() ?? 0, most = ranked.max() ?? 0
        var confidence = ranking.confidence
        if let first = models.first, first.model == ranking.recommended?.model, first.headroom == 1,
            !first.capacityAtLeast
        {
            // Measured: at the seed's 4 ms / 20 ms cpu at 200 ticks/s, advise's 2.4 s cells met p99 10 ms
            // with no headroom, the same cells at 6 s met it with no model (rare backlog episodes).
            confidence +=
                "; and \(first.model) has no headroom: your rate is this machine's edge, where a longer run "
                + "may catch a rarer backlog and fail (run the sweep below with a longer --duration before you choose)"
        }
        if skippedRuns > 0 {
            confidence += budgetConfidence(
                made: made, planned: plan.runs.count, fewest: fewest, most: most, repeats: plan.repeats, cut: cut)
        }
        return AdviceRecord(
            workload: .init(
                procMs: request.procMs, evalMs: request.evalMs, evalKind: request.evalKind.rawValue, rate: request.rate,
                load: request.load(at: request.rate)),
            objective: objective.description,
            sweep: .init(
                rates: rates, durationSeconds: plan.setup.durationSeconds, repeats: plan.repeats,
                budgetSeconds: request.budgetSeconds,
                estimatedSeconds: AdvisePlan.estimatedSeconds(plan, request: request), wallSeconds: wallSeconds,
                failedRuns: failed, noisyRuns: noisy, plannedRuns: plan.runs.count, madeRuns: made,
                skippedRuns: skippedRuns, fewestRepeats: fewest, mostRepeats: most, notMeasuredWithinBudget: cut),
            recommended: ranking.recommended?.model,
            runnerUp: ranking.recommended == nil ? nil : ranking.runnerUp?.model,
            nearest: ranking.nearest?.model, measurable: ranking.comparison?.measurable ?? false,
            confidence: confidence, method: ranking.method, models: models,
            reproduce: ShellQuoting.join(plan.command(out: nil)), directory: directory)
    }

    /// What the deadline's cut does to how sure the advice is: fewer repeats than planned, none
    /// to make an interval of with one, and the models it left unranked.
    static func budgetConfidence(made: Int, planned: Int, fewest: Int, most: Int, repeats: Int, cut: [String])
        -> String
    {
        var text = "; the budget ran out after \(made) of \(planned) runs"
        if most > 0 {
            text +=
                ", so this rests on \(repeatCount(fewest)) of every ranked cell"
                + (most > fewest ? " (\(most) of some)" : "") + (fewest < repeats ? " instead of \(repeats)" : "")
            if most == 1 { text += ": one repeat gives no interval, so no difference between models can be measured" }
        }
        if !cut.isEmpty { text += "; not measured within the budget, so not ranked: " + cut.joined(separator: ", ") }
        return text
    }

    static func repeatCount(_ count: Int) -> String { "\(count) repeat\(count == 1 ? "" : "s")" }

    static func entry(_ model: LadderEvidence.Model, rank: Int, request: AdviseRequest) -> AdviceRecord.Model {
        let atRate = model.steps.first
        let objective = request.objective
        let capacity = model.knee.capacityTicksPerSecond
        var segment: AdviceRecord.Segment?
        if let failure = model.knee.firstFailure,
            let step = model.steps.first(where: { $0.ticksPerSecond == failure.ticksPerSecond })
        {
            segment = breakingSegment(step, request: request)
        }
        let entry = AdviceRecord.Model(
            model: model.name, rank: rank, standing: model.evidence.standing.rawValue, why: "",
            latencyAtRate: atRate?.latency.map(AdviceRecord.Figure.init), keptUpRuns: atRate?.keptUpRuns ?? 0,
            runs: atRate?.runs ?? 0, capacityTicksPerSecond: capacity, capacityAtLeast: model.knee.metAtEveryLoad,
            headroom: capacity.map { $0 / request.rate }, repeatKnees: model.repeatKnees,
            cpuMicrosPerTickAtRate: atRate?.cpuMicrosPerTick.map(AdviceRecord.Figure.init),
            pinnedCores: model.evidence.pinnedCores, noisyRuns: model.evidence.noisyRuns, breakingSegment: segment)
        var withWhy = entry
        withWhy.why = why(entry, objective: objective, request: request)
        return withWhy
    }

    /// The larger of the two segments processing latency is made of, at a step.
    static func breakingSegment(_ step: LadderEvidence.Step, request: AdviseRequest) -> AdviceRecord.Segment? {
        let lag = step.receiverLagP99 ?? -1, queue = step.queueAndWorkP99 ?? -1
        guard max(lag, queue) >= 0 else { return nil }
        if lag > queue {
            return .init(
                name: "receiver lag (arrival→received)", p99Milliseconds: lag, rate: step.ticksPerSecond,
                because: "ticks wait to be received while the receiving thread does other work "
                    + "(a thread shared with the processing or the evaluation, or no core free for it)")
        }
        let because: String
        if let load = request.load(at: step.ticksPerSecond), load >= 1 {
            because =
                "ticks queue for the processor: it is offered more than it can do (ρ \(NumberText.fixed(load, digits: 2)))"
        } else {
            because =
                "ticks queue for the processor: it waits for a core (the evaluation or another process holds them) "
                + "or for its hand-over"
        }
        return .init(
            name: "queue wait and work (received→processed)", p99Milliseconds: queue, rate: step.ticksPerSecond,
            because: because)
    }

    static func rate(_ value: Double) -> String { "\(NumberText.shortest(value)) ticks/s" }
    static func millis(_ value: Double) -> String { plain(value) + " ms" }
    static func figure(_ f: AdviceRecord.Figure, _ format: (Double) -> String) -> String {
        f.repeats > 1 && f.upper > f.lower
            ? "\(format(f.median)) [\(format(f.lower))–\(format(f.upper))]" : format(f.median)
    }
    /// Three significant digits, without an exponent: `4.21`, `96.0`, `2110`.
    static func plain(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return NumberText.shortest(value) }
        let digits = 2 - Int(log10(abs(value)).rounded(.down))
        return NumberText.fixed(value, digits: min(6, max(0, digits)))
    }

    /// One line of why: meets with so much headroom at so much CPU, or fails and where.
    static func why(_ m: AdviceRecord.Model, objective: LatencyObjective, request: AdviseRequest) -> String {
        let p = objective.percentile.rawValue
        let at = rate(request.rate)
        let latency = m.latencyAtRate.map { "\(p) \(figure($0, plain)) ms" } ?? "no \(p) measured"
        let cpu = m.cpuMicrosPerTickAtRate.map { "\(figure($0, plain)) µs of CPU a tick" }
        let pins = m.pinnedCores > 0 ? "; pins \(m.pinnedCores) cores" : ""
        let noisy = m.noisyRuns > 0 ? "; \(m.noisyRuns) noisy run\(m.noisyRuns == 1 ? "" : "s")" : ""
        let breaks = m.breakingSegment.map {
            "\($0.name) p99 \(millis($0.p99Milliseconds))"
                + ($0.rate == request.rate ? "" : " at \(rate($0.rate))") + ": \($0.because)"
        }
        switch ModelEvidence.Standing(rawValue: m.standing) ?? .unmeasured {
        case .meets:
            var headroom: String
            if let capacity = m.capacityTicksPerSecond, let ratio = m.headroom {
                let times = NumberText.shortest((ratio * 100).rounded() / 100)
                headroom =
                    m.capacityAtLeast
                    ? "headroom to at least \(rate(capacity)) (\(times)×, the top of the ladder)"
                    : "headroom to \(rate(capacity)) (\(times)×)"
            } else {
                headroom = "no headroom measured"
            }
            if m.headroom == 1 && !m.capacityAtLeast { headroom = "no headroom: the next rate of the ladder fails" }
            return "meets \(objective) at \(at) (\(latency)) with \(headroom)" + (cpu.map { ", at \($0)" } ?? "")
                + pins + noisy + (breaks.map { "; beyond it, \($0)" } ?? "")
        case .failsTail:
            return "fails \(objective) at \(at): keeps up (\(m.keptUpRuns) of \(m.runs) runs) but \(latency)"
                + (breaks.map { "; \($0)" } ?? "") + noisy
        case .fallsBehind:
            return "fails at \(at): falls behind (kept up in \(m.keptUpRuns) of \(m.runs) runs), \(latency)"
                + (breaks.map { "; \($0)" } ?? "") + noisy
        case .unmeasured:
            return "not measured at \(at)"
        }
    }

    /// The text `ticklab advise` prints.
    public static func text(_ advice: AdviceRecord) -> String {
        let w = advice.workload
        var out =
            "Advice for proc-ms \(NumberText.shortest(w.procMs)), eval-ms \(NumberText.shortest(w.evalMs)) (\(w.evalKind)), "
            + "\(rate(w.rate))" + (w.load.map { " (ρ \(NumberText.fixed($0, digits: 2)))" } ?? "")
            + ", objective \(advice.objective)\n\n"
        let byName = Dictionary(advice.models.map { ($0.model, $0) }, uniquingKeysWith: { a, _ in a })
        if let recommended = advice.recommended {
            out += "Recommended: \(recommended): \(byName[recommended]?.why ?? "")\n"
            if let runnerUp = advice.runnerUp {
                out += "Runner-up:   \(runnerUp): \(byName[runnerUp]?.why ?? "")\n"
            }
        } else if advice.measuredNone {
            out += "No model was measured at every rate within the budget: nothing to rank.\n"
        } else {
            out += "No model meets \(advice.objective) at \(rate(w.rate)).\n"
            if let nearest = advice.nearest {
                out += "Nearest:     \(nearest): \(byName[nearest]?.why ?? "")\n"
            }
        }
        let cut = advice.sweep.notMeasuredWithinBudget
        if !cut.isEmpty && !advice.measuredNone {
            out += "Not ranked:  \(cut.joined(separator: ", ")): not measured within the budget\n"
        }
        out += "How sure:    \(advice.confidence)\n"
        out += "How ranked:  \(advice.method)\n\n"
        out += "Why, model by model:\n"
        let width = advice.models.map(\.model.count).max() ?? 0
        for m in advice.models {
            out += "  \(m.rank). \(m.model.padding(toLength: width, withPad: " ", startingAt: 0))  \(m.why)\n"
        }
        out += "\n" + table(advice)
        let s = advice.sweep
        out +=
            "\n\(s.repeats) repeat\(s.repeats == 1 ? "" : "s") of \(NumberText.shortest(s.durationSeconds)) s per cell at "
            + s.rates.map { NumberText.shortest($0) }.joined(separator: ", ") + " ticks/s"
            + (s.wallSeconds.map {
                "; took \(DurationText.clock(seconds: $0)) (estimated \(DurationText.clock(seconds: s.estimatedSeconds)), budget \(DurationText.clock(seconds: s.budgetSeconds)))"
            }
                ?? "")
            + (s.skippedRuns > 0
                ? "; the budget ran out after \(s.madeRuns) of \(s.plannedRuns) runs: \(s.skippedRuns) skipped, "
                    + "\(repeatCount(s.fewestRepeats)) of every ranked cell"
                    + (s.mostRepeats > s.fewestRepeats ? " (\(s.mostRepeats) of some)" : "") : "")
            + (s.failedRuns > 0 ? "; \(s.failedRuns) runs failed" : "")
            + (s.noisyRuns > 0 ? "; \(s.noisyRuns) noisy runs (others took cores during them)" : "") + ".\n"
        if let directory = advice.directory { out += "The sweep's results and report: \(directory)/report.html\n" }
        out +=
            "Reproduce as a full sweep (longer cells and more repeats for a steadier answer):\n  \(advice.reproduce)\n"
        return out
    }

    /// The evidence table: one row per model, best first.
    static func table(_ advice: AdviceRecord) -> String {
        let p = advice.objective.split(separator: "=").first.map(String.init) ?? "p99"
        let header = [
            "model", "\(p) at \(NumberText.shortest(advice.workload.rate))/s (ms)", "kept up", "capacity (ticks/s)",
            "headroom", "repeats' knees", "CPU µs/tick", "noisy",
        ]
        var rows = [header]
        for m in advice.models {
            let knees = m.repeatKnees.map { $0 == 0 ? "none" : NumberText.shortest($0) }.joined(separator: ", ")
            // "none" is a capacity measured as nothing; a model not measured has no figure at all.
            let noCapacity = m.standing == ModelEvidence.Standing.unmeasured.rawValue ? "—" : "none"
            rows.append([
                m.model, m.latencyAtRate.map { figure($0, plain) } ?? "—", "\(m.keptUpRuns)/\(m.runs)",
                m.capacityTicksPerSecond.map { (m.capacityAtLeast ? "≥ " : "") + NumberText.shortest($0) }
                    ?? noCapacity,
                m.headroom.map {
                    (m.capacityAtLeast ? "≥ " : "") + NumberText.shortest(($0 * 100).rounded() / 100) + "×"
                } ?? "—",
                knees.isEmpty ? "—" : knees,
                m.cpuMicrosPerTickAtRate.map { figure($0, plain) } ?? "—", "\(m.noisyRuns)",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let line = row.enumerated().map { column, cell in
                cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            let text = "  " + line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            return index == 0
                ? text + "\n  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") : text
        }.joined(separator: "\n") + "\n"
    }

    /// One JSON line.
    public static func json(_ advice: AdviceRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(advice), as: UTF8.self)
    }
}
