import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Report
@testable import Results
@testable import Sweep

/// Stopping a real `ticklab sweep` the ways users do (Ctrl-C, kill -9) and resuming it.
@Suite(
    "ticklab sweep interrupted and resumed", .serialized,
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct SweepInterruptTests {
    /// Four cells of about 0.6 s each: long enough to stop one in the middle.
    static func arguments(_ out: String) -> [String] {
        [
            "sweep", "--models", "threads,event-loop", "--proc-ms", "0,0.05", "--eval-ms", "0.1", "--rate", "500",
            "--repeats", "1",
            "--duration", "600ms", "--out", out,
        ]
    }

    /// Starts the sweep, sends `signal` once the first cell's record has reached results.csv
    /// (the second cell, at least 0.6 s long, is running then, however slow the machine: a fixed
    /// delay could come before the sweep started, after it ended, or between a record's append
    /// and the rewrite of the CSV), and reports how it ended.
    static func interrupt(_ out: String, signal: String) throws -> ChildProcess.Outcome {
        let words = ([TicklabExecutable.path!] + arguments(out)).map(ShellQuoting.quote).joined(separator: " ")
        let csv = ShellQuoting.quote(SweepResultsDirectory(path: out).csvPath)
        let script =
            "\(words) & pid=$!; "
            + "while kill -0 $pid 2>/dev/null && [ \"$(cat \(csv) 2>/dev/null | wc -l)\" -lt 2 ]; do sleep 0.02; done; "
            + "kill -\(signal) $pid; wait $pid; echo \"exit=$?\""
        return try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", script], timeout: 120)
    }

    static func check(_ out: String) throws -> [SweepRecord] {
        let directory = SweepResultsDirectory(path: out)
        let contents = try directory.load()
        #expect(contents.problems.isEmpty, "\(contents.problems)")
        let csv = CSVReader.parse(try String(contentsOfFile: directory.csvPath, encoding: .utf8))
        #expect(csv.count == contents.records.count + 1)
        #expect(ReportDocument(try String(contentsOfFile: directory.reportPath, encoding: .utf8)).parsed)
        #expect(MachineInfo.load(directory.machinePath) != nil)
        return contents.records
    }

    @Test("Ctrl-C stops the running cell, leaves every file valid and prints how to resume; resuming finishes the rest")
    func interruptAndResume() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let outcome = try await offPool { try Self.interrupt(out, signal: "INT") }
        #expect(outcome.stdout.contains("exit=130"), "\(outcome.stdout) \(outcome.stderr)")
        #expect(outcome.stderr.contains("every file in \(out) is valid. Resume with:"))
        #expect(outcome.stderr.contains("--resume"))
        let before = try Self.check(out)
        // Three cells of at least 0.6 s each were still to run when the signal was sent.
        #expect(before.count >= 1 && before.count < 4)
        #expect(before.allSatisfy { $0.passedResult != nil }, "the stopped cell must not be recorded")

        let resumed = try await runOffPool(
            executable: TicklabExecutable.path!, arguments: Self.arguments(out) + ["--resume"], timeout: 120)
        #expect(resumed.ending == .exited(0), "\(resumed.stderr)")
        #expect(resumed.stdout.contains("(\(4 - before.count) now, \(before.count) done before)"))
        let after = try Self.check(out)
        #expect(after.count == 4)
        #expect(Set(after.map { SweepCell(parameters: $0.parameters) }).count == 4)
        #expect(Array(after.prefix(before.count)) == before)
    }

    @Test("kill -9 leaves every file valid; resuming runs only what has no record")
    func killAndResume() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let outcome = try await offPool { try Self.interrupt(out, signal: "KILL") }
        #expect(outcome.stdout.contains("exit=137"), "\(outcome.stdout)")
        let before = try Self.check(out)
        #expect(before.count >= 1 && before.count < 4)
        // The killed sweep's child died with it (see `childDiesWithSweep`); the resumed sweep
        // runs that cell again.
        let resumed = try await runOffPool(
            executable: TicklabExecutable.path!, arguments: Self.arguments(out) + ["--resume"], timeout: 120)
        #expect(resumed.ending == .exited(0), "\(resumed.stderr)")
        let after = try Self.check(out)
        #expect(after.count == 4)
        #expect(Set(after.map { SweepCell(parameters: $0.parameters) }).count == 4)
        #expect(MachineInfo.load(SweepResultsDirectory(path: out).machinePath)?.resumes.count == 1)
    }

    /// The pids whose parent is `parent`, read from /proc.
    static func children(of parent: pid_t) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(pid_t.init).filter { pid in
            // Field 4 of /proc/PID/stat, after the parenthesised command name.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent
        }
    }

    static func commandLine(of pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// Whether `pid` still runs: a zombie (ended, not yet reaped by its new parent) does not.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Polls `condition` every 50 ms; false only if it does not hold within `bound` seconds,
    /// which only a hang reaches.
    static func eventually(within bound: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(bound)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    @Test(
        "kill -9 of a sweep kills its running cell too; resuming at once runs alone",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "needs /proc"))
    func childDiesWithSweep() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        // Cells of 3 s, so the cell found running is still running when the sweep is killed.
        let arguments = [
            "sweep", "--models", "threads", "--proc-ms", "0,0.05", "--eval-ms", "0.1", "--rate", "500",
            "--repeats", "1", "--duration", "3s", "--quiet", "--out", out,
        ]
        let (sweepEnding, cell, cellCommand, cellGone) = try await offPool {
            () throws -> (Int32, pid_t?, String, Bool) in
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] =
                ([TicklabExecutable.path!] + arguments).map { strdup($0) } + [nil]
            let environment: [UnsafeMutablePointer<CChar>?] =
                ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in argv + environment { free(pointer) } }
            let spawned = posix_spawn(&pid, TicklabExecutable.path!, nil, nil, argv, environment)
            guard spawned == 0 else {
                throw SweepResultsDirectory.FileError(description: "cannot start ticklab: \(spawned)")
            }
            var cell: pid_t?
            var command = ""
            _ = Self.eventually {
                // The command line is kept as it is seen: once the sweep is killed the cell dies
                // with it, and its command line can no longer be read.
                for child in Self.children(of: pid) {
                    let line = Self.commandLine(of: child)
                    if line.contains(" run --json ") {
                        (cell, command) = (child, line)
                        return true
                    }
                }
                return false
            }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            guard let cell else { return (status, nil, "", false) }
            return (status, cell, command, Self.eventually { !Self.isRunning(cell) })
        }
        #expect(sweepEnding & 0x7F == SIGKILL, "the sweep was killed")
        let found = try #require(cell, "a cell of the sweep was seen running")
        #expect(cellCommand.contains("--parent-pid"), "\(cellCommand)")
        #expect(cellGone, "the cell \(found) (\(cellCommand)) still runs after its sweep was killed")

        let resumed = try await runOffPool(
            executable: TicklabExecutable.path!, arguments: arguments + ["--resume"], timeout: 120)
        #expect(resumed.ending == .exited(0), "\(resumed.stderr)")
        let records = try Self.check(out)
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.passedResult != nil })
    }

    @Test("the preset's values and explicit overrides reach machine.json and the runs")
    func presetOverrides() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let outcome = try await runOffPool(
            executable: TicklabExecutable.path!,
            arguments: [
                "sweep", "--preset", "seed", "--models", "threads", "--proc-ms", "0", "--rate", "1000", "--duration",
                "200ms",
                "--quiet", "--out", out,
            ], timeout: 120)
        #expect(outcome.ending == .exited(0), "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty && outcome.stdout.isEmpty, "--quiet prints nothing")
        let plan = try #require(MachineInfo.load(SweepResultsDirectory(path: out).machinePath)?.plan)
        #expect(plan.values(of: .evalMs) == ["1", "10", "50"])
        #expect(plan.values(of: .procMs) == ["0"])
        #expect(plan.values(of: .rate) == ["1000"])
        #expect(plan.setup.durationSeconds == 0.2)
        let records = try Self.check(out)
        #expect(records.map(\.parameters.evalMs) == [1, 10, 50])
        #expect(records.allSatisfy { $0.parameters.rate == 1_000 && $0.parameters.durationSeconds == 0.2 })
    }
}

@Suite("Sweep progress events")
struct SweepProgressEventTests {
    /// Every event, in order, as a short word.
    final class EventLog: SweepProgress, @unchecked Sendable {
        // @unchecked Sendable: written by the sweep's one thread, read after it has returned.
        var events: [String] = []
        var etas: [Double] = []

        func handle(_ event: SweepEvent) {
            switch event {
            case .began(let total, let done, let pending): events.append("began \(total) \(done) \(pending)")
            case .running(let run, _, _, let eta):
                if events.last != "running \(run.index)" { events.append("running \(run.index)") }
                if let eta { etas.append(eta.seconds) }
            case .finished(let run, _, _, _): events.append("finished \(run.index)")
            case .notice: events.append("notice")
            case .ended: events.append("ended")
            }
        }
    }

    @Test("began, then per cell running and finished, then ended; the ETA counts down")
    func order() async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        // A model the fake answers after a second: long enough for running events.
        let script = "#!/bin/sh\nsleep 1\nexec /bin/sh \"$(dirname \"$0\")/ticklab.sh\" \"$@\"\n"
        _ = FileManager.default.createFile(atPath: fake.directory + "/slow.sh", contents: Data(script.utf8))
        for proc in [1.0, 2] { try fake.prepare(SweepRunnerTests.result("threads", proc: proc)) }
        let log = EventLog()
        let plan = SweepRunnerTests.plan(models: ["threads"])
        // A fixed calibration: a real one may be retried on a busy machine, with a notice.
        let options = SweepRunner.Options(
            executable: "/bin/sh", leadingArguments: [fake.directory + "/slow.sh"],
            calibrate: { FakeTicklab.calibration })
        let summary = try await offPool {
            try SweepRunner(
                plan: plan, directory: SweepResultsDirectory(path: out), machine: SweepRunnerTests.machine,
                options: options, progress: log
            ).run()
        }
        #expect(summary.ran == 2)
        #expect(log.events == ["began 2 0 2", "running 0", "finished 0", "running 1", "finished 1", "ended"])
        #expect(!log.etas.isEmpty)
        #expect(log.etas.first! > log.etas.last!, "\(log.etas)")
    }

    @Test("on a resumed sweep the progress says how much was already done")
    func resumedLine() {
        let sink = TextSink()
        LineSweepProgress(write: sink.write).handle(.began(total: 12, done: 5, pending: 7))
        LiveSweepProgress(write: sink.write).handle(.began(total: 12, done: 5, pending: 7))
        #expect(
            sink.text
                == "resuming: 5 of 12 runs already done, 7 to run\nresuming: 5 of 12 runs already done, 7 to run\n")
        let fresh = TextSink()
        LiveSweepProgress(write: fresh.write).handle(.began(total: 12, done: 0, pending: 12))
        #expect(fresh.text.isEmpty, "a fresh sweep on a terminal starts with the live line alone")
    }

    @Test("notices stay on screen above the live line")
    func notices() {
        let sink = TextSink()
        let live = LiveSweepProgress(width: 200, write: sink.write)
        live.handle(.running(SweepProgressTests.run, total: 12, elapsed: 1, eta: SweepETA(seconds: 2)))
        sink.text = ""
        live.handle(.notice("results.jsonl line 3 is ignored"))
        #expect(sink.text == "\r\u{1B}[2Kresults.jsonl line 3 is ignored\n")
        let lines = TextSink()
        LineSweepProgress(write: lines.write).handle(.notice("results.jsonl line 3 is ignored"))
        #expect(lines.text == "results.jsonl line 3 is ignored\n")
    }
}
