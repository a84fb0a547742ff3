import ArgumentParser
import Capacity
import Formats
import Foundation
import Models
import Pipeline
import Report
import Results
import Sweep

struct AdviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advise",
        abstract:
            "Which model for my workload? Runs every model at your rate and above it, and recommends one, with its evidence.",
        discussion: """
            Runs a small sweep within --budget (start-up included): every model at --rate and at 1.25, 1.5 and 2 times \
            it (a rate whose load ρ = rate × proc-ms / 1000 would pass 1.2 is left out), 3 repeats interleaved, each \
            cell as long as the budget allows by the estimate (fewer repeats when it allows no more; a budget too \
            small for one repeat is refused). The budget is a deadline: a run that by its estimate (the cell's \
            duration and a child's start-up) would end after it is not started, and neither is any later run; a run \
            in progress is never stopped, so advise ends at most one run past the budget. The runs cut are the last \
            repeats, so every cell keeps as many repeats as the others, give or take one; the advice says how many \
            runs were skipped and what it rests on, and a model left without a run at some rate is "not measured \
            within the budget" and not ranked. Then it prints the recommended model and the runner-up, one line of \
            why for every model (the headroom and CPU per tick of those that meet the objective; for those that \
            fail, the segment of latency that breaks), the evidence table, how sure the ranking is, and the \
            'ticklab sweep' command that runs the same cells as a full sweep. Models are ranked as the report's \
            verdict ranks them. Exits 0 with a recommendation, 3 when no model meets the objective at --rate (the \
            nearest is named), 1 when a run failed and no model could be judged, 64 for a bad value and when the \
            budget ran out before one model had run at every rate (naming the budget that would have fit), 130 on \
            Ctrl-C.
            """)

    @Option(
        name: .customLong("proc-ms"), parsing: .unconditional,
        help: ArgumentHelp("Your processing: CPU work per tick in milliseconds.", valueName: "ms"),
        transform: MillisecondsArgument.parse)
    var procMs: MillisecondsArgument

    @Option(
        name: .customLong("eval-ms"), parsing: .unconditional,
        help: ArgumentHelp("Your evaluation: time per state in milliseconds.", valueName: "ms"),
        transform: MillisecondsArgument.parse)
    var evalMs: MillisecondsArgument

    @Option(
        name: .customLong("eval-kind"),
        help: ArgumentHelp("How the evaluation spends --eval-ms: 'wait' or 'cpu' (default wait).", valueName: "kind"))
    var evalKind: EvaluationKind = .wait

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Your rate in ticks per second.", valueName: "rate"), transform: AdviseCommand.parseRate)
    var rate: Double

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Your latency objective: PERCENTILE=BOUND of processing latency (p50, p90, p99, p99.9; ms, us, s); default p99=10ms.",
            valueName: "objective"))
    var slo: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "How long the advice may take in all, e.g. 90s, 5m (default 3m): a deadline no run starts past; the one running may end up to one run after it.",
            valueName: "duration"), transform: DurationArgument.parse)
    var budget: DurationArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Models to compare, comma-separated (default: every model).", valueName: "name,…"))
    var models: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Seed of the synthetic market.", default: MarketOptions.defaultSeed, valueName: "n"),
        transform: SeedArgument.parse)
    var seed = MarketOptions.defaultSeed

    @Flag(help: "Print the advice as one JSON record (schema ticklab.advice, see the README).")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Keep the sweep's results here (results.jsonl, results.csv, machine.json, report.html) with advice.json.",
            valueName: "dir"))
    var out: String?

    @Flag(help: "No progress output.")
    var quiet = false

    static func parseRate(_ text: String) throws -> Double {
        guard let value = Double(text), value.isFinite, value > 0, value <= 100_000_000 else {
            throw UsageMessage.NotAllowed(
                "a number of ticks per second above 0 (up to 1e8); not 'max': advise offers your rate and rates above it"
            )
        }
        return value
    }

    func request() throws -> AdviseRequest {
        var objective = LatencyObjective.standard
        if let slo {
            do { objective = try LatencyObjective.parse(slo) } catch { throw ValidationError(error.description) }
        }
        var chosen = ModelCatalog.names
        if let models {
            do {
                chosen = try SweepPlan.make(lists: [.model: models], models: ModelCatalog.names).values(of: .model)
            } catch {
                throw ValidationError(error.description)
            }
        }
        return AdviseRequest(
            procMs: procMs.value, evalMs: evalMs.value, evalKind: evalKind, rate: rate, objective: objective,
            budgetSeconds: budget.map { Double($0.nanoseconds) / 1e9 } ?? AdvisePlan.standardBudgetSeconds,
            budgetText: budget?.description, models: chosen, waitStrategyModels: ModelCatalog.waitStrategyModels,
            seed: seed)
    }

    func session() throws -> AdviseSession {
        do {
            return try AdviseSession(
                request: try request(), directory: out,
                options: .init(executable: SweepRunner.Options.currentExecutable()), lineup: .catalogue)
        } catch let error as InvalidValue {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        _ = try session()
        if let out {
            let directory = SweepResultsDirectory(path: out)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) && !isDirectory.boolValue {
                throw UsageMessage.invalid("--out", out, allowed: "a file: --out names a directory")
            }
            if directory.hasResults {
                throw UsageMessage.invalid(
                    "--out", out, allowed: "a directory that already holds results.jsonl: choose another directory")
            }
        }
    }

    func run() throws {
        let session = try session()
        let interruption = Interruption(
            onFirst: "\nticklab: stopping the advice; the running cell is discarded (Ctrl-C again to quit at once)\n")
        defer { interruption.cancel() }
        let progress: any SweepProgress
        if quiet {
            progress = SilentSweepProgress()
        } else if StandardError.isTerminal {
            progress = LiveSweepProgress(width: SweepCommand.terminalWidth())
        } else {
            progress = LineSweepProgress()
        }
        let plan = session.plan
        if !quiet {
            progress.handle(
                .notice(
                    "advise: \(plan.runs.count) runs (\(plan.values(of: .model).count) models × "
                        + "\(plan.values(of: .rate).count) rates × \(plan.repeats) repeat\(plan.repeats == 1 ? "" : "s")) of "
                        + "\(NumberText.shortest(plan.setup.durationSeconds)) s, about "
                        + "\(DurationText.clock(seconds: AdvisePlan.estimatedSeconds(plan, request: session.request))) "
                        + "within a budget of \(DurationText.clock(seconds: session.request.budgetSeconds)) (no run starts "
                        + "that would end after it); "
                        + "measuring the machine's floor and the work's calibration first (about 2 s)"))
        }
        let machine = MachineInfo.current(
            commandLine: CommandLine.arguments, reproduce: plan.command(out: out), plan: plan)
        let outcome: AdviseSession.Outcome
        do {
            outcome = try session.run(machine: machine, progress: progress, stop: interruption.stop)
        } catch {
            throw CommandFailure(message: error.description, code: error.kind == .write ? ExitStatus.writeFailed : 1)
        }
        switch outcome {
        case .interrupted(let summary):
            StandardError.write(
                "ticklab: advice stopped after \(summary.ran) of \(summary.total) runs: no advice"
                    + (out.map { "; the runs so far are in \($0)" } ?? "") + "\n")
            throw ExitCode(130)
        case .outOfBudget(let short):
            if let advice = short.advice {
                print(json ? try Advice.json(advice) : Advice.text(advice), terminator: json ? "\n" : "")
            }
            let allowed =
                "at least \(Int(short.neededSeconds))s here: the budget ran out after \(short.madeRuns) of "
                + "\(short.plannedRuns) runs, before one model had run at every rate (this machine took longer than "
                + "the estimate)"
            throw CommandFailure(
                message: InvalidValue(option: "--budget", value: session.request.budgetText, allowed: allowed)
                    .description,
                code: 64)
        case .advised(let advice):
            print(json ? try Advice.json(advice) : Advice.text(advice), terminator: json ? "\n" : "")
            if advice.recommended == nil {
                let measured = advice.models.contains { $0.runs > 0 }
                let cut = advice.sweep.notMeasuredWithinBudget
                let unranked = cut.isEmpty ? "" : " (not measured within the budget: \(cut.joined(separator: ", ")))"
                throw CommandFailure(
                    message: measured
                        ? "no \(cut.isEmpty ? "" : "ranked ")model meets \(advice.objective) at "
                            + "\(NumberText.shortest(advice.workload.rate)) ticks/s; "
                            + "the nearest: \(advice.nearest ?? "none")" + unranked
                        : "no run passed: no model could be judged" + unranked,
                    code: measured ? Advice.noModelMeetsExitStatus : 1)
            }
        }
    }
}
