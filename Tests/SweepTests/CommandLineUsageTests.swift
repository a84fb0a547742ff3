import Foundation
import Sweep
import TestSupport
import Testing

/// Usage errors of every command, on the built `ticklab`: each is one line on standard error
/// that names the option, the bad value and what is allowed, and exits 64.
@Suite(
    "ticklab usage errors", .enabled(if: TicklabExecutable.path != nil, "needs the ticklab executable of this build"))
struct CommandLineUsageTests {
    static func ticklab(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await runOffPool(executable: TicklabExecutable.path!, arguments: arguments, timeout: 120)
    }

    @Test(
        "a bad value is one line that names it and what is allowed, exit 64",
        arguments: [
            (["run", "--model", "bogus"], "--model: 'bogus' is not allowed: a model: event-loop, threads"),
            (["run", "--seed", "-1"], "--seed: '-1' is not allowed: a whole number from 0 to"),
            (["run", "--seed", "1.5"], "--seed: '1.5' is not allowed"),
            (["run", "--rate", "fast"], "--rate: 'fast' is not allowed: a rate is a number of ticks per second"),
            (["run", "--rate", "-5"], "--rate: '-5' is not allowed"),
            (["run", "--duration", "0s"], "--duration: '0s' is not allowed: a length of time"),
            (
                ["run", "--proc-ms", "-1"],
                "--proc-ms: '-1' is not allowed: milliseconds must be a number from 0 to 60000"
            ),
            (["run", "--eval-kind", "sleep"], "--eval-kind: 'sleep' is not allowed: one of"),
            (["run", "--arrivals", "bursty"], "--arrivals: 'bursty' is not allowed: one of 'uniform' or 'poisson'"),
            (["run", "--clock", "wall"], "--clock: 'wall' is not allowed: one of"),
            (
                ["run", "--feed", "tcp://localhost"],
                "--feed: 'tcp://localhost' is not allowed: a feed: the port is missing"
            ),
            (
                ["run", "--feed", "tcp://h:0"],
                "--feed: 'tcp://h:0' is not allowed: a feed: the port '0' is not a number from 1 to 65535"
            ),
            (["run", "--feed", "lobster:"], "--feed: 'lobster:' is not allowed: a feed: the message file is missing"),
            (
                ["run", "--feed", "file.csv"],
                "--feed: 'file.csv' is not allowed: 'synthetic', 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'"
            ),
            (["run", "--speed", "2"], "--speed: '2' is not allowed: with --feed synthetic"),
            (["run", "--route-rtt-ms", "5"], "--route-rtt-ms: '5' is not allowed: without --route"),
            (["run", "--bogus"], "--bogus"),
            (["exchange", "--port", "-1"], "--port: '-1' is not allowed: a port: a whole number from 0 to 65535"),
            (["exchange", "--port", "70000"], "--port: '70000' is not allowed"),
            (
                ["exchange", "--heartbeat-ms", "0"],
                "--heartbeat-ms: '0' is not allowed: milliseconds must be a number from 1 to 60000"
            ),
            (["exchange", "--rate", "max"], "--rate: 'max' is not allowed: a number of ticks per second"),
            (["exchange", "--seed", "x"], "--seed: 'x' is not allowed"),
            (["sweep", "--seed", "-2"], "--seed: '-2' is not allowed"),
            (["sweep", "--rate", "0"], "--rate: '0' is not allowed"),
            (["sweep", "--duration", "forever"], "--duration: 'forever' is not allowed"),
            (
                ["run", "--load", "0.9", "--rate", "200"],
                "--load: '0.9' is not allowed: together with --rate 200: a load sets the rate"
            ),
            (
                ["run", "--load", "0.9", "--proc-ms", "0"],
                "--load: '0.9' is not allowed: with --proc-ms 0 a load has no meaning; use --rate (up to max)"
            ),
            (["run", "--load", "0"], "--load: '0' is not allowed: a load is utilisation ρ = rate × proc-ms / 1000"),
            (["run", "--load", "x"], "--load: 'x' is not allowed: a load is utilisation"),
            (
                ["run", "--load", "1", "--feed", "lobster:m.csv"],
                "--load: '1' is not allowed: with --feed lobster:m.csv"
            ),
            (
                ["sweep", "--load", "0.5,1", "--rate", "200"],
                "--load: '0.5,1' is not allowed: together with --rate 200: a load sets each cell's rate"
            ),
            (
                ["sweep", "--load", "0.5", "--proc-ms", "0,2"],
                "--proc-ms: '0,2' is not allowed: a proc-ms of 0 with --load: a load has no meaning without processing to utilise; sweep proc-ms 0 with a --rate ladder (up to max) instead"
            ),
            (["sweep", "--load", "0.5,abc"], "--load: 'abc' is not allowed: a load is utilisation"),
            (
                ["sweep", "--evaluations", "1:wait,20:cpu", "--eval-ms", "5"],
                "--evaluations: '1:wait,20:cpu' is not allowed: together with --eval-ms 5"
            ),
            (
                ["sweep", "--evaluations", "1:sleep"],
                "--evaluations: '1:sleep' is not allowed: pairs of EVAL-MS:EVAL-KIND"
            ),
            (["sweep", "--slo", "p99=10"], "--slo bound '10' has no known unit"),
            (["sweep", "--slo", "p42=1ms"], "--slo percentile 'p42' is not known"),
            (
                ["sweep", "--preset", "capacity", "--proc-ms", "0"],
                "--proc-ms: '0' is not allowed: a proc-ms of 0 with --load"
            ),
            (["report", "--bogus"], "report: '--bogus' is not allowed: not an option"),
            (["report", "--slo", "p99", "results/x"], "--slo 'p99' has no bound"),
            (["--bogus"], "option: '--bogus' is not allowed"),
            (["bogus"], "command: 'bogus' is not allowed: one of run, sweep"),
            (["run", "--feed", "tcp://[::1]"], "the port is missing"),
            (["report"], "give at least one directory"),
            (["verify-lobster", "a.csv"], "orderbook.csv"),
        ])
    func badValue(arguments: [String], message: String) async throws {
        let outcome = try await Self.ticklab(arguments)
        #expect(outcome.ending == .exited(64), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
    }

    @Test("help shows defaults as a user would type them")
    func helpDefaults() async throws {
        let outcome = try await Self.ticklab(["run", "--help"])
        #expect(outcome.ending == .exited(0))
        #expect(outcome.stdout.contains("(default: threads)"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("Argument("), "\(outcome.stdout)")
        let exchange = try await Self.ticklab(["exchange", "--help"])
        #expect(exchange.stdout.contains("from 1 to 60000"), "\(exchange.stdout)")
    }

    @Test("a lobster: feed that cannot be read exits 66, a malformed one 65, as verify-lobster does")
    func lobsterFeedExitCodes() async throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = try await Self.ticklab([
            "run", "--feed", "lobster:\(directory)/none_message_1.csv", "--duration", "1s",
        ])
        #expect(missing.ending == .exited(66), "\(missing.stderr)")
        #expect(missing.stderr.contains("none_message_1.csv"), "\(missing.stderr)")
        let malformed = directory + "/BAD_2012-06-21_34200000_57600000_message_1.csv"
        try "34200.1,1,1,100,5853300,1\nnot,a,lobster,row\n".write(toFile: malformed, atomically: true, encoding: .utf8)
        let bad = try await Self.ticklab(["run", "--feed", "lobster:\(malformed)", "--duration", "1s"])
        #expect(bad.ending == .exited(65), "\(bad.stderr)")
        #expect(bad.stderr.contains(":2") || bad.stderr.contains("line 2"), "\(bad.stderr)")
    }
}
