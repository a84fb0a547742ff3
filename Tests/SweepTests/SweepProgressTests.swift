import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Report
@testable import Results
@testable import Sweep

/// Collects written text; the progress displays are called from one thread.
final class TextSink: @unchecked Sendable {
    // @unchecked Sendable: written and read by the test's own thread only.
    var text = ""
    func write(_ s: String) { text += s }
}

@Suite("Sweep progress")
struct SweepProgressTests {
    static let cell = SweepCell(parameters: Fixture.parameters(model: "threads", procMs: 2, evalMs: 50))
    static let run = SweepRun(cell: cell, repetition: 0, index: 2)
    static let passed = SweepRecord.run(Fixture.result(model: "threads", procMs: 2, evalMs: 50))
    static let failed = SweepRecord.failed(
        FailedCell(
            startedAt: "t", configuration: Fixture.parameters(model: "threads", procMs: 2, evalMs: 50),
            error: "the run exited with status 3"))

    @Test("in a pipe: one plain line per finished cell with the ETA its run last gave, nothing redrawn")
    func lines() {
        let sink = TextSink()
        let progress = LineSweepProgress(write: sink.write)
        progress.handle(.began(total: 12, done: 0, pending: 12))
        progress.handle(.running(Self.run, total: 12, elapsed: 1, eta: SweepETA(seconds: 30)))
        progress.handle(.finished(Self.run, total: 12, record: Self.passed, wallSeconds: 5.2))
        progress.handle(.finished(Self.run, total: 12, record: Self.failed, wallSeconds: 1))
        progress.handle(.ended)
        #expect(
            sink.text == """
                sweep: 12 runs
                cell 3/12 threads, 200 ticks/s, proc 2 ms, eval 50 ms, wait kind: 199.8 ticks/s, kept up, e2e mean 52.4 ms, p99 157 ms  [ETA 0:30]
                cell 3/12 threads, 200 ticks/s, proc 2 ms, eval 50 ms, wait kind: FAILED: the run exited with status 3

                """)
        #expect(!sink.text.contains("\r"))
    }

    @Test("on a terminal: one line redrawn in place with elapsed time and ETA; failures stay")
    func live() {
        let sink = TextSink()
        let progress = LiveSweepProgress(width: 200, write: sink.write)
        progress.handle(.running(Self.run, total: 12, elapsed: 7, eta: SweepETA(seconds: 95)))
        #expect(
            sink.text == "\r\u{1B}[2Kcell 3/12 threads, 200 ticks/s, proc 2 ms, eval 50 ms, wait kind  0:07  ETA 1:35")
        sink.text = ""
        progress.handle(.finished(Self.run, total: 12, record: Self.passed, wallSeconds: 5))
        #expect(sink.text.isEmpty)
        progress.handle(.finished(Self.run, total: 12, record: Self.failed, wallSeconds: 5))
        #expect(
            sink.text
                == "\r\u{1B}[2Kcell 3/12 threads, 200 ticks/s, proc 2 ms, eval 50 ms, wait kind: FAILED: the run exited with status 3\n"
        )
        sink.text = ""
        progress.handle(.running(Self.run, total: 12, elapsed: 8, eta: nil))
        progress.handle(.ended)
        #expect(sink.text.hasSuffix("\r\u{1B}[2K"))
    }

    @Test("the live line never outgrows the terminal")
    func narrow() {
        let sink = TextSink()
        LiveSweepProgress(width: 50, write: sink.write).handle(
            .running(Self.run, total: 12, elapsed: 7, eta: SweepETA(seconds: 95)))
        #expect(sink.text.dropFirst("\r\u{1B}[2K".count).count <= 49)
    }

    @Test(
        "quiet shows nothing: a sweep with --quiet prints nothing and still records its cells",
        .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
    func quiet() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let outcome = try await runOffPool(
            executable: TicklabExecutable.path!,
            arguments: [
                "sweep", "--models", "threads", "--proc-ms", "0,0.05", "--eval-ms", "0.1", "--rate", "500", "--repeats",
                "1",
                "--duration", "100ms", "--quiet", "--out", out,
            ], timeout: 120)
        #expect(outcome.ending == .exited(0), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty, "\(outcome.stdout)")
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
        #expect(
            try SweepResultsDirectory(path: out).load().records.count == 2,
            "the silence is not a sweep that did nothing")
    }
}

/// The real thing: `ticklab sweep` and `ticklab report` as a user runs them, when the test
/// build has the executable beside it.
/// The `ticklab` executable of this build, found beside the test binary.
enum TicklabExecutable {
    static let path: String? = {
        guard let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        // The test binary may sit inside a bundle directory (…/TickLabPackageTests.xctest/…).
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ticklab").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()
}

@Suite(
    "ticklab sweep end to end", .serialized,
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct EndToEnd {
    static func ticklab(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 300)
    }

    @Test("a tiny sweep writes the four files, resumes without re-running, and the report re-renders")
    func sweepAndReport() async throws {
        let out = Fixture.temporaryDirectory() + "/sweep"
        defer { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) }
        let arguments = [
            "sweep", "--models", "threads", "--proc-ms", "0,0.05", "--eval-ms", "0.1", "--rate", "500", "--repeats",
            "1",
            "--duration", "300ms", "--out", out,
        ]
        let first = try await Self.ticklab(arguments)
        #expect(first.ending == .exited(0), "\(first.stderr)")
        #expect(first.stderr.contains("cell 2/2 threads"))
        let directory = SweepResultsDirectory(path: out)
        let records = try directory.load().records
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.passedResult != nil })
        for file in [directory.csvPath, directory.machinePath, directory.reportPath] {
            #expect(FileManager.default.fileExists(atPath: file))
        }
        #expect(ReportDocument(try String(contentsOfFile: directory.reportPath, encoding: .utf8)).parsed)

        let again = try await Self.ticklab(arguments)
        #expect(again.ending == .exited(64), "a second sweep into the same directory must ask for --resume")
        #expect(again.stderr.contains("already holds results.jsonl"))

        let resumed = try await Self.ticklab(arguments + ["--resume"])
        #expect(resumed.ending == .exited(0), "\(resumed.stderr)")
        #expect(try directory.load().records.count == 2)
        #expect(resumed.stdout.contains("0 now, 2 done before"))

        try FileManager.default.removeItem(atPath: directory.reportPath)
        let report = try await Self.ticklab(["report", out])
        #expect(report.ending == .exited(0), "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.reportPath))
    }

    @Test(
        "bad options are one line and exit 64",
        arguments: [
            (["sweep", "--proc-ms", "1,x"], "--proc-ms: 'x' is not allowed"),
            (["sweep", "--models", "fibers"], "--models: 'fibers' is not allowed"),
            (["sweep", "--preset", "slow"], "--preset: 'slow' is not allowed"),
            (["sweep", "--repeats", "0"], "--repeats: '0' is not allowed"),
            (["sweep", "--retry-failed"], "--retry-failed: only with --resume"),
            (["sweep", "--resume", "--out", "/nonexistent/sweep"], "does not exist"),
            (["report", "/nonexistent/sweep"], "holds no results.jsonl"),
            (
                ["run", "--model", "threads", "--wait", "busy"],
                "--wait: 'busy' is not allowed: with --model threads, which takes no wait strategy"
            ),
        ])
    func usageErrors(arguments: [String], message: String) async throws {
        let outcome = try await Self.ticklab(arguments)
        #expect(outcome.ending == .exited(64))
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }
}
