/// `ticklab verify-lobster`: rebuilds the book message by message and compares it with every
/// row of the orderbook file.
public enum LobsterVerification {
    /// What a verification found.
    public struct Report: Sendable, Hashable {
        public var messagesPath: String
        public var orderBookPath: String
        /// Levels per side of the orderbook file.
        public var levels: Int
        public var statistics: LobsterReplay.Statistics

        /// Every row matched (revealed levels adopted, as the format requires).
        public var passed: Bool { statistics.rowsMatched == statistics.rowsCompared }

        /// The report as `verify-lobster` prints it.
        public var text: String {
            let s = statistics
            var lines: [String] = []
            lines.append("verify-lobster \(messagesPath)")
            lines.append("           against \(orderBookPath) (\(levels) levels a side)")
            lines.append(
                "messages   \(s.messages): "
                    + (1...7).map { "\(LobsterEventType(rawValue: UInt8($0))!) \(s.messagesByType[$0])" }
                    .joined(separator: ", "))
            if let first = s.firstTime, let last = s.lastTime {
                lines.append(
                    "time       \(LobsterMessage.formatTime(first)) to \(LobsterMessage.formatTime(last)) s after midnight"
                )
            }
            if s.halts + s.quotingResumptions + s.tradingResumptions > 0 {
                lines.append(
                    "halts      halted \(s.halts), quoting resumed \(s.quotingResumptions), "
                        + "trading resumed \(s.tradingResumptions)")
            }
            lines.append(
                "book       opened with \(s.openingLevels) levels (the first row with the first message undone); "
                    + "\(s.revealedLevels) levels revealed from beyond the visible depth and adopted")
            if let rejection = s.firstRejection {
                lines.append(
                    "refused    \(s.rejectedMessages) message(s) did not fit the book; the first, line \(rejection.line): \(rejection.error)"
                )
            }
            lines.append(
                "rows       \(s.rowsMatched) of \(s.rowsCompared) match"
                    + (passed ? "" : " (\(s.rowsMismatched) differ)"))
            if let mismatch = s.firstMismatch {
                lines.append("FIRST MISMATCH \(mismatch)")
            } else {
                lines.append("verified: every row matches the rebuilt book")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Replays `messages` against `orderBook` to the end.
    /// - Throws: bad input: a file that cannot be read, a bad row (with its line), files of
    ///   different lengths.
    public static func run(messages: String, orderBook: String) throws(LobsterInputError) -> Report {
        var replay = try LobsterReplay(messages: messages, orderBook: orderBook)
        return try run(&replay)
    }

    /// Replays to the end whatever `replay` reads.
    public static func run(_ replay: inout LobsterReplay) throws(LobsterInputError) -> Report {
        while try replay.next() {}
        guard replay.statistics.messages > 0 else {
            throw LobsterInputError(path: replay.messagesPath, line: nil, reason: "it holds no messages")
        }
        return Report(
            messagesPath: replay.messagesPath, orderBookPath: replay.orderBookPath ?? "none",
            levels: replay.builder.levels, statistics: replay.statistics)
    }
}
