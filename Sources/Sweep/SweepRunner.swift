import Capacity
import Clocks
import Formats
import Foundation
import Pipeline
import Report
import Results

/// Runs a sweep: every pending run of the plan in a fresh child process, one after another,
/// each result appended to `results.jsonl` as it comes, `results.csv` and `report.html`
/// rewritten after every cell, so the directory is complete and valid at any moment.
public final class SweepRunner {
    public struct Options: Sendable {
        /// The program to start per cell and the words before `run --json …` (none for
        /// `ticklab` itself; a test passes a script).
        public var executable: String
        public var leadingArguments: [String]
        /// Run again the cells whose records all failed (with `--resume`).
        public var retryFailed: Bool
        /// Seconds a cell of `duration` seconds may take before it is stopped and recorded as
        /// failed: time for start-up, calibration and a long drain.
        public var timeLimit: @Sendable (Double) -> Double
        /// Measures the one calibration every cell runs with (`run --calibration`): called once,
        /// before the first cell, unless `machine.json` already holds one (a resumed sweep keeps
        /// its own, so all its cells do the same work).
        public var calibrate: @Sendable () -> MachineInfo.SweepCalibration
        /// Measures the machine's floor into `machine.json` before the first cell, unless it
        /// already holds one (a resumed sweep); nil: not measured.
        public var measureFloor: (@Sendable () -> MachineFloor)?
        /// How many times a cell whose run was noisy (``RunResult/noise`` over
        /// ``NoiseAccount/standardThresholdCores``) runs again; the noisy record stays in the file,
        /// marked `supersededByRerun`, and the last attempt is the cell's record, noisy or not.
        public var rerunNoisy: Int
        /// No run is started that would end, by the deadline's estimate, after it (see
        /// ``SweepDeadline``); nil: every run is made, however long it takes.
        public var deadline: SweepDeadline?

        public init(
            executable: String, leadingArguments: [String] = [], retryFailed: Bool = false,
            timeLimit: @escaping @Sendable (Double) -> Double = { 3 * $0 + 60 },
            calibrate: @escaping @Sendable () -> MachineInfo.SweepCalibration = SweepStartUp.calibration,
            measureFloor: (@Sendable () -> MachineFloor)? = SweepStartUp.floor, rerunNoisy: Int = 0,
            deadline: SweepDeadline? = nil
        ) {
            self.executable = executable
            self.leadingArguments = leadingArguments
            self.retryFailed = retryFailed
            self.timeLimit = timeLimit
            self.calibrate = calibrate
            self.measureFloor = measureFloor
            self.rerunNoisy = rerunNoisy
            self.deadline = deadline
        }

        /// This very program: `/proc/self/exe` on Linux, else the path it was started by.
        public static func currentExecutable() -> String {
            if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                FileManager.default.isExecutableFile(atPath: path)
            {
                return path
            }
            return CommandLine.arguments.first ?? "ticklab"
        }
    }

    /// How a sweep invocation ended.
    public struct Summary: Sendable {
        /// Runs in the plan.
        public var total: Int
        /// Runs found done when the sweep started.
        public var skipped: Int
        /// Runs made by this invocation.
        public var ran: Int
        /// Of those, the ones that failed.
        public var failed: Int
        /// A stop request ended the sweep before every run was made.
        public var interrupted: Bool
        /// Runs not started because they would have ended after the deadline
        /// (``Options/deadline``): the last ones of the plan.
        public var skippedByDeadline = 0
        /// Every run of the plan has a record.
        public var complete: Bool { !interrupted && skipped + ran == total }
    }

    public let plan: SweepPlan
    public let directory: SweepResultsDirectory
    public let options: Options
    private let progress: any SweepProgress
    private let stop: StopSignal
    private let machine: MachineInfo
    private let lineup: ReportLineup

    /// - Parameters:
    ///   - machine: written to `machine.json`; when the directory already has one (a resumed
    ///     sweep), that one is kept and this invocation is added to its `resumes`.
    ///   - lineup: the models' order and baseline in `report.html`.
    public init(
        plan: SweepPlan, directory: SweepResultsDirectory, machine: MachineInfo, options: Options,
        lineup: ReportLineup = ReportLineup(), progress: any SweepProgress = SilentSweepProgress(),
        stop: StopSignal = StopSignal()
    ) {
        self.plan = plan
        self.lineup = lineup
        self.directory = directory
        self.machine = machine
        self.options = options
        self.progress = progress
        self.stop = stop
    }

    /// The runs of `plan` that `records` do not cover yet, in plan order. Run `r` of a cell is
    /// done when the cell has more than `r` records (only passed ones when `retryFailed`); a
    /// record a rerun superseded (`--rerun-noisy`) is no repetition.
    public static func pending(_ plan: SweepPlan, records: [SweepRecord], retryFailed: Bool) -> [SweepRun] {
        let done = counted(plan, records: records, retryFailed: retryFailed).done
        return plan.runs.filter { run in (done[run.cell] ?? 0) <= run.repetition }
    }

    /// The records that count as repetitions, per cell of `plan` (only passed ones when
    /// `retryFailed`; none a rerun superseded), and the run results among them.
    static func counted(_ plan: SweepPlan, records: [SweepRecord], retryFailed: Bool)
        -> (done: [SweepCell: Int], results: [SweepCell: [RunResult]])
    {
        var done: [SweepCell: Int] = [:]
        var results: [SweepCell: [RunResult]] = [:]
        for record in records {
            guard !record.isSupersededByRerun, !retryFailed || record.passedResult != nil,
                let cell = plan.cell(of: record.parameters)
            else {
                continue
            }
            done[cell, default: 0] += 1
            if case .run(let result) = record { results[cell, default: []].append(result) }
        }
        return (done, results)
    }

    /// The extra repeats (``SweepPlan/extraRepeats``) that `records` call for, numbered from
    /// `after`: for every ladder of the plan (the cells that differ only in load or rate), the
    /// steps whose repeats split on the objective (``KneeFinder/splitSteps(of:objective:)``),
    /// each up to `repeats + extraRepeats` records, interleaved as the plan's repeats are. Empty
    /// until every cell of a ladder has its `repeats` records (so only after the plan's runs), and
    /// for a plan without extra repeats. Worked out from the records alone, so a resumed sweep
    /// runs the ones an interrupted sweep left.
    public static func extraRuns(_ plan: SweepPlan, records: [SweepRecord], retryFailed: Bool, after first: Int)
        -> [SweepRun]
    {
        guard plan.extraRepeats > 0 else { return [] }
        let objective = plan.objective ?? .standard
        let (done, results) = counted(plan, records: records, retryFailed: retryFailed)
        // A ladder: the cells alike in every axis but the load and the rate, placed by their load
        // (or rate, in a rate plan; `max` is no step).
        var ladders: [[SweepAxis: String]: [(cell: SweepCell, step: LoadStep)]] = [:]
        var ladderOrder: [[SweepAxis: String]] = []
        for cell in plan.cells {
            let position = plan.sweepsLoad ? Double(cell[.load]) : Double(cell[.rate])
            guard let position, position.isFinite, position > 0 else { continue }
            var setting = cell.values
            setting[.load] = nil
            setting[.rate] = nil
            if ladders[setting] == nil { ladderOrder.append(setting) }
            let repeats = (results[cell] ?? []).map { $0.repeatOutcome(objective: objective) }
            ladders[setting, default: []].append(
                (cell, LoadStep(ticksPerSecond: position, load: nil, repeats: repeats)))
        }
        let target = plan.repeats + plan.extraRepeats
        var split: [SweepCell] = []
        for setting in ladderOrder {
            guard let ladder = ladders[setting], ladder.count >= 2,
                ladder.allSatisfy({ (done[$0.cell] ?? 0) >= plan.repeats })
            else {
                continue
            }
            let steps = Set(KneeFinder.splitSteps(of: ladder.map(\.step), objective: objective).map(\.ticksPerSecond))
            split += ladder.filter { steps.contains($0.step.ticksPerSecond) }.map(\.cell)
        }
        let order = Dictionary(uniqueKeysWithValues: plan.cells.enumerated().map { ($1, $0) })
        split.sort { (order[$0] ?? 0) < (order[$1] ?? 0) }
        var extra: [SweepRun] = []
        for repetition in plan.repeats..<target {
            for cell in split where (done[cell] ?? 0) <= repetition {
                extra.append(SweepRun(cell: cell, repetition: repetition, index: first + extra.count))
            }
        }
        return extra
    }

    /// Tells each child to die with this process (`ticklab run --parent-pid`), so that a sweep
    /// killed with SIGKILL leaves no cell running behind it.
    private var parentArguments: [String] { ["--parent-pid", String(getpid())] }

    /// Runs every pending cell, one after another, on the calling thread.
    ///
    /// Call it from a thread that outlives every child it waits for (`ticklab sweep` uses its
    /// main thread; a test, the thread that waits for `run` to return): a cell asks the kernel
    /// to kill it when the thread that spawned it ends (PR_SET_PDEATHSIG follows the thread),
    /// and `ChildProcess.run` spawns on the calling thread and does not return before its child
    /// has ended, so a child never outlives its spawning thread while the sweep lives.
    public func run() throws(SweepResultsDirectory.FileError) -> Summary {
        try directory.create()
        if try directory.repairTail() {
            progress.handle(.notice("\(directory.resultsPath): cut off a last line left incomplete by a stopped sweep"))
        }
        let contents = try directory.load()
        for problem in contents.problems { progress.handle(.notice(problem)) }
        var records = contents.records
        let calibration = try writeMachine()
        // Every cell does the same rounds per unit of work: the sweep's one calibration, exactly
        // (the shortest text that reads back to the same Double).
        let calibrationArguments = ["--calibration", NumberText.shortest(calibration.nanosPerRound)]
        // All four files exist from the start, so a sweep killed in its first cell leaves a
        // complete (if empty) directory.
        if !directory.hasResults {
            try SweepResultsDirectory.writeAtomically("", to: directory.resultsPath, using: directory.writing)
        }
        try rewrite(records)

        let runs = plan.runs
        var pending = Self.pending(plan, records: records, retryFailed: options.retryFailed)
        let skipped = runs.count - pending.count
        progress.handle(.began(total: runs.count, done: skipped, pending: pending.count))
        var summary = Summary(total: runs.count, skipped: skipped, ran: 0, failed: 0, interrupted: false)
        var total = runs.count
        var wallSpent = 0.0
        // An index, not a for-in: a noisy cell (`rerunNoisy`) runs again at the same position, and
        // the extra repeats of split steps join the queue once the plan's runs are done.
        var position = 0
        var reruns = 0
        var extrasQueued = false
        while true {
            if position == pending.count {
                guard !extrasQueued, !stop.isRequested else { break }
                extrasQueued = true
                let extra = Self.extraRuns(plan, records: records, retryFailed: options.retryFailed, after: total)
                guard !extra.isEmpty else { break }
                pending += extra
                total += extra.count
                summary.total = total
                let cells = Set(extra.map(\.cell)).count
                progress.handle(
                    .notice(
                        "\(cells) ladder step\(cells == 1 ? "" : "s") split on the objective: running up to "
                            + "\(plan.extraRepeats) more repeat\(plan.extraRepeats == 1 ? "" : "s") of each "
                            + "(\(extra.count) runs)"))
            }
            let run = pending[position]
            if stop.isRequested { break }
            if let deadline = options.deadline, !deadline.allows(run) {
                // This run and every later one: the plan's order is interleaved repeats, so what
                // is cut is the last repeats, and the cells keep as many repeats as each other ± 1.
                summary.skippedByDeadline = pending.count - position
                progress.handle(
                    .notice(
                        Self.deadlineNotice(
                            plan, records: records, retryFailed: options.retryFailed,
                            made: summary.skipped + summary.ran,
                            total: total, skipped: summary.skippedByDeadline)))
                break
            }
            let upcoming = pending[(position + 1)...]
            let estimate = summary.ran > 0 ? wallSpent / Double(summary.ran) : plan.setup.durationSeconds + 1.5
            let deadline = options.deadline
            let startedAt = Date()
            let outcome: ChildProcess.Outcome
            do {
                outcome = try ChildProcess.run(
                    executable: options.executable,
                    arguments: options.leadingArguments + plan.childArguments(for: run.cell) + calibrationArguments
                        + parentArguments,
                    timeout: options.timeLimit(plan.setup.durationSeconds), stop: stop
                ) { elapsed in
                    let eta = SweepETA.estimate(
                        runSeconds: estimate, elapsed: elapsed, upcoming: upcoming, deadline: deadline)
                    progress.handle(.running(run, total: total, elapsed: elapsed, eta: eta))
                }
            } catch {
                // The program cannot be started: no later cell could be either.
                let record = SweepRecord.failed(
                    FailedCell(
                        startedAt: ISO8601DateFormatter().string(from: startedAt),
                        configuration: parameters(of: run.cell), error: error.description))
                try directory.append(record)
                records.append(record)
                summary.ran += 1
                summary.failed += 1
                progress.handle(.finished(run, total: total, record: record, wallSeconds: 0))
                try rewrite(records)
                progress.handle(.ended)
                throw SweepResultsDirectory.FileError(description: error.description)
            }
            guard var record = Self.record(for: run.cell, plan: plan, outcome: outcome, startedAt: startedAt) else {
                break  // stopped: the cell's partial run is discarded and stays pending
            }
            wallSpent += outcome.wallSeconds
            // A rerun the deadline would not start leaves the noisy record as the cell's.
            if case .run(var result) = record, let noise = result.noise, noise.isNoisy(),
                reruns < options.rerunNoisy, options.deadline?.allows(run) ?? true
            {
                // Kept for the record, out of the figures and of resume's count.
                result.supersededByRerun = true
                record = .run(result)
                try directory.append(record)
                records.append(record)
                reruns += 1
                progress.handle(
                    .notice(
                        "\(SweepProgressText.position(run, total: total)) \(run.cell.label): noisy "
                            + "(\(NumberText.fixed(noise.outsideCores, digits: 2)) cores taken by others); "
                            + "running it again (\(reruns) of \(options.rerunNoisy))"))
                try rewrite(records)
                if stop.isRequested { break }
                continue
            }
            try directory.append(record)
            records.append(record)
            summary.ran += 1
            if record.failure != nil { summary.failed += 1 }
            progress.handle(.finished(run, total: total, record: record, wallSeconds: outcome.wallSeconds))
            try rewrite(records)
            position += 1
            reruns = 0
        }
        summary.interrupted = stop.isRequested && summary.skipped + summary.ran < summary.total
        try rewrite(records)
        progress.handle(.ended)
        return summary
    }

    /// The counts of a deadline's cut: `budget reached after 40 of 54 runs: 14 runs skipped; every
    /// cell has 2 repeats (3 for some)`, or, when some cells have none, how many cells that is.
    static func deadlineNotice(
        _ plan: SweepPlan, records: [SweepRecord], retryFailed: Bool, made: Int, total: Int, skipped: Int
    ) -> String {
        let done = counted(plan, records: records, retryFailed: retryFailed).done
        let counts = plan.cells.map { done[$0] ?? 0 }
        let fewest = counts.min() ?? 0, most = counts.max() ?? 0
        var text = "budget reached after \(made) of \(total) runs: \(skipped) run\(skipped == 1 ? "" : "s") skipped; "
        if fewest == 0 {
            let none = counts.filter { $0 == 0 }.count
            text += "\(none) of \(counts.count) cells ran no repeat"
        } else {
            text +=
                "every cell has \(fewest) repeat\(fewest == 1 ? "" : "s")"
                + (most > fewest ? " (\(most) for some)" : "")
        }
        return text
    }

    /// The record a child's outcome makes, nil when a stop request ended the child.
    public static func record(
        for cell: SweepCell, plan: SweepPlan, outcome: ChildProcess.Outcome,
        startedAt: Date
    ) -> SweepRecord? {
        if outcome.stopped { return nil }
        let line = outcome.stdout.split(separator: "\n").last { $0.hasPrefix("{") }
        var unreadable: String?
        if let line, !outcome.timedOut {
            do {
                if case .run(let result) = try SweepRecord.decode(line) { return .run(result) }
                unreadable = "printed a record that is not a run result"
            } catch {
                unreadable = "printed an unreadable result (\(error.reason))"
            }
        }
        let stderr = String(outcome.stderr.suffix(4_000))
        let lastError = stderr.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) }
        var error: String
        var exitStatus: Int32?, signalNumber: Int32?
        switch outcome.ending {
        case .exited(let status):
            exitStatus = status
            error = status == 0 ? "exited normally" : "exited with status \(status)"
        case .signalled(let number):
            signalNumber = number
            error = "was killed by signal \(number) (\(signalName(number)))"
        }
        if outcome.timedOut {
            error =
                "did not finish within \(NumberText.shortest(outcome.wallSeconds.rounded())) s and was stopped; it "
                + error
        } else if let unreadable {
            error += " and " + unreadable
        } else {
            error += " without printing a result"
        }
        if let lastError, !lastError.isEmpty { error += ": \(lastError)" }
        return .failed(
            FailedCell(
                startedAt: ISO8601DateFormatter().string(from: startedAt),
                configuration: parameters(of: cell, plan: plan),
                error: "the run " + error, exitStatus: exitStatus, signal: signalNumber, stderr: stderr,
                wallSeconds: outcome.wallSeconds))
    }

    /// The parameters a cell's run would report, for a record of a run that reported none.
    public static func parameters(of cell: SweepCell, plan: SweepPlan) -> RunResult.Parameters {
        let rate = cell[.rate]
        return RunResult.Parameters(
            model: cell[.model], feed: "synthetic", rate: rate == "max" ? nil : Double(rate),
            durationSeconds: plan.setup.durationSeconds, arrivals: plan.setup.arrivals.rawValue,
            clock: cell.values[.clock] ?? plan.setup.clock.rawValue, seed: plan.setup.seed,
            procMs: Double(cell[.procMs]) ?? 0,
            evalMs: Double(cell[.evalMs]) ?? 0, evalKind: cell[.evalKind],
            waitStrategy: plan.takesWaitStrategy(cell) ? plan.setup.waitStrategy.rawValue : nil,
            route: cell[.routeRttMs] == "none" ? nil : "gateway \(cell[.routeRttMs]) ms",
            routeRttMs: cell[.routeRttMs] == "none" ? nil : Double(cell[.routeRttMs]),
            load: cell[.load] == "none" ? nil : Double(cell[.load]))
    }

    private func parameters(of cell: SweepCell) -> RunResult.Parameters { Self.parameters(of: cell, plan: plan) }

    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGBUS: "SIGBUS",
            SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGINT: "SIGINT",
            SIGTRAP: "SIGTRAP", SIGPIPE: "SIGPIPE",
        ]
        return names[number] ?? "signal \(number)"
    }

    /// Writes `machine.json` (adding this invocation to an existing one's `resumes`), with the
    /// machine's floor and the sweep's calibration measured now where it holds none, and returns
    /// the calibration every cell runs with.
    private func writeMachine() throws(SweepResultsDirectory.FileError) -> MachineInfo.SweepCalibration {
        var info = machine
        if let existing = MachineInfo.load(directory.machinePath) {
            info = existing
            info.resumes.append(
                MachineInfo.Invocation(
                    date: machine.date, commandLine: machine.commandLine,
                    cpuModel: machine.cpuModel, gitCommit: machine.gitCommit))
        }
        // The floor first: the calibration's trials then run on a core the sleeps left idle.
        if info.floor == nil { info.floor = machine.floor ?? options.measureFloor?() }
        let calibration: MachineInfo.SweepCalibration
        if let kept = info.calibration ?? machine.calibration {
            calibration = kept
        } else {
            calibration = options.calibrate()
            if let noise = calibration.noise, noise.isNoisy() {
                progress.handle(
                    .notice(
                        "the calibration ran while others took \(NumberText.fixed(noise.outsideCores, digits: 2)) cores "
                            + "(quietest of \(calibration.attempts ?? 1) attempts): every cell's work may be a few "
                            + "percent off what it asks for; the report's measured ÷ requested CPU says by how much"))
            }
        }
        info.calibration = calibration
        do {
            try SweepResultsDirectory.writeAtomically(
                try info.jsonText(), to: directory.machinePath, using: directory.writing)
        } catch let error as SweepResultsDirectory.FileError {
            throw error
        } catch {
            throw SweepResultsDirectory.FileError(description: "cannot encode machine.json: \(error)")
        }
        return calibration
    }

    /// Rewrites the CSV and the report from every record so far.
    private func rewrite(_ records: [SweepRecord]) throws(SweepResultsDirectory.FileError) {
        try SweepResultsDirectory.writeAtomically(
            SweepCSV.render(records), to: directory.csvPath, using: directory.writing)
        let source = ReportSource(
            label: URL(fileURLWithPath: directory.path).lastPathComponent, directory: directory.path,
            records: records, machine: MachineInfo.load(directory.machinePath))
        try SweepResultsDirectory.writeAtomically(
            ReportRenderer.render([source], lineup: lineup),
            to: directory.reportPath, using: directory.writing)
    }
}

/// What a sweep measures before its first cell, as `ticklab sweep` does it.
public enum SweepStartUp {
    /// Sleeps of the sweep's floor: half of `ticklab floor`'s (about 1.1 s), enough for a p99
    /// with ten samples beyond it.
    public static let floorSleeps = 1_000

    /// How many times the sweep calibrates at most, looking for a quiet machine.
    public static let calibrationAttempts = 3
    /// The pause before another attempt: long enough for a burst of someone else's work (a
    /// compile step, a cron job) to pass, short against the sweep.
    public static let calibrationRetryPause: Duration = .seconds(2)

    /// The calibration every cell of a sweep runs with: the median of
    /// `Workload.Calibration.sweepTrials` trials of `sweepTrialDuration` each (about 1 s), three
    /// times the trials a run takes for itself, with the fastest and slowest kept.
    ///
    /// Thread CPU time does not count the time others hold the core, but a busy neighbour still
    /// slows each round (shared caches, the hypervisor's accounting): a calibration taken while
    /// others took a third of a core timed rounds 3% slower than a quiet one on the lab's
    /// machine, so every cell did 3% less work than it asked for and the loads near 1 moved a
    /// step. So the trials run in a noise window, and a noisy attempt is tried again, up to
    /// `calibrationAttempts` times; the quietest attempt is kept and its noise recorded.
    @Sendable
    public static func calibration() -> MachineInfo.SweepCalibration {
        calibration(attempts: calibrationAttempts) {
            let window = NoiseWindow.open()
            let trials = Workload.Calibration.measureTrials(
                trials: Workload.Calibration.sweepTrials, trialDuration: Workload.Calibration.sweepTrialDuration)
            return (trials, window?.close())
        } pause: {
            Thread.sleep(forTimeInterval: Double(calibrationRetryPause.saturatingNanoseconds) / 1e9)
        }
    }

    /// The calibration loop with its readings injected: `attempt` times the trials in a noise
    /// window and returns both (the account nil when it cannot be read, which counts as quiet:
    /// there is nothing to retry on), `pause` waits between attempts. Stops at the first quiet
    /// attempt; otherwise keeps the one with the least outside load.
    ///
    /// - Precondition: `attempts` > 0.
    public static func calibration(
        attempts: Int, attempt: () -> (trials: Workload.Calibration.Trials, noise: NoiseAccount?),
        pause: () -> Void
    ) -> MachineInfo.SweepCalibration {
        precondition(attempts > 0, "at least one attempt")
        func outside(_ noise: NoiseAccount?) -> Double { noise?.outsideCores ?? 0 }
        func isNoisy(_ noise: NoiseAccount?) -> Bool { noise?.isNoisy() ?? false }
        var kept = attempt()
        var made = 1
        var latest = kept.noise
        while isNoisy(latest) && made < attempts {
            pause()
            made += 1
            let next = attempt()
            latest = next.noise
            if outside(next.noise) < outside(kept.noise) { kept = next }
        }
        return MachineInfo.SweepCalibration(
            nanosPerRound: kept.trials.calibration.nanosPerRound, trials: kept.trials.count,
            minNanosPerRound: kept.trials.minNanosPerRound, maxNanosPerRound: kept.trials.maxNanosPerRound,
            noise: kept.noise, attempts: made)
    }

    /// The machine's floor as `ticklab floor` measures it, with `floorSleeps` sleeps and the
    /// measurement's own cost per tick. The wake-ups are timed with 1 ns of timer slack, as the
    /// lab's stage threads ask for, and the default slack is restored after, so that the cells,
    /// which inherit it, start as `ticklab run` does from a shell.
    @Sendable
    public static func floor() -> MachineFloor {
        let tookSlack = FloorMeasurement.requestTimerSlack(nanoseconds: 1)
        defer { if tookSlack { FloorMeasurement.restoreDefaultTimerSlack() } }
        var floor = FloorMeasurement.measure(sleeps: floorSleeps)
        floor.measurement = MeasurementOverhead.measure()
        return floor
    }
}

extension SweepRecord {
    /// A run that `--rerun-noisy` ran again: in the file, out of the figures and of resume's count.
    var isSupersededByRerun: Bool {
        if case .run(let result) = self { return result.supersededByRerun == true }
        return false
    }
}
