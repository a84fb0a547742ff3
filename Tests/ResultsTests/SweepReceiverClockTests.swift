import Foundation
import Models
import TestSupport
import Testing

@testable import Results

/// The naive receiver-clock cells a plan runs besides its product (`sweep --receiver-clock`,
/// the quick preset's event loop at its heavy CPU setting).
@Suite("Sweep receiver-clock cells")
struct SweepReceiverClockTests {
    let models = ["event-loop", "threads", "tasks"]

    @Test("the quick preset runs the baseline at proc-ms 4, 20:cpu once more on the receiver clock")
    func quickPresetCell() throws {
        let plan = try SweepPlan.make(models: models, baseline: "event-loop")
        #expect(plan.extraCells.count == 1)
        let cell = try #require(plan.extraCells.first)
        #expect(cell[.model] == "event-loop" && cell[.procMs] == "4" && cell[.evalMs] == "20")
        #expect(cell[.evalKind] == "cpu" && cell[.clock] == "receiver" && cell[.rate] == "200")
        // The product is unchanged and runs on the exchange clock; the extra cell comes last.
        #expect(plan.cells.count == 3 * 2 * 3 + 1)
        #expect(plan.cells.dropLast().allSatisfy { $0[.clock] == "exchange" })
        #expect(plan.cells.last == cell)
        #expect(plan.runs.count == (3 * 2 * 3 + 1) * 3)
        #expect(plan.receiverClockText == "event-loop:4:20:cpu")
        // Without a baseline (or with its cell not in the product) there is no extra cell.
        #expect(try SweepPlan.make(models: models).extraCells.isEmpty)
        #expect(try SweepPlan.make(lists: [.procMs: "0.5"], models: models, baseline: "event-loop").extraCells.isEmpty)
        #expect(try SweepPlan.make(preset: .capacity, models: models, baseline: "event-loop").extraCells.isEmpty)
        #expect(try SweepPlan.make(clock: .receiver, models: models, baseline: "event-loop").extraCells.isEmpty)
    }

    @Test("the receiver-clock cell's child gets --clock receiver and every axis of its twin")
    func childArguments() throws {
        let plan = try SweepPlan.make(models: models, baseline: "event-loop")
        let cell = try #require(plan.extraCells.first)
        #expect(
            plan.childArguments(for: cell) == [
                "run", "--json", "--model", "event-loop", "--rate", "200", "--proc-ms", "4", "--eval-ms", "20",
                "--eval-kind", "cpu", "--duration", "2s", "--seed", "1", "--arrivals", "uniform", "--clock",
                "receiver",
            ])
        // Its exchange-clock twin: the same arguments but the clock.
        let twin = try #require(
            plan.cells.first {
                $0[.model] == "event-loop" && $0[.procMs] == "4" && $0[.evalKind] == "cpu" && $0[.clock] == "exchange"
            })
        #expect(Array(plan.childArguments(for: twin).dropLast()) == Array(plan.childArguments(for: cell).dropLast()))
        #expect(plan.childArguments(for: twin).last == "exchange")
    }

    @Test("the estimate counts the extra cell's runs and stays within the quick preset's budget")
    func estimate() throws {
        let plan = try SweepPlan.make(models: ModelCatalog.names, baseline: ModelCatalog.baseline)
        #expect(plan.runs.count == (ModelCatalog.names.count * 2 * 3 + 1) * 3)
        let seconds = plan.estimatedSeconds(childOverheadSeconds: SweepPlan.Preset.quickChildOverheadSeconds)
        #expect(seconds == Double(plan.runs.count) * 2.35)
        #expect(seconds <= 5.5 * 60, "\(seconds) s")
    }

    @Test("a receiver-clock record belongs to the extra cell, an exchange-clock one to its twin")
    func matching() throws {
        let plan = try SweepPlan.make(models: models, baseline: "event-loop")
        var parameters = Fixture.parameters(model: "event-loop", procMs: 4, evalMs: 20, evalKind: "cpu", duration: 2)
        #expect(plan.cell(of: parameters)?[.clock] == "exchange")
        parameters.clock = "receiver"
        #expect(plan.cell(of: parameters) == plan.extraCells.first)
        // A receiver-clock record of a cell that is not an extra cell belongs to no cell.
        var other = Fixture.parameters(model: "threads", procMs: 4, evalMs: 20, evalKind: "cpu", duration: 2)
        other.clock = "receiver"
        #expect(plan.cell(of: other) == nil)
    }

    @Test("--receiver-clock names cells of the product, or none; the command and machine.json keep them")
    func explicitCells() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads,tasks"], models: models, receiverClock: "threads:0.5:1:wait,tasks:4:20:cpu")
        #expect(
            plan.extraCells.map { "\($0[.model]) \($0[.procMs]) \($0[.clock])" } == [
                "threads 0.5 receiver", "tasks 4 receiver",
            ])
        #expect(plan.command(out: nil).suffix(2) == ["--receiver-clock", "threads:0.5:1:wait,tasks:4:20:cpu"])
        #expect(try SweepPlan.make(models: models, receiverClock: "none", baseline: "event-loop").extraCells.isEmpty)
        // machine.json: coded and read back; absent for a plan without extra cells.
        let decoded = try JSONDecoder().decode(SweepPlan.self, from: JSONEncoder().encode(plan))
        #expect(decoded == plan && decoded.extraCells == plan.extraCells)
        let plain = try SweepPlan.make(models: models)
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("extraCells"))
        // A resumed sweep notices a plan with other receiver-clock cells.
        #expect(plain.differences(from: plan).map(\.option).contains("--receiver-clock"))
    }

    @Test("a receiver-clock cell outside the product, malformed, or with --clock receiver is refused, naming it")
    func refused() throws {
        #expect(throws: SweepPlan.InvalidOption.self) {
            try SweepPlan.make(models: models, receiverClock: "threads:3:20:cpu")
        }
        do {
            _ = try SweepPlan.make(models: models, receiverClock: "threads:4")
            Issue.record("a malformed cell was accepted")
        } catch {
            #expect(error.option == "--receiver-clock" && error.value == "threads:4")
        }
        #expect(throws: SweepPlan.InvalidOption.self) {
            try SweepPlan.make(models: models, receiverClock: "nobody:4:20:cpu")
        }
        #expect(throws: SweepPlan.InvalidOption.self) {
            try SweepPlan.make(clock: .receiver, models: models, receiverClock: "threads:4:20:cpu")
        }
    }
}
