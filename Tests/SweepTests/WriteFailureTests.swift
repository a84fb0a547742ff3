import Clocks
import Foundation
import Locks
import Pipeline
import TestSupport
import Testing

@testable import Report
@testable import Results
@testable import Sweep

/// A disk that fills up while one file is written: writes to a file whose name contains `name`
/// get `budget` bytes in all (the last one a short write), then fail with ENOSPC. Every other
/// file is written as usual.
final class FillingDisk: Sendable {
    let name: String
    private let budget: Locked<Int>

    init(failing name: String, after budget: Int) {
        self.name = name
        self.budget = Locked(budget)
    }

    var writing: FileWriting {
        FileWriting { [self] fd, bytes in
            guard Self.path(of: fd).contains(name) else { return FileWriting.system.write(fd, bytes) }
            let allowed = budget.withLock { budget in
                let allowed = min(budget, bytes.count)
                budget -= allowed
                return allowed
            }
            if allowed == 0 {
                errno = ENOSPC
                return -1
            }
            return FileWriting.system.write(fd, UnsafeRawBufferPointer(rebasing: bytes[..<allowed]))
        }
    }

    static func path(of fd: Int32) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
    }
}

@Suite("Failed writes are loud and leave no half-written file")
struct WriteFailureTests {
    static let noSpace = String(cString: strerror(ENOSPC))

    static func leftovers(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".partial") }
    }

    @Test("an append cut short by a full disk throws, naming the file and the reason, and is cut off again")
    func appendOnFullDisk() throws {
        let path = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = Fixture.sweepRecords()
        try SweepResultsDirectory(path: path).append(records[0])
        let before = try Data(contentsOf: URL(fileURLWithPath: path + "/results.jsonl"))
        let full = SweepResultsDirectory(path: path, writing: FillingDisk(failing: "results.jsonl", after: 100).writing)
        let error = try #require(throws: SweepResultsDirectory.FileError.self) { try full.append(records[1]) }
        #expect(error.kind == .write)
        #expect(error.description == "cannot write '\(full.resultsPath)': \(Self.noSpace)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: full.resultsPath)) == before, "no partial line is left")
        #expect(try full.load().records == [records[0]])
    }

    @Test("a replacement that fails keeps the old file whole and leaves no temporary file")
    func replaceOnFullDisk() throws {
        let path = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = path + "/results.csv"
        try SweepResultsDirectory.writeAtomically("old,file\n", to: file)
        let full = FillingDisk(failing: "results.csv", after: 5).writing
        let error = try #require(throws: SweepResultsDirectory.FileError.self) {
            try SweepResultsDirectory.writeAtomically("new,file,that,is,longer\n", to: file, using: full)
        }
        #expect(error.kind == .write)
        #expect(
            error.description == "cannot write '\(file)': \(Self.noSpace)",
            "the error names the file, not its temporary")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "old,file\n")
        #expect(try Self.leftovers(in: path).isEmpty)
    }

    @Test(
        "a device is written in place, never renamed over, and its failure is reported",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func device() throws {
        let error = try #require(throws: SweepResultsDirectory.FileError.self) {
            try SweepResultsDirectory.writeAtomically("<html></html>\n", to: "/dev/full")
        }
        #expect(error.description == "cannot write '/dev/full': \(Self.noSpace)")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "/dev/full is still the device")
    }

    @Test(
        "a sweep whose results file fills the disk stops with the write error; every file stays valid",
        arguments: ["results.jsonl", "results.csv", "report.html", "machine.json"])
    func sweepOnFullDisk(file: String) async throws {
        let fake = FakeTicklab()
        let out = Fixture.temporaryDirectory()
        defer { fake.remove(); try? FileManager.default.removeItem(atPath: out) }
        for proc in [1.0, 2] { try fake.prepare(SweepRunnerTests.result("threads", proc: proc)) }
        // Enough for the empty files of the start and part of the first record or rewrite.
        let budget = file == "results.jsonl" ? 200 : file == "machine.json" ? 0 : 2_000
        let directory = SweepResultsDirectory(path: out, writing: FillingDisk(failing: file, after: budget).writing)
        let plan = SweepRunnerTests.plan(models: ["threads"])
        let options = fake.options
        let error = try await #require(throws: SweepResultsDirectory.FileError.self) {
            try await offPool {
                try SweepRunner(plan: plan, directory: directory, machine: SweepRunnerTests.machine, options: options)
                    .run()
            }
        }
        #expect(error.kind == .write)
        #expect(error.description == "cannot write '\(out)/\(file)': \(Self.noSpace)")
        #expect(try Self.leftovers(in: out).isEmpty)
        let contents = try SweepResultsDirectory(path: out).load()
        #expect(contents.problems.isEmpty, "no partial line: \(contents.problems)")
        if FileManager.default.fileExists(atPath: directory.csvPath) {
            let csv = CSVReader.parse(try String(contentsOfFile: directory.csvPath, encoding: .utf8))
            #expect(csv.count <= contents.records.count + 1 && csv.allSatisfy { $0.count == SweepCSV.columns.count })
        }
        if FileManager.default.fileExists(atPath: directory.reportPath) {
            #expect(ReportDocument(try String(contentsOfFile: directory.reportPath, encoding: .utf8)).parsed)
        }
    }
}

/// The same faults through the real `ticklab`, as a user meets them.
@Suite(
    "ticklab reports failed writes", .serialized,
    .enabled(
        if: TicklabExecutable.path != nil && FileManager.default.fileExists(atPath: "/dev/full"),
        "needs the ticklab executable of this build and /dev/full"))
struct WriteFailureEndToEndTests {
    static func shell(_ script: String) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: "/bin/sh", arguments: ["-c", script], timeout: 120)
    }

    static let quickRun = ["run", "--duration", "200ms", "--proc-ms", "0", "--eval-ms", "0.1", "--rate", "500"]

    @Test("run --trace /dev/full: the result, then one line naming the file and the reason, exit 74")
    func traceToFullDevice() async throws {
        let outcome = try await runOffPool(
            executable: TicklabExecutable.path!,
            arguments: Self.quickRun + ["--trace", "/dev/full"], timeout: 120)
        #expect(outcome.ending == .exited(74), "\(outcome.stderr)")
        #expect(
            outcome.stderr == "ticklab: cannot write trace file '/dev/full': No space left on device "
                + "(the result above is complete; the trace is lost)\n")
        #expect(outcome.stdout.contains("threads"), "the result is still shown: \(outcome.stdout)")
    }

    @Test("run --json to a full standard output: one line, exit 74")
    func standardOutputFull() async throws {
        let words = ([TicklabExecutable.path!] + Self.quickRun + ["--json"]).map(ShellQuoting.quote).joined(
            separator: " ")
        let outcome = try await Self.shell("\(words) > /dev/full")
        #expect(outcome.ending == .exited(74), "\(outcome.stderr)")
        #expect(outcome.stderr == "ticklab: cannot write standard output: No space left on device\n")
    }

    @Test("report --output /dev/full: one line naming the file and the reason, exit 74")
    func reportToFullDevice() async throws {
        let out = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let directory = SweepResultsDirectory(path: out)
        for record in Fixture.sweepRecords() { try directory.append(record) }
        let outcome = try await runOffPool(
            executable: TicklabExecutable.path!,
            arguments: ["report", out, "--output", "/dev/full"], timeout: 120)
        #expect(outcome.ending == .exited(74), "\(outcome.stderr)")
        #expect(
            outcome.stderr.hasSuffix("ticklab: cannot write '/dev/full': No space left on device\n"),
            "\(outcome.stderr)")
    }
}
