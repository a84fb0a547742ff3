import MarketData
import Models
import Pipeline
import Results
import Run
import TestSupport
import Testing

/// What the conformance suite cannot see: each model's own promises (wait strategies, batch
/// limits, bounded queues, per-stage CPU) and the catalogue `ticklab models` prints.
@Suite("Model specifics", .serialized)
struct ModelSpecificTests {
    static let spinRing = SpinRingModel().name

    @Test("the catalogue lists each model once, with a one-line summary, and names a baseline among them")
    func catalogue() {
        #expect(Set(ModelCatalog.names).count == ModelCatalog.all.count)
        #expect(ModelCatalog.names.contains(ModelCatalog.baseline))
        #expect(ModelCatalog.waitStrategyModels == [SpinRingModel().name])
        for model in ModelCatalog.all {
            #expect(!model.summary.isEmpty && !model.summary.contains("\n"), "\(model.name)")
            #expect(model.summary.count < 110, "\(model.name): summary too long for one line")
            #expect(model.receiveBatchLimit >= 1)
            #expect(ModelCatalog.model(named: model.name)?.name == model.name)
        }
        #expect(ModelCatalog.model(named: "no-such-model") == nil)
    }

    @Test(
        "spin-ring passes light, saturated and CPU-evaluation runs under every wait strategy",
        arguments: WaitStrategy.allCases)
    func spinRingStrategies(strategy: WaitStrategy) async throws {
        // Short runs: `busy` and `yield` keep two pinned cores spinning, which slows every test
        // that runs alongside.
        var light = lightConfiguration(Self.spinRing, rate: 1_000, duration: 0.1)
        light.waitStrategy = strategy
        let paced = try await run(light)
        #expect(paced.selfCheck.passed, "\(paced.selfCheck.failures)")
        #expect(paced.ticks.processed == 100)
        #expect(paced.configuration.waitStrategy == strategy.rawValue)

        var saturated = lightConfiguration(Self.spinRing, rate: nil, procMs: 0, evalMs: 0)
        saturated.waitStrategy = strategy
        // Until enough ticks went through, not for a fixed time: how many fit depends on the machine.
        let fast = try await runUntilProcessed(saturated, ticks: 101)
        #expect(fast.selfCheck.passed, "\(fast.selfCheck.failures)")
        #expect(fast.ticks.processed > 100)

        var cpu = lightConfiguration(Self.spinRing, rate: 500, duration: 0.05, procMs: 0.1, evalMs: 0.3, evalKind: .cpu)
        cpu.waitStrategy = strategy
        let evaluated = try await run(cpu)
        #expect(evaluated.selfCheck.passed, "\(evaluated.selfCheck.failures)")
        #expect(evaluated.evaluator.evaluations > 0)
    }

    @Test("spin-ring keeps its ring short: the depth never exceeds the ring, whatever queueCapacity says")
    func spinRingIsShort() async throws {
        let model = SpinRingModel()
        var configuration = lightConfiguration(Self.spinRing, rate: nil, duration: 0.1, procMs: 0, evalMs: 0)
        configuration.queueCapacity = 1 << 16
        let result = try await run(configuration)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.queue.peak <= model.ringCapacity)
        #expect(model.receiveBatchLimit < 1_024)
    }

    @Test("spin-ring's core plan: a core each with three, the tick path's cores and a low-priority evaluator with two")
    func corePlan() {
        typealias Plan = SpinRingModel.CorePlan
        #expect(Plan.forCores([0, 1, 2, 3]) == Plan(receiver: 0, processor: 1, evaluator: 2, evaluatorNice: 0))
        #expect(Plan.forCores([4, 6, 7]) == Plan(receiver: 4, processor: 6, evaluator: 7, evaluatorNice: 0))
        #expect(Plan.forCores([0, 1]) == Plan(receiver: 0, processor: 1, evaluator: nil, evaluatorNice: 19))
        #expect(Plan.forCores([3]) == Plan(receiver: nil, processor: nil, evaluator: nil, evaluatorNice: 19))
        #expect(Plan.forCores([]) == Plan(receiver: nil, processor: nil, evaluator: nil, evaluatorNice: 19))
    }

    #if os(Linux)
        @Test("a thread can be pinned to an allowed core and reniced, and neither leaks to other threads")
        func placement() async throws {
            let allowed = ThreadPlacement.allowedCores()
            #expect(!allowed.isEmpty)
            let niceBefore = ThreadPlacement.currentThreadNice
            let core = allowed.last!
            let seen = OSThread(name: "test-placed") { () -> (cores: [Int], nice: Int32) in
                let pinned = ThreadPlacement.pinCurrentThread(to: core)
                let reniced = ThreadPlacement.setCurrentThreadNice(19)
                return (
                    pinned ? ThreadPlacement.allowedCores() : [], reniced ? ThreadPlacement.currentThreadNice : -100
                )
            }.join().result
            #expect(seen.cores == [core])
            #expect(seen.nice == 19)
            #expect(ThreadPlacement.allowedCores() == allowed, "pinning one thread changed another's mask")
            #expect(ThreadPlacement.currentThreadNice == niceBefore)
        }
    #endif

    @Test("the default wait strategy is park, from the CLI's options down to the model's")
    func defaultWait() {
        #expect(WaitStrategy.standard == .park)
        #expect(SpinRingModel().tunables.waitStrategy == .standard)
        #expect(RunConfiguration(model: Self.spinRing).waitStrategy == .standard)
        #expect(SpinRingModel().tuned(ModelTunables(waitStrategy: .busy)).tunables.waitStrategy == .busy)
        #expect(SpinRingModel().tuned(ModelTunables()).tunables.waitStrategy == .standard)
    }

    @Test("dispatch bounds the ticks in flight near queueCapacity: a paused receiver is resumed")
    func dispatchBackPressure() async throws {
        var configuration = lightConfiguration(DispatchModel().name, rate: nil, procMs: 0, evalMs: 0)
        configuration.queueCapacity = 2_048
        // Until enough ticks went through to fill the queue, not for a fixed time.
        let result = try await runUntilProcessed(configuration, ticks: 1_001)
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.ticks.processed > 1_000)
        // The receiver checks after sending a batch (at most 1024 ticks).
        #expect(result.queue.peak < 2_048 + 1_024)
    }

    @Test(
        "a model reports CPU per stage where stages own threads, else what shares it",
        arguments: ModelCatalog.names)
    func cpuAccounting(model: String) async throws {
        let result = try await run(
            lightConfiguration(model, rate: 500, duration: 0.1, procMs: 0.2, evalMs: 0.2, evalKind: .cpu))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        let cpu = result.cpuSeconds
        if cpu.shared == nil {
            #expect(cpu.receiver != nil && cpu.processor != nil && cpu.evaluator != nil)
            // 50 ticks × 0.2 ms of processor work: at least a few ms on its own clock.
            #expect((cpu.processor ?? 0) >= 0.005)
        } else {
            #expect(cpu.shared != nil && cpu.sharedBy != nil)
            #expect((cpu.shared ?? 0) >= 0.005)
        }
    }

    @Test("tasks reports the depth of its channel FIFO")
    func tasksDepth() async throws {
        let result = try await run(lightConfiguration(TasksModel().name, rate: 2_000, duration: 0.1))
        #expect(result.selfCheck.passed, "\(result.selfCheck.failures)")
        #expect(result.queue.peak >= 1)
        #expect(result.queue.mean >= 1)
    }
}
