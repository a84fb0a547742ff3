import ArgumentParser
import Formats
import MarketData
import Report
import Results
import Run
import Sweep

/// `--speed`: a multiplier of a recording's pace (`1`, `10`, `0.5`), or `max` for as fast as
/// the receiver takes ticks.
struct SpeedArgument: ExpressibleByArgument, CustomStringConvertible {
    /// nil means `max`.
    var multiplier: Double?

    init(multiplier: Double?) { self.multiplier = multiplier }

    init?(argument: String) {
        if argument.lowercased() == "max" { multiplier = nil; return }
        guard let value = Double(argument), value.isFinite, value > 0, value <= 1_000_000 else { return nil }
        multiplier = value
    }

    var description: String { multiplier.map { NumberText.shortest($0) } ?? "max" }

    static func parse(_ text: String) throws -> SpeedArgument {
        guard let speed = SpeedArgument(argument: text) else {
            throw UsageMessage.NotAllowed(
                "a multiplier of the recorded pace above 0 (at most 1e6), such as 1, 10 or 0.5, or 'max'")
        }
        return speed
    }
}

/// What a `lobster:` run says before it starts.
enum LobsterNote {
    /// Says so when the orderbook file LOBSTER names after the message file is missing: the
    /// replay then starts from an empty book and nothing checks it against the recorded rows.
    static func warnIfNoOrderBook(messages: String) {
        // A message file that cannot be read is the run's own error, with its reason.
        guard LobsterReplay.isReadable(messages) else { return }
        let expected = LobsterReplay.orderBookPath(forMessages: messages)
        if let expected, LobsterReplay.isReadable(expected) { return }
        let looked =
            expected.map { "no readable orderbook file \($0)" }
            ?? "the file name does not follow LOBSTER's TICKER_DATE_START_END_message_N.csv, so no orderbook file was looked for"
        StandardError.write(
            "ticklab: note: \(looked): the replay starts from an empty book, deltas that do not fit it are "
                + "counted as rejected, and rows are not checked\n")
    }
}
