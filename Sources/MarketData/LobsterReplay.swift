import OrderBook

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a LOBSTER message file, and its orderbook file when there is one, in step, and drives
/// a ``LobsterBookBuilder`` message by message: what both `verify-lobster` and the `lobster:`
/// feed are made of. Streams both files; memory does not grow with their length.
public struct LobsterReplay: Sendable {
    /// What the replay has seen so far.
    public struct Statistics: Sendable, Hashable {
        public var messages: UInt64 = 0
        /// Messages per event type, indexed by the type's number (index 0 unused).
        public var messagesByType: [UInt64] = Array(repeating: 0, count: 8)
        /// Type 7 messages by state.
        public var halts: UInt64 = 0
        public var quotingResumptions: UInt64 = 0
        public var tradingResumptions: UInt64 = 0
        /// Levels the replay started from (the first row with the first message undone).
        public var openingLevels: UInt64 = 0
        /// Orderbook rows compared, and how many matched the rebuilt book.
        public var rowsCompared: UInt64 = 0
        public var rowsMatched: UInt64 = 0
        /// Levels adopted because they entered the top N from beyond the previous row's depth.
        public var revealedLevels: UInt64 = 0
        /// The first row that did not match, if any.
        public var firstMismatch: LobsterBookBuilder.Mismatch?
        /// Messages whose delta the book refused (a cancel of an unknown level, …).
        public var rejectedMessages: UInt64 = 0
        /// The first refusal: the message's line and the book's reason.
        public var firstRejection: Rejection?
        /// Time of the first and last message, ns after midnight.
        public var firstTime: Int64?
        public var lastTime: Int64?

        public var rowsMismatched: UInt64 { rowsCompared - rowsMatched }
        /// Hidden executions (5) and cross trades (6): trades the visible book does not show.
        public var hiddenExecutions: UInt64 { messagesByType[5] }
        public var crossTrades: UInt64 { messagesByType[6] }
    }

    /// A message whose delta the book refused.
    public struct Rejection: Sendable, Hashable {
        /// The message's line.
        public var line: Int
        public var error: BookError
    }

    public let messagesPath: String
    /// nil when the replay runs without an orderbook file (no opening book, no checks).
    public let orderBookPath: String?
    private var messages: LobsterLineReader
    private var orderBook: LobsterLineReader?
    private var row = LobsterOrderBookRow()
    public private(set) var builder = LobsterBookBuilder()
    /// The message of the last ``next()``.
    public private(set) var message: LobsterMessage?
    /// How the last message's orderbook row compared, nil without an orderbook file.
    public private(set) var check: LobsterBookBuilder.RowCheck?
    public private(set) var statistics = Statistics()

    /// Opens both files. `orderBook` nil replays the messages alone, from an empty book.
    public init(messages: String, orderBook: String?) throws(LobsterInputError) {
        self.messagesPath = messages
        self.orderBookPath = orderBook
        self.messages = try LobsterLineReader(path: messages)
        self.orderBook = try orderBook.map { path throws(LobsterInputError) in try LobsterLineReader(path: path) }
    }

    /// Replays bytes in memory (tests and the fuzz target).
    public init(messageBytes: [UInt8], orderBookBytes: [UInt8]?, chunk: Int = 1 << 16) {
        self.messagesPath = "messages"
        self.orderBookPath = orderBookBytes == nil ? nil : "orderbook"
        self.messages = LobsterLineReader(bytes: messageBytes, name: "messages", chunk: chunk)
        self.orderBook = orderBookBytes.map { LobsterLineReader(bytes: $0, name: "orderbook", chunk: chunk) }
    }

    /// The line of the last message in the message file.
    public var messageLine: Int { messages.lineNumber }

    /// Reads and applies the next message (and reconciles with its orderbook row). Its book
    /// changes are in `builder.changes`. False at the end of the files.
    public mutating func next() throws(LobsterInputError) -> Bool {
        builder.clearChanges()
        check = nil
        guard let message = try messages.nextMessage() else {
            message = nil
            if var orderBook, try orderBook.nextOrderBookRow(into: &row) {
                throw LobsterInputError(
                    path: orderBook.path, line: orderBook.lineNumber,
                    reason:
                        "the orderbook file has more rows than \(messagesPath) has messages (\(statistics.messages)): "
                        + "row k must be the book after message k")
            }
            return false
        }
        if let last = statistics.lastTime, message.time < last {
            throw LobsterInputError(
                path: messagesPath, line: messages.lineNumber,
                reason:
                    "time \(Self.seconds(message.time)) is earlier than the previous message's \(Self.seconds(last)): "
                    + "messages must be in time order")
        }
        self.message = message
        count(message)

        if orderBook != nil {
            guard try orderBook!.nextOrderBookRow(into: &row) else {
                throw LobsterInputError(
                    path: orderBook!.path, line: orderBook!.lineNumber + 1,
                    reason:
                        "the orderbook file ends here, but \(messagesPath) goes on (line \(messages.lineNumber)): "
                        + "row k must be the book after message k")
            }
            if statistics.messages == 1 {
                builder.start(firstMessage: message, firstRow: row)
                statistics.openingLevels = UInt64(builder.changes.count)
            }
        }
        if let refusal = builder.apply(message) {
            statistics.rejectedMessages += 1
            if statistics.firstRejection == nil {
                statistics.firstRejection = Rejection(line: messages.lineNumber, error: refusal)
            }
        }
        if let orderBook {
            let check = builder.reconcile(with: row, row: orderBook.lineNumber)
            self.check = check
            statistics.rowsCompared += 1
            switch check {
            case .matched(let revealed):
                statistics.rowsMatched += 1
                statistics.revealedLevels += UInt64(revealed)
            case .mismatched(let mismatch, let revealed):
                statistics.revealedLevels += UInt64(revealed)
                if statistics.firstMismatch == nil { statistics.firstMismatch = mismatch }
            }
        }
        return true
    }

    private mutating func count(_ message: LobsterMessage) {
        statistics.messages += 1
        statistics.messagesByType[Int(message.type.rawValue)] += 1
        switch message.haltState {
        case .halted: statistics.halts += 1
        case .quotingResumed: statistics.quotingResumptions += 1
        case .tradingResumed: statistics.tradingResumptions += 1
        case nil: break
        }
        if statistics.firstTime == nil { statistics.firstTime = message.time }
        statistics.lastTime = message.time
    }

    static func seconds(_ time: Int64) -> String { LobsterMessage.formatTime(time) }

    /// The orderbook file LOBSTER names after a message file
    /// (`TICKER_DATE_START_END_message_N.csv` → `TICKER_DATE_START_END_orderbook_N.csv`, same
    /// folder), nil when the name does not follow that convention.
    public static func orderBookPath(forMessages path: String) -> String? {
        let bytes = Array(path.utf8)
        let marker = Array("_message_".utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        var i = bytes.count - marker.count
        while i >= nameStart {
            if bytes[i..<(i + marker.count)].elementsEqual(marker) {
                return String(decoding: bytes[..<i], as: UTF8.self) + "_orderbook_"
                    + String(decoding: bytes[(i + marker.count)...], as: UTF8.self)
            }
            i -= 1
        }
        return nil
    }

    /// `true` when `path` names a file that can be opened for reading.
    public static func isReadable(_ path: String) -> Bool { access(path, R_OK) == 0 }
}
