import ArgumentParser
import Capacity
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
            The synthetic exchange schedules ticks at --rate, or at the rate that offers --load \
            (utilisation ρ = rate × proc-ms / 1000); every latency is measured from a tick's scheduled arrival. The run checks itself (every tick processed once, in order; \
            the final book equal to a sequential replay) and exits 1 if that check fails; a tcp:// feed \
            whose exchange said goodbye or never came back before the end exits 69. Ctrl-C \
            stops the feed, counts the ticks received but not yet processed as abandoned (not worked \
            through) and prints the partial result (exit 130).
            """)

    /// The defaults of the options whose help cannot show them by itself (see ``ArgumentHelp``).
    static let defaultModel = ModelArgument(argument: ThreadsModel().name)!
    static let defaultFeed = FeedArgument(.synthetic)
    static let defaultRate = RateArgument(ticksPerSecond: 200)
    static let defaultDuration = DurationArgument(seconds: 10)
    static let defaultProcMs = MillisecondsArgument(0.5)
    static let defaultEvalMs = MillisecondsArgument(1)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Concurrency model ('ticklab models' lists them).", default: Self.defaultModel, valueName: "name"),
        transform: ModelArgument.parse)
    var model = Self.defaultModel

    @Option(
        help: ArgumentHelp(
            "Where ticks come from: 'synthetic' (the embedded exchange), 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'.",
            default: Self.defaultFeed, valueName: "feed"), transform: FeedArgument.parse)
    var feed = Self.defaultFeed

    /// Nil when not given: `--load` sets the rate instead, and the two are refused together.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ticks per second, or 'max' to offer ticks as fast as the receiver takes them; not with --load.",
            default: Self.defaultRate, valueName: "rate"), transform: RateArgument.parse)
    var rate: RateArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Offered load instead of a rate: utilisation ρ = rate × proc-ms / 1000, so the rate is ρ × 1000 / proc-ms (at --proc-ms 4, --load 1 is 250 ticks/s). The record carries the load and the rate. Not with --rate, nor with --proc-ms 0 (use --rate there, up to max).",
            valueName: "ρ"), transform: LoadArgument.parse)
    var load: LoadArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "How long the exchange offers ticks: 20s, 500ms, 2m.", default: Self.defaultDuration, valueName: "duration"),
        transform: DurationArgument.parse)
    var duration = Self.defaultDuration

    @Option(
        name: .customLong("proc-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "CPU work per tick in the processor, in milliseconds (calibrated, never a sleep).",
            default: Self.defaultProcMs, valueName: "ms"), transform: MillisecondsArgument.parse)
    var procMs = Self.defaultProcMs

    @Option(
        name: .customLong("eval-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Time the evaluator spends per state, in milliseconds.", default: Self.defaultEvalMs, valueName: "ms"),
        transform: MillisecondsArgument.parse)
    var evalMs = Self.defaultEvalMs

    @Option(
        name: .customLong("eval-kind"),
        help: ArgumentHelp(
            "How the evaluator spends --eval-ms: 'wait' (a non-blocking wait, the seed's delay) or 'cpu' (calibrated CPU work).",
            valueName: "kind"))
    var evalKind: EvaluationKind = .wait

    @OptionGroup var market: MarketOptions

    @OptionGroup var clockAndWait: ClockAndWaitOptions

    @Option(help: ArgumentHelp("Write one CSV row per processed and per decided tick to this file.", valueName: "file"))
    var trace: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Replay speed of a lobster: feed: a multiplier of the recorded pace (default 1), or 'max' for as fast as the receiver takes ticks. The replay ends with the file or after --duration.",
            valueName: "speed"), transform: SpeedArgument.parse)
    var speed: SpeedArgument?

    @Flag(
        help:
            "Send an order for each buy or sell decision and wait for its acknowledgement: to the exchange with --feed tcp://, else to an in-process gateway (see --route-rtt-ms). Measures decided→acked."
    )
    var route = false

    @Option(
        name: .customLong("route-rtt-ms"), parsing: .unconditional,
        help: ArgumentHelp(
            "Round trip of the in-process gateway in milliseconds (default 1; needs --route; not with --feed tcp://, where the network's round trip counts).",
            valueName: "ms"), transform: MillisecondsArgument.parse)
    var routeRttMs: MillisecondsArgument?

    @Flag(help: "Print one JSON record (schema ticklab.run, see the README) instead of the table.")
    var json = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Nanoseconds per round of the work loop, used instead of measuring it at start-up: a sweep measures it once and gives it to every cell, so that all do the same work.",
            valueName: "ns"), transform: CalibrationArgument.parse)
    var calibration: Workload.Calibration?

    /// Given by `ticklab sweep` to its cells: the run dies with the sweep (see ParentProcessLink).
    @Option(name: .customLong("parent-pid"), help: .hidden)
    var parentPid: Int32?

    func validate() throws {
        let replaysRecording = if case .lobster = feed.source { true } else { false }
        if let speed, !replaysRecording {
            throw UsageMessage.invalid(
                "--speed", speed.description,
                allowed:
                    "with --feed \(feed): --speed applies to a lobster: feed only (the synthetic exchange's pace is --rate)"
            )
        }
        if let wait = clockAndWait.wait, ModelCatalog.model(named: model.name)?.tunables.waitStrategy == nil {
            throw UsageMessage.invalid(
                "--wait", wait.rawValue,
                allowed: "with --model \(model.name), which takes no wait strategy; "
                    + "models that take --wait: \(ModelCatalog.waitStrategyModels.joined(separator: ", "))")
        }
        _ = try orderRouting()
        _ = try offeredRate()
    }

    /// The synthetic exchange's rate (nil for `max`) and the load that set it: `--rate` (or its
    /// default) with no load, or the rate `--load` makes at `--proc-ms` with that load. The one
    /// place either option becomes the feed's rate: `validate()` checks it, `run()` uses it.
    func offeredRate() throws -> (ticksPerSecond: Double?, load: Double?) {
        guard let load else { return ((rate ?? Self.defaultRate).ticksPerSecond, nil) }
        func refused(_ allowed: String) -> ValidationError {
            UsageMessage.invalid("--load", load.description, allowed: allowed)
        }
        if let rate {
            throw refused(
                "together with --rate \(rate): a load sets the rate (load × 1000 / proc-ms); give --load or --rate, not both"
            )
        }
        if feed.source != .synthetic {
            throw refused("with --feed \(feed): a load sets the synthetic exchange's rate, and this feed has its own")
        }
        let ticksPerSecond: Double
        do {
            ticksPerSecond = try OfferedLoad.ticksPerSecond(
                utilisation: load.utilisation, processingMilliseconds: procMs.value)
        } catch {
            // The only LoadError left once the load and proc-ms have parsed: proc-ms 0.
            throw refused(error.description)
        }
        guard ticksPerSecond <= RateArgument.maximum else {
            throw refused(
                "with --proc-ms \(procMs): it makes a rate above 1e8 ticks per second, more than --rate allows")
        }
        return (ticksPerSecond, load.utilisation)
    }

    func run() throws {
        if let parentPid, ParentProcessLink.bind(to: parentPid) == .parentGone {
            throw CommandFailure(
                message: "the sweep that started this run (pid \(parentPid)) has ended; not running", code: 1)
        }
        if case .lobster(let messages) = feed.source {
            LobsterNote.warnIfNoOrderBook(messages: messages)
        }
        let offered = try offeredRate()
        let configuration = RunConfiguration(
            model: model.name,
            source: feed.source,
            feed: SyntheticFeed.Configuration(
                seed: market.seed, rate: offered.ticksPerSecond, duration: .nanoseconds(duration.nanoseconds),
                arrivals: market.arrivals, clock: clockAndWait.clock),
            procMs: procMs.value, evalMs: evalMs.value, evalKind: evalKind,
            waitStrategy: clockAndWait.wait ?? .standard, tracePath: trace, speed: speed.map(\.multiplier) ?? 1,
            route: try orderRouting(), load: offered.load)
        let interruption = Interruption()
        defer { interruption.cancel() }
        let progress =
            StandardError.isTerminal && !json
            ? ProgressLine(total: Double(duration.nanoseconds) / 1e9, label: "\(model.name) running") : nil
        let result: RunResult
        do {
            result = try LabRun.run(configuration, stop: interruption.stop, calibration: calibration)
        } catch LabRun.Failure.traceNotWritten(let error, let result) {
            // The measurement is whole: show it, then say loudly that the trace is lost.
            progress?.finish()
            try show(result)
            throw CommandFailure(
                message: "\(error.description) (the result above is complete; the trace is lost)",
                code: ExitStatus.writeFailed)
        } catch LabRun.Failure.lobsterInput(let input) {
            progress?.finish()
            throw CommandFailure(message: input.description, code: input.line == nil ? 66 : 65)
        } catch {
            progress?.finish()
            throw CommandFailure(message: String(describing: error), code: 1)
        }
        progress?.finish()
        try show(result)
        if let failure = result.feedFailure {
            let line =
                "the feed failed: \(failure.reason); \(RunTable.feedFailureTiming(failure)); the result is not a measurement of the whole run"
            if !result.selfCheck.passed {
                StandardError.write("ticklab: \(line)\n")
                throw ExitCode(1)
            }
            throw CommandFailure(message: line, code: ExitStatus.feedFailed)
        }
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

/// `--calibration`: nanoseconds per round of work. Bounded so that the largest request
/// (60 000 ms) is a round count an `Int` holds and no request is under a round by a factor of a
/// million; a round costs a few nanoseconds on any machine TickLab runs on.
enum CalibrationArgument {
    static let range = 0.001...1_000_000.0
    static let allowed = "nanoseconds per round of work: a number from 0.001 to 1000000 (a round costs about 2)"

    static func parse(_ text: String) throws -> Workload.Calibration {
        guard let value = Double(text), range.contains(value) else { throw UsageMessage.NotAllowed(allowed) }
        return Workload.Calibration(nanosPerRound: value)
    }
}

/// Exit statuses shared by the commands (besides 0, 1 for a failed check or run, 64 for usage
/// errors and 130 for Ctrl-C).
enum ExitStatus {
    /// A file the command writes (a trace, a results file, a report, standard output) could not
    /// be written: EX_IOERR of sysexits.h.
    static let writeFailed: Int32 = 74
    /// A run's feed failed for good before the run's end (the exchange said goodbye, or a lost
    /// connection never came back): EX_UNAVAILABLE of sysexits.h.
    static let feedFailed: Int32 = 69
}

/// A failure reported as one line and an exit code, without usage text.
struct CommandFailure: Error {
    var message: String
    var code: Int32
}
