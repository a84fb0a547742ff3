import Formats
import Foundation
import MarketData
import Pipeline
import TestSupport
import Testing

@testable import Report
@testable import Results
@testable import Sweep

/// Properties that must hold for any input, checked over many seeded random cases (the same
/// cases on every run, so a failure reproduces).
@Suite("Sweep properties", .ownThread)
struct SweepPropertyTests {
    static let cases = 300

    /// Text with the characters that break formats: separators, quotes, markup, control
    /// characters, line breaks and non-ASCII.
    static func text(_ random: inout SeededRandom) -> String {
        let alphabet: [Character] = [
            "a", "Z", "0", " ", ",", "\"", "'", "<", ">", "&", ";", "\n", "\r", "\t", "\u{01}",
            "é", "→", "µ", "€", "😀", "\\", "/", "=", "-",
        ]
        let length = Int(random.next() % 24)
        return String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    static func double(_ random: inout SeededRandom) -> Double {
        switch random.next() % 4 {
        case 0: return Double(random.next() % 1_000)
        case 1: return random.unit() * 1_000
        case 2: return random.unit() * 1e-4
        default: return (random.unit() - 0.5) * 1e9
        }
    }

    @Test("any field survives CSV quoting and reading back")
    func csvRoundTrip() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<Self.cases {
            let fields = (0..<Int(1 + random.next() % 5)).map { _ in Self.text(&random) }
            let line = fields.map(SweepCSV.escape).joined(separator: ",") + "\n"
            let parsed = CSVReader.parse(line)
            // A row that is one empty field reads back as no row at all; every other row reads back whole.
            if fields == [""] { continue }
            #expect(parsed == [fields], "\(fields)")
        }
    }

    @Test("any text escaped for the report parses as XML and reads back as itself (control characters as spaces)")
    func escaping() {
        var random = SeededRandom(seed: 12)
        for _ in 0..<Self.cases {
            let text = Self.text(&random)
            let document = ReportDocument("<p title=\"\(ReportFormat.escape(text))\">\(ReportFormat.escape(text))</p>")
            #expect(document.parsed, "\(text.debugDescription)")
            let expected = String(
                text.unicodeScalars.map { $0.value < 0x20 && $0 != "\n" && $0 != "\t" ? " " : Character($0) }
            )
            .replacingOccurrences(of: "\r", with: " ")
            #expect(document.text == expected, "\(text.debugDescription)")
        }
    }

    @Test("any number is written so that it reads back exactly")
    func numbers() {
        var random = SeededRandom(seed: 13)
        for _ in 0..<Self.cases {
            let value = Self.double(&random)
            #expect(Double(NumberText.shortest(value)) == value, "\(value)")
        }
    }

    @Test("the median lies between the extremes and splits the values in two")
    func medians() throws {
        var random = SeededRandom(seed: 14)
        for _ in 0..<Self.cases {
            let values = (0..<Int(1 + random.next() % 9)).map { _ in Self.double(&random) }
            let spread = try #require(Spread(values))
            #expect(spread.min <= spread.median && spread.median <= spread.max)
            #expect(values.filter { $0 < spread.median }.count <= values.count / 2)
            #expect(values.filter { $0 > spread.median }.count <= values.count / 2)
            #expect(spread.min == values.min() && spread.max == values.max())
        }
    }

    @Test("a plan's cells are the product of its axes, each combination once")
    func cells() throws {
        var random = SeededRandom(seed: 15)
        let models = ["event-loop", "threads", "tasks", "dispatch"]
        for _ in 0..<60 {
            func pick(_ pool: [String]) -> String {
                let count = Int(1 + random.next() % UInt64(pool.count))
                return pool.shuffled(using: &random).prefix(count).joined(separator: ",")
            }
            let lists: [SweepAxis: String] = [
                .model: pick(models), .procMs: pick(["0", "0.5", "1", "2", "5"]), .evalMs: pick(["1", "10", "50"]),
                .evalKind: pick(["wait", "cpu"]), .rate: pick(["200", "1000", "max"]),
            ]
            let repeats = Int(1 + random.next() % 3)
            let plan = try SweepPlan.make(lists: lists, repeats: repeats, models: models)
            let product = SweepAxis.allCases.reduce(1) { $0 * plan.values(of: $1).count }
            #expect(plan.cells.count == product)
            #expect(Set(plan.cells).count == product)
            #expect(plan.runs.count == product * repeats)
            #expect(plan.runs.map(\.index) == Array(0..<(product * repeats)))
            // Every cell's parameters lead back to it.
            for cell in plan.cells {
                #expect(plan.cell(of: SweepRunner.parameters(of: cell, plan: plan)) == cell)
            }
        }
    }

    @Test("pending runs are exactly the runs the records do not cover, in plan order")
    func pendingRuns() throws {
        var random = SeededRandom(seed: 16)
        let plan = try SweepPlan.make(
            lists: [.model: "threads,tasks", .procMs: "1,2", .evalMs: "5"], durationSeconds: 1, repeats: 3,
            models: ["threads", "tasks"])
        for _ in 0..<100 {
            var records: [SweepRecord] = []
            var done: [SweepCell: Int] = [:]
            for cell in plan.cells {
                let count = Int(random.next() % 5)
                done[cell] = count
                for _ in 0..<count {
                    var result = Fixture.result(
                        model: cell[.model], procMs: Double(cell[.procMs])!, evalMs: 5, duration: 1)
                    if random.next() % 4 == 0 { result.selfCheck.passed = false }
                    records.append(.run(result))
                }
            }
            let pending = SweepRunner.pending(plan, records: records.shuffled(using: &random), retryFailed: false)
            let expected = plan.runs.filter { $0.repetition >= done[$0.cell]! }
            #expect(pending == expected)
            let retried = SweepRunner.pending(plan, records: records, retryFailed: true)
            #expect(retried.count >= pending.count)
        }
    }

    @Test("any record round-trips through its JSON line, and the CSV keeps its figures")
    func records() throws {
        var random = SeededRandom(seed: 17)
        for index in 0..<Self.cases {
            let record: SweepRecord
            if random.next() % 3 == 0 {
                record = .failed(
                    FailedCell(
                        startedAt: Self.text(&random),
                        configuration: Fixture.parameters(
                            model: Self.text(&random), procMs: abs(Self.double(&random)), evalMs: 1),
                        error: Self.text(&random), exitStatus: Int32(random.next() % 256), stderr: Self.text(&random),
                        wallSeconds: abs(Self.double(&random))))
            } else {
                var result = Fixture.result(
                    model: "threads", rate: random.next() % 5 == 0 ? nil : abs(Self.double(&random)) + 1,
                    procMs: abs(Self.double(&random)), evalMs: random.unit() * 50)
                result.latency.endToEnd.mean = abs(Self.double(&random))
                result.selfCheck.failures = [Self.text(&random)]
                record = .run(result)
            }
            let line = try record.jsonLine()
            #expect(!line.contains("\n"), "case \(index): a record must be one line")
            #expect(try SweepRecord.decode(line) == record)
            let rows = CSVReader.parse(SweepCSV.render([record]))
            #expect(rows.count == 2 && rows[1].count == rows[0].count)
            let proc = try #require(rows[0].firstIndex(of: "proc_ms"))
            #expect(Double(rows[1][proc]) == record.parameters.procMs)
            if case .run(let r) = record {
                let e2e = try #require(rows[0].firstIndex(of: "e2e_mean_ms"))
                #expect(Double(rows[1][e2e]) == r.latency.endToEnd.mean)
            }
        }
    }

    @Test("a results file with a cut last line loads every whole line and names the cut one")
    func truncatedFiles() throws {
        var random = SeededRandom(seed: 18)
        let lines = try (0..<6).map {
            try SweepRecord.run(Fixture.result(model: "threads", procMs: Double($0), evalMs: 1)).jsonLine()
        }
        for _ in 0..<100 {
            let whole = Int(random.next() % 6)
            let cut = lines[whole]
            let keep = Int(random.next() % UInt64(cut.count - 1)) + 1
            let text = lines.prefix(whole).map { $0 + "\n" }.joined() + String(cut.prefix(keep))
            let contents = SweepResultsDirectory.parse(text)
            #expect(contents.records.count == whole)
            #expect(contents.problems.count == 1)
            #expect(contents.problems.first?.contains("incomplete") == true)
        }
    }

    @Test("reports of random matrices parse, and carry one throughput point per passed rated cell")
    func randomReports() {
        var random = SeededRandom(seed: 19)
        let models = ["event-loop", "threads", "tasks", "task-executors", "dispatch", "spin-ring"]
        for _ in 0..<12 {
            var records: [SweepRecord] = []
            var rated = Set<String>()
            for model in models.shuffled(using: &random).prefix(Int(1 + random.next() % 6)) {
                for proc in [0.5, 1, 2, 3, 4, 5] where random.next() % 3 != 0 {
                    for eval in [1.0, 10, 50] where random.next() % 2 == 0 {
                        let saturated = random.next() % 7 == 0
                        let passed = random.next() % 6 != 0
                        var result = Fixture.result(
                            model: model, rate: saturated ? nil : 200, procMs: proc, evalMs: eval,
                            jitter: random.unit(), selfCheckPassed: passed)
                        result.window.keptUp = random.next() % 2 == 0
                        records.append(.run(result))
                        if passed && !saturated { rated.insert("\(model) \(proc) \(eval)") }
                    }
                }
            }
            let document = ReportDocument(ReportRenderer.render([ReportSource(label: "random", records: records)]))
            #expect(document.parsed)
            let points = Set(
                document.data("point", in: "throughput").map {
                    "\($0.attributes["data-series"]!) \(Double($0.attributes["data-x"]!)!) \(Double($0.panel!.dropFirst(5).dropLast(3))!)"
                })
            #expect(points == rated)
        }
    }
}
