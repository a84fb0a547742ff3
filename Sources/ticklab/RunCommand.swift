import ArgumentParser
import Foundation
import MarketData
import Models
import Pipeline
import Report
import Results
import Run
import Sweep

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline once under one concurrency model and report what it measured.",
        discussion: """
            The synthetic exchange schedules ticks at --rate; every latency is measured from a \
            tick's scheduled arrival. The run checks itself (every tick processed once, in order; \
            the final book equal to a sequential replay) and exits 1 if that check fails. Ctrl-C \
            stops the feed, drains what was received and prints the partial result (exit 130).
            """)

    @Option(name: .long, help: ArgumentHelp("Concurrency model.", valueName: "name"))
    var model: ModelArgument = ModelArgument(argument: ThreadsModel().name)!

    @Option(help: ArgumentHelp("Where ticks come from: 'synthetic' (the embedded exchange), 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'.", valueName: "feed"), transform: FeedArgument.parse)
    var feed: FeedArgument = FeedArgument(.synthetic)

    @Option(parsing: .unconditional, help: ArgumentHelp("Ticks per second, or 'max' to offer ticks as fast as the receiver takes them.", valueName: "rate"), transform: RateArgument.parse)
    var rate: RateArgument = RateArgument(ticksPerSecond: 200)

    @Option(parsing: .unconditional, help: ArgumentHelp("How long the exchange offers ticks: 20s, 500ms, 2m.", valueName: "duration"), transform: DurationArgument.parse)
    var duration: DurationArgument = DurationArgument(seconds: 10)

    @Option(name: .customLong("proc-ms"), parsing: .unconditional, help: ArgumentHelp("CPU work per tick in the processor, in milliseconds (calibrated, never a sleep).", valueName: "ms"), transform: MillisecondsArgument.parse)
    var procMs: MillisecondsArgument = MillisecondsArgument(0.5)

    @Option(name: .customLong("eval-ms"), parsing: .unconditional, help: ArgumentHelp("Time the evaluator spends per state, in milliseconds.", valueName: "ms"), transform: MillisecondsArgument.parse)
    var evalMs: MillisecondsArgument = MillisecondsArgument(1)

    @Option(name: .customLong("eval-kind"), help: ArgumentHelp("How the evaluator spends --eval-ms: 'wait' (a non-blocking wait, the seed's delay) or 'cpu' (calibrated CPU work).", valueName: "kind"))
    var evalKind: EvaluationKind = .wait

    @Option(help: ArgumentHelp("Arrival process: uniform or poisson.", valueName: "process"))
    var arrivals: ArrivalProcess = .uniform

    @Option(help: ArgumentHelp("'exchange': the exchange runs on its own and a late receiver finds a backlog; 'receiver': the receiver sleeps 1/rate between pulls (the naive generator, which hides backlog).", valueName: "clock"))
    var clock: FeedClock = .exchange

    @Option(help: ArgumentHelp("Seed of the synthetic exchange (same seed, same ticks).", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("How a spinning consumer waits: busy, yield or park (default park); only for the models that take it: \(ModelCatalog.waitStrategyModels.joined(separator: ", ")).", valueName: "strategy"))
    var wait: WaitStrategy?

    @Option(help: ArgumentHelp("Write one CSV row per processed and per decided tick to this file.", valueName: "file"))
    var trace: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Replay speed of a lobster: feed: a multiplier of the recorded pace (default 1), or 'max' for as fast as the receiver takes ticks. The replay ends with the file or after --duration.", valueName: "speed"), transform: SpeedArgument.parse)
    var speed: SpeedArgument?

    @Flag(help: "Send an order for each buy or sell decision and wait for its acknowledgement: to the exchange with --feed tcp://, else to an in-process gateway (see --route-rtt-ms). Measures decided→acked.")
    var route = false

    @Option(name: .customLong("route-rtt-ms"), parsing: .unconditional, help: ArgumentHelp("Round trip of the in-process gateway in milliseconds (default 1; needs --route; not with --feed tcp://, where the network's round trip counts).", valueName: "ms"), transform: MillisecondsArgument.parse)
    var routeRttMs: MillisecondsArgument?

    @Flag(help: "Print one JSON record (schema ticklab.run, see the README) instead of the table.")
    var json = false

    /// Given by `ticklab sweep` to its cells: the run dies with the sweep (see ParentProcessLink).
    @Option(name: .customLong("parent-pid"), help: .hidden)
    var parentPid: Int32?

    func run() throws {
        if let parentPid, ParentProcessLink.bind(to: parentPid) == .parentGone {
            throw CommandFailure(message: "the sweep that started this run (pid \(parentPid)) has ended; not running", code: 1)
        }
        if case .lobster(let messages) = feed.source {
            LobsterNote.warnIfNoOrderBook(messages: messages)
        } else if speed != nil {
            throw ValidationError("--speed applies to a lobster: feed only (the synthetic exchange's pace is --rate)")
        }
        if let wait, ModelCatalog.model(named: model.name)?.tunables.waitStrategy == nil {
            throw ValidationError("--wait: '\(wait.rawValue)' is not allowed with --model \(model.name), which takes no wait strategy; "
                + "models that take --wait: \(ModelCatalog.waitStrategyModels.joined(separator: ", "))")
        }
        let configuration = RunConfiguration(
            model: model.name,
            source: feed.source,
            feed: SyntheticFeed.Configuration(seed: seed, rate: rate.ticksPerSecond, duration: duration.nanoseconds,
                                              arrivals: arrivals, clock: clock),
            procMs: procMs.value, evalMs: evalMs.value, evalKind: evalKind,
            waitStrategy: wait ?? .standard, tracePath: trace, speed: speed.map(\.multiplier) ?? 1, route: try orderRouting())
        let interruption = Interruption()
        defer { interruption.cancel() }
        let progress = StandardError.isTerminal && !json
            ? ProgressLine(total: Double(duration.nanoseconds) / 1e9, label: "\(model.name) running") : nil
        let result: RunResult
        do {
            result = try LabRun.run(configuration, stop: interruption.stop)
        } catch LabRun.Failure.traceNotWritten(let error, let result) {
            // The measurement is whole: show it, then say loudly that the trace is lost.
            progress?.finish()
            try show(result)
            throw CommandFailure(message: "\(error.description) (the result above is complete; the trace is lost)",
                                 code: ExitStatus.writeFailed)
        } catch {
            progress?.finish()
            throw CommandFailure(message: String(describing: error), code: 1)
        }
        progress?.finish()
        try show(result)
        if !result.selfCheck.passed { throw ExitCode(1) }
        if result.interrupted { throw ExitCode(130) }
    }

    private func show(_ result: RunResult) throws {
        if json {
            print(try ResultCoding.jsonLine(result))
        } else {
            print(RunTable.render(result))
        }
    }
}

/// Exit statuses shared by the commands (besides 0, 1 for a failed check or run, 64 for usage
/// errors and 130 for Ctrl-C).
enum ExitStatus {
    /// A file the command writes (a trace, a results file, a report, standard output) could not
    /// be written: EX_IOERR of sysexits.h.
    static let writeFailed: Int32 = 74
}

/// A failure reported as one line and an exit code, without usage text.
struct CommandFailure: Error {
    var message: String
    var code: Int32
}
