import ArgumentParser
import Capacity
import Formats
import Foundation
import MarketData
import Models
import Pipeline
import Report
import Results
import Run
import Sweep

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract:
            "Run every combination of models × rate or load × proc-ms × eval-ms × eval-kind and write a results directory with an HTML report.",
        discussion: """
            Each cell runs in a fresh child process ('ticklab run --json'), one after another. Lists are \
            comma-separated; explicit options override the preset's values (an explicit --rate list makes a \
            sweep of rates, an explicit --load list one of loads). Repeats run interleaved: the whole matrix \
            once, then again per repeat, so a noisy minute falls on every model. The directory gets results.jsonl \
            (one record per run, the schema of 'run --json', plus ticklab.failed-cell records), results.csv, \
            machine.json and report.html, all rewritten after every cell. Ctrl-C stops the running cell \
            (it is discarded) and prints the command that resumes the sweep. Every cell uses the same --seed. \
            --resume refuses a directory without a sweep, or one swept with other settings, unless --force \
            is given. Exits 1 when a cell failed, 74 when a results file cannot be written.
            """)

    @Option(
        help: ArgumentHelp(
            "quick: every model × proc-ms 0.5,4 × evaluations 1:wait,50:wait,20:cpu at 200 ticks/s, 2 s per cell, 3 repeats, "
                + "and the event loop at proc-ms 4, 20:cpu once more on the naive receiver clock (about 4.5 minutes); "
                + "seed: the seed's protocol, proc-ms 0.5,1,2,3,4,5 × eval-ms 1,10,50, 60 s per cell, 1 repeat; "
                + "capacity: every model at proc-ms 4 (load 1 = 250 ticks/s) × loads \(SweepPlan.Preset.capacityLoads.joined(separator: ",")) "
                + "× evaluations 1:wait,20:cpu, \(NumberText.shortest(SweepPlan.Preset.capacityDurationSeconds)) s per cell, 3 repeats: "
                + "\(SweepCommand.capacityRuns) runs, about \(SweepCommand.capacityMinutes) minutes on the lab's 2-core machine (measured), "
                + "judged against \(SweepPlan.Preset.capacity.objective).",
            valueName: "quick|seed|capacity"))
    var preset: String = "quick"

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Models, comma-separated (default: every model that exists).", valueName: "name,…"))
    var models: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ticks per second, or 'max' for saturation; a list runs each (default 200); not with --load.",
            valueName: "rate,…"))
    var rate: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Offered loads instead of rates, comma-separated (e.g. 0.5,0.8,0.9,1.0,1.1): utilisation ρ = rate × proc-ms / 1000, so each cell runs at ρ × 1000 / its proc-ms ticks/s. Not with --rate, nor with a proc-ms of 0 (sweep that with a --rate ladder, up to max).",
            valueName: "ρ,…"))
    var load: String?

    @Option(
        name: .customLong("proc-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Processor CPU work per tick in milliseconds, comma-separated (default: the preset's).", valueName: "ms,…"))
    var procMs: String?

    @Option(
        name: .customLong("eval-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Evaluator time per state in milliseconds, comma-separated (default: the preset's).", valueName: "ms,…"))
    var evalMs: String?

    @Option(
        name: .customLong("eval-kind"), parsing: .unconditional,
        help: ArgumentHelp(
            "How the evaluator spends eval-ms: wait, cpu, or both (wait,cpu); default wait.", valueName: "kind,…"))
    var evalKind: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Evaluation settings as pairs EVAL-MS:KIND, comma-separated (e.g. 1:wait,20:cpu): each pair runs as one setting, instead of every eval-ms × eval-kind. Not with --eval-ms or --eval-kind.",
            valueName: "ms:kind,…"))
    var evaluations: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The latency objective capacity is judged by: PERCENTILE=BOUND of processing latency (p50, p90, p99, p99.9; ms, us, s). Default p99=10ms (the capacity preset: p99=50ms): a bound for a tick-to-book path at these work sizes that allows a wait behind a tick or two but fails once a queue forms, far above the machine's own wake-up floor. The capacity preset's 50 ms crosses its curves where they turn up (at proc-ms 4 with a 20 ms CPU evaluation the p99 wanders between 6 and 60 ms up to load 0.95 and passes 50 ms from load 1), so its knees hold from run to run.",
            valueName: "objective"))
    var slo: String?

    @Option(
        name: .customLong("route-rtt-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Order routing to the in-process gateway with this round trip in milliseconds, or 'none' (no routing), comma-separated; default none.",
            valueName: "ms|none,…"))
    var routeRttMs: String?

    @Option(
        name: .customLong("receiver-clock"), parsing: .unconditional,
        help: ArgumentHelp(
            "Cells of the sweep to run once more on the naive receiver clock, beside the exchange clock: MODEL:PROC-MS:EVAL-MS:EVAL-KIND, comma-separated, or 'none' (default: the quick preset's event-loop:4:20:cpu, none for the others). It shows what the naive generator hides.",
            valueName: "cell,…|none"))
    var receiverClock: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("How long each cell runs: 5s, 500ms, 1m (default: the preset's).", valueName: "duration"),
        transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Runs per cell, interleaved (round-robin over the cells); the report shows the median and the spread (default: the preset's, 3 for quick and capacity, 1 for seed).",
            valueName: "n"))
    var repeats: Int?

    @Option(
        name: .customLong("extra-repeats"), parsing: .unconditional,
        help: ArgumentHelp(
            "More runs, up to n, of each step of a load or rate ladder whose repeats disagree on the objective, at or below the first step they all fail: the steps a knee may turn on, made a median of more (0 to 10; default: the preset's, 2 for capacity, 0 for quick and seed).",
            valueName: "n"), transform: { try UsageMessage.wholeNumber($0, in: 0...10) })
    var extraRepeats: Int?

    @OptionGroup var market: MarketOptions

    @OptionGroup var clockAndWait: ClockAndWaitOptions

    @Option(
        help: ArgumentHelp(
            "Results directory (default: results/YYYYMMDD-HHMMSS; with --resume, the newest under results/).",
            valueName: "dir"))
    var out: String?

    @Flag(help: "Continue the sweep in --out: runs that have a record are skipped.")
    var resume = false

    @Flag(name: .customLong("retry-failed"), help: "With --resume, run again the cells whose runs all failed.")
    var retryFailed = false

    @Flag(
        help:
            "With --resume: go on even when the directory holds no sweep or its sweep was made with other settings than this command's."
    )
    var force = false

    @Option(
        name: .customLong("rerun-noisy"), parsing: .unconditional,
        help: ArgumentHelp(
            "Run a cell again, up to n times, when other processes took more than 0.25 cores during its run (0 to 10, default 0); the last attempt is the cell's record.",
            valueName: "n"), transform: { try UsageMessage.wholeNumber($0, in: 0...10) })
    var rerunNoisy = 0

    @Flag(help: "No progress output.")
    var quiet = false

    func makePlan() throws -> SweepPlan {
        guard let preset = SweepPlan.Preset(rawValue: preset) else {
            throw UsageMessage.invalid(
                "--preset", preset,
                allowed: "presets: \(SweepPlan.Preset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var lists: [SweepAxis: String] = [:]
        lists[.model] = models
        lists[.rate] = rate
        lists[.load] = load
        lists[.procMs] = procMs
        lists[.evalMs] = evalMs
        lists[.evalKind] = evalKind
        lists[.routeRttMs] = routeRttMs
        var objective: LatencyObjective?
        if let slo {
            do { objective = try LatencyObjective.parse(slo) } catch { throw ValidationError(error.description) }
        }
        do {
            return try SweepPlan.make(
                preset: preset, lists: lists, evaluations: evaluations,
                durationSeconds: duration.map { Double($0.nanoseconds) / 1e9 }, repeats: repeats,
                extraRepeats: extraRepeats, seed: market.seed,
                arrivals: market.arrivals, clock: clockAndWait.clock, waitStrategy: clockAndWait.wait ?? .standard,
                objective: objective, models: ModelCatalog.names, waitStrategyModels: ModelCatalog.waitStrategyModels,
                receiverClock: receiverClock, baseline: ModelCatalog.baseline)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The directory to write: --out, or a new timestamped one, or (resuming) the newest.
    func directory() throws -> String {
        if let out { return out }
        if resume {
            guard let newest = SweepResultsDirectory.newest() else {
                throw ValidationError("--resume: no sweep to resume under results/: name its directory with --out DIR")
            }
            return newest
        }
        return SweepResultsDirectory.defaultPath()
    }

    func validate() throws {
        _ = try makePlan()
        if retryFailed && !resume {
            throw ValidationError(
                "--retry-failed: only with --resume (it runs failed cells of an existing sweep again)")
        }
        let path = try directory()
        let directory = SweepResultsDirectory(path: path)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw UsageMessage.invalid("--out", path, allowed: "a file: --out names a directory")
        }
        if resume && !exists {
            throw UsageMessage.invalid(
                "--out", path,
                allowed: "a directory that does not exist with --resume: there is no sweep there to resume")
        }
        if force && !resume {
            throw ValidationError(
                "--force: only with --resume (it resumes a sweep whose settings differ from this command's)")
        }
        if resume && !force { try checkResumable(directory) }
        if !resume && directory.hasResults {
            throw UsageMessage.invalid(
                "--out", path,
                allowed:
                    "a directory that already holds results.jsonl: add --resume to continue that sweep, or choose another directory"
            )
        }
    }

    /// Refuses to resume a directory that holds no sweep, or a sweep made with other settings
    /// (its records would not count as done, and every cell would get a second record).
    func checkResumable(_ directory: SweepResultsDirectory) throws {
        let ways = "use --force to resume anyway or --out for a new directory"
        let machine = MachineInfo.load(directory.machinePath)
        guard directory.hasResults || machine != nil else {
            throw ValidationError(
                "--resume: '\(directory.path)' holds no sweep (no results.jsonl, no machine.json); "
                    + "drop --resume to start one there, or \(ways)")
        }
        guard let recorded = machine?.plan else { return }
        let differences = try makePlan().differences(from: recorded)
        guard !differences.isEmpty else { return }
        func words(_ value: KeyPath<SweepPlan.Difference, String>) -> String {
            differences.map { "\($0.option) \($0[keyPath: value])" }.joined(separator: " ")
        }
        throw ValidationError(
            "--resume: '\(directory.path)' was swept with \(words(\.recorded)), "
                + "this command says \(words(\.requested)); \(ways)")
    }

    func run() throws {
        let plan = try makePlan()
        let path = try directory()
        let interruption = Interruption(
            onFirst: "\nticklab: stopping the sweep; the running cell is discarded (Ctrl-C again to quit at once)\n")
        defer { interruption.cancel() }
        let progress: any SweepProgress
        if quiet {
            progress = SilentSweepProgress()
        } else if StandardError.isTerminal {
            progress = LiveSweepProgress(width: Self.terminalWidth())
        } else {
            progress = LineSweepProgress()
        }
        let machine = MachineInfo.current(
            commandLine: CommandLine.arguments, reproduce: plan.command(out: path), plan: plan)
        let runner = SweepRunner(
            plan: plan, directory: SweepResultsDirectory(path: path), machine: machine,
            options: .init(
                executable: SweepRunner.Options.currentExecutable(), retryFailed: retryFailed,
                rerunNoisy: rerunNoisy),
            lineup: .catalogue, progress: progress, stop: interruption.stop)
        if MachineInfo.load(SweepResultsDirectory(path: path).machinePath)?.calibration == nil {
            // What the runner measures before the first cell (a resumed sweep keeps its own).
            progress.handle(
                .notice(
                    "measuring the machine's floor and the work's calibration (about 2 s; up to 10 s while others "
                        + "load the machine)"))
        }
        let summary: SweepRunner.Summary
        do {
            summary = try runner.run()
        } catch {
            throw CommandFailure(message: error.description, code: error.kind == .write ? ExitStatus.writeFailed : 1)
        }
        if summary.interrupted {
            var words = CommandLine.arguments
            if !words.contains("--resume") { words.append("--resume") }
            if out == nil { words += ["--out", path] }
            StandardError.write(
                "ticklab: sweep stopped after \(summary.skipped + summary.ran) of \(summary.total) runs; "
                    + "every file in \(path) is valid. Resume with:\n  \(ShellQuoting.join(words))\n")
            throw ExitCode(130)
        }
        if !quiet {
            print(
                "\(path): \(summary.total) runs (\(summary.ran) now, \(summary.skipped) done before), \(summary.failed) failed; "
                    + "results.jsonl, results.csv, machine.json, report.html")
        }
        if summary.failed > 0 {
            throw CommandFailure(
                message: "\(summary.failed) run\(summary.failed == 1 ? "" : "s") failed: see \(path)/report.html",
                code: 1)
        }
    }

    /// The capacity preset's wall time on the lab's 2-core machine, in whole minutes: its runs ×
    /// (duration + the child overhead measured there), and a minute for the drain of the cells
    /// above ρ = 1 and the sweep's own start.
    static let capacityMinutes: Int = {
        let perRun = SweepPlan.Preset.capacityDurationSeconds + SweepPlan.Preset.capacityChildOverheadSeconds
        return Int(((Double(capacityRuns) * perRun + 60) / 60).rounded(.up))
    }()

    /// The capacity preset's runs with every model of the catalogue.
    static let capacityRuns: Int = (try? SweepPlan.make(preset: .capacity, models: ModelCatalog.names))?.runs.count ?? 0

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
