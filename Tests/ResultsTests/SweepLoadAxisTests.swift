import Capacity
import Foundation
import TestSupport
import Testing

@testable import Results

/// The offered-load axis (`--load`), evaluation settings as pairs (`--evaluations`), the
/// objective (`--slo`) and the capacity preset, as the plan holds them.
@Suite("Sweep plan: load, evaluation pairs, objective, capacity preset")
struct SweepLoadAxisTests {
    static let models = ["event-loop", "threads", "tasks"]

    /// A record's parameters as `ticklab run --load` makes them: the rate worked out by
    /// ``OfferedLoad`` and the load beside it.
    static func parameters(model: String = "threads", load: Double, procMs: Double, evalMs: Double = 1)
        throws -> RunResult.Parameters
    {
        var parameters = Fixture.parameters(model: model, procMs: procMs, evalMs: evalMs)
        parameters.rate = try OfferedLoad.ticksPerSecond(utilisation: load, processingMilliseconds: procMs)
        parameters.load = load
        return parameters
    }

    @Test("each cell's rate is its load × 1000 / its proc-ms; the child gets --load, not --rate")
    func loadToRatePerCell() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads", .load: "0.5,1.0", .procMs: "2,4", .evalMs: "1"], models: Self.models)
        #expect(plan.sweepsLoad)
        #expect(plan.values(of: .load) == ["0.5", "1"])
        #expect(plan.values(of: .rate) == [SweepAxis.derivedRate])
        #expect(
            plan.cells.map { "\($0[.load]) \($0[.procMs]) \($0[.rate])" } == [
                "0.5 2 250", "0.5 4 125", "1 2 500", "1 4 250",
            ])
        for cell in plan.cells {
            let load = try #require(Double(cell[.load]))
            let procMs = try #require(Double(cell[.procMs]))
            let rate = try #require(Double(cell[.rate]))
            #expect(try OfferedLoad.utilisation(ticksPerSecond: rate, processingMilliseconds: procMs) == load)
            let arguments = plan.childArguments(for: cell)
            #expect(!arguments.contains("--rate"))
            let index = try #require(arguments.firstIndex(of: "--load"))
            #expect(arguments[index + 1] == cell[.load])
        }
        #expect(plan.cells[0].label == "threads, 250 ticks/s, load 0.5, proc 2 ms, eval 1 ms, wait kind")
    }

    @Test("a record of a load cell maps back to its cell, and only to it")
    func loadRecordsMapBack() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads", .load: "0.9,1.1", .procMs: "4", .evalMs: "1"], durationSeconds: 5,
            models: Self.models)
        for cell in plan.cells {
            let parameters = try Self.parameters(load: Double(cell[.load])!, procMs: 4)
            #expect(plan.cell(of: parameters) == cell)
        }
        // A run given the same rate but no load belongs to a rate sweep, not to this one.
        var byRate = try Self.parameters(load: 0.9, procMs: 4)
        byRate.load = nil
        #expect(plan.cell(of: byRate) == nil)
        // A load whose rate is not the one it makes (another proc-ms's rate) is not the cell.
        var skewed = try Self.parameters(load: 0.9, procMs: 4)
        skewed.rate = 200
        #expect(plan.cell(of: skewed) == nil)
        #expect(plan.cell(of: try Self.parameters(load: 0.5, procMs: 4)) == nil)
        // And a rate sweep takes no record that was asked for a load.
        let rates = try SweepPlan.make(
            lists: [.model: "threads", .rate: "225", .procMs: "4"], durationSeconds: 5, models: Self.models)
        #expect(rates.cell(of: try Self.parameters(load: 0.9, procMs: 4)) == nil)
        #expect(rates.cell(of: byRate)?[.rate] == "225")
    }

    @Test("a load record finds its cell, and each cell runs once per repeat")
    func loadCellsRepeat() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads,tasks", .load: "0.5,1", .procMs: "2"], durationSeconds: 5, repeats: 2,
            models: Self.models)
        let parameters = try Self.parameters(model: "tasks", load: 1, procMs: 2)
        let cell = try #require(plan.cell(of: parameters))
        #expect(cell[.rate] == "500" && cell[.load] == "1" && cell[.model] == "tasks")
        #expect(plan.runs.filter { $0.cell == cell }.map(\.repetition) == [0, 1])
    }

    @Test(
        "load lists that make no plan are refused, naming the value and what is allowed",
        arguments: [
            (
                [SweepAxis.load: "0.5", .rate: "200"],
                "--load: '0.5' is not allowed: together with --rate 200: a load sets each cell's rate (load × 1000 / proc-ms); give --load or --rate, not both"
            ),
            (
                [.load: "0.5,1", .procMs: "0,2"],
                "--proc-ms: '0,2' is not allowed: a proc-ms of 0 with --load: a load has no meaning without processing to utilise; sweep proc-ms 0 with a --rate ladder (up to max) instead"
            ),
            ([.load: "0"], "--load: '0' is not allowed: a load is utilisation ρ = rate × proc-ms / 1000"),
            ([.load: "-1"], "--load: '-1' is not allowed: a load is utilisation"),
            ([.load: "fast"], "--load: 'fast' is not allowed: a load is utilisation"),
            ([.load: "0.5,,1"], "--load: '0.5,,1' is not allowed: a comma-separated list without empty items"),
            ([.load: "none,0.5"], "--load: 'none,0.5' is not allowed: loads, or 'none' alone"),
            (
                [.load: "1000", .procMs: "0.001"],
                "--load: '1000' is not allowed: with --proc-ms 0.001: it makes a rate above 1e8"
            ),
        ])
    func invalidLoads(lists: [SweepAxis: String], message: String) {
        do {
            _ = try SweepPlan.make(lists: lists, models: Self.models)
            Issue.record("\(lists) made a plan")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test("an explicit --rate or --load list overrides the preset's axis; --load none is a rate sweep")
    func explicitAxisWins() throws {
        let rates = try SweepPlan.make(preset: .capacity, lists: [.rate: "100,max"], models: Self.models)
        #expect(!rates.sweepsLoad && rates.values(of: .load) == ["none"] && rates.values(of: .rate) == ["100", "max"])
        let loads = try SweepPlan.make(lists: [.load: "0.8"], models: Self.models)
        #expect(loads.sweepsLoad && loads.values(of: .rate) == [SweepAxis.derivedRate])
        let none = try SweepPlan.make(lists: [.load: "none", .rate: "300"], models: Self.models)
        #expect(!none.sweepsLoad && none.values(of: .rate) == ["300"])
    }

    @Test("evaluation pairs run each pair once, not the product; they replace and exclude the lists")
    func evaluationPairs() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads,tasks", .procMs: "2"], evaluations: "1:wait, 20:cpu,1:wait", durationSeconds: 5,
            models: Self.models)
        #expect(plan.evaluations?.map(\.description) == ["1:wait", "20:cpu"])
        #expect(plan.values(of: .evalMs) == ["1", "20"] && plan.values(of: .evalKind) == ["wait", "cpu"])
        #expect(
            plan.cells.map { "\($0[.evalMs]):\($0[.evalKind]) \($0[.model])" } == [
                "1:wait threads", "1:wait tasks", "20:cpu threads", "20:cpu tasks",
            ])
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 2, evalMs: 20, evalKind: "cpu")) != nil)
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 2, evalMs: 1, evalKind: "cpu")) == nil)
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 2, evalMs: 20, evalKind: "wait")) == nil)
        let command = plan.command(out: nil)
        #expect(command.contains("--evaluations") && command.contains("1:wait,20:cpu"))
        #expect(!command.contains("--eval-ms") && !command.contains("--eval-kind"))
        let arguments = plan.childArguments(for: plan.cells[2])
        #expect(arguments.contains("--eval-ms") && arguments[arguments.firstIndex(of: "--eval-ms")! + 1] == "20")
        #expect(arguments[arguments.firstIndex(of: "--eval-kind")! + 1] == "cpu")

        // Either list replaces a preset's pairs with the product.
        let product = try SweepPlan.make(preset: .capacity, lists: [.evalMs: "5"], models: Self.models)
        #expect(product.evaluations == nil)
        #expect(Set(product.cells.map { "\($0[.evalMs]):\($0[.evalKind])" }) == ["5:wait", "5:cpu"])
    }

    @Test(
        "bad evaluation pairs are refused",
        arguments: [
            (
                "1:wait", [SweepAxis.evalMs: "5"],
                "--evaluations: '1:wait' is not allowed: together with --eval-ms 5: each pair sets both eval-ms and eval-kind"
            ),
            ("1:wait", [.evalKind: "cpu"], "--evaluations: '1:wait' is not allowed: together with --eval-kind cpu"),
            ("1", [:], "--evaluations: '1' is not allowed: pairs of EVAL-MS:EVAL-KIND"),
            (
                "1:sleep", [:],
                "--evaluations: '1:sleep' is not allowed: pairs of EVAL-MS:EVAL-KIND, comma-separated, e.g. 1:wait,20:cpu (kinds: wait, cpu)"
            ),
            ("-1:cpu", [:], "--evaluations: '-1:cpu' is not allowed: pairs of EVAL-MS:EVAL-KIND"),
            ("1:wait,", [:], "--evaluations: '1:wait,' is not allowed: pairs of EVAL-MS:EVAL-KIND"),
        ])
    func invalidEvaluations(text: String, lists: [SweepAxis: String], message: String) {
        do {
            _ = try SweepPlan.make(lists: lists, evaluations: text, models: Self.models)
            Issue.record("\(text) made a plan")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test("the capacity preset: every model, proc-ms 4, loads 0.1…1.2, 1:wait and 20:cpu, 3 repeats")
    func capacityPreset() throws {
        let plan = try SweepPlan.make(preset: .capacity, models: Self.models)
        let loads = plan.values(of: .load).compactMap(Double.init)
        #expect(loads.count == plan.values(of: .load).count && loads.count >= 8)
        #expect(loads.first == 0.1 && loads.last == 1.2 && loads == loads.sorted())
        // Dense where the curves turn up: every step from 0.8 to 1.1 at most 0.1, and finer than
        // every step below 0.8.
        let steps = zip(loads, loads.dropFirst()).map { (from: $0, size: $1 - $0) }
        let dense = steps.filter { $0.from >= 0.8 && $0.from < 1.1 }.map(\.size)
        let below = steps.filter { $0.from < 0.8 }.map(\.size)
        #expect(dense.count >= 3 && dense.allSatisfy { $0 <= 0.1 + 1e-9 }, "\(dense)")
        #expect(below.allSatisfy { $0 > dense.max()! }, "\(below) against \(dense)")
        #expect(plan.values(of: .model) == Self.models)
        #expect(plan.values(of: .procMs) == ["4"])
        #expect(plan.evaluations?.map(\.description) == ["1:wait", "20:cpu"])
        #expect(plan.repeats == 3)
        #expect(plan.setup.durationSeconds == SweepPlan.Preset.capacityDurationSeconds)
        #expect(plan.cells.count == Self.models.count * loads.count * 2)
        #expect(plan.runs.count == Self.models.count * loads.count * 2 * 3)
        // ρ = 1 at 4 ms a tick is 250 ticks/s.
        #expect(plan.cells.allSatisfy { abs(Double($0[.rate])! - 250 * Double($0[.load])!) < 1e-9 })
        #expect(plan.cells.contains { $0[.load] == "1" && $0[.rate] == "250" })
        let settings = Set(plan.cells.map { "\($0[.evalMs]):\($0[.evalKind])" })
        #expect(settings == ["1:wait", "20:cpu"])
        // An explicit --repeats overrides the preset's three; the quick preset repeats three times too.
        #expect(try SweepPlan.make(preset: .capacity, repeats: 1, models: Self.models).runs.count == plan.cells.count)
        #expect(try SweepPlan.make(preset: .quick, models: Self.models).repeats == 3)
        #expect(try SweepPlan.make(preset: .seed, models: Self.models).repeats == 1)
        // With every model of the lab: 6 × 8 × 2 × 3.
        let lab = try SweepPlan.make(preset: .capacity, models: (1...6).map { "model\($0)" })
        #expect(lab.runs.count == 288)
        let command = plan.command(out: nil)
        #expect(!command.contains("--rate") && command.contains("--load") && command.contains("--evaluations"))
        #expect(ShellQuoting.join(command).contains("--load 0.1,0.3,0.5,0.8,0.9,1,1.1,1.2 --proc-ms 4"))
    }

    @Test("the objective: the standard one by default, --slo's when given, in the command and in differences")
    func objective() throws {
        let standard = try SweepPlan.make(lists: [.model: "threads"], models: Self.models)
        #expect(standard.objective == LatencyObjective.standard)
        #expect(ShellQuoting.join(standard.command(out: nil)).contains("--slo p99=10ms"))
        // The capacity preset judges at 20 ms (where its curves turn up), unless --slo says otherwise.
        let capacity = try SweepPlan.make(preset: .capacity, models: Self.models)
        #expect(capacity.objective == LatencyObjective(percentile: .p99, boundMilliseconds: 50))
        #expect(ShellQuoting.join(capacity.command(out: nil)).contains("--slo p99=50ms"))
        let capacityAt10 = try SweepPlan.make(preset: .capacity, objective: .standard, models: Self.models)
        #expect(capacityAt10.objective == .standard)
        #expect(capacityAt10.differences(from: capacity).map(\.option) == ["--slo"])
        let strict = try SweepPlan.make(
            lists: [.model: "threads"], objective: try LatencyObjective.parse("p99.9=500us"), models: Self.models)
        #expect(strict.objective == LatencyObjective(percentile: .p999, boundMilliseconds: 0.5))
        let words = strict.command(out: nil)
        #expect(words[(words.firstIndex(of: "--slo") ?? 0) + 1] == "p99.9=500µs")
        #expect(
            strict.differences(from: standard) == [
                .init(option: "--slo", recorded: "p99=10ms", requested: "p99.9=500µs")
            ])
        // A plan that predates the objective was judged by the standard one.
        var older = standard
        older.objective = nil
        #expect(standard.differences(from: older).isEmpty)
    }

    @Test(
        "differences between a rate sweep and a load sweep name --rate and --load; between pairs and lists, the evaluations"
    )
    func differences() throws {
        let rates = try SweepPlan.make(lists: [.model: "threads", .procMs: "4", .rate: "200"], models: Self.models)
        let loads = try SweepPlan.make(lists: [.model: "threads", .procMs: "4", .load: "0.8"], models: Self.models)
        #expect(
            loads.differences(from: rates) == [
                .init(option: "--rate", recorded: "200", requested: SweepAxis.derivedRate),
                .init(option: "--load", recorded: "none", requested: "0.8"),
            ])
        let paired = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "4", .rate: "200"], evaluations: "1:wait,50:wait", models: Self.models)
        let product = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "4", .rate: "200", .evalMs: "1,50"], models: Self.models)
        #expect(
            paired.differences(from: product) == [
                .init(option: "--evaluations", recorded: "eval-ms×eval-kind", requested: "1:wait,50:wait")
            ])
        #expect(loads.differences(from: loads).isEmpty && paired.differences(from: paired).isEmpty)
    }

    @Test("a plan with loads, pairs and an objective survives machine.json unchanged")
    func codingRoundTrip() throws {
        let plan = try SweepPlan.make(
            preset: .capacity, lists: [.load: "0.5,1.2"], objective: try LatencyObjective.parse("p90=2ms"),
            models: Self.models)
        let data = try JSONEncoder().encode(plan)
        let decoded = try JSONDecoder().decode(SweepPlan.self, from: data)
        #expect(decoded == plan)
        #expect(decoded.cells == plan.cells && decoded.runs == plan.runs)
        #expect(decoded.command(out: "x") == plan.command(out: "x"))
        #expect(decoded.differences(from: plan).isEmpty)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains(#""evaluations":["1:wait","20:cpu"]"#), "\(json)")
        // A rate plan of the product writes no evaluations at all.
        let rates = try JSONEncoder().encode(
            try SweepPlan.make(lists: [.rate: "200", .evalMs: "1,50"], models: Self.models))
        #expect(!(String(data: rates, encoding: .utf8) ?? "").contains("evaluations"))
        // A bad pair in a file is refused, not turned into a plan.
        let bad = json.replacingOccurrences(of: "20:cpu", with: "20:sleep")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SweepPlan.self, from: Data(bad.utf8)) }
    }

    /// The plan of a machine.json written before the load axis, the evaluation pairs and the
    /// objective existed.
    static let olderPlan = """
        {"dimensions":[{"axis":"model","values":["threads","tasks"]},{"axis":"rate","values":["200","max"]},\
        {"axis":"proc-ms","values":["2"]},{"axis":"eval-ms","values":["50"]},{"axis":"eval-kind","values":["wait"]},\
        {"axis":"route-rtt-ms","values":["none"]}],\
        "setup":{"durationSeconds":5,"seed":1,"arrivals":"uniform","clock":"exchange","waitStrategy":"park"},\
        "repeats":2}
        """

    @Test(
        "an older machine.json's plan (no load axis, no pairs, no objective) decodes, matches its records and resumes")
    func olderPlanDecodes() throws {
        let plan = try JSONDecoder().decode(SweepPlan.self, from: Data(Self.olderPlan.utf8))
        #expect(plan.values(of: .load) == ["none"] && !plan.sweepsLoad)
        #expect(plan.evaluations == nil && plan.objective == nil)
        #expect(plan.cells.count == 4 && plan.runs.count == 8)
        let cell = try #require(plan.cell(of: Fixture.parameters(model: "tasks", procMs: 2, evalMs: 50)))
        #expect(cell[.rate] == "200" && cell[.load] == "none")
        #expect(plan.childArguments(for: cell).contains("--rate") && !plan.childArguments(for: cell).contains("--load"))
        // The same sweep asked for today has no differences from it: it resumes.
        let today = try SweepPlan.make(
            lists: [.model: "threads,tasks", .rate: "200,max", .procMs: "2", .evalMs: "50"], durationSeconds: 5,
            repeats: 2, models: Self.models)
        #expect(today.differences(from: plan).isEmpty)
        #expect(today.cells == plan.cells)
    }

    @Test("runs are interleaved: Interleaving's round-robin over the cells, repeat after repeat")
    func interleaving() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads,tasks", .load: "0.5,1", .procMs: "2", .evalMs: "1"], repeats: 3,
            models: Self.models)
        let cells = plan.cells
        let runs = plan.runs
        #expect(runs.map(\.cell) == Interleaving.order(cells: cells, repeats: 3).map(\.cell))
        #expect(runs.map(\.repetition) == Interleaving.order(cells: cells, repeats: 3).map(\.repeatIndex))
        #expect(runs.map(\.index) == Array(0..<(cells.count * 3)))
        for repetition in 0..<3 {
            let block = runs[(repetition * cells.count)..<((repetition + 1) * cells.count)]
            #expect(block.allSatisfy { $0.repetition == repetition })
            #expect(block.map(\.cell) == cells, "every cell once per repeat, in the matrix's order")
        }
        // Every model meets a load before the next load starts (models change fastest).
        #expect(cells.map { "\($0[.load]) \($0[.model])" } == ["0.5 threads", "0.5 tasks", "1 threads", "1 tasks"])
    }
}
