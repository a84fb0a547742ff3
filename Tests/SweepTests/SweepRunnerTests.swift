import Formats
import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Results
@testable import Sweep

/// Runs blocking work on a thread of its own, so a sweep's waiting never occupies the
/// cooperative pool (two threads on this machine).
///
/// The thread runs at a lower priority (nice 5), and so do the child processes it starts (a
/// child inherits the niceness of the thread that spawns it): a few dozen debug `ticklab`
/// processes starting at once otherwise took the cores from the test process's pool threads,
/// and every quick test in the process waited seconds for them.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            // Per thread on Linux: `who` 0 is the calling thread. A failure leaves the default.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// A child process waited for off the cooperative pool: the wait blocks its thread for as long
/// as the child runs, and a blocked pool starves every other test's resumptions and timers.
func runOffPool(executable: String, arguments: [String], timeout: Double? = nil) async throws -> ChildProcess.Outcome {
    try await offPool { try ChildProcess.run(executable: executable, arguments: arguments, timeout: timeout) }
}

/// Collects what a progress display would print.
final class RecordingProgress: SweepProgress, @unchecked Sendable {
    // @unchecked Sendable: the sweep calls `handle` from its one thread, and the test reads
    // `lines` only after the sweep has returned (the thread's end orders the two).
    private(set) var lines: [String] = []
    private(set) var events = 0

    func handle(_ event: SweepEvent) {
        events += 1
        if case .finished(let run, let total, let record, _) = event {
            lines.append(SweepProgressText.finished(run, total: total, record: record))
        }
        if case .notice(let text) = event { lines.append("notice: " + text) }
    }
}

/// A stand-in for `ticklab` that answers `run --json …` as the test arranged: it prints the
/// record file prepared for the cell, or fails in the way its model name says.
struct FakeTicklab {
    let directory: String

    init() {
        directory = Fixture.temporaryDirectory("fake-ticklab")
        let script = """
            #!/bin/sh
            ulimit -c 0
            dir=$(dirname "$0")
            echo "$*" >> "$dir/arguments.log"
            model=; proc=; eval=; rate=
            while [ $# -gt 0 ]; do
              case "$1" in
                --model) model=$2; shift ;;
                --proc-ms) proc=$2; shift ;;
                --eval-ms) eval=$2; shift ;;
                --rate) rate=$2; shift ;;
              esac
              shift
            done
            echo "$model $proc $eval" >> "$dir/calls.log"
            if [ -f "$dir/fail-$model" ]; then model=crasher; fi
            case "$model" in
              crasher) echo "Fatal error: boom" >&2; kill -SEGV $$ ;;
              quitter) echo "ticklab: the model failed: cannot start" >&2; exit 3 ;;
              babbler) echo "hello, not json"; exit 0 ;;
              sleeper) exec sleep 120 ;;  # ends only when the sweep kills it: 120 s is a hang
            esac
            queue="$dir/queue-$model-$proc-$eval-$rate"
            if [ -s "$queue" ]; then head -n 1 "$queue"; sed -i 1d "$queue"; exit 0; fi
            cat "$dir/$model-$proc-$eval.json"
            if [ -f "$dir/$model-$proc-$eval.exit" ]; then exit "$(cat "$dir/$model-$proc-$eval.exit")"; fi
            exit 0

            """
        _ = FileManager.default.createFile(atPath: directory + "/ticklab.sh", contents: Data(script.utf8))
    }

    /// The fake's options: a fixed calibration and no floor, so that a test's sweep starts at once.
    var options: SweepRunner.Options {
        .init(
            executable: "/bin/sh", leadingArguments: [directory + "/ticklab.sh"],
            calibrate: { FakeTicklab.calibration }, measureFloor: nil)
    }

    /// The calibration the fake's sweeps hand to their children.
    static let calibration = MachineInfo.SweepCalibration(
        nanosPerRound: 2.125, trials: 21, minNanosPerRound: 2.0, maxNanosPerRound: 2.5)

    /// Every child's arguments, one line each (words joined by spaces), in order.
    var arguments: [[String]] {
        ((try? String(contentsOfFile: directory + "/arguments.log", encoding: .utf8)) ?? "").split(separator: "\n")
            .map { $0.split(separator: " ").map(String.init) }
    }

    /// Prepares the record the fake prints for a cell.
    func prepare(_ result: RunResult, exit status: Int32? = nil) throws {
        let c = result.configuration
        let name = "\(directory)/\(c.model)-\(NumberText.shortest(c.procMs))-\(NumberText.shortest(c.evalMs))"
        try (try ResultCoding.jsonLine(result) + "\n").write(toFile: name + ".json", atomically: true, encoding: .utf8)
        if let status { try "\(status)".write(toFile: name + ".exit", atomically: true, encoding: .utf8) }
    }

    /// Queues records for the cells of their model, proc-ms, eval-ms and rate: each run of such a
    /// cell prints the next one (then, with the queue empty, the cell's `prepare`d record).
    func enqueue(_ results: [RunResult]) throws {
        for result in results {
            let c = result.configuration
            let name =
                "\(directory)/queue-\(c.model)-\(NumberText.shortest(c.procMs))-\(NumberText.shortest(c.evalMs))-"
                + (c.rate.map(NumberText.shortest) ?? "")
            let line = try ResultCoding.jsonLine(result) + "\n"
            if let handle = FileHandle(forWritingAtPath: name) {
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(line.utf8))
            } else {
                try line.write(toFile: name, atomically: true, encoding: .utf8)
            }
        }
    }

    func failing(_ model: String, _ fail: Bool) {
        let path = "\(directory)/fail-\(model)"
        if fail {
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// The cells the fake was asked to run, in order.
    var calls: [String] {
        ((try? String(contentsOfFile: directory + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite("Sweep runner")
struct SweepRunnerTests {
    static let duration = 0.5

    static func plan(models: [String], procs: [String] = ["1", "2"], repeats: Int = 1) -> SweepPlan {
        SweepPlan(
            dimensions: [
                .init(axis: .model, values: models), .init(axis: .rate, values: ["200"]),
                .init(axis: .procMs, values: procs),
                .init(axis: .evalMs, values: ["5"]), .init(axis: .evalKind, values: ["wait"]),
            ], setup: .init(durationSeconds: duration), repeats: repeats)
    }

    static func result(_ model: String, proc: Double) -> RunResult {
        Fixture.result(model: model, procMs: proc, evalMs: 5, duration: duration)
    }

    static let machine = Fixture.machine

    static func sweep(
        _ plan: SweepPlan, in directory: String, fake: FakeTicklab, retryFailed: Bool = false,
        timeLimit: (@Sendable (Double) -> Double)? = nil, stop: StopSignal = StopSignal()
    ) async throws
        -> (SweepRunner.Summary, RecordingProgress)
    {
        var options = fake.options
        options.retryFailed = retryFailed
        if let timeLimit { options.timeLimit = timeLimit }
        let chosen = options
        let progress = RecordingProgress()
        let summary = try await offPool {
            try SweepRunner(
                plan: plan, directory: SweepResultsDirectory(path: directory), machine: machine,
                options: chosen, progress: progress, stop: stop
            ).run()
        }
        return (summary, progress)
    }

    @Test("every cell runs once in a child, and the four files are written")
    func allCellsRun() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        for model in ["event-loop", "threads"] {
            for proc in [1.0, 2] { try fake.prepare(Self.result(model, proc: proc)) }
        }
        let (summary, progress) = try await Self.sweep(
            Self.plan(models: ["event-loop", "threads"]), in: out, fake: fake)
        #expect(summary.complete && summary.ran == 4 && summary.failed == 0 && summary.skipped == 0)
        #expect(fake.calls == ["event-loop 1 5", "threads 1 5", "event-loop 2 5", "threads 2 5"])
        let directory = SweepResultsDirectory(path: out)
        let records = try directory.load().records
        #expect(
            records.map { $0.passedResult?.configuration.model } == ["event-loop", "threads", "event-loop", "threads"])
        for file in [directory.resultsPath, directory.csvPath, directory.machinePath, directory.reportPath] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
        }
        #expect(MachineInfo.load(directory.machinePath)?.cpuModel == "Test CPU")
        #expect(progress.lines.count == 4)
        #expect(
            progress.lines[0].hasPrefix(
                "cell 1/4 event-loop, 200 ticks/s, proc 1 ms, eval 5 ms, wait kind: 199.8 ticks/s, kept up"))
        let html = try String(contentsOfFile: directory.reportPath, encoding: .utf8)
        #expect(html.contains("TickLab sweep report"))
    }

    @Test("a crash, an error exit, garbage output and a failed self-check are recorded, and the sweep goes on")
    func failuresAreRecorded() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        try fake.prepare(Self.result("threads", proc: 1))
        var broken = Self.result("tasks", proc: 1)
        broken.selfCheck.passed = false
        broken.selfCheck.failures = ["2 sequence break(s); the first: expected tick 5, got 6"]
        try fake.prepare(broken, exit: 1)
        let plan = Self.plan(models: ["crasher", "threads", "quitter", "babbler", "tasks"], procs: ["1"])
        let (summary, progress) = try await Self.sweep(plan, in: out, fake: fake)
        #expect(summary.ran == 5 && summary.failed == 4 && summary.complete)
        #expect(fake.calls.count == 5)
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.count == 5)
        guard records.count == 5 else { return }
        guard case .failed(let crash) = records[0] else {
            Issue.record("the crash was not recorded as a failed cell"); return
        }
        #expect(crash.signal == 11 && crash.exitStatus == nil)
        #expect(crash.error == "the run was killed by signal 11 (SIGSEGV) without printing a result: Fatal error: boom")
        #expect(
            crash.configuration.model == "crasher" && crash.configuration.procMs == 1 && crash.configuration.evalMs == 5
        )
        #expect(crash.configuration.durationSeconds == Self.duration)
        #expect(records[1].passedResult != nil)
        guard case .failed(let quit) = records[2] else { Issue.record("the error exit was not recorded"); return }
        #expect(quit.exitStatus == 3)
        #expect(
            quit.error
                == "the run exited with status 3 without printing a result: ticklab: the model failed: cannot start")
        guard case .failed(let babble) = records[3] else { Issue.record("the garbage output was not recorded"); return }
        #expect(babble.error == "the run exited normally without printing a result")
        guard case .run(let selfCheck) = records[4] else {
            Issue.record("the failed self-check was not kept as a run result"); return
        }
        #expect(!selfCheck.selfCheck.passed)
        #expect(records[4].failure == "self-check failed: 2 sequence break(s); the first: expected tick 5, got 6")
        #expect(progress.lines.filter { $0.contains("FAILED") }.count == 4)
        let html = try String(contentsOfFile: SweepResultsDirectory(path: out).reportPath, encoding: .utf8)
        #expect(html.contains("id=\"failed\""))
        #expect(html.contains("sequence break"))
    }

    @Test("resume runs only the cells without a record, and cuts a line a kill left unfinished")
    func resumeSkipsDoneCells() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        for model in ["event-loop", "threads"] {
            for proc in [1.0, 2] { try fake.prepare(Self.result(model, proc: proc)) }
        }
        // A sweep killed while writing its third record.
        let directory = SweepResultsDirectory(path: out)
        try directory.append(.run(Self.result("event-loop", proc: 1)))
        try directory.append(.run(Self.result("event-loop", proc: 2)))
        let partial = try ResultCoding.jsonLine(Self.result("threads", proc: 1)).prefix(120)
        let handle = try #require(FileHandle(forWritingAtPath: directory.resultsPath))
        handle.seekToEndOfFile()
        handle.write(Data(partial.utf8))
        handle.closeFile()

        let plan = Self.plan(models: ["event-loop", "threads"])
        #expect(SweepRunner.pending(plan, records: try directory.load().records, retryFailed: false).count == 2)
        let (summary, progress) = try await Self.sweep(plan, in: out, fake: fake)
        #expect(fake.calls == ["threads 1 5", "threads 2 5"])
        #expect(summary.skipped == 2 && summary.ran == 2 && summary.complete)
        #expect(progress.lines.first?.contains("cut off a last line") == true)
        let contents = try directory.load()
        #expect(contents.problems.isEmpty)
        #expect(contents.records.count == 4)

        // Resuming a finished sweep runs nothing and rewrites the files.
        try FileManager.default.removeItem(atPath: directory.reportPath)
        let (again, _) = try await Self.sweep(plan, in: out, fake: fake)
        #expect(again.ran == 0 && again.skipped == 4 && again.complete)
        #expect(fake.calls.count == 2)
        #expect(FileManager.default.fileExists(atPath: directory.reportPath))
        #expect(MachineInfo.load(directory.machinePath)?.resumes.count == 1)

        // More repeats of the same plan run only the new repeats.
        let (more, _) = try await Self.sweep(
            Self.plan(models: ["event-loop", "threads"], repeats: 2), in: out, fake: fake)
        #expect(more.ran == 4 && more.skipped == 4)
        #expect(fake.calls.count == 6)
    }

    @Test("failed cells count as done, unless retried")
    func retryFailed() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        try fake.prepare(Self.result("threads", proc: 1))
        fake.failing("threads", true)
        let plan = Self.plan(models: ["threads"], procs: ["1"])
        let (first, _) = try await Self.sweep(plan, in: out, fake: fake)
        #expect(first.failed == 1)
        fake.failing("threads", false)
        let (skipped, _) = try await Self.sweep(plan, in: out, fake: fake)
        #expect(skipped.ran == 0 && fake.calls.count == 1)
        let (retried, _) = try await Self.sweep(plan, in: out, fake: fake, retryFailed: true)
        #expect(retried.ran == 1 && retried.failed == 0 && fake.calls.count == 2)
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.count == 2 && records[0].passedResult == nil && records[1].passedResult != nil)
    }

    @Test("a stop request kills the running cell, records nothing for it and ends the sweep")
    func stopDiscardsRunningCell() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        try fake.prepare(Self.result("threads", proc: 1))
        let stop = StopSignal()
        // The stop comes once the sleeper has started (its call is logged), however slow the
        // machine: a fixed delay could stop the sweep before its first cell. A thread, not a
        // task: the stop must come even while the pool is busy.
        let stopper = Thread {
            let deadline = Date().addingTimeInterval(120)  // only a hang reaches it
            while fake.calls.isEmpty, Date() < deadline { usleep(10_000) }
            stop.request()
        }
        stopper.start()
        let (summary, _) = try await Self.sweep(
            Self.plan(models: ["sleeper", "threads"], procs: ["1"]), in: out, fake: fake, stop: stop)
        // The sleeper ends only when killed: had the stop not killed it, it would have exited
        // after 120 s with no output and been recorded as a failed cell; no record means killed.
        #expect(summary.interrupted && !summary.complete && summary.ran == 0)
        #expect(fake.calls == ["sleeper 1 5"])
        let directory = SweepResultsDirectory(path: out)
        #expect(try directory.load().records.isEmpty)
        for file in [directory.resultsPath, directory.csvPath, directory.machinePath, directory.reportPath] {
            #expect(FileManager.default.fileExists(atPath: file))
        }
    }

    @Test("a cell past its time limit is stopped and recorded as failed")
    func timeLimit() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        let (summary, _) = try await Self.sweep(
            Self.plan(models: ["sleeper"], procs: ["1"]), in: out, fake: fake,
            timeLimit: { _ in 0.3 })
        // The sleeper ends only when killed: SIGTERM and the time-limit message show the limit did it.
        #expect(summary.failed == 1)
        let records = try SweepResultsDirectory(path: out).load().records
        guard case .failed(let failed) = records.first else { Issue.record("no failed record"); return }
        #expect(failed.error.hasPrefix("the run did not finish within"))
        #expect(failed.signal == SIGTERM)
    }

    @Test("a program that cannot start ends the sweep with an error, after recording it")
    func missingExecutable() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = Self.plan(models: ["threads"])
        await #expect(throws: SweepResultsDirectory.FileError.self) {
            try await offPool {
                try SweepRunner(
                    plan: plan, directory: SweepResultsDirectory(path: out), machine: Self.machine,
                    options: .init(executable: out + "/no-such-ticklab")
                ).run()
            }
        }
        let records = try SweepResultsDirectory(path: out).load().records
        #expect(records.count == 1)
        #expect(records.first?.failure?.contains("cannot start") == true)
    }
}

/// Each child is waited for off the cooperative pool (`runOffPool`): a wait blocks its thread
/// for as long as the child runs.
@Suite("Child process")
struct ChildProcessTests {
    @Test("exit status, standard output and standard error are captured")
    func capture() async throws {
        let outcome = try await runOffPool(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 7"])
        #expect(outcome.ending == .exited(7))
        #expect(outcome.stdout == "out\n")
        #expect(outcome.stderr == "err\n")
        #expect(!outcome.timedOut && !outcome.stopped)
    }

    @Test("no temporary file outlives the call, nor is visible while the child runs")
    func noLitter() async throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try await offPool {
            try ChildProcess.run(
                executable: "/bin/sh", arguments: ["-c", "ls -A '\(directory)' | wc -l"], temporaryDirectory: directory)
        }
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        #expect(throws: ChildProcess.SpawnError.self) {
            try ChildProcess.run(
                executable: "/bin/sh", arguments: ["-c", "true"], temporaryDirectory: directory + "/missing")
        }
    }

    @Test("a signal that ends the child is reported")
    func signalled() async throws {
        let outcome = try await runOffPool(executable: "/bin/sh", arguments: ["-c", "kill -KILL $$"])
        #expect(outcome.ending == .signalled(SIGKILL))
    }

    @Test("a large output is read whole")
    func largeOutput() async throws {
        let outcome = try await runOffPool(
            executable: "/bin/sh",
            arguments: ["-c", "i=0; while [ $i -lt 20000 ]; do echo 0123456789; i=$((i+1)); done"])
        #expect(outcome.ending == .exited(0))
        #expect(outcome.stdout.utf8.count == 20_000 * 11)
    }

    @Test("the child starts with SIGINT at its default even when the parent ignores it")
    func signalDefaults() async throws {
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        // The timeout only bounds a hang: the child kills itself at once.
        let outcome = try await runOffPool(
            executable: "/bin/sh", arguments: ["-c", "kill -INT $$; sleep 120"], timeout: 120)
        #expect(outcome.ending == .signalled(SIGINT))
    }

    @Test("a program that does not exist cannot be started")
    func missing() {
        #expect(throws: ChildProcess.SpawnError.self) {
            try ChildProcess.run(executable: "/nonexistent/ticklab", arguments: [])
        }
    }
}
