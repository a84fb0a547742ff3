import Clocks
import OrderBook

/// Replays a LOBSTER message file as ticks, at its recorded pace times a speed or as fast as the
/// receiver takes them (`--feed lobster:MESSAGES.csv`, `--speed`).
///
/// When the orderbook file LOBSTER names after the message file is next to it, the feed opens
/// with one add per level to build the book of the first row with the first message undone,
/// then sends each message's delta, plus the deltas that adopt levels revealed from beyond the
/// file's visible depth (see ``LobsterBookBuilder``): the pipeline's book then equals the
/// orderbook file row by row. Without the orderbook file the book starts empty and the deltas
/// that do not fit it are refused and counted by the processor.
///
/// Messages that leave the visible book alone (hidden executions, cross trades, halts) become no
/// tick, so sequence numbers stay contiguous; they are counted in ``counters``. Every tick of a
/// message shares its scheduled arrival: `start + (time − first time) / speed`.
///
/// The files are read as the replay goes (memory stays flat); ``Recording`` reads them once
/// beforehand, so bad input is reported before a run starts.
public struct LobsterFeed: TickFeed {
    /// A message file (and its orderbook file) read and checked once.
    public struct Recording: Sendable, Hashable {
        public var messagesPath: String
        /// nil when there is no orderbook file by LOBSTER's naming next to the messages.
        public var orderBookPath: String?
        /// Levels per side of the orderbook file, 0 without one.
        public var levels: Int
        /// The whole replay: messages, rows compared and matched, revealed levels, …
        public var statistics: LobsterReplay.Statistics
        /// Ticks a full replay sends (opening adds, message deltas, adoptions).
        public var ticks: UInt64

        /// Reads `messages` and, when LOBSTER's naming finds one next to it, its orderbook file.
        public init(messages: String) throws(LobsterInputError) {
            let orderBook = LobsterReplay.orderBookPath(forMessages: messages).flatMap {
                LobsterReplay.isReadable($0) ? $0 : nil
            }
            try self.init(messages: messages, orderBook: orderBook)
        }

        /// Reads `messages` with the given orderbook file (nil: none).
        public init(messages: String, orderBook: String?) throws(LobsterInputError) {
            var replay = try LobsterReplay(messages: messages, orderBook: orderBook)
            var ticks: UInt64 = 0
            while try replay.next() { ticks += UInt64(replay.builder.changes.count) }
            guard replay.statistics.messages > 0 else {
                throw LobsterInputError(path: messages, line: nil, reason: "it holds no messages")
            }
            self.messagesPath = messages
            self.orderBookPath = orderBook
            self.levels = replay.builder.levels
            self.statistics = replay.statistics
            self.ticks = ticks
        }

        /// Recorded time from the first message to the last, in ns.
        public var span: UInt64 { UInt64(max(0, (statistics.lastTime ?? 0) - (statistics.firstTime ?? 0))) }
    }

    public let recording: Recording
    /// Multiplier of the recorded pace; nil: as fast as the receiver takes ticks.
    public let speed: Double?
    /// The first scheduled arrival.
    public var start: MonotonicInstant { MonotonicInstant(nanoseconds: startNanoseconds) }
    /// No tick is offered from this instant on (`--duration`).
    public var offerEnd: MonotonicInstant { MonotonicInstant(nanoseconds: offerEndNanoseconds) }
    // In nanoseconds, as the ticks' stamps are computed from and compared with them at each poll.
    private let startNanoseconds: UInt64
    private let offerEndNanoseconds: UInt64
    private var replay: LobsterReplay
    /// Changes of the current message not yet sent.
    private var pending = 0
    private var stepDue: UInt64 = 0
    private var done = false
    private var stopped = false
    public private(set) var emitted: UInt64 = 0
    /// A read error after the recording was checked (the file changed under the run).
    public private(set) var failure: LobsterInputError?

    /// - Parameters:
    ///   - speed: multiplier of the recorded pace (positive), nil for as fast as possible.
    ///   - duration: the replay offers ticks for at most this long, even if the file goes on.
    public init(
        _ recording: Recording, speed: Double?, duration: Duration, start: MonotonicInstant
    ) throws(LobsterInputError) {
        precondition(speed.map { $0 > 0 && $0.isFinite } ?? true, "speed must be positive")
        self.recording = recording
        self.speed = speed
        self.startNanoseconds = start.nanoseconds
        self.offerEndNanoseconds = (start + duration).nanoseconds
        self.replay = try LobsterReplay(messages: recording.messagesPath, orderBook: recording.orderBookPath)
    }

    /// Paced: the recording's span at `speed` plus one mean gap between messages (as the last of
    /// `n` evenly spaced ticks is one gap before the end of their window), capped by the
    /// duration. As fast as possible: nil (the duration caps the run, which ends when drained).
    public var scheduleEnd: MonotonicInstant? {
        guard let speed, recording.statistics.messages > 1, recording.span > 0 else { return nil }
        let paced = Double(recording.span) / speed
        let window = paced * Double(recording.statistics.messages) / Double(recording.statistics.messages - 1)
        return min(offerEnd, start + .nanoseconds(UInt64(window.rounded(.up))))
    }

    public mutating func stop() { stopped = true }

    public mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll {
        if stopped { return .finished }
        // Even as fast as possible, nothing exists before the start (the window opens there).
        if speed == nil, now < startNanoseconds { return .idle(until: startNanoseconds) }
        var count = 0
        while count < limit, !done {
            let changes = replay.builder.changes
            if pending < changes.count {
                if speed != nil, stepDue > now { break }
                let change = changes[pending]
                pending += 1
                emitted += 1
                buffer.append(
                    Tick(
                        sequence: emitted, scheduledArrival: speed == nil ? now : stepDue,
                        delta: change.delta, kind: change.kind))
                count += 1
                continue
            }
            do {
                guard try replay.next() else { done = true; break }
            } catch {
                failure = error
                done = true
                break
            }
            pending = 0
            if let speed {
                let offset = Double(replay.message!.time - recording.statistics.firstTime!) / speed
                stepDue = startNanoseconds &+ UInt64(offset.rounded())
                if stepDue >= offerEndNanoseconds { done = true }
            } else if now >= offerEndNanoseconds {
                done = true
            }
        }
        if count > 0 { return .ticks(count: count) }
        return done ? .finished : .idle(until: stepDue)
    }

    public func referenceBook(afterTicks count: UInt64) -> OrderBook? {
        Self.replayBook(recording, ticks: count)
    }

    /// The book a sequential consumer of the first `count` ticks of a replay of `recording`
    /// holds; nil when the files cannot be read again.
    public static func replayBook(_ recording: Recording, ticks count: UInt64) -> OrderBook? {
        guard var replay = try? LobsterReplay(messages: recording.messagesPath, orderBook: recording.orderBookPath)
        else {
            return nil
        }
        var book = OrderBook()
        var applied: UInt64 = 0
        while applied < count {
            guard let more = try? replay.next(), more else { return nil }
            for change in replay.builder.changes where applied < count {
                book.applyCounting(change.delta)
                applied += 1
            }
        }
        return book
    }

    public var counters: [String: UInt64] {
        let s = replay.statistics
        var counters: [String: UInt64] = [
            "messages": s.messages,
            "submissions": s.messagesByType[1],
            "cancellations": s.messagesByType[2],
            "deletions": s.messagesByType[3],
            "visible_executions": s.messagesByType[4],
            "hidden_executions": s.hiddenExecutions,
            "cross_trades": s.crossTrades,
            "halts": s.halts,
            "quoting_resumptions": s.quotingResumptions,
            "trading_resumptions": s.tradingResumptions,
            "rejected_messages": s.rejectedMessages,
            "orderbook_file": recording.orderBookPath == nil ? 0 : 1,
            "read_errors": failure == nil ? 0 : 1,
        ]
        if recording.orderBookPath != nil {
            counters["opening_levels"] = s.openingLevels
            counters["revealed_levels"] = s.revealedLevels
            counters["rows_matched"] = s.rowsMatched
            counters["rows_mismatched"] = s.rowsMismatched
        }
        return counters
    }
}
