import Capacity
import Foundation
import PropertyBased
import Testing

private func run(_ cell: String, _ repeatIndex: Int) -> ScheduledRun<String> {
    ScheduledRun(cell: cell, repeatIndex: repeatIndex)
}

@Suite struct InterleavingTests {
    @Test func repeatsGoRoundRobinOverTheCells() {
        let order = Interleaving.order(cells: ["threads", "tasks", "spin-ring"], repeats: 3)
        #expect(
            order == [
                run("threads", 0), run("tasks", 0), run("spin-ring", 0),
                run("threads", 1), run("tasks", 1), run("spin-ring", 1),
                run("threads", 2), run("tasks", 2), run("spin-ring", 2),
            ])
    }

    @Test func degenerateOrders() {
        #expect(Interleaving.order(cells: ["a", "b"], repeats: 0).isEmpty)
        #expect(Interleaving.order(cells: ["a", "b"], repeats: -1).isEmpty)
        #expect(Interleaving.order(cells: [String](), repeats: 3).isEmpty)
        #expect(Interleaving.order(cells: ["a"], repeats: 2) == [run("a", 0), run("a", 1)])
        // A cell listed twice runs once a repeat, at its first place.
        #expect(
            Interleaving.order(cells: ["a", "b", "a"], repeats: 2) == [
                run("a", 0), run("b", 0), run("a", 1), run("b", 1),
            ])
    }

    @Test func everyRunOnceAndNoCellRunsTwiceBeforeAllRanOnce() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...12), Gen.int(in: 0...6)) { cellCount, repeats in
            let cells = Array(0..<cellCount)
            let order = Interleaving.order(cells: cells, repeats: repeats)
            #expect(order.count == cellCount * repeats)
            #expect(Set(order).count == order.count)
            // Position i holds repeat i / cells of cell i % cells.
            for (position, run) in order.enumerated() {
                #expect(run.repeatIndex == position / cellCount && run.cell == cells[position % cellCount])
            }
        }
    }

    @Test func pendingIsTheOrderWithoutWhatIsDone() {
        let cells = ["a", "b", "c"]
        let done: Set = [run("a", 0), run("b", 0), run("c", 0), run("a", 1)]
        #expect(
            Interleaving.pending(cells: cells, repeats: 3, done: done) == [
                run("b", 1), run("c", 1), run("a", 2), run("b", 2), run("c", 2),
            ])
        // Done out of order (a run that failed and was re-run later): still skipped, order kept.
        let holes: Set = [run("b", 0), run("c", 2)]
        #expect(
            Interleaving.pending(cells: cells, repeats: 3, done: holes) == [
                run("a", 0), run("c", 0), run("a", 1), run("b", 1), run("c", 1), run("a", 2), run("b", 2),
            ])
        // Runs outside the plan are ignored; everything done leaves nothing.
        let all = Set(Interleaving.order(cells: cells, repeats: 3)).union([run("z", 0), run("a", 7)])
        #expect(Interleaving.pending(cells: cells, repeats: 3, done: all).isEmpty)
        #expect(Interleaving.pending(cells: cells, repeats: 1, done: []) == [run("a", 0), run("b", 0), run("c", 0)])
    }

    @Test func resumingAtAnyPointFinishesTheOrder() async {
        await propertyCheck(count: 200, input: Gen.int(in: 1...8), Gen.int(in: 1...5), Gen.int(in: 0...40)) {
            cellCount, repeats, cut in
            let order = Interleaving.order(cells: Array(0..<cellCount), repeats: repeats)
            let doneCount = min(cut, order.count)
            let pending = Interleaving.pending(
                cells: Array(0..<cellCount), repeats: repeats, done: Set(order.prefix(doneCount)))
            #expect(Array(order.prefix(doneCount)) + pending == order)
        }
    }

    @Test func runsAreCodable() throws {
        let value = run("threads", 2)
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(ScheduledRun<String>.self, from: data) == value)
    }
}
