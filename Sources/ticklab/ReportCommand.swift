import ArgumentParser
import Capacity
import Foundation
import Models
import Report
import Results
import Run
import Sweep

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a sweep's report.html again from its results.jsonl; with several directories, overlay them.",
        discussion: """
            One directory: writes DIR/report.html. Several: their lines share the charts (the first \
            sweep's markers filled, the others' hollow) and the tables list them side by side; the file \
            goes to DIR1/comparison.html unless --output names one.
            """)

    @Argument(help: ArgumentHelp("Directories written by 'ticklab sweep'.", valueName: "dir"))
    var directories: [String] = []

    @Option(help: ArgumentHelp("Where to write the HTML.", valueName: "file"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Judge capacity against this latency objective instead of the sweep's own (PERCENTILE=BOUND, e.g. p99=20ms): the same measurements, judged again.",
            valueName: "objective"))
    var slo: String?

    /// Checked in `run()`, not in `validate()`: ArgumentParser validates before it looks for
    /// unknown options, so `report --bogus` would otherwise say only that no directory was given.
    func checkDirectories() throws {
        guard !directories.isEmpty else {
            throw ValidationError(
                "<dir>: missing: give at least one directory written by 'ticklab sweep' (it holds results.jsonl)")
        }
        for directory in directories where !SweepResultsDirectory(path: directory).hasResults {
            throw UsageMessage.invalid(
                "<dir>", directory,
                allowed: "a directory that holds no results.jsonl: give a directory written by 'ticklab sweep'")
        }
    }

    func run() throws {
        var objective: LatencyObjective?
        if let slo {
            do { objective = try LatencyObjective.parse(slo) } catch { throw ValidationError(error.description) }
        }
        try checkDirectories()
        var sources: [ReportSource] = []
        do {
            for directory in directories { sources.append(try ReportSource.load(directory: directory)) }
        } catch {
            throw CommandFailure(message: error.description, code: 1)
        }
        for index in sources.indices {
            sources[index].objective = objective
            for problem in sources[index].problems { StandardError.write("ticklab: \(problem)\n") }
        }
        let path =
            output
            ?? (SweepResultsDirectory(path: directories[0]).path
                + (directories.count == 1 ? "/report.html" : "/comparison.html"))
        do {
            try SweepResultsDirectory.writeAtomically(ReportRenderer.render(sources, lineup: .catalogue), to: path)
        } catch {
            throw CommandFailure(message: error.description, code: error.kind == .write ? ExitStatus.writeFailed : 1)
        }
        print(path)
    }
}
