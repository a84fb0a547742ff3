import Foundation
import Models
import TestSupport
import Testing

@testable import Results

@Suite("Sweep plan")
struct SweepPlanTests {
    let models = ["event-loop", "threads", "tasks"]

    @Test(
        "the quick preset: every model × proc-ms 0.5, 4 × evaluations 1:wait, 50:wait, 20:cpu, 200 ticks/s, 2 s, 3 repeats"
    )
    func quickPreset() throws {
        let plan = try SweepPlan.make(models: models)
        #expect(plan.values(of: .model) == models)
        #expect(plan.values(of: .procMs) == ["0.5", "4"])
        #expect(plan.values(of: .evalMs) == ["1", "50", "20"])
        #expect(plan.values(of: .evalKind) == ["wait", "cpu"])
        #expect(plan.evaluations?.map(\.description) == ["1:wait", "50:wait", "20:cpu"])
        #expect(plan.values(of: .rate) == ["200"])
        #expect(plan.setup.durationSeconds == 2)
        #expect(plan.repeats == 3)
        // The pairs, not the product: no 1:cpu or 50:cpu cell.
        #expect(plan.cells.count == 3 * 2 * 3)
        #expect(!plan.cells.contains { $0[.evalKind] == "cpu" && $0[.evalMs] != "20" })
        #expect(plan.cells.contains { $0[.model] == "event-loop" && $0[.procMs] == "4" && $0[.evalKind] == "cpu" })
    }

    @Test("the quick preset of every model fits about 5 minutes on two cores: runs × (2 s + 0.35 s)")
    func quickPresetTime() throws {
        let plan = try SweepPlan.make(models: ModelCatalog.names)
        #expect(plan.runs.count == ModelCatalog.names.count * 2 * 3 * 3)
        let seconds = plan.estimatedSeconds(childOverheadSeconds: SweepPlan.Preset.quickChildOverheadSeconds)
        #expect(seconds == Double(plan.runs.count) * 2.35)
        #expect(seconds <= 5.5 * 60, "\(seconds) s")
    }

    @Test("an explicit eval-ms list replaces the quick preset's pairs with the wait kind, as before the pairs")
    func quickPresetWithEvalList() throws {
        let plan = try SweepPlan.make(lists: [.evalMs: "5"], models: models)
        #expect(plan.evaluations == nil)
        #expect(plan.values(of: .evalKind) == ["wait"])
        #expect(plan.cells.count == 3 * 2)
    }

    @Test("the seed preset: proc-ms 0.5…5 × eval-ms 1, 10, 50 at 200 ticks/s for 60 s")
    func seedPreset() throws {
        let plan = try SweepPlan.make(preset: .seed, models: models)
        #expect(plan.values(of: .procMs) == ["0.5", "1", "2", "3", "4", "5"])
        #expect(plan.values(of: .evalMs) == ["1", "10", "50"])
        #expect(plan.values(of: .rate) == ["200"])
        #expect(plan.setup.durationSeconds == 60)
        #expect(plan.cells.count == 3 * 6 * 3)
    }

    @Test("the preset takes every model of the catalogue at run time")
    func presetTakesCatalogue() throws {
        let plan = try SweepPlan.make(models: ModelCatalog.names)
        #expect(plan.values(of: .model) == ModelCatalog.names)
        #expect(!ModelCatalog.names.isEmpty)
    }

    @Test("explicit options override the preset, values are canonical and repeats dropped")
    func overrides() throws {
        let plan = try SweepPlan.make(
            preset: .seed,
            lists: [.model: "threads, event-loop", .procMs: "2.0,0.50,2", .evalKind: "wait,cpu", .rate: "MAX,200.0"],
            durationSeconds: 2, repeats: 3, models: models)
        #expect(plan.values(of: .model) == ["threads", "event-loop"])
        #expect(plan.values(of: .procMs) == ["2", "0.5"])
        #expect(plan.values(of: .evalMs) == ["1", "10", "50"])
        #expect(plan.values(of: .evalKind) == ["wait", "cpu"])
        #expect(plan.values(of: .rate) == ["max", "200"])
        #expect(plan.setup.durationSeconds == 2)
        #expect(plan.runs.count == 2 * 2 * 3 * 2 * 2 * 3)
    }

    @Test(
        "bad values are named with what is allowed",
        arguments: [
            (SweepAxis.procMs, "abc", "--proc-ms: 'abc' is not allowed: milliseconds must be a number from 0 to 60000"),
            (SweepAxis.evalMs, "-1", "--eval-ms: '-1' is not allowed: milliseconds must be a number from 0 to 60000"),
            (SweepAxis.model, "fibers", "--models: 'fibers' is not allowed: models: event-loop, threads, tasks"),
            (
                SweepAxis.rate, "0",
                "--rate: '0' is not allowed: a rate is a number of ticks per second above 0 (up to 1e8), or 'max'"
            ),
            (SweepAxis.evalKind, "sleep", "--eval-kind: 'sleep' is not allowed: kinds: wait, cpu"),
            (SweepAxis.procMs, "1,,2", "--proc-ms: '1,,2' is not allowed: a comma-separated list without empty items"),
        ])
    func invalidValues(axis: SweepAxis, text: String, message: String) {
        #expect(throws: SweepPlan.InvalidOption.self) { try SweepPlan.make(lists: [axis: text], models: models) }
        do {
            _ = try SweepPlan.make(lists: [axis: text], models: models)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("repeats outside 1…1000 are refused")
    func repeatsRange() {
        #expect(throws: SweepPlan.InvalidOption.self) { try SweepPlan.make(repeats: 0, models: models) }
        #expect(throws: SweepPlan.InvalidOption.self) { try SweepPlan.make(repeats: 1_001, models: models) }
    }

    @Test("cells: models change fastest, then proc-ms, then eval-ms; repeats run after the whole matrix")
    func order() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "event-loop,threads", .procMs: "1,2", .evalMs: "5,6"], repeats: 2, models: models)
        let keys = plan.cells.map { "\($0[.model]) \($0[.procMs]) \($0[.evalMs])" }
        #expect(
            keys == [
                "event-loop 1 5", "threads 1 5", "event-loop 2 5", "threads 2 5",
                "event-loop 1 6", "threads 1 6", "event-loop 2 6", "threads 2 6",
            ])
        let runs = plan.runs
        #expect(runs.map(\.index) == Array(0..<16))
        #expect(runs.prefix(8).allSatisfy { $0.repetition == 0 })
        #expect(runs.suffix(8).allSatisfy { $0.repetition == 1 })
        #expect(runs[8].cell == runs[0].cell)
    }

    @Test("a cell's child arguments name every axis and the shared settings")
    func childArguments() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "2", .evalMs: "50"], durationSeconds: 0.5, seed: 9,
            arrivals: .poisson, models: models)
        #expect(
            plan.childArguments(for: plan.cells[0]) == [
                "run", "--json", "--model", "threads", "--rate", "200", "--proc-ms", "2", "--eval-ms", "50",
                "--eval-kind", "wait",
                "--duration", "0.5s", "--seed", "9", "--arrivals", "poisson", "--clock", "exchange",
            ])
        // `--wait` goes only to the models that take it (`ticklab run` refuses it for the others).
        let waiting = try SweepPlan.make(
            lists: [.model: "threads,spinner", .procMs: "2", .evalMs: "50"], waitStrategy: .busy,
            models: models + ["spinner"], waitStrategyModels: ["spinner"])
        #expect(
            waiting.cells.map { Array(waiting.childArguments(for: $0).suffix(2)) } == [
                ["--clock", "exchange"], ["--wait", "busy"],
            ])
        #expect(waiting.command(out: nil).contains("busy"))
    }

    @Test("a record belongs to the cell with its values and settings, and to no other")
    func matching() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "event-loop,threads", .rate: "200,max", .procMs: "0.5,2,5", .evalMs: "1,50"],
            durationSeconds: 5, models: models)
        let record = Fixture.parameters(model: "threads", procMs: 2, evalMs: 50)
        let cell = try #require(plan.cell(of: record))
        #expect(cell[.model] == "threads" && cell[.procMs] == "2" && cell[.evalMs] == "50" && cell[.rate] == "200")
        #expect(plan.cell(of: Fixture.parameters(model: "threads", rate: nil, procMs: 2, evalMs: 50))?[.rate] == "max")
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 3, evalMs: 50)) == nil)
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 2, evalMs: 50, duration: 6)) == nil)
        #expect(plan.cell(of: Fixture.parameters(model: "threads", procMs: 2, evalMs: 50, seed: 2)) == nil)
        #expect(plan.cell(of: Fixture.parameters(model: "tasks", procMs: 2, evalMs: 50)) == nil)
    }

    @Test("the reproduce command spells out every value")
    func command() throws {
        let plan = try SweepPlan.make(lists: [.model: "threads"], durationSeconds: 2, repeats: 3, models: models)
        #expect(
            ShellQuoting.join(plan.command(out: "results/x y"))
                == "ticklab sweep --models threads --rate 200 --proc-ms 0.5,4 --evaluations 1:wait,50:wait,20:cpu --slo p99=10ms "
                + "--duration 2s "
                + "--repeats 3 --extra-repeats 0 --seed 1 --arrivals uniform --clock exchange --wait park "
                + "--out 'results/x y'")
    }

    @Test("shell quoting leaves plain words alone and quotes the rest")
    func quoting() {
        #expect(ShellQuoting.quote("--proc-ms") == "--proc-ms")
        #expect(ShellQuoting.quote("0.5,2") == "0.5,2")
        #expect(ShellQuoting.quote("a b") == "'a b'")
        #expect(ShellQuoting.quote("it's") == "'it'\\''s'")
        #expect(ShellQuoting.quote("") == "''")
    }

    @Test("every axis reads back from a record what its option wrote")
    func axisRoundTrip() throws {
        let parameters = Fixture.parameters(model: "threads", rate: 1_000.5, procMs: 0.25, evalMs: 10, evalKind: "cpu")
        let cell = SweepCell(parameters: parameters)
        for axis in SweepAxis.allCases {
            #expect(try axis.value(parsing: cell[axis], models: ["threads"]) == cell[axis])
        }
        #expect(cell.label == "threads, 1000.5 ticks/s, proc 0.25 ms, eval 10 ms, cpu kind")
    }
}
