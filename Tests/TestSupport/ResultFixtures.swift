import Foundation
import Models
import Pipeline
import Results

/// Builders of result records with known figures, so the tests can check that the CSV, the
/// charts and the findings carry exactly those figures.
public enum Fixture {
    public static func summary(mean: Double, p99: Double? = nil, count: UInt64 = 100) -> LatencySummary {
        LatencySummary(
            count: count, mean: mean, p50: mean * 0.9, p90: mean * 1.5, p99: p99 ?? mean * 3,
            p999: (p99 ?? mean * 3) * 1.2, max: (p99 ?? mean * 3) * 1.5)
    }

    public static func parameters(
        model: String, rate: Double? = 200, procMs: Double, evalMs: Double, evalKind: String = "wait",
        duration: Double = 5, seed: UInt64 = 1
    ) -> RunResult.Parameters {
        RunResult.Parameters(
            model: model, feed: "synthetic", rate: rate, durationSeconds: duration, arrivals: "uniform",
            clock: "exchange", seed: seed, procMs: procMs, evalMs: evalMs, evalKind: evalKind,
            waitStrategy: ModelCatalog.waitStrategyModels.contains(model) ? "yield" : nil)
    }

    /// A result whose figures follow from its parameters: `event-loop` falls behind at proc 5 ms
    /// (its receiver lags), `threads` keeps up everywhere.
    public static func result(
        model: String, rate: Double? = 200, procMs: Double, evalMs: Double, evalKind: String = "wait",
        duration: Double = 5, seed: UInt64 = 1, jitter: Double = 0, selfCheckPassed: Bool = true,
        interrupted: Bool = false
    ) -> RunResult {
        let loop = model == "event-loop"
        let heavy = loop && procMs >= 5
        let offered = rate ?? 0
        let throughput =
            rate == nil
            ? (loop ? 150_000 : 410_000) + jitter * 1_000
            : heavy ? (evalMs >= 50 ? 120.25 : 150.5) + jitter : offered - 0.25 + jitter
        let lag = heavy ? 400.0 + evalMs + jitter : 0.05
        let work = procMs + 0.125
        let pick = 0.2
        let e2e = lag + work + pick + evalMs
        let seconds = duration
        let processed = UInt64((throughput * seconds).rounded())
        let offeredTicks = rate == nil ? processed : UInt64(offered * seconds)
        let backlog = offeredTicks > processed ? offeredTicks - processed : 0
        let cpuShared: Double? = loop ? procMs * throughput * seconds / 1000 + 0.01 : nil
        return RunResult(
            startedAt: "2026-01-25T14:30:00Z",
            configuration: parameters(
                model: model, rate: rate, procMs: procMs, evalMs: evalMs, evalKind: evalKind,
                duration: duration, seed: seed),
            interrupted: interrupted,
            window: .init(
                seconds: seconds, offeredRate: rate == nil ? throughput : offered, throughput: throughput,
                keptUp: rate == nil || !heavy),
            ticks: .init(
                offered: offeredTicks, received: processed, processed: processed, processedInWindow: processed,
                backlogAtEnd: backlog, rejectedDeltas: 3),
            evaluator: .init(
                evaluations: 400, conflatedStates: processed > 400 ? processed - 400 : 0, buy: 10, sell: 12,
                hold: 378, decisions: 22),
            latency: .init(
                endToEnd: summary(mean: e2e), reaction: summary(mean: e2e - evalMs),
                processing: summary(mean: lag + work)),
            segments: .init(
                arrivalToReceived: summary(mean: lag), receivedToProcessed: summary(mean: work),
                processedToPicked: summary(mean: pick), pickedToDecided: summary(mean: evalMs)),
            queue: .init(peak: heavy ? (evalMs >= 50 ? 26 : 12) : 1, mean: heavy ? 6.5 : 1, atEnd: heavy ? 3 : 1),
            cpuSeconds: .init(
                receiver: loop ? nil : 0.021, processor: loop ? nil : procMs * throughput * seconds / 1000,
                evaluator: loop ? nil : 0.0125, shared: cpuShared, sharedBy: loop ? "event loop thread" : nil,
                process: (cpuShared ?? (0.021 + procMs * throughput * seconds / 1000 + 0.0125)) + 0.05),
            workload: .init(
                calibrationNanosPerRound: 0.87, procRequestedMs: procMs, procMeasuredMs: procMs * 1.01,
                evalRequestedMs: evalMs, evalMeasuredMs: evalMs, evalMeasuredAs: "wall"),
            selfCheck: .init(
                passed: selfCheckPassed, failures: selfCheckPassed ? [] : ["received 10 ticks but processed 9"],
                bookChecksum: "00000000000000aa", replayChecksum: "00000000000000aa"))
    }

    /// A machine with known fields, for `machine.json` and the report's machine block.
    public static let machine = MachineInfo(
        cpuModel: "Test CPU", logicalCores: 2, memoryBytes: 1 << 30, os: "Test OS", kernel: "Test 1.0",
        swiftVersion: "6.3.1", gitCommit: nil, gitDirty: nil, date: "2026-01-25T14:30:00Z",
        commandLine: "ticklab sweep", reproduce: "ticklab sweep --models threads", plan: nil)

    public static let models = ["event-loop", "threads"]
    public static let procs: [Double] = [0.5, 2, 5]
    public static let evals: [Double] = [1, 50]

    /// The quick matrix for two models, one passed run per cell, plus a crashed second run of
    /// one cell and one saturation run per model.
    public static func sweepRecords() -> [SweepRecord] {
        var records: [SweepRecord] = []
        for eval in evals {
            for proc in procs {
                for model in models {
                    records.append(.run(result(model: model, procMs: proc, evalMs: eval)))
                }
            }
        }
        records.append(
            .failed(
                FailedCell(
                    startedAt: "2026-01-25T14:40:00Z",
                    configuration: parameters(model: "threads", procMs: 5, evalMs: 50),
                    error: "the run was killed by signal 11 (SIGSEGV): Fatal error, \"quoted\" & <bracketed>",
                    signal: 11,
                    stderr: "Fatal error: <boom> & more\n", wallSeconds: 1.5)))
        for model in models {
            records.append(.run(result(model: model, rate: nil, procMs: 0, evalMs: 0)))
        }
        return records
    }

    public static func temporaryDirectory(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "/ticklab-lab-test-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Reads RFC 4180 CSV (quoted fields with commas, quotes and line breaks).
public enum CSVReader {
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
