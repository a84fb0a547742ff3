import Foundation
import MarketData
import Models
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// The suite every model must pass: order, no loss, conflation, drain, self-check. Runs are
/// short and light so that they hold under ThreadSanitizer. Nothing here depends on how fast
/// the machine is: whether a run kept up, its latencies and its backlog are figures for
/// `ticklab` and the benchmarks, not assertions; a check that needs progress waits for it.
@Suite("Model conformance", .serialized)
struct ConformanceTests {
    static let models = ModelCatalog.names

    @Test("a light run loses nothing and passes its self-check", arguments: models)
    func lightRunKeepsUp(model: String) async throws {
        // 200 ticks over half a second, 0.02 ms of work each: light even under ThreadSanitizer.
        let result = try await run(lightConfiguration(model, rate: 400, duration: 0.5, procMs: 0.02, evalMs: 0.05))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.ticks.offered == 200)
        #expect(result.ticks.received == 200)
        #expect(result.ticks.processed == 200)
        // Every state is either evaluated or conflated, and the last one is always evaluated.
        #expect(result.evaluator.evaluations + result.evaluator.conflatedStates == result.ticks.processed)
        #expect(result.evaluator.buy + result.evaluator.sell + result.evaluator.hold == result.evaluator.evaluations)
        #expect(result.latency.processing.count == 200)
        #expect(result.queue.peak >= 1)
        #expect(!result.interrupted)
        // A record carries the settings its model declares, and only those.
        #expect(result.configuration.waitStrategy == ModelCatalog.model(named: model)?.tunables.waitStrategy?.rawValue)
    }

    @Test("ticks are processed exactly once, in sequence order, and decisions follow that order", arguments: models)
    func orderAndNoLoss(model: String) async throws {
        let path = temporaryPath("trace.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await run(lightConfiguration(model, rate: 2_000, duration: 0.2, trace: path))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        var processed: [UInt64] = []
        var decided: [UInt64] = []
        for row in rows {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            let sequence = UInt64(fields[1])!
            let arrival = UInt64(fields[2])!, received = UInt64(fields[3])!, processedAt = UInt64(fields[4])!
            #expect(arrival <= received && received <= processedAt)
            if fields[0] == "processed" { processed.append(sequence) } else { decided.append(sequence) }
            if fields[0] == "decided" {
                let picked = UInt64(fields[5])!, decidedAt = UInt64(fields[6])!
                #expect(processedAt <= picked && picked <= decidedAt)
            }
        }
        #expect(processed == Array(1...UInt64(result.ticks.received)))
        #expect(decided == decided.sorted() && Set(decided).count == decided.count)
        #expect(decided.last == processed.last)
    }

    @Test("a slow evaluator conflates states and still ends on the newest", arguments: models)
    func conflation(model: String) async throws {
        let result = try await run(lightConfiguration(model, rate: 2_000, duration: 0.25, procMs: 0, evalMs: 10))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.evaluator.conflatedStates > 0)
        #expect(result.evaluator.evaluations < result.ticks.processed)
        #expect(result.evaluator.evaluations + result.evaluator.conflatedStates == result.ticks.processed)
    }

    @Test("a stop request ends the feed, drains what was received and marks the result", arguments: models)
    func stopDrains(model: String) async throws {
        // The stop comes once the run has processed ticks (not after a fixed delay, which could
        // come before the run started); the 120 s feed is only a bound against a hang.
        let configuration = lightConfiguration(model, rate: 1_000, duration: 120)
        let result = try await runUntilProcessed(configuration, ticks: 100)
        #expect(result.interrupted)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.ticks.processed + (result.ticks.abandoned ?? 0) == result.ticks.received)
        #expect(result.ticks.received >= 100)
        // The feed ended at the stop, long before its schedule did.
        #expect(result.ticks.received < 120_000)
        #expect(result.window.seconds < 120)
    }

    @Test("a stop abandons the backlog of a saturated run instead of working through it", arguments: models)
    func stopAbandonsBacklog(model: String) async throws {
        // 1 ms per tick at saturation: the queue holds thousands of ticks when the stop comes
        // (after the first processed ones); they are counted, not worked through. (The stop
        // waits for a 64 KiB block of the trace, several hundred processed ticks: at 5 ms a
        // tick that took seconds a model.)
        let result = try await runUntilProcessed(lightConfiguration(model, rate: nil, procMs: 1, evalMs: 0), ticks: 3)
        #expect(result.interrupted)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        let abandoned = try #require(result.ticks.abandoned)
        #expect(abandoned > 0)
        #expect(result.ticks.processed >= 3)
        #expect(result.ticks.processed + abandoned == result.ticks.received)
        #expect(result.latency.processing.count == result.ticks.processed)
    }

    @Test("saturation, receiver clock and Poisson arrivals all pass the self-check", arguments: models)
    func otherFeeds(model: String) async throws {
        // How many ticks saturation or the receiver's clock offer in a fixed time depends on the
        // machine: these runs go on until enough were processed.
        let saturated = try await runUntilProcessed(
            lightConfiguration(model, rate: nil, procMs: 0, evalMs: 0), ticks: 1_001)
        #expect(saturated.selfCheck.passed, "\(saturated.selfCheck.failures)")
        #expect(saturated.ticks.processed > 1_000)
        let paced = try await runUntilProcessed(lightConfiguration(model, rate: 5_000, clock: .receiver), ticks: 11)
        #expect(paced.selfCheck.passed, "\(paced.selfCheck.failures)")
        #expect(paced.ticks.processed > 10)
        let poisson = try await run(lightConfiguration(model, rate: 1_000, duration: 0.2, arrivals: .poisson))
        #expect(poisson.selfCheck.passed, "\(poisson.selfCheck.failures)")
        #expect(poisson.ticks.offered == poisson.ticks.received)
    }

    @Test("CPU evaluation runs and is measured", arguments: models)
    func cpuEvaluation(model: String) async throws {
        let result = try await run(
            lightConfiguration(model, rate: 500, duration: 0.2, procMs: 0.1, evalMs: 0.5, evalKind: .cpu))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.workload.evalMeasuredAs == "cpu")
        #expect((result.workload.evalMeasuredMs ?? 0) > 0)
        #expect((result.workload.procMeasuredMs ?? 0) > 0)
    }
}
