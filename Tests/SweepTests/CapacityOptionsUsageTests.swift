import Foundation
import Sweep
import TestSupport
import Testing

/// The options of issue 10 on the built `ticklab`: a bad value is one line on standard error
/// that names it and what is allowed, exit 64.
@Suite(
    "ticklab usage errors: --calibration and --rerun-noisy",
    .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct CapacityOptionsUsageTests {
    @Test(
        "a calibration that is not a positive finite number, or a rerun count outside 0…10, is refused",
        arguments: [
            (["run", "--calibration", "0"], "--calibration: '0' is not allowed: nanoseconds per round of work"),
            (["run", "--calibration", "-2"], "--calibration: '-2' is not allowed"),
            (["run", "--calibration", "nan"], "--calibration: 'nan' is not allowed"),
            (["run", "--calibration", "inf"], "--calibration: 'inf' is not allowed"),
            (["run", "--calibration", "fast"], "--calibration: 'fast' is not allowed"),
            (["sweep", "--rerun-noisy", "11"], "--rerun-noisy: '11' is not allowed: a whole number from 0 to 10"),
            (["sweep", "--rerun-noisy", "-1"], "--rerun-noisy: '-1' is not allowed"),
        ])
    func badValue(arguments: [String], message: String) async throws {
        let outcome = try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 120)
        #expect(outcome.ending == .exited(64), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
    }

    @Test("a given calibration reaches the run's record")
    func givenCalibrationInRecord() async throws {
        let outcome = try await runOffPool(
            executable: TicklabExecutable.path!,
            arguments: ["run", "--json", "--duration", "200ms", "--calibration", "1.75"], timeout: 120)
        #expect(outcome.ending == .exited(0), "\(outcome.stderr)")
        #expect(outcome.stdout.contains("\"calibrationNanosPerRound\":1.75"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("\"calibrationSource\":\"given\""), "\(outcome.stdout)")
    }
}
