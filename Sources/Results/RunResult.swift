import Capacity
import Pipeline

/// The record of one run: what `ticklab run --json` prints and what a sweep stores, one per
/// line, in `results.jsonl`. Its schema is documented in the README; a change that removes or
/// renames a field bumps ``currentSchemaVersion``.
public struct RunResult: Sendable, Hashable, Codable {
    public static let schemaName = "ticklab.run"
    /// 2: ``cost`` (context switches, allocations, threads, idle burn), optional so that
    /// version 1 records still decode. 3: ``processingSpectrum`` and ``timeline``, optional too.
    public static let currentSchemaVersion = 3

    public var schema: String = RunResult.schemaName
    public var schemaVersion: Int = RunResult.currentSchemaVersion
    public var ticklabVersion: String = TickLabVersion.string
    /// When the run started, ISO 8601 UTC.
    public var startedAt: String
    public var configuration: Parameters
    /// Ctrl-C ended the run early: the figures cover the part that ran.
    public var interrupted: Bool
    public var window: Window
    public var ticks: Ticks
    public var evaluator: Evaluator
    /// Milliseconds, measured from the scheduled arrival.
    public var latency: Latencies
    /// Milliseconds; the four segments add up to end-to-end for each evaluated tick.
    public var segments: Segments
    public var queue: Queue
    public var cpuSeconds: CPU
    public var workload: WorkloadAccuracy
    public var selfCheck: SelfCheck
    /// Counters of non-synthetic feeds (gaps, snapshots, reconnects, bytes, …); nil when none.
    public var feedCounters: [String: UInt64]?
    /// Orders and acknowledgements with `--route`; nil without it.
    public var routing: Routing? = nil
    /// The feed's source failed for good before the end of the run (the exchange said goodbye,
    /// or a lost connection never came back); nil when it did not. Such a run is not kept up.
    public var feedFailure: FeedFailure? = nil
    /// CPU per processed tick, process and per stage where a stage owns a thread; nil in records
    /// written before it was measured, or when nothing was processed.
    public var cpuPerTick: CPUPerTick? = nil
    /// The CPU that other processes and the hypervisor took from the machine during the run's
    /// window (from /proc/stat); nil where /proc/stat cannot be read.
    public var noise: NoiseAccount? = nil
    /// A sweep ran this cell again because this run was noisy (`--rerun-noisy`): the record is
    /// kept for the record, and the report and resume use the run that replaced it.
    public var supersededByRerun: Bool? = nil
    /// What the model cost besides CPU per tick: context switches, heap allocations, threads and
    /// the CPU it burns while nothing is due; nil in records written before schema 2.
    public var cost: Cost? = nil
    /// The processing latency at percentiles from p50 to p99.99; nil in records written before
    /// schema 3, or when nothing was processed.
    public var processingSpectrum: Spectrum? = nil
    /// Processing latency and receiver lag per interval of the run; nil in records written
    /// before schema 3, or when nothing was processed.
    public var timeline: Timeline? = nil

    /// What a run cost: per stage where a stage owns a thread, and for the process.
    public struct Cost: Sendable, Hashable, Codable {
        /// The whole process from the window's start (the first scheduled arrival) to the end of
        /// the drain, less the thread that measures it.
        public var process: Usage
        /// A stage's own thread over its whole life (start-up, the idle stretch, the window, the
        /// drain); nil where stages share threads.
        public var receiver: Usage?
        public var processor: Usage?
        public var evaluator: Usage?
        /// The threads stages share (the event loop's; the process's for a pool), over the
        /// model's run.
        public var shared: Usage?
        public var threads: Threads
        /// CPU burnt in the idle stretch before the first tick; nil where the run has none (a
        /// `tcp://` feed's ticks come when the exchange sends them) or was stopped in it.
        public var idle: IdleBurn?
        /// Why allocations are not counted (e.g. a ThreadSanitizer build); nil when they are.
        public var allocationsUnavailable: String?

        public init(
            process: Usage, receiver: Usage? = nil, processor: Usage? = nil, evaluator: Usage? = nil,
            shared: Usage? = nil, threads: Threads, idle: IdleBurn? = nil, allocationsUnavailable: String? = nil
        ) {
            self.process = process
            self.receiver = receiver
            self.processor = processor
            self.evaluator = evaluator
            self.shared = shared
            self.threads = threads
            self.idle = idle
            self.allocationsUnavailable = allocationsUnavailable
        }

        /// Context switches and heap allocations, in all and per processed tick (nil per tick
        /// when no tick was processed; allocations nil where not counted).
        public struct Usage: Sendable, Hashable, Codable {
            public var voluntaryContextSwitches: UInt64
            public var involuntaryContextSwitches: UInt64
            public var allocations: UInt64?
            public var voluntaryContextSwitchesPerTick: Double?
            public var involuntaryContextSwitchesPerTick: Double?
            public var allocationsPerTick: Double?

            public init(
                voluntaryContextSwitches: UInt64, involuntaryContextSwitches: UInt64, allocations: UInt64? = nil,
                processedTicks: UInt64
            ) {
                self.voluntaryContextSwitches = voluntaryContextSwitches
                self.involuntaryContextSwitches = involuntaryContextSwitches
                self.allocations = allocations
                let ticks = processedTicks > 0 ? Double(processedTicks) : nil
                voluntaryContextSwitchesPerTick = ticks.map { Double(voluntaryContextSwitches) / $0 }
                involuntaryContextSwitchesPerTick = ticks.map { Double(involuntaryContextSwitches) / $0 }
                allocationsPerTick = ticks.flatMap { ticks in allocations.map { Double($0) / ticks } }
            }

            /// Voluntary and involuntary together, per processed tick.
            public var contextSwitchesPerTick: Double? {
                guard let v = voluntaryContextSwitchesPerTick, let i = involuntaryContextSwitchesPerTick else {
                    return nil
                }
                return v + i
            }
        }

        /// The process's threads, sampled from /proc/self/task (the sampling thread itself not
        /// counted): a thread that lived between two samples is missed.
        public struct Threads: Sendable, Hashable, Codable {
            /// Most threads alive at once.
            public var peak: Int
            /// Threads that were not there before the model started.
            public var created: Int
            /// Distinct OS threads that ran stage work (a pool's real width); nil where each
            /// stage owns a thread by construction.
            public var ranStageWork: Int?
            public var sampleIntervalMilliseconds: Double

            public init(peak: Int, created: Int, ranStageWork: Int? = nil, sampleIntervalMilliseconds: Double) {
                self.peak = peak
                self.created = created
                self.ranStageWork = ranStageWork
                self.sampleIntervalMilliseconds = sampleIntervalMilliseconds
            }
        }

        /// The CPU the process spends while nothing is due: a spinning thread shows about one
        /// core, a parked one about none.
        public struct IdleBurn: Sendable, Hashable, Codable {
            /// How long the stretch lasted.
            public var seconds: Double
            /// Process CPU in it, less the measuring thread's.
            public var cpuSeconds: Double
            /// `cpuSeconds` ÷ `seconds`: CPU seconds per second, i.e. cores burnt.
            public var cores: Double

            public init(seconds: Double, cpuSeconds: Double) {
                self.seconds = seconds
                self.cpuSeconds = cpuSeconds
                cores = seconds > 0 ? cpuSeconds / seconds : 0
            }
        }
    }

    /// CPU microseconds per processed tick.
    public struct CPUPerTick: Sendable, Hashable, Codable {
        /// The whole process's CPU ÷ ticks processed in all (calibration excluded).
        public var processMicros: Double
        public var receiverMicros: Double?
        public var processorMicros: Double?
        public var evaluatorMicros: Double?
        /// Stages that share threads: their CPU together, per tick.
        public var sharedMicros: Double?

        public init(
            processMicros: Double, receiverMicros: Double? = nil, processorMicros: Double? = nil,
            evaluatorMicros: Double? = nil, sharedMicros: Double? = nil
        ) {
            self.processMicros = processMicros
            self.receiverMicros = receiverMicros
            self.processorMicros = processorMicros
            self.evaluatorMicros = evaluatorMicros
            self.sharedMicros = sharedMicros
        }
    }

    /// The run's parameters, flat, as a sweep varies them.
    public struct Parameters: Sendable, Hashable, Codable {
        public var model: String
        public var feed: String
        /// Ticks per second; nil in saturation (`--rate max`).
        public var rate: Double?
        /// Offered load ρ = rate × proc-ms / 1000 when the run was asked for a load (`--load`),
        /// which set `rate`; nil when it was given a rate.
        public var load: Double? = nil
        public var durationSeconds: Double
        public var arrivals: String
        public var clock: String
        public var seed: UInt64
        public var procMs: Double
        public var evalMs: Double
        public var evalKind: String
        public var waitStrategy: String?
        /// Where decisions went as orders (`--route`): "gateway 1 ms", "exchange tcp://…".
        public var route: String? = nil
        /// The in-process gateway's simulated round trip, ms (nil for the exchange or no route).
        public var routeRttMs: Double? = nil

        public init(
            model: String, feed: String, rate: Double? = nil, durationSeconds: Double, arrivals: String, clock: String,
            seed: UInt64, procMs: Double, evalMs: Double, evalKind: String, waitStrategy: String? = nil,
            route: String? = nil, routeRttMs: Double? = nil, load: Double? = nil
        ) {
            self.model = model
            self.feed = feed
            self.rate = rate
            self.load = load
            self.durationSeconds = durationSeconds
            self.arrivals = arrivals
            self.clock = clock
            self.seed = seed
            self.procMs = procMs
            self.evalMs = evalMs
            self.evalKind = evalKind
            self.waitStrategy = waitStrategy
            self.route = route
            self.routeRttMs = routeRttMs
        }
    }

    public struct Window: Sendable, Hashable, Codable {
        /// Length of the measurement window: from the first scheduled arrival to the end of the
        /// schedule (or the stop request).
        public var seconds: Double
        /// Ticks the feed scheduled per second in the window.
        public var offeredRate: Double
        /// Ticks processed per second inside the window.
        public var throughput: Double
        /// Throughput ≥ 98% of offered and at most max(2, 1% of the window's ticks) waiting at
        /// the end of the window.
        public var keptUp: Bool

        public init(seconds: Double, offeredRate: Double, throughput: Double, keptUp: Bool) {
            self.seconds = seconds
            self.offeredRate = offeredRate
            self.throughput = throughput
            self.keptUp = keptUp
        }
    }

    public struct Ticks: Sendable, Hashable, Codable {
        /// Scheduled in the window.
        public var offered: UInt64
        public var received: UInt64
        public var processed: UInt64
        public var processedInWindow: UInt64
        /// Scheduled but not yet processed when the window closed.
        public var backlogAtEnd: UInt64
        /// Deltas the order book refused (counted, not fatal).
        public var rejectedDeltas: UInt64
        /// Received but not worked through because a stop request (Ctrl-C) came first: applied to
        /// the book, not to the figures. Present when the run was interrupted.
        public var abandoned: UInt64? = nil

        public init(
            offered: UInt64, received: UInt64, processed: UInt64, processedInWindow: UInt64, backlogAtEnd: UInt64,
            rejectedDeltas: UInt64, abandoned: UInt64? = nil
        ) {
            self.offered = offered
            self.received = received
            self.processed = processed
            self.processedInWindow = processedInWindow
            self.backlogAtEnd = backlogAtEnd
            self.rejectedDeltas = rejectedDeltas
            self.abandoned = abandoned
        }
    }

    public struct Evaluator: Sendable, Hashable, Codable {
        public var evaluations: UInt64
        /// States overwritten before the evaluator read them.
        public var conflatedStates: UInt64
        public var buy: UInt64
        public var sell: UInt64
        public var hold: UInt64
        /// Buy and sell decisions (the ones that would become orders).
        public var decisions: UInt64

        public init(
            evaluations: UInt64, conflatedStates: UInt64, buy: UInt64, sell: UInt64, hold: UInt64, decisions: UInt64
        ) {
            self.evaluations = evaluations
            self.conflatedStates = conflatedStates
            self.buy = buy
            self.sell = sell
            self.hold = hold
            self.decisions = decisions
        }
    }

    public struct Latencies: Sendable, Hashable, Codable {
        /// Tick to decision: decided − arrival, per evaluated tick.
        public var endToEnd: LatencySummary
        /// Tick to pick-up: picked − arrival, per evaluated tick.
        public var reaction: LatencySummary
        /// processed − arrival, per tick.
        public var processing: LatencySummary

        public init(endToEnd: LatencySummary, reaction: LatencySummary, processing: LatencySummary) {
            self.endToEnd = endToEnd
            self.reaction = reaction
            self.processing = processing
        }
    }

    public struct Segments: Sendable, Hashable, Codable {
        /// Receiver lag, per tick.
        public var arrivalToReceived: LatencySummary
        /// Queue wait and work, per tick.
        public var receivedToProcessed: LatencySummary
        /// Slot wait, per evaluated tick.
        public var processedToPicked: LatencySummary
        /// Evaluation, per evaluated tick.
        public var pickedToDecided: LatencySummary
        /// Routing, per order sent (`--route`): from the decision to its acknowledgement. Not
        /// part of end-to-end (which ends at the decision).
        public var decidedToAcked: LatencySummary? = nil

        public init(
            arrivalToReceived: LatencySummary, receivedToProcessed: LatencySummary, processedToPicked: LatencySummary,
            pickedToDecided: LatencySummary, decidedToAcked: LatencySummary? = nil
        ) {
            self.arrivalToReceived = arrivalToReceived
            self.receivedToProcessed = receivedToProcessed
            self.processedToPicked = processedToPicked
            self.pickedToDecided = pickedToDecided
            self.decidedToAcked = decidedToAcked
        }
    }

    public struct Queue: Sendable, Hashable, Codable {
        /// Inbound queue depth sampled at every enqueue (the tick just put in counts).
        public var peak: Int
        public var mean: Double
        /// Depth at the last enqueue of the run.
        public var atEnd: Int

        public init(peak: Int, mean: Double, atEnd: Int) {
            self.peak = peak
            self.mean = mean
            self.atEnd = atEnd
        }
    }

    public struct CPU: Sendable, Hashable, Codable {
        public var receiver: Double?
        public var processor: Double?
        public var evaluator: Double?
        /// Where stages share threads: their total, and which threads.
        public var shared: Double?
        public var sharedBy: String?
        /// The whole process, calibration excluded.
        public var process: Double

        public init(
            receiver: Double? = nil, processor: Double? = nil, evaluator: Double? = nil, shared: Double? = nil,
            sharedBy: String? = nil, process: Double
        ) {
            self.receiver = receiver
            self.processor = processor
            self.evaluator = evaluator
            self.shared = shared
            self.sharedBy = sharedBy
            self.process = process
        }
    }

    public struct WorkloadAccuracy: Sendable, Hashable, Codable {
        /// Nanoseconds per round of work: measured at start-up, or handed over by a sweep.
        public var calibrationNanosPerRound: Double
        /// Where the calibration came from; nil in records written before it was said.
        public var calibrationSource: CalibrationSource? = nil
        public var procRequestedMs: Double
        /// Mean thread CPU per tick of processor work; nil when no work ran.
        public var procMeasuredMs: Double?
        public var evalRequestedMs: Double
        /// Mean thread CPU per evaluation (`cpu` kind) or mean wall time of the wait (`wait`).
        public var evalMeasuredMs: Double?
        /// "cpu" or "wall".
        public var evalMeasuredAs: String

        public init(
            calibrationNanosPerRound: Double, procRequestedMs: Double, procMeasuredMs: Double? = nil,
            evalRequestedMs: Double, evalMeasuredMs: Double? = nil, evalMeasuredAs: String,
            calibrationSource: CalibrationSource? = nil
        ) {
            self.calibrationNanosPerRound = calibrationNanosPerRound
            self.calibrationSource = calibrationSource
            self.procRequestedMs = procRequestedMs
            self.procMeasuredMs = procMeasuredMs
            self.evalRequestedMs = evalRequestedMs
            self.evalMeasuredMs = evalMeasuredMs
            self.evalMeasuredAs = evalMeasuredAs
        }
    }

    /// How a run came by its calibration.
    public enum CalibrationSource: String, Sendable, Hashable, Codable {
        /// The run measured it at start-up.
        case measured
        /// It was given (`run --calibration`), as a sweep hands one calibration to every cell.
        case given
    }

    public struct Routing: Sendable, Hashable, Codable {
        /// "in-process gateway, round trip 1 ms" or "exchange tcp://127.0.0.1:9000".
        public var destination: String
        /// One order per buy or sell decision; accepted + rejected + failed = orders.
        public var orders: UInt64
        public var accepted: UInt64
        public var rejected: UInt64
        /// Orders that got no answer (connection lost, timeout).
        public var failed: UInt64
        /// The first rejection or failure, if any.
        public var firstProblem: String?
        /// The route's own counters (connections, timeouts, …).
        public var counters: [String: UInt64]

        public init(
            destination: String, orders: UInt64, accepted: UInt64, rejected: UInt64, failed: UInt64,
            firstProblem: String? = nil, counters: [String: UInt64]
        ) {
            self.destination = destination
            self.orders = orders
            self.accepted = accepted
            self.rejected = rejected
            self.failed = failed
            self.firstProblem = firstProblem
            self.counters = counters
        }
    }

    public struct FeedFailure: Sendable, Hashable, Codable {
        /// What happened, one sentence.
        public var reason: String
        /// When data last came, in seconds from the start of the window; nil if it never came.
        public var lastDataAt: Double?
        /// From the last data (or the window's start) to the end of the window the run asked for.
        public var secondsWithoutData: Double

        public init(reason: String, lastDataAt: Double?, secondsWithoutData: Double) {
            self.reason = reason
            self.lastDataAt = lastDataAt
            self.secondsWithoutData = secondsWithoutData
        }
    }

    public struct SelfCheck: Sendable, Hashable, Codable {
        public var passed: Bool
        /// What broke, one sentence each; empty when passed.
        public var failures: [String]
        public var bookChecksum: String
        public var replayChecksum: String

        public init(passed: Bool, failures: [String], bookChecksum: String, replayChecksum: String) {
            self.passed = passed
            self.failures = failures
            self.bookChecksum = bookChecksum
            self.replayChecksum = replayChecksum
        }
    }

    public init(
        schema: String = RunResult.schemaName, schemaVersion: Int = RunResult.currentSchemaVersion,
        ticklabVersion: String = TickLabVersion.string, startedAt: String, configuration: Parameters, interrupted: Bool,
        window: Window, ticks: Ticks, evaluator: Evaluator, latency: Latencies, segments: Segments, queue: Queue,
        cpuSeconds: CPU, workload: WorkloadAccuracy, selfCheck: SelfCheck, feedCounters: [String: UInt64]? = nil,
        routing: Routing? = nil, feedFailure: FeedFailure? = nil, cpuPerTick: CPUPerTick? = nil,
        noise: NoiseAccount? = nil, supersededByRerun: Bool? = nil, cost: Cost? = nil,
        processingSpectrum: Spectrum? = nil, timeline: Timeline? = nil
    ) {
        self.schema = schema
        self.schemaVersion = schemaVersion
        self.ticklabVersion = ticklabVersion
        self.startedAt = startedAt
        self.configuration = configuration
        self.interrupted = interrupted
        self.window = window
        self.ticks = ticks
        self.evaluator = evaluator
        self.latency = latency
        self.segments = segments
        self.queue = queue
        self.cpuSeconds = cpuSeconds
        self.workload = workload
        self.selfCheck = selfCheck
        self.feedCounters = feedCounters
        self.routing = routing
        self.feedFailure = feedFailure
        self.cpuPerTick = cpuPerTick
        self.noise = noise
        self.supersededByRerun = supersededByRerun
        self.cost = cost
        self.processingSpectrum = processingSpectrum
        self.timeline = timeline
    }
}

/// The version of TickLab that wrote a result.
public enum TickLabVersion {
    public static let string = "0.1.0"
}
