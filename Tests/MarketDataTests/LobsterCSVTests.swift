import Foundation
import MarketData
import PropertyBased
import TestSupport
import Testing

@Suite("LOBSTER CSV parsing", .ownThread)
struct LobsterCSVTests {
    /// Every message of `text`, read `chunk` bytes at a time.
    static func messages(_ text: String, chunk: Int = 1 << 16) throws(LobsterInputError) -> [LobsterMessage] {
        var reader = LobsterLineReader(bytes: Array(text.utf8), name: "m.csv", chunk: chunk)
        var result: [LobsterMessage] = []
        while let message = try reader.nextMessage() { result.append(message) }
        return result
    }

    /// Every orderbook row of `text`.
    static func rows(_ text: String, chunk: Int = 1 << 16) throws(LobsterInputError) -> [LobsterOrderBookRow] {
        var reader = LobsterLineReader(bytes: Array(text.utf8), name: "o.csv", chunk: chunk)
        var row = LobsterOrderBookRow()
        var result: [LobsterOrderBookRow] = []
        while try reader.nextOrderBookRow(into: &row) { result.append(row) }
        return result
    }

    /// The error reading `text` as messages gives (nil if none).
    static func messageError(_ text: String) -> LobsterInputError? {
        do { _ = try messages(text); return nil } catch { return error }
    }

    static func rowError(_ text: String) -> LobsterInputError? {
        do { _ = try rows(text); return nil } catch { return error }
    }

    // MARK: - Messages

    @Test("a message row gives its fields; time keeps nanoseconds, direction gives the side")
    func parsesMessage() throws {
        let parsed = try Self.messages("34200.004241176,1,16113575,18,5853300,1\n34200.1,4,-7,5,5853400,-1\n")
        #expect(
            parsed == [
                LobsterMessage(
                    time: 34_200_004_241_176, type: .submission, orderID: 16_113_575, size: 18, price: 5_853_300,
                    isBuy: true),
                LobsterMessage(
                    time: 34_200_100_000_000, type: .visibleExecution, orderID: -7, size: 5, price: 5_853_400,
                    isBuy: false),
            ])
    }

    @Test(
        "times with few, nine, more than nine or no decimals",
        arguments: [
            ("34200", Int64(34_200_000_000_000)), ("34200.5", 34_200_500_000_000),
            ("34200.16334803", 34_200_163_348_030),
            ("34200.000000001", 34_200_000_000_001), ("34200.0000000019", 34_200_000_000_001), ("0.0", 0),
        ])
    func parsesTimes(text: String, nanos: Int64) throws {
        #expect(try Self.messages("\(text),7,0,0,-1,-1").first?.time == nanos)
    }

    @Test("the halt message's price column is its state")
    func haltStates() throws {
        let parsed = try Self.messages("1.0,7,0,0,-1,-1\n2.0,7,0,0,0,-1\n3.0,7,0,0,1,-1\n4.0,5,0,3,100,1\n")
        #expect(parsed.map(\.haltState) == [.halted, .quotingResumed, .tradingResumed, nil])
        #expect(parsed.map(\.type.touchesVisibleBook) == [false, false, false, false])
    }

    @Test("CRLF line ends, spaces around fields and a missing final line break are accepted")
    func tolerantLayout() throws {
        let parsed = try Self.messages("1.0, 1 ,5,10,100,1\r\n2.0,3,5,10,100,1")
        #expect(parsed.count == 2)
        #expect(parsed[0].orderID == 5 && parsed[1].type == .deletion)
    }

    @Test("blank lines at the end are fine; a blank line between rows is an error naming it")
    func blankLines() {
        #expect((try? Self.messages("1.0,1,5,10,100,1\n\n\n")).map(\.count) == 1)
        let error = Self.messageError("1.0,1,5,10,100,1\n\n2.0,1,6,10,100,1\n")
        #expect(error?.line == 2)
        #expect(error?.reason == "the line is empty")
    }

    @Test(
        "a row that is not a valid message names its line and what is wrong",
        arguments: [
            ("1.0,1,5,10,100", "expected 6 columns (time, type, order id, size, price, direction), found 5"),
            ("1.0,1,5,10,100,1,7", "expected 6 columns (time, type, order id, size, price, direction), found 7"),
            (
                "1.0,1,5,10,100,1,0,0",
                "expected 6 columns (time, type, order id, size, price, direction), found 8 (is this an orderbook file?)"
            ),
            ("1.0,x,5,10,100,1", "column 2 (type) is 'x': expected an integer"),
            ("1.0,1,,10,100,1", "column 3 (order id) is empty: expected an integer"),
            ("1.0,1,5,10.5,100,1", "column 4 (size) is '10.5': expected an integer"),
            ("1.0,1,5,10,99999999999999999999,1", "column 5 (price) is '99999999999999999999': expected an integer"),
            ("abc,1,5,10,100,1", "column 1 (time) is 'abc': expected seconds after midnight such as 34200.004241176"),
            ("-1.0,1,5,10,100,1", "column 1 (time) is '-1.0': expected seconds after midnight such as 34200.004241176"),
            ("1.,1,5,10,100,1", "column 1 (time) is '1.': expected seconds after midnight such as 34200.004241176"),
            (
                "1.0,8,5,10,100,1",
                "unknown event type 8: LOBSTER types are 1 (submission), 2 (cancellation), 3 (deletion), 4 (visible execution), 5 (hidden execution), 6 (cross trade), 7 (trading halt)"
            ),
            (
                "1.0,0,5,10,100,1",
                "unknown event type 0: LOBSTER types are 1 (submission), 2 (cancellation), 3 (deletion), 4 (visible execution), 5 (hidden execution), 6 (cross trade), 7 (trading halt)"
            ),
            ("1.0,1,5,10,100,0", "direction is 0: expected 1 (buy limit order) or -1 (sell limit order)"),
            ("1.0,1,5,0,100,1", "a submission (1) needs a positive size, got 0"),
            ("1.0,2,5,-3,100,1", "a cancellation (2) needs a positive size, got -3"),
            ("1.0,4,5,3,0,1", "a visible execution (4) needs a positive price, got 0"),
            ("1.0,6,5,-1,100,1", "a cross trade (6) needs a size of 0 or more, got -1"),
            (
                "1.0,7,0,0,2,-1",
                "a trading halt (7) carries -1 (halt), 0 (quoting resumes) or 1 (trading resumes) in the price column, got 2"
            ),
        ])
    func badMessageRow(row: String, reason: String) {
        let error = Self.messageError("34200.0,1,1,1,100,1\n\(row)\n34200.0,1,1,1,100,1\n")
        #expect(error == LobsterInputError(path: "m.csv", line: 2, reason: reason))
        #expect(error?.description == "m.csv, line 2: \(reason)")
    }

    @Test("a field with control bytes is shown safely, and a long one is cut")
    func quotedFields() {
        let error = Self.messageError("1.0,\u{1}\u{7f},5,10,100,1\n")
        #expect(error?.reason == "column 2 (type) is '??': expected an integer")
        let long = String(repeating: "9", count: 40) + "z"
        #expect(
            Self.messageError("1.0,1,\(long),10,100,1\n")?.reason
                == "column 3 (order id) is '\(String(repeating: "9", count: 24))…': expected an integer")
    }

    @Test("a line longer than the limit is refused, not read into memory without end")
    func oversizedLine() {
        let text = "1.0,1,5,10,100,1\n" + String(repeating: "1", count: LobsterCSV.maximumLineLength + 10) + "\n"
        let error = Self.messageError(text)
        #expect(error?.line == 2)
        #expect(error?.reason.hasPrefix("the line is longer than") == true)
    }

    // MARK: - Orderbook rows

    @Test("an orderbook row gives the occupied levels best first; dummy prices mark empty levels")
    func parsesRow() throws {
        let parsed = try Self.rows(
            "1000100,150,1000000,150,1000200,250,-9999999999,0\n9999999999,0,-9999999999,0,9999999999,0,-9999999999,0\n"
        )
        #expect(parsed.count == 2)
        #expect(parsed[0].levels == 2)
        #expect(
            parsed[0].asks == [LobsterLevel(price: 1_000_100, size: 150), LobsterLevel(price: 1_000_200, size: 250)])
        #expect(parsed[0].bids == [LobsterLevel(price: 1_000_000, size: 150)])
        #expect(parsed[0].isFull(bid: false) && !parsed[0].isFull(bid: true))
        #expect(parsed[1].asks.isEmpty && parsed[1].bids.isEmpty)
        #expect(parsed[0].csvLine == "1000100,150,1000000,150,1000200,250,-9999999999,0")
    }

    @Test(
        "a row that is not a valid orderbook row names its line and what is wrong",
        arguments: [
            ("10,1,9,1,11,1", "expected 4 columns per level (ask price, ask size, bid price, bid size), found 6"),
            (
                "10,1,9,1,11,1,8,1,12,1,7,1",
                "expected 8 columns (2 levels × ask price, ask size, bid price, bid size) like the first row, found 12"
            ),
            (
                "10,1,9,1",
                "expected 8 columns (2 levels × ask price, ask size, bid price, bid size) like the first row, found 4"
            ),
            ("10,1,9,x,11,1,8,1", "column 4 (bid size 1) is 'x': expected an integer"),
            ("10,1,9,1,9999999999,5,8,1", "ask level 2 has the empty-level price 9999999999 but size 5 (expected 0)"),
            ("9999999999,0,9,1,11,1,8,1", "ask level 2 (1@11) follows an empty level (9999999999)"),
            ("10,1,9,1,10,1,8,1", "ask level 2 at price 10 is not above level 1 at 10"),
            ("10,1,9,1,11,1,9,1", "bid level 2 at price 9 is not below level 1 at 9"),
            ("10,0,9,1,11,1,8,1", "ask level 1 at price 10 has size 0: expected a positive size"),
            (
                "10,1,-5,1,11,1,8,1",
                "bid level 1 has price -5: expected a positive price or -9999999999 for an empty level"
            ),
        ])
    func badRow(row: String, reason: String) {
        // The first row sets two levels; for the first case the bad row is the first one.
        let first = row.split(separator: ",").count == 6
        let text = first ? "\(row)\n" : "10,1,9,1,11,1,8,1\n\(row)\n"
        #expect(Self.rowError(text) == LobsterInputError(path: "o.csv", line: first ? 1 : 2, reason: reason))
    }

    // MARK: - Files

    @Test("a file that does not exist, or a directory, is a clear error without a line")
    func unreadableFiles() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nope.csv").path
        #expect(throws: LobsterInputError(path: missing, line: nil, reason: "cannot open it: no such file")) {
            _ = try LobsterLineReader(path: missing)
        }
        #expect(throws: LobsterInputError(path: directory.path, line: nil, reason: "cannot read it: it is a directory"))
        {
            _ = try LobsterLineReader(path: directory.path)
        }
    }

    @Test("reading a file gives the same rows as reading its bytes")
    func fileAndMemoryAgree() throws {
        let directory = try LobsterFixture.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try LobsterFixture.write(
            messages: LobsterFixture.messages, orderBook: LobsterFixture.orderBook, in: directory)
        var reader = try LobsterLineReader(path: paths.messages)
        var fromFile: [LobsterMessage] = []
        while let message = try reader.nextMessage() { fromFile.append(message) }
        #expect(fromFile == (try Self.messages(LobsterFixture.messages)))
        #expect(fromFile.count == 15)
        #expect(reader.lineNumber == 15)
    }

    @Test("lines that straddle reads parse the same for every read size")
    func chunking() async {
        var simulator = LobsterSimulator(seed: 3, levels: 3)
        simulator.run(messages: 60)
        let messagesText = simulator.messagesCSV
        let rowsText = simulator.orderBookCSV
        let expectedMessages = try? Self.messages(messagesText)
        let expectedRows = try? Self.rows(rowsText)
        #expect(expectedMessages == simulator.messages)
        #expect(expectedRows == simulator.rows)
        await propertyCheck(count: 40, input: Gen.int(in: 1...300)) { chunk in
            #expect((try? Self.messages(messagesText, chunk: chunk)) == expectedMessages)
            #expect((try? Self.rows(rowsText, chunk: chunk)) == expectedRows)
        }
    }

    @Test("a message written as CSV reads back the same")
    func roundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.int64(in: 0...86_399_999_999_999), Gen.int(in: 1...7),
            Gen.int64(in: 1...1_000_000_000), Gen.int64(in: 1...1_000_000), Gen.int64(in: 1...99_999_999),
            Gen.bool
        ) { time, type, id, size, price, buy in
            let halt = type == 7
            let original = LobsterMessage(
                time: time, type: LobsterEventType(rawValue: UInt8(type))!, orderID: halt ? 0 : id,
                size: halt ? 0 : size, price: halt ? -1 : price, isBuy: halt ? false : buy)
            #expect((try? Self.messages(original.csvLine)) == [original])
        }
    }
}
