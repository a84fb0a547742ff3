import TestSupport
import Testing

@testable import Results

@Suite("The route round-trip axis")
struct SweepRouteAxisTests {
    static let models = ["event-loop", "threads"]

    @Test("routing is off by default and unsaid in labels and the reproduce command")
    func defaultIsNone() throws {
        let plan = try SweepPlan.make(lists: [.model: "threads"], models: Self.models)
        #expect(plan.values(of: .routeRttMs) == ["none"])
        #expect(plan.cells.allSatisfy { !plan.childArguments(for: $0).contains("--route") })
        #expect(!plan.command(out: nil).contains("--route-rtt-ms"))
        #expect(!plan.cells[0].label.contains("route"))
    }

    @Test("a list of round trips runs each, with --route, and records map back to their cells")
    func varied() throws {
        let plan = try SweepPlan.make(
            lists: [.model: "threads", .procMs: "1", .evalMs: "1", .routeRttMs: "none,5"], durationSeconds: 5,
            models: Self.models)
        #expect(plan.cells.count == 2)
        let arguments = plan.cells.map { plan.childArguments(for: $0) }
        #expect(arguments.filter { $0.contains("--route") }.count == 1)
        let routed = try #require(arguments.first { $0.contains("--route") })
        let index = try #require(routed.firstIndex(of: "--route-rtt-ms"))
        #expect(routed[index + 1] == "5")
        #expect(plan.command(out: nil).contains("none,5"))

        var parameters = Fixture.parameters(model: "threads", procMs: 1, evalMs: 1)
        #expect(plan.cell(of: parameters)?[.routeRttMs] == "none")
        parameters.route = "gateway 5 ms"
        parameters.routeRttMs = 5
        #expect(plan.cell(of: parameters)?[.routeRttMs] == "5")
        #expect(plan.cell(of: parameters)?.label.contains("route 5 ms") == true)
    }

    @Test("bad round trips are refused with what is allowed", arguments: ["-1", "fast", "70000"])
    func invalid(text: String) {
        #expect(throws: SweepPlan.InvalidOption.self) {
            try SweepPlan.make(lists: [.routeRttMs: text], models: Self.models)
        }
    }
}
