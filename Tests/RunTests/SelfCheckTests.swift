import MarketData
import Models
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// A FIFO that breaks the pipeline's contract in a chosen way, to prove the self-check notices.
final class FaultyQueue: BlockingTickQueue, Sendable {
    enum Fault: Sendable { case drop, swap }
    let inner: LockedTickQueue
    let fault: Fault

    init(fault: Fault) {
        self.inner = LockedTickQueue(capacity: 4_096)
        self.fault = fault
    }

    func put(_ ticks: [ReceivedTick]) -> Int {
        var ticks = ticks
        for i in ticks.indices.reversed() where ticks[i].tick.sequence % 50 == 0 {
            switch fault {
            case .drop: ticks.remove(at: i)
            case .swap: ticks[i].tick.sequence += 1
            }
        }
        return inner.put(ticks)
    }

    func take(into batch: inout [ReceivedTick]) -> Bool { inner.take(into: &batch) }
    func close() { inner.close() }
}

/// The `threads` model with a faulty inbound queue.
struct FaultyModel: ConcurrencyModel {
    let fault: FaultyQueue.Fault
    var name: String { "faulty-\(fault)" }
    var summary: String { "threads with a queue that breaks the contract" }

    func run(_ stages: PipelineStages, options: ModelOptions) throws -> ModelRun {
        let queue = FaultyQueue(fault: fault)
        let slot = LockedStateSlot()
        let e = OSThread(name: "faulty-e") {
            var s = stages.evaluator; BlockingStageLoops.evaluate(&s, from: slot); return s
        }
        let p = OSThread(name: "faulty-p") {
            var s = stages.processor; BlockingStageLoops.process(&s, from: queue, to: slot); return s
        }
        let r = OSThread(name: "faulty-r") {
            var s = stages.receiver; BlockingStageLoops.receive(&s, into: queue); return s
        }
        let rr = r.join(), pp = p.join(), ee = e.join()
        return ModelRun(
            stages: PipelineStages(receiver: rr.result, processor: pp.result, evaluator: ee.result),
            cpu: StageCPUTime(receiver: rr.cpuSeconds, processor: pp.cpuSeconds, evaluator: ee.cpuSeconds))
    }
}

@Suite("The self-check catches broken models", .serialized)
struct SelfCheckTests {
    @Test("a model that loses ticks fails its self-check and says so")
    func lostTicks() async throws {
        let configuration = lightConfiguration("faulty", rate: 2_000, duration: 0.1)
        let result = try await offPool {
            try LabRun.run(configuration, model: FaultyModel(fault: .drop), calibration: testCalibration)
        }
        #expect(!result.selfCheck.passed)
        #expect(result.selfCheck.failures.contains { $0.contains("received 200 ticks but processed 196") })
        #expect(result.selfCheck.failures.contains { $0.contains("sequence break") })
        #expect(result.selfCheck.failures.contains { $0.contains("differs from a sequential replay") })
    }

    @Test("a model that reorders ticks fails its self-check")
    func reordered() async throws {
        let configuration = lightConfiguration("faulty", rate: 2_000, duration: 0.1)
        let result = try await offPool {
            try LabRun.run(configuration, model: FaultyModel(fault: .swap), calibration: testCalibration)
        }
        #expect(!result.selfCheck.passed)
        #expect(result.selfCheck.failures.contains { $0.contains("the first: expected tick 50, got 51") })
    }
}
