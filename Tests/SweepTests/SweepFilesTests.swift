import Formats
import Foundation
import TestSupport
import Testing

@testable import Results
@testable import Sweep

@Suite("Sweep results files")
struct SweepFilesTests {
    @Test("JSONL round-trips run results and failed cells, each on one line")
    func jsonlRoundTrip() throws {
        let directory = SweepResultsDirectory(path: Fixture.temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let records = Fixture.sweepRecords()
        for record in records { try directory.append(record) }
        let text = try String(contentsOfFile: directory.resultsPath, encoding: .utf8)
        #expect(text.split(separator: "\n").count == records.count)
        #expect(text.hasSuffix("\n"))
        let loaded = try directory.load()
        #expect(loaded.problems.isEmpty)
        #expect(loaded.records == records)
    }

    @Test("a run result is stored exactly as 'ticklab run --json' prints it")
    func sameSchemaAsRun() throws {
        let result = Fixture.result(model: "threads", procMs: 2, evalMs: 1)
        #expect(try SweepRecord.run(result).jsonLine() == ResultCoding.jsonLine(result))
        #expect(try ResultCoding.decode(SweepRecord.run(result).jsonLine()) == result)
    }

    @Test("a failed cell says what failed, with its parameters")
    func failedRecord() throws {
        let records = Fixture.sweepRecords()
        let failed = try #require(records.first { if case .failed = $0 { true } else { false } })
        let line = try failed.jsonLine()
        #expect(line.contains("\"schema\":\"ticklab.failed-cell\""))
        #expect(line.contains("\"signal\":11"))
        #expect(failed.failure?.contains("SIGSEGV") == true)
        #expect(failed.passedResult == nil)
        #expect(failed.parameters.model == "threads")
    }

    @Test("results that failed their self-check or were interrupted do not count")
    func failedRuns() {
        let bad = SweepRecord.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, selfCheckPassed: false))
        #expect(bad.passedResult == nil)
        #expect(bad.failure == "self-check failed: received 10 ticks but processed 9")
        let cut = SweepRecord.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1, interrupted: true))
        #expect(cut.passedResult == nil)
        #expect(cut.failure?.contains("interrupted") == true)
        #expect(SweepRecord.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1)).failure == nil)
    }

    @Test("unreadable lines are reported with their number; an unfinished last line is called that")
    func unreadableLines() throws {
        let good = try SweepRecord.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1)).jsonLine()
        let text = [good, "{\"schema\":\"other\"}", "not json", good, String(good.prefix(40))].joined(separator: "\n")
        let contents = SweepResultsDirectory.parse(text, name: "r.jsonl")
        #expect(contents.records.count == 2)
        #expect(contents.problems.count == 3)
        #expect(
            contents.problems[0].contains("r.jsonl line 2") && contents.problems[0].contains("unknown schema 'other'"))
        #expect(contents.problems[1].contains("line 3") && contents.problems[1].contains("not a JSON object"))
        #expect(contents.problems[2].contains("line 5 is incomplete"))
    }

    @Test("a line cut short by a kill is cut off, so the next record starts on its own line")
    func repairTail() throws {
        let directory = SweepResultsDirectory(path: Fixture.temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let record = SweepRecord.run(Fixture.result(model: "threads", procMs: 1, evalMs: 1))
        try directory.append(record)
        let line = try record.jsonLine()
        let handle = try #require(FileHandle(forWritingAtPath: directory.resultsPath))
        handle.seekToEndOfFile()
        handle.write(Data(line.prefix(100).utf8))
        handle.closeFile()
        #expect(try directory.repairTail())
        #expect(try !directory.repairTail())
        try directory.append(record)
        let loaded = try directory.load()
        #expect(loaded.problems.isEmpty)
        #expect(loaded.records == [record, record])
    }

    @Test("atomic writes replace a file whole and leave no temporary file")
    func atomicWrite() throws {
        let path = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SweepResultsDirectory.writeAtomically("one", to: path + "/f.txt")
        try SweepResultsDirectory.writeAtomically("two", to: path + "/f.txt")
        #expect(try String(contentsOfFile: path + "/f.txt", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["f.txt"])
        #expect(throws: SweepResultsDirectory.FileError.self) {
            try SweepResultsDirectory.writeAtomically("x", to: path + "/missing/f.txt")
        }
    }

    @Test("the default directory is results/YYYYMMDD-HHMMSS and the newest is found")
    func directoryNames() throws {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute, components.second) = (
            2026, 1, 25, 14, 3, 9
        )
        let date = try #require(Calendar.current.date(from: components))
        #expect(SweepResultsDirectory.defaultPath(for: date) == "results/20260125-140309")
        let parent = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(SweepResultsDirectory.newest(under: parent) == nil)
        for name in ["20260101-000000", "20260102-000000", "20260103-000000"] {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
        }
        // The newest directory without results is not a sweep to resume.
        _ = FileManager.default.createFile(atPath: parent + "/20260101-000000/results.jsonl", contents: Data())
        _ = FileManager.default.createFile(atPath: parent + "/20260102-000000/results.jsonl", contents: Data())
        #expect(SweepResultsDirectory.newest(under: parent) == parent + "/20260102-000000")
    }

    @Test("CSV: a header naming every column with its unit, one row per record, values as in the JSON")
    func csvRoundTrip() throws {
        let records = Fixture.sweepRecords()
        let rows = CSVReader.parse(SweepCSV.render(records))
        #expect(rows.count == records.count + 1)
        let header = rows[0]
        #expect(Set(header).count == header.count)
        #expect(rows.allSatisfy { $0.count == header.count })
        // Every measured column carries its unit (or is a name, a flag or a count).
        let unitless: Set<String> = [
            "status", "error", "started_at_utc", "model", "feed", "arrivals", "clock", "seed", "eval_kind",
            "wait_strategy", "ticklab_version", "interrupted", "kept_up", "rejected_deltas", "evaluations",
            "conflated_states", "decisions_buy", "decisions_sell", "decisions_hold", "cpu_shared_by",
            "eval_measured_as", "self_check_passed", "exit_status", "signal", "load", "noisy", "calibration_source",
            "superseded_by_rerun",
        ]
        for name in header where !unitless.contains(name) {
            let units = [
                "_ms", "_s", "_ticks_per_s", "_ticks", "_count", "_ns_per_round", "_offered", "_received", "_processed",
                "_in_window", "_per_tick", "_cores",
            ]
            #expect(units.contains { name.hasSuffix($0) }, "column \(name) names no unit")
        }
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name)) }
        for (record, row) in zip(records, rows.dropFirst()) {
            #expect(row[try column("model")] == record.parameters.model)
            #expect(Double(row[try column("proc_ms")]) == record.parameters.procMs)
            #expect(
                row[try column("rate_ticks_per_s")] == (record.parameters.rate.map { NumberText.shortest($0) } ?? "max")
            )
            switch record {
            case .run(let r):
                #expect(row[try column("status")] == "ok")
                #expect(Double(row[try column("throughput_ticks_per_s")]) == r.window.throughput)
                #expect(Double(row[try column("e2e_mean_ms")]) == r.latency.endToEnd.mean)
                #expect(Double(row[try column("e2e_p99_ms")]) == r.latency.endToEnd.p99)
                #expect(Double(row[try column("seg_arrival_to_received_mean_ms")]) == r.segments.arrivalToReceived.mean)
                #expect(Double(row[try column("seg_picked_to_decided_mean_ms")]) == r.segments.pickedToDecided.mean)
                #expect(Int(row[try column("queue_peak_ticks")]) == r.queue.peak)
                #expect(Double(row[try column("cpu_process_s")]) == r.cpuSeconds.process)
                #expect(
                    row[try column("cpu_processor_s")] == (r.cpuSeconds.processor.map { NumberText.shortest($0) } ?? "")
                )
                #expect(row[try column("kept_up")] == String(r.window.keptUp))
            case .failed(let f):
                #expect(row[try column("status")] == "failed")
                #expect(row[try column("error")] == f.error)
                #expect(row[try column("throughput_ticks_per_s")] == "")
                #expect(row[try column("signal")] == "11")
            }
        }
    }

    @Test("CSV quotes fields with commas, quotes and line breaks")
    func csvEscaping() {
        #expect(SweepCSV.escape("plain") == "plain")
        #expect(SweepCSV.escape("a,b") == "\"a,b\"")
        #expect(SweepCSV.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReader.parse(SweepCSV.escape("x,\"y\"\nz") + ",w\n") == [["x,\"y\"\nz", "w"]])
    }

    @Test("machine.json names the machine, the versions and the command")
    func machineInfo() throws {
        let info = MachineInfo.current(
            commandLine: ["ticklab", "sweep", "--out", "a b"], reproduce: ["ticklab", "sweep"], plan: nil)
        #expect(info.logicalCores >= 1)
        #expect(info.memoryBytes > 0)
        #expect(!info.cpuModel.isEmpty && !info.os.isEmpty && !info.kernel.isEmpty)
        #expect(info.swiftVersion.hasPrefix("6."))
        #expect(info.ticklabVersion == TickLabVersion.string)
        #expect(info.commandLine == "ticklab sweep --out 'a b'")
        let path = Fixture.temporaryDirectory() + "/machine.json"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try SweepResultsDirectory.writeAtomically(try info.jsonText(), to: path)
        #expect(MachineInfo.load(path) == info)
    }
}
