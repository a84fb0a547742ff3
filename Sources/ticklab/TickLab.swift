import ArgumentParser
import Foundation
import Report
import Results
import Run
import Sweep

struct TickLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticklab",
        abstract: "A laboratory for choosing a concurrency model for a latency-sensitive pipeline.",
        version: TickLabVersion.string,
        subcommands: [
            RunCommand.self, SweepCommand.self, AdviseCommand.self, ReportCommand.self, ExchangeCommand.self,
            ModelsCommand.self,
            VerifyLobsterCommand.self, FloorCommand.self,
        ],
        defaultSubcommand: nil)
}

@main
enum Main {
    static func main() {
        do {
            var command = try TickLab.parseAsRoot()
            try command.run()
            exitIfStandardOutputLost()
        } catch let failure as CommandFailure {
            StandardError.write("ticklab: \(failure.message)\n")
            exit(failure.code)
        } catch {
            let code = TickLab.exitCode(for: error)
            // Usage errors: one line naming the value and what is allowed, exit 64; help and
            // version go through ArgumentParser as usual.
            if code == .validationFailure {
                let commands = TickLab.configuration.subcommands.map { $0._commandName }
                let subcommand = CommandLine.arguments.dropFirst().first.flatMap { commands.contains($0) ? $0 : nil }
                let message = UsageMessage.oneLine(TickLab.message(for: error), command: subcommand, commands: commands)
                StandardError.write("ticklab: \(message) (see 'ticklab help\(subcommand.map { " \($0)" } ?? "")')\n")
                exit(64)
            }
            if error is ExitCode { exitIfStandardOutputLost() }
            TickLab.exit(withError: error)
        }
    }

    /// `print` goes through C's buffered standard output, whose failed writes would otherwise
    /// go unseen (a result printed to a full disk): flush it, and make a failure one line and
    /// exit 74.
    static func exitIfStandardOutputLost() {
        guard fflush(nil) != 0 else { return }
        StandardError.write("ticklab: cannot write standard output: \(String(cString: strerror(errno)))\n")
        exit(ExitStatus.writeFailed)
    }
}
