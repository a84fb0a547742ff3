import Foundation
import MarketData
import OrderBook
import PropertyBased
import TestSupport
import Testing

@Suite("LOBSTER book rebuilding and verification", .ownThread)
struct LobsterVerificationTests {
    static func verify(messages: String, orderBook: String, chunk: Int = 1 << 16) throws(LobsterInputError)
        -> LobsterVerification.Report
    {
        var replay = LobsterReplay(
            messageBytes: Array(messages.utf8), orderBookBytes: Array(orderBook.utf8), chunk: chunk)
        return try LobsterVerification.run(&replay)
    }

    static func verifyError(messages: String, orderBook: String) -> LobsterInputError? {
        do { _ = try verify(messages: messages, orderBook: orderBook); return nil } catch { return error }
    }

    // MARK: - Mapping

    @Test("submissions add, cancellations, deletions and visible executions reduce; 5, 6, 7 leave the book alone")
    func messageDeltas() {
        func message(_ type: LobsterEventType, buy: Bool = true) -> LobsterMessage {
            LobsterMessage(time: 0, type: type, orderID: 1, size: 7, price: 1_000, isBuy: buy)
        }
        #expect(LobsterBookBuilder.delta(for: message(.submission))! == (.add(.bid, price: 1_000, size: 7), .add))
        #expect(
            LobsterBookBuilder.delta(for: message(.submission, buy: false))! == (
                .add(.ask, price: 1_000, size: 7), .add
            ))
        #expect(
            LobsterBookBuilder.delta(for: message(.cancellation))! == (.reduce(.bid, price: 1_000, size: 7), .cancel))
        #expect(
            LobsterBookBuilder.delta(for: message(.deletion, buy: false))! == (
                .reduce(.ask, price: 1_000, size: 7), .cancel
            ))
        // An executed buy limit order is a seller-initiated trade: it takes size from the bid.
        #expect(
            LobsterBookBuilder.delta(for: message(.visibleExecution))! == (.reduce(.bid, price: 1_000, size: 7), .trade)
        )
        #expect(LobsterBookBuilder.delta(for: message(.hiddenExecution)) == nil)
        #expect(LobsterBookBuilder.delta(for: message(.crossTrade)) == nil)
        #expect(
            LobsterBookBuilder.delta(
                for: LobsterMessage(time: 0, type: .tradingHalt, orderID: 0, size: 0, price: -1, isBuy: false)) == nil)
    }

    @Test("the opening book is the first row with the first message undone")
    func opening() {
        var builder = LobsterBookBuilder()
        let row = LobsterOrderBookRow(
            levels: 2, asks: [LobsterLevel(price: 11, size: 5)],
            bids: [LobsterLevel(price: 10, size: 8), LobsterLevel(price: 9, size: 3)])
        // The first message added 3 at the bid 10: before it, 5 were there.
        builder.start(
            firstMessage: LobsterMessage(time: 0, type: .submission, orderID: 1, size: 3, price: 10, isBuy: true),
            firstRow: row)
        #expect(builder.book.levels(.bid) == [PriceLevel(price: 10, size: 5), PriceLevel(price: 9, size: 3)])
        #expect(builder.book.levels(.ask) == [PriceLevel(price: 11, size: 5)])
        #expect(builder.changes.map(\.cause) == [.opening, .opening, .opening])
        #expect(builder.changes.first?.delta == .add(.bid, price: 10, size: 5))
        builder.apply(LobsterMessage(time: 0, type: .submission, orderID: 1, size: 3, price: 10, isBuy: true))
        #expect(builder.reconcile(with: row, row: 1) == .matched(revealed: 0))

        // A first message that deleted a whole level: the opening book has it back.
        var deleted = LobsterBookBuilder()
        deleted.start(
            firstMessage: LobsterMessage(time: 0, type: .deletion, orderID: 1, size: 4, price: 12, isBuy: false),
            firstRow: row)
        #expect(deleted.book.levels(.ask) == [PriceLevel(price: 11, size: 5), PriceLevel(price: 12, size: 4)])
    }

    // MARK: - The hand-made fixture

    @Test("the fixture verifies: every row matches, with three revealed levels")
    func fixtureVerifies() throws {
        let report = try Self.verify(messages: LobsterFixture.messages, orderBook: LobsterFixture.orderBook)
        let s = report.statistics
        #expect(report.passed)
        #expect(report.levels == 2)
        #expect(s.messages == 15 && s.rowsCompared == 15 && s.rowsMatched == 15)
        #expect(s.messagesByType == [0, 3, 1, 3, 3, 1, 1, 3])
        #expect(s.halts == 1 && s.quotingResumptions == 1 && s.tradingResumptions == 1)
        #expect(s.hiddenExecutions == 1 && s.crossTrades == 1)
        #expect(s.revealedLevels == LobsterFixture.revealedLevels)
        #expect(s.openingLevels == 4)
        #expect(s.rejectedMessages == 0)
        #expect(s.firstMismatch == nil)
        #expect(s.firstTime == 34_200_000_000_001 && s.lastTime == 34_200_012_000_000)
        #expect(report.text.contains("rows       15 of 15 match"))
        #expect(report.text.contains("verified: every row matches the rebuilt book"))
    }

    @Test("the rebuilt book follows the fixture row by row and ends where it ends")
    func fixtureRowByRow() throws {
        var replay = LobsterReplay(
            messageBytes: Array(LobsterFixture.messages.utf8),
            orderBookBytes: Array(LobsterFixture.orderBook.utf8))
        var checks: [LobsterBookBuilder.RowCheck] = []
        while try replay.next() { checks.append(replay.check!) }
        #expect(
            checks == [.matched(revealed: 0), .matched(revealed: 0), .matched(revealed: 1)]
                + Array(repeating: .matched(revealed: 0), count: 6) + [.matched(revealed: 1)]
                + Array(repeating: .matched(revealed: 0), count: 4) + [.matched(revealed: 1)])
        #expect(replay.builder.book.hasSameLevels(as: LobsterFixture.finalBook))
    }

    @Test("a corrupted row is the first mismatch, with its row, level, side, expected and got")
    func corruptedRow() throws {
        let corrupted = LobsterFixture.replacing(
            line: 9, in: LobsterFixture.orderBook,
            with: "1000200,250,1000000,101,1000300,350,999900,150")
        let report = try Self.verify(messages: LobsterFixture.messages, orderBook: corrupted)
        #expect(!report.passed)
        #expect(
            report.statistics.firstMismatch
                == LobsterBookBuilder.Mismatch(
                    row: 9, level: 1, side: .bid, expected: PriceLevel(price: 1_000_000, size: 101),
                    got: PriceLevel(price: 1_000_000, size: 100)))
        // Row 9 is adopted; message 10 then leaves 1 of the 101 behind, so row 10 differs too,
        // and the book is back in step from row 11 on.
        #expect(report.statistics.rowsMatched == 13)
        #expect(report.text.contains("rows       13 of 15 match (2 differ)"))
        #expect(report.text.contains("FIRST MISMATCH row 9, bid level 1: expected 101@1000000, got 100@1000000"))
    }

    @Test("a missing level and an extra level are reported as empty on the side that lacks them")
    func missingAndExtraLevels() throws {
        // Row 2 without its second ask level, where the book has one.
        let missing = LobsterFixture.replacing(
            line: 2, in: LobsterFixture.orderBook,
            with: "1000100,150,1000000,150,9999999999,0,999900,150")
        let first = try Self.verify(messages: LobsterFixture.messages, orderBook: missing).statistics.firstMismatch
        #expect(
            first
                == LobsterBookBuilder.Mismatch(
                    row: 2, level: 2, side: .ask, expected: nil,
                    got: PriceLevel(price: 1_000_200, size: 250)))
        #expect(first?.description == "row 2, ask level 2: expected empty, got 250@1000200")
        // Row 12 with a bid where the book has none (the side was emptied).
        let extra = LobsterFixture.replacing(
            line: 12, in: LobsterFixture.orderBook,
            with: "1000200,250,999000,1,1000300,350,-9999999999,0")
        #expect(
            try Self.verify(messages: LobsterFixture.messages, orderBook: extra).statistics.firstMismatch
                == LobsterBookBuilder.Mismatch(
                    row: 12, level: 1, side: .bid, expected: PriceLevel(price: 999_000, size: 1), got: nil))
    }

    @Test("a message that does not fit the book is counted with its line, and the row still decides")
    func rejectedMessage() throws {
        // Message 2 cancels at a price the bid side does not have.
        let messages = LobsterFixture.replacing(
            line: 2, in: LobsterFixture.messages, with: "34200.000100000,2,2,50,999700,1")
        let report = try Self.verify(messages: messages, orderBook: LobsterFixture.orderBook)
        #expect(report.statistics.rejectedMessages == 1)
        #expect(report.statistics.firstRejection?.line == 2)
        #expect(report.statistics.firstMismatch?.row == 2)
        #expect(
            report.text.contains(
                "refused    1 message(s) did not fit the book; the first, line 2: no bid level at 999700"))
    }

    // MARK: - Bad pairs of files

    @Test("files of different lengths, times out of order, and an empty file are errors naming the file and line")
    func inconsistentFiles() {
        let messageLines = LobsterFixture.messages.split(separator: "\n").map(String.init)
        let rowLines = LobsterFixture.orderBook.split(separator: "\n").map(String.init)
        let shortRows = rowLines.prefix(10).joined(separator: "\n") + "\n"
        #expect(
            Self.verifyError(messages: LobsterFixture.messages, orderBook: shortRows)
                == LobsterInputError(
                    path: "orderbook", line: 11,
                    reason:
                        "the orderbook file ends here, but messages goes on (line 11): row k must be the book after message k"
                ))
        let shortMessages = messageLines.prefix(14).joined(separator: "\n") + "\n"
        #expect(
            Self.verifyError(messages: shortMessages, orderBook: LobsterFixture.orderBook)
                == LobsterInputError(
                    path: "orderbook", line: 15,
                    reason:
                        "the orderbook file has more rows than messages has messages (14): row k must be the book after message k"
                ))
        let backwards = LobsterFixture.replacing(
            line: 5, in: LobsterFixture.messages, with: "34200.0014,6,-1,500,1000200,-1")
        #expect(
            Self.verifyError(messages: backwards, orderBook: LobsterFixture.orderBook)
                == LobsterInputError(
                    path: "messages", line: 5,
                    reason:
                        "time 34200.001400000 is earlier than the previous message's 34200.001500000: messages must be in time order"
                ))
        #expect(
            Self.verifyError(messages: "", orderBook: "")
                == LobsterInputError(path: "messages", line: nil, reason: "it holds no messages"))
        let badRow = LobsterFixture.replacing(line: 7, in: LobsterFixture.orderBook, with: "1000200,250,1000000")
        #expect(Self.verifyError(messages: LobsterFixture.messages, orderBook: badRow)?.line == 7)
    }

    @Test("verification reads real files: the LOBSTER names, a missing file")
    func files() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try LobsterFixture.write(
            messages: LobsterFixture.messages, orderBook: LobsterFixture.orderBook, in: directory)
        #expect(LobsterReplay.orderBookPath(forMessages: paths.messages) == paths.orderBook)
        #expect(try LobsterVerification.run(messages: paths.messages, orderBook: paths.orderBook).passed)
        #expect(
            throws: LobsterInputError(
                path: paths.orderBook + ".gone", line: nil, reason: "cannot open it: no such file")
        ) {
            _ = try LobsterVerification.run(messages: paths.messages, orderBook: paths.orderBook + ".gone")
        }
    }

    @Test(
        "LOBSTER's naming pairs a message file with its orderbook file",
        arguments: [
            ("AAPL_2012-06-21_34200000_57600000_message_10.csv", "AAPL_2012-06-21_34200000_57600000_orderbook_10.csv"),
            (
                "/data/x_message_y/MSFT_2012-06-21_0_1_message_5.csv",
                "/data/x_message_y/MSFT_2012-06-21_0_1_orderbook_5.csv"
            ),
            ("/data/x_message_y/messages.csv", nil),
            ("plain.csv", nil),
        ] as [(String, String?)])
    func naming(messages: String, orderBook: String?) {
        #expect(LobsterReplay.orderBookPath(forMessages: messages) == orderBook)
    }

    // MARK: - Properties

    @Test("random order flows recorded as LOBSTER does verify row for row, whatever the level count")
    func simulatedFlowsVerify() async {
        await propertyCheck(count: 40, input: Gen.int(in: 1...1_000_000), Gen.int(in: 1...5), Gen.int(in: 20...300)) {
            seed, levels, count in
            var simulator = LobsterSimulator(seed: UInt64(seed), levels: levels)
            simulator.run(messages: count)
            let report = try Self.verify(
                messages: simulator.messagesCSV, orderBook: simulator.orderBookCSV, chunk: 1 + seed % 97)
            #expect(
                report.passed,
                "seed \(seed), \(levels) levels: \(report.statistics.firstMismatch.map { "\($0)" } ?? "")")
            #expect(report.statistics.rowsCompared == UInt64(simulator.messages.count))
            #expect(
                report.statistics.rejectedMessages == 0,
                "seed \(seed): \(String(describing: report.statistics.firstRejection))")
        }
    }

    @Test("the simulator hides events deeper than the visible levels, so the property test exercises reveals")
    func simulatorHidesDepth() throws {
        var simulator = LobsterSimulator(seed: 11, levels: 2)
        simulator.run(messages: 400)
        #expect(simulator.unrecorded > 20)
        let report = try Self.verify(messages: simulator.messagesCSV, orderBook: simulator.orderBookCSV)
        #expect(report.passed)
        #expect(report.statistics.revealedLevels > 10)
        #expect(
            report.statistics.halts > 0 && report.statistics.hiddenExecutions > 0 && report.statistics.crossTrades > 0)
        // A side emptied by a sweep shows as dummy prices.
        #expect(simulator.rows.contains { $0.bids.isEmpty || $0.asks.isEmpty })
        #expect(simulator.orderBookCSV.contains("-9999999999,0") || simulator.orderBookCSV.contains("9999999999,0"))
    }

    @Test("the builder's changes, applied in order to an empty book, give its book: what a feed hands a pipeline")
    func changesReproduceTheBook() async {
        await propertyCheck(count: 25, input: Gen.int(in: 1...1_000_000), Gen.int(in: 1...4)) { seed, levels in
            var simulator = LobsterSimulator(seed: UInt64(seed), levels: levels)
            simulator.run(messages: 150)
            var replay = LobsterReplay(
                messageBytes: Array(simulator.messagesCSV.utf8),
                orderBookBytes: Array(simulator.orderBookCSV.utf8))
            var book = OrderBook()
            var rowIndex = 0
            while try replay.next() {
                for change in replay.builder.changes {
                    #expect(book.applyCounting(change.delta) == nil || change.cause == .message)
                }
                #expect(book.hasSameLevels(as: replay.builder.book))
                // The visible levels equal the recorded row.
                let row = simulator.rows[rowIndex]
                #expect(book.top(.bid, levels).map { LobsterLevel(price: $0.price, size: $0.size) } == row.bids)
                #expect(book.top(.ask, levels).map { LobsterLevel(price: $0.price, size: $0.size) } == row.asks)
                rowIndex += 1
            }
        }
    }
}
