import ArgumentParser
import Capacity
import Foundation
import Pipeline

/// `ticklab floor`: what this machine adds to every latency, so that results can be read against it.
struct FloorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor",
        abstract: "Measure the machine's floor: how late a timed wake-up is and what a clock read costs.",
        discussion: """
            Wake-up lateness: the thread sleeps until a deadline 1 ms ahead (clock_nanosleep, \
            CLOCK_MONOTONIC, TIMER_ABSTIME) --samples times, with 1 ns timer slack as the lab's \
            stage threads use, and reports how late it woke (p50, p99, max). Every latency the lab \
            reports contains at least one such wake-up, so latencies below the wake-up p99 are the \
            machine's, not the model's, and differences between models smaller than it are not \
            the models' either. The max is what one unlucky wake-up costs on this machine now \
            (another process's time slice, the hypervisor).

            Clock read: the cost of one CLOCK_MONOTONIC read (median of \(FloorMeasurement.standardBatches) \
            batches of \(FloorMeasurement.standardReadsPerBatch) reads). Every latency is the difference of two reads, so nothing finer than this \
            means anything, and each tick's stamps cost a few of them.

            Measurement per tick: what the lab's own measurement costs a tick on the hot path: \
            the \(MeasurementOverhead.clockReadsPerTick) clock reads that stamp it and the \
            \(MeasurementOverhead.recordsPerTick) histogram records of its latencies and the processor's \
            timeline record (latency over the run's time), as the stages make them \
            (median of \(MeasurementOverhead.standardBatches) batches of \(MeasurementOverhead.standardTicksPerBatch) ticks). \
            That much of every tick's latency and CPU is the measuring, not the model.

            The figures change with what else runs on the machine: measure beside the results you \
            read, not once for ever.
            """)

    @Option(
        help: ArgumentHelp(
            "Timed sleeps of 1 ms for the wake-up figures (default \(FloorMeasurement.standardSleeps)): \(FloorSamples.allowed).",
            valueName: "n"), transform: FloorSamples.parse)
    var samples: Int = FloorMeasurement.standardSleeps

    @Flag(help: "Print the floor as one line of JSON instead of a table.")
    var json = false

    func run() throws {
        FloorMeasurement.requestTimerSlack(nanoseconds: 1)
        var floor = FloorMeasurement.measure(sleeps: samples)
        floor.measurement = MeasurementOverhead.measure()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(floor), as: UTF8.self))
            return
        }
        print(FloorTable.render(floor))
    }
}

/// `--samples`: a whole number of sleeps, enough for a p99 and few enough to finish in minutes.
enum FloorSamples {
    static let range = 100...100_000
    static let allowed = "a whole number of sleeps from 100 (a p99 needs that many) to 100000 (about 2 minutes)"

    static func parse(_ text: String) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError(allowed)
        }
        return value
    }
}

/// The floor as a small table.
enum FloorTable {
    static func render(_ floor: MachineFloor) -> String {
        let wake = floor.wakeUp
        let clock = floor.clockRead
        let slack = wake.timerSlackNanoseconds.map { "timer slack \(duration(Double($0)))" } ?? "timer slack unknown"
        var rows: [(String, String, String)] = [
            (
                "wake-up lateness p50", duration(Double(wake.p50Nanoseconds)),
                "\(wake.samples) sleeps of \(duration(Double(wake.sleepNanoseconds))), \(slack)"
            ),
            (
                "wake-up lateness p99", duration(Double(wake.p99Nanoseconds)),
                "latencies below this are the machine's, not the model's"
            ),
            ("wake-up lateness max", duration(Double(wake.maxNanoseconds)), "one unlucky wake-up"),
            (
                "clock read", duration(clock.medianNanosecondsPerRead),
                "median of \(clock.batches) batches of \(clock.readsPerBatch) reads (\(duration(clock.minNanosecondsPerRead))–\(duration(clock.maxNanosecondsPerRead)))"
            ),
        ]
        if let cost = floor.measurement {
            rows.append(
                (
                    "measurement per tick", duration(cost.medianNanosecondsPerTick),
                    "\(cost.clockReadsPerTick) clock reads + \(cost.recordsPerTick) histogram records, "
                        + "median of batches, \(cost.ticks) ticks in all (\(duration(cost.minNanosecondsPerTick))–\(duration(cost.maxNanosecondsPerTick)))"
                ))
        }
        let nameWidth = max("figure".count, rows.map(\.0.count).max() ?? 0) + 2
        let valueWidth = max("value".count, rows.map(\.1.count).max() ?? 0) + 2
        func line(_ row: (String, String, String)) -> String {
            row.0.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: valueWidth - 2 - row.1.count) + row.1 + "  " + row.2
        }
        return ([("figure", "value", "")] + rows).map(line)
            .map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
            .joined(separator: "\n")
    }

    /// Nanoseconds in the unit that reads best: `21.4 ns`, `57 µs`, `1.23 ms`.
    static func duration(_ nanoseconds: Double) -> String {
        switch nanoseconds {
        case ..<1_000: String(format: "%.1f ns", nanoseconds)
        case ..<1_000_000: String(format: "%.1f µs", nanoseconds / 1_000)
        default: String(format: "%.2f ms", nanoseconds / 1_000_000)
        }
    }
}
