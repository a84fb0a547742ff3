import Capacity
import Clocks
import Foundation
import MarketData
import Models
import OrderBook
import Pipeline
import Results

/// Runs one configuration end to end: calibrates the workload, builds the stages, lets the model
/// run them, checks the result against a sequential replay and computes the metrics.
public enum LabRun {
    public enum Failure: Error, CustomStringConvertible {
        case unknownModel(String)
        case trace(String)
        case model(String)
        case feed(String)
        /// The run completed but its `--trace` file could not be written: `result` is the
        /// run's result, whole; the trace is lost (and no partial file is left).
        case traceNotWritten(TraceWriter.WriteError, result: RunResult)
        /// A LOBSTER file that cannot be read (no line) or holds a bad row (its line): the
        /// command exits as `verify-lobster` does, 66 or 65.
        case lobsterInput(LobsterInputError)

        public var description: String {
            switch self {
            case .unknownModel(let name):
                "unknown model '\(name)' (models: \(ModelCatalog.names.joined(separator: ", ")))"
            case .trace(let message): message
            case .model(let message): "the model failed: \(message)"
            case .feed(let message): message
            case .traceNotWritten(let error, _): error.description
            case .lobsterInput(let error): error.description
            }
        }
    }

    /// Time between building the stages and the first scheduled arrival, so that every thread
    /// is up before the first tick is due.
    static let startLead: Duration = .milliseconds(20)

    /// After the start lead, how long the run waits with nothing due before the first scheduled
    /// arrival: the stretch in which the idle burn is measured (``RunResult/Cost/IdleBurn``).
    static let idleStretch: Duration = .milliseconds(200)

    /// Runs `configuration`; blocks the calling thread for the run's duration plus the drain.
    /// - Parameters:
    ///   - stop: request it (Ctrl-C) to end the feed early; the run drains and returns a result
    ///     marked interrupted.
    ///   - calibration: measured by the run when nil (the record says `.measured`); given, the
    ///     run uses it as it is (`.given`), as a sweep hands one calibration to every cell.
    /// - Throws: `Failure.traceNotWritten`, carrying the whole result, when the run finished but
    ///   its trace could not be written; other `Failure`s when there is no result.
    public static func run(
        _ configuration: RunConfiguration, stop: StopSignal = StopSignal(),
        calibration: Workload.Calibration? = nil
    ) throws -> RunResult {
        guard let model = ModelCatalog.model(named: configuration.model) else {
            throw Failure.unknownModel(configuration.model)
        }
        return try run(configuration, model: model, stop: stop, calibration: calibration)
    }

    /// Runs `configuration` with a model that need not be in the catalogue (tests use this to
    /// show that the self-check catches a broken model).
    public static func run(
        _ configuration: RunConfiguration, model: any ConcurrencyModel, stop: StopSignal = StopSignal(),
        calibration: Workload.Calibration? = nil
    ) throws -> RunResult {
        // The settings only some models take reach the models that declare them.
        let model = model.tuned(ModelTunables(waitStrategy: configuration.waitStrategy))
        let calibrationSource: RunResult.CalibrationSource = calibration == nil ? .measured : .given
        let calibration = calibration ?? Workload.Calibration.measure()
        let trace: TraceWriter?
        do {
            trace = try configuration.tracePath.map { try TraceWriter(path: $0) }
        } catch {
            throw Failure.trace(String(describing: error))
        }
        // A run that ends by an error has no trace worth keeping; a finished one closes it below.
        defer { trace?.discard() }

        // Reading a recording takes a while: before the clock starts.
        let preparedFeed = try FeedFactory.prepare(configuration)
        let startedAt = Date()
        let processCPU0 = ThreadCPUClock.process()
        // A feed with a schedule waits for its first arrival through an idle stretch; a tcp://
        // feed's ticks come when the exchange sends them, so it has none.
        let hasIdleStretch: Bool
        if case .tcp = configuration.source { hasIdleStretch = false } else { hasIdleStretch = true }
        let threadsUp = MonotonicInstant.now() + startLead
        let start = hasIdleStretch ? threadsUp + idleStretch : threadsUp
        let feed = try preparedFeed.feed(start)
        let windowEnd = feed.scheduleEnd ?? start + configuration.feed.duration
        let route = configuration.route?.makeRoute()
        defer { route?.close() }
        let stages = PipelineStages(
            receiver: ReceiverStage(feed: feed, stop: stop, batchLimit: model.receiveBatchLimit),
            processor: ProcessorStage(
                work: Workload(requested: duration(milliseconds: configuration.procMs), calibration: calibration),
                stop: stop, windowEnd: windowEnd, trace: trace),
            evaluator: EvaluatorStage(
                kind: configuration.evalKind,
                work: Workload(requested: duration(milliseconds: configuration.evalMs), calibration: calibration),
                trace: trace, route: route))
        let outcome: ModelRun
        // Outside load is read around the model's run: its threads' start, the window and the drain.
        let noiseWindow = NoiseWindow.open()
        let probe = CostProbe(
            CostProbe.Plan(
                idle: hasIdleStretch ? threadsUp.nanoseconds..<start.nanoseconds : nil, windowStart: start.nanoseconds))
        do {
            outcome = try model.run(stages, options: ModelOptions(queueCapacity: configuration.queueCapacity))
        } catch {
            _ = probe.finish()
            throw Failure.model(String(describing: error))
        }
        let processUsage = ThreadUsage.process()
        let probed = probe.finish()
        let noise = noiseWindow?.close()
        // A run that drained before its window closed (a recording replayed as fast as
        // possible) closes the window when it ends; the synthetic exchange's window is fixed.
        let drained = configuration.source == .synthetic ? UInt64.max : MonotonicClock.now()
        let processCPU = Double(ThreadCPUClock.process() &- processCPU0) / 1e9
        var result = summarize(
            configuration, tunables: model.tunables, outcome: outcome, start: start.nanoseconds,
            end: min(windowEnd.nanoseconds, stop.instant?.nanoseconds ?? .max, drained),
            plannedEnd: windowEnd.nanoseconds,
            interrupted: stop.isRequested, startedAt: startedAt, processCPU: processCPU,
            calibration: calibration)
        result.workload.calibrationSource = calibrationSource
        result.noise = noise
        result.cost = cost(
            probed, processUsage: processUsage, stages: outcome.usage,
            processed: outcome.stages.processor.metrics.processed)
        do {
            try trace?.close()
        } catch {
            throw Failure.traceNotWritten(error, result: result)
        }
        return result
    }

    /// A setting in milliseconds (`--proc-ms`, `--eval-ms`) as a span of whole nanoseconds.
    static func duration(milliseconds millis: Double) -> Duration { .nanoseconds(UInt64((millis * 1e6).rounded())) }

    /// CPU microseconds per processed tick: the process's and each figure of a stage that has
    /// one (a stage on its own thread, or the stages that share threads together); nil when no
    /// tick was processed.
    static func cpuPerTick(_ cpu: RunResult.CPU, processed: UInt64) -> RunResult.CPUPerTick? {
        guard processed > 0 else { return nil }
        func micros(_ seconds: Double) -> Double { seconds * 1e6 / Double(processed) }
        return RunResult.CPUPerTick(
            processMicros: micros(cpu.process), receiverMicros: cpu.receiver.map(micros),
            processorMicros: cpu.processor.map(micros), evaluatorMicros: cpu.evaluator.map(micros),
            sharedMicros: cpu.shared.map(micros))
    }

    /// The run's cost record: the process's usage from the window's start less the probe's own,
    /// each stage's thread (or the shared threads') as the model measured it, the threads and
    /// the idle burn the probe saw.
    static func cost(
        _ probed: CostProbe.Findings, processUsage: ThreadUsage, stages: StageUsage, processed: UInt64
    ) -> RunResult.Cost {
        func usage(_ u: ThreadUsage) -> RunResult.Cost.Usage {
            RunResult.Cost.Usage(
                voluntaryContextSwitches: u.voluntaryContextSwitches,
                involuntaryContextSwitches: u.involuntaryContextSwitches, allocations: u.allocations,
                processedTicks: processed)
        }
        let process = processUsage.since(probed.processAtWindowStart).since(probed.probeSinceWindowStart)
        return RunResult.Cost(
            process: usage(process), receiver: stages.receiver.map(usage), processor: stages.processor.map(usage),
            evaluator: stages.evaluator.map(usage), shared: stages.shared.map(usage),
            threads: .init(
                peak: probed.peakThreads, created: probed.createdThreads, ranStageWork: stages.workerThreads,
                sampleIntervalMilliseconds: probed.sampleIntervalMilliseconds),
            idle: probed.idle, allocationsUnavailable: AllocationCounter.unavailableReason)
    }

    /// - Parameter tunables: the model's, as it ran: the record carries the settings it takes.
    static func summarize(
        _ configuration: RunConfiguration, tunables: ModelTunables, outcome: ModelRun,
        start: UInt64, end: UInt64, plannedEnd: UInt64? = nil,
        interrupted: Bool, startedAt: Date, processCPU: Double,
        calibration: Workload.Calibration
    ) -> RunResult {
        let receiver = outcome.stages.receiver.metrics
        let processor = outcome.stages.processor.metrics
        let evaluator = outcome.stages.evaluator.metrics
        // A stop requested before the first scheduled arrival ends an empty window, not a negative one.
        let end = max(end, start)
        let seconds = Double(max(end, start + 1) - start) / 1e9
        let offered =
            (configuration.source == .synthetic
                ? SyntheticFeed.scheduledCount(configuration.feed, by: .nanoseconds(end - start)) : nil)
            ?? receiver.received
        let backlog = offered > processor.processedInWindow ? offered - processor.processedInWindow : 0
        let offeredRate = Double(offered) / seconds
        let throughput = Double(processor.processedInWindow) / seconds
        // A feed that failed measured only part of the window: not kept up, whatever the figures.
        let feedFailure = outcome.stages.receiver.feed.failure.map { failure in
            let lastData = failure.lastDataAt.map { $0.nanoseconds > start ? $0.nanoseconds - start : 0 }
            let windowLength = (plannedEnd ?? end) > start ? (plannedEnd ?? end) - start : 0
            return RunResult.FeedFailure(
                reason: failure.reason, lastDataAt: lastData.map { Double($0) / 1e9 },
                secondsWithoutData: Double(windowLength - min(lastData ?? 0, windowLength)) / 1e9)
        }
        let keptUp = feedFailure == nil && throughput >= 0.98 * offeredRate && backlog <= max(2, offered / 100)

        // The self-check: every received tick processed once and in order, the drain complete,
        // and the book equal to a sequential replay of the same feed.
        var failures: [String] = []
        // Ticks abandoned after a stop request were taken in order too, only not worked through.
        let taken = processor.processed &+ processor.abandoned
        if taken != receiver.received {
            failures.append(
                "received \(receiver.received) ticks but processed \(processor.processed)"
                    + (processor.abandoned > 0 ? " (and abandoned \(processor.abandoned))" : ""))
        }
        if let (expected, got) = processor.firstSequenceBreak {
            failures.append(
                "\(processor.sequenceBreaks) sequence break(s); the first: expected tick \(expected), got \(got)")
        }
        if outcome.stages.evaluator.lastSequence != taken {
            failures.append(
                "the evaluator's last state is tick \(outcome.stages.evaluator.lastSequence), "
                    + "the processor's is \(taken): the slot did not drain")
        }
        let book = outcome.stages.processor.book
        let feedUsed = outcome.stages.receiver.feed
        let replay = feedUsed.referenceBook(afterTicks: receiver.received)
        if let replay, !book.hasSameLevels(as: replay) {
            failures.append(
                "the final book (checksum \(hex(book.checksum))) differs from a sequential replay "
                    + "of the same \(receiver.received) ticks (checksum \(hex(replay.checksum)))")
        } else if replay == nil {
            failures.append("the feed could not provide a reference book to check the final book against")
        }
        if let checked = feedUsed as? any SelfCheckingFeed { failures += checked.selfCheckFailures }
        let routed = outcome.stages.evaluator.route
        let decisions = evaluator.decisions.orders
        if routed != nil, evaluator.routing.orders != decisions {
            failures.append(
                "\(decisions) buy or sell decisions but \(evaluator.routing.orders) orders sent: "
                    + "the model must send the order whenever the evaluator's step is sendOrder")
        }

        let feed = configuration.feed
        let waitKind = configuration.evalKind == .wait
        let cpuSeconds = RunResult.CPU(
            receiver: outcome.cpu.receiver, processor: outcome.cpu.processor,
            evaluator: outcome.cpu.evaluator, shared: outcome.cpu.shared,
            sharedBy: outcome.cpu.sharedBy, process: processCPU)
        return RunResult(
            startedAt: ISO8601DateFormatter().string(from: startedAt),
            configuration: .init(
                model: configuration.model, feed: configuration.source.description, rate: feed.rate,
                durationSeconds: Double(feed.duration.saturatingNanoseconds) / 1e9, arrivals: feed.arrivals.rawValue,
                clock: feed.clock.rawValue, seed: feed.seed, procMs: configuration.procMs,
                evalMs: configuration.evalMs, evalKind: configuration.evalKind.rawValue,
                waitStrategy: tunables.waitStrategy?.rawValue,
                route: configuration.route?.description, routeRttMs: configuration.route?.roundTripMs,
                load: configuration.load),
            interrupted: interrupted,
            window: .init(seconds: seconds, offeredRate: offeredRate, throughput: throughput, keptUp: keptUp),
            ticks: .init(
                offered: offered, received: receiver.received, processed: processor.processed,
                processedInWindow: processor.processedInWindow, backlogAtEnd: backlog,
                rejectedDeltas: processor.rejectedDeltas, abandoned: interrupted ? processor.abandoned : nil),
            evaluator: .init(
                evaluations: evaluator.evaluations, conflatedStates: evaluator.conflated,
                buy: evaluator.decisions.buy, sell: evaluator.decisions.sell, hold: evaluator.decisions.hold,
                decisions: evaluator.decisions.orders),
            latency: .init(
                endToEnd: evaluator.endToEnd.summary, reaction: evaluator.reaction.summary,
                processing: processor.processing.summary),
            segments: .init(
                arrivalToReceived: receiver.arrivalToReceived.summary,
                receivedToProcessed: processor.receivedToProcessed.summary,
                processedToPicked: evaluator.processedToPicked.summary,
                pickedToDecided: evaluator.pickedToDecided.summary,
                decidedToAcked: routed == nil ? nil : evaluator.routing.decidedToAcked.summary),
            queue: .init(peak: receiver.depth.peak, mean: receiver.depth.mean, atEnd: receiver.depth.last),
            cpuSeconds: cpuSeconds,
            workload: .init(
                calibrationNanosPerRound: calibration.nanosPerRound,
                procRequestedMs: configuration.procMs, procMeasuredMs: processor.work.meanMillis,
                evalRequestedMs: configuration.evalMs,
                evalMeasuredMs: waitKind
                    ? (configuration.evalMs > 0 && evaluator.pickedToDecided.count > 0
                        ? evaluator.pickedToDecided.summary.mean : nil)
                    : evaluator.work.meanMillis,
                evalMeasuredAs: waitKind ? "wall" : "cpu"),
            selfCheck: .init(
                passed: failures.isEmpty, failures: failures,
                bookChecksum: hex(book.checksum), replayChecksum: replay.map { hex($0.checksum) } ?? "none"),
            feedCounters: feedUsed.counters.isEmpty ? nil : feedUsed.counters,
            routing: routed.map { route in
                .init(
                    destination: route.name, orders: evaluator.routing.orders, accepted: evaluator.routing.accepted,
                    rejected: evaluator.routing.rejected, failed: evaluator.routing.failed,
                    firstProblem: evaluator.routing.firstProblem, counters: route.counters)
            },
            feedFailure: feedFailure, cpuPerTick: cpuPerTick(cpuSeconds, processed: processor.processed),
            processingSpectrum: RunResult.Spectrum(processor.processing.recorder.spectrum()),
            timeline: RunResult.Timeline(processor.processing.timeline, windowStart: start))
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
