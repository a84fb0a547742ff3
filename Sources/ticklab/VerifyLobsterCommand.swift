import ArgumentParser
import MarketData

struct VerifyLobsterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-lobster",
        abstract: "Rebuild a LOBSTER book message by message and compare it with every orderbook row.",
        discussion: """
            Row k of the orderbook file is the book after message k. The book starts from the \
            first row with the first message undone. A level-N file records only events inside \
            the top N levels, so a level that enters them from beyond the previous row's visible \
            depth is adopted from the row and counted as revealed; every other level must match. \
            After a mismatch the row is adopted and the comparison goes on, so the count of \
            matching rows stays meaningful. See docs/LOBSTER.md.

            Exit status: 0 every row matches, 1 a row differs, 64 usage error, 65 a bad row \
            (named with its file and line), 66 a file that cannot be read.
            """)

    @Argument(help: ArgumentHelp("The message file (TICKER_DATE_START_END_message_N.csv).", valueName: "messages.csv"))
    var messages: String

    @Argument(
        help: ArgumentHelp("Its orderbook file (TICKER_DATE_START_END_orderbook_N.csv).", valueName: "orderbook.csv"))
    var orderBook: String

    func run() throws {
        let report: LobsterVerification.Report
        do {
            report = try LobsterVerification.run(messages: messages, orderBook: orderBook)
        } catch {
            throw CommandFailure(message: error.description, code: error.line == nil ? 66 : 65)
        }
        print(report.text)
        if !report.passed { throw ExitCode(1) }
    }
}
