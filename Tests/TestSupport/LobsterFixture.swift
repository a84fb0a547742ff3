import Foundation
import MarketData
import OrderBook

// Fixtures for the LOBSTER tests: a hand-made level-2 day that covers every event type, and an
// order-level exchange that writes LOBSTER files the way LOBSTER does (only events inside the
// visible top N levels are recorded; deeper levels change unseen).

public enum LobsterFixture {
    /// A level-2 recording of 15 messages: all seven event types, a halt with both resumptions,
    /// a bid side emptied to dummy prices and rebuilt, three revealed levels (one of them
    /// changed while out of view), and hidden and cross trades that leave the book alone.
    ///
    /// The book before the first message: bids 100@1000000, 200@999900, 300@999800 (deep);
    /// asks 150@1000100, 250@1000200, 350@1000300 (deep).
    public static let messages = """
        34200.000000001,1,11,50,1000000,1
        34200.000100000,2,2,50,999900,1
        34200.001,4,1,150,1000100,-1
        34200.0015,5,0,10,1000150,-1
        34200.002000000,6,-1,500,1000200,-1
        34200.003000000,7,0,0,-1,-1
        34200.004000000,7,0,0,0,-1
        34200.005000000,7,0,0,1,-1
        34200.006000000,3,11,50,1000000,1
        34200.007000000,3,10,100,1000000,1
        34200.008000000,4,2,150,999900,1
        34200.009000000,4,3,300,999800,1
        34200.010000000,1,20,10,999900,1
        34200.011000000,1,21,5,1000100,-1
        34200.012000000,3,21,5,1000100,-1

        """

    /// Row k: the visible book after message k (ask price, ask size, bid price, bid size per level).
    public static let orderBook = """
        1000100,150,1000000,150,1000200,250,999900,200
        1000100,150,1000000,150,1000200,250,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,150,1000300,350,999900,150
        1000200,250,1000000,100,1000300,350,999900,150
        1000200,250,999900,150,1000300,350,999800,300
        1000200,250,999800,300,1000300,350,-9999999999,0
        1000200,250,-9999999999,0,1000300,350,-9999999999,0
        1000200,250,999900,10,1000300,350,-9999999999,0
        1000100,5,999900,10,1000200,250,-9999999999,0
        1000200,250,999900,10,1000300,400,-9999999999,0

        """

    /// Levels revealed by the fixture: 1000300 at message 3, 999800 at message 10, 1000300
    /// (grown from 350 to 400 out of view) at message 15.
    public static let revealedLevels: UInt64 = 3

    /// The fixture's book after its last message.
    public static var finalBook: OrderBook {
        var book = OrderBook()
        book.set(.bid, price: 999_900, size: 10)
        book.set(.ask, price: 1_000_200, size: 250)
        book.set(.ask, price: 1_000_300, size: 400)
        return book
    }

    /// A fresh folder for one test.
    public static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ticklab-lobster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a message file and its orderbook file with LOBSTER's names into `directory`;
    /// returns the message file's path and the orderbook file's path.
    @discardableResult
    public static func write(
        messages: String, orderBook: String?, levels: Int = 2, in directory: URL,
        ticker: String = "TEST"
    ) throws -> (messages: String, orderBook: String) {
        let base = directory.appendingPathComponent("\(ticker)_2012-06-21_34200000_57600000").path
        let messagesPath = "\(base)_message_\(levels).csv"
        let orderBookPath = "\(base)_orderbook_\(levels).csv"
        try messages.write(toFile: messagesPath, atomically: true, encoding: .utf8)
        if let orderBook { try orderBook.write(toFile: orderBookPath, atomically: true, encoding: .utf8) }
        return (messagesPath, orderBookPath)
    }

    /// Replaces line `line` (1-based) of `text`.
    public static func replacing(line: Int, in text: String, with replacement: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = replacement
        return lines.joined(separator: "\n")
    }
}

/// An order-level exchange that records LOBSTER files at level N.
///
/// It keeps every order; a message is recorded only when its price is inside the visible top N
/// levels of its side (before the event for cancels, deletes and executions, after it for
/// submissions), as LOBSTER does, and each recorded message gets the top-N row after it.
/// Unrecorded events still change the book, so deeper levels drift out of view: the replay
/// must adopt them when they come back into the top N.
public struct LobsterSimulator {
    struct Order {
        var bid: Bool
        var price: Int64
        var size: Int64
    }

    public let levels: Int
    public private(set) var messages: [LobsterMessage] = []
    public private(set) var rows: [LobsterOrderBookRow] = []
    /// Events that changed the book without being recorded (deeper than the top N).
    public private(set) var unrecorded = 0
    private var orders: [Int64: Order] = [:]
    private var nextID: Int64 = 1
    private var random: SeededRandom
    private var time: Int64 = 34_200_000_000_000
    private let mid: Int64 = 1_000_000
    private let tickSize: Int64 = 100
    private var haltPhase = 0

    public init(seed: UInt64, levels: Int) {
        self.levels = levels
        self.random = SeededRandom(seed: seed)
        // The book before the recording starts: deeper than the file shows.
        for _ in 0..<(6 * levels + 6) { submit(bid: random.next() & 1 == 0, record: false) }
    }

    /// Runs until `count` messages are recorded.
    public mutating func run(messages count: Int) {
        while messages.count < count { step() }
    }

    public var messagesCSV: String { messages.map(\.csvLine).joined(separator: "\n") + "\n" }
    public var orderBookCSV: String { rows.map(\.csvLine).joined(separator: "\n") + "\n" }

    /// The full book (every level, not only the visible ones).
    public var book: OrderBook {
        var book = OrderBook()
        for order in orders.values {
            try! book.apply(.add(order.bid ? .bid : .ask, price: order.price, size: order.size))
        }
        return book
    }

    private mutating func step() {
        time += 1_000 + Int64(random.next() % 3_000_000)
        let roll = random.next() % 1_000
        let bid = random.next() & 1 == 0
        switch roll {
        case 0..<380: submit(bid: bid, record: true)
        case 380..<600: cancel(partial: true)
        case 600..<760: cancel(partial: false)
        case 760..<900: execute(bid: bid)
        case 900..<940:
            emit(
                LobsterMessage(
                    time: time, type: .hiddenExecution, orderID: 0, size: 1 + Int64(random.next() % 100),
                    price: mid + (bid ? -tickSize : tickSize) / 2, isBuy: bid))
        case 940..<960:
            emit(
                LobsterMessage(
                    time: time, type: .crossTrade, orderID: -1, size: Int64(random.next() % 1_000),
                    price: mid, isBuy: false))
        case 960..<975:
            // Halt, then quoting resumes, then trading resumes, on successive draws.
            emit(
                LobsterMessage(
                    time: time, type: .tradingHalt, orderID: 0, size: 0, price: Int64(haltPhase - 1), isBuy: false))
            haltPhase = (haltPhase + 1) % 3
        case 975..<985:
            // A sweep: the best level of a side trades away until the side is empty.
            while levelPrices(bid: bid).first != nil, messages.count < 100_000 { execute(bid: bid, all: true) }
        default:
            submit(bid: bid, record: true)
        }
    }

    /// Occupied prices of a side, best first.
    private func levelPrices(bid: Bool) -> [Int64] {
        let prices = Set(orders.values.filter { $0.bid == bid }.map(\.price))
        return prices.sorted(by: bid ? (>) : (<))
    }

    private func isVisible(price: Int64, bid: Bool) -> Bool {
        guard let rank = levelPrices(bid: bid).firstIndex(of: price) else { return false }
        return rank < levels
    }

    private mutating func submit(bid: Bool, record: Bool) {
        let depth = Int64(random.next() % UInt64(2 * levels + 3))
        let price = bid ? mid - tickSize * (1 + depth) : mid + tickSize * (1 + depth)
        let size = 1 + Int64(random.next() % 500)
        let id = nextID
        nextID += 1
        orders[id] = Order(bid: bid, price: price, size: size)
        guard record else { return }
        if isVisible(price: price, bid: bid) {
            emit(LobsterMessage(time: time, type: .submission, orderID: id, size: size, price: price, isBuy: bid))
        } else {
            unrecorded += 1
        }
    }

    private mutating func cancel(partial: Bool) {
        guard !orders.isEmpty else { return }
        let ids = orders.keys.sorted()
        let id = ids[Int(random.next() % UInt64(ids.count))]
        let order = orders[id]!
        let visible = isVisible(price: order.price, bid: order.bid)
        let amount = partial && order.size > 1 ? 1 + Int64(random.next() % UInt64(order.size - 1)) : order.size
        if amount == order.size { orders[id] = nil } else { orders[id]!.size -= amount }
        if visible {
            emit(
                LobsterMessage(
                    time: time, type: amount == order.size ? .deletion : .cancellation, orderID: id,
                    size: amount, price: order.price, isBuy: order.bid))
        } else {
            unrecorded += 1
        }
    }

    /// Executes against the oldest order at the best level of a side (all of it, or part).
    private mutating func execute(bid: Bool, all: Bool = false) {
        guard let best = levelPrices(bid: bid).first else { return }
        let id = orders.filter { $0.value.bid == bid && $0.value.price == best }.keys.min()!
        let order = orders[id]!
        let amount = all ? order.size : 1 + Int64(random.next() % UInt64(order.size))
        if amount == order.size { orders[id] = nil } else { orders[id]!.size -= amount }
        emit(LobsterMessage(time: time, type: .visibleExecution, orderID: id, size: amount, price: best, isBuy: bid))
    }

    private mutating func emit(_ message: LobsterMessage) {
        messages.append(message)
        rows.append(visibleRow())
    }

    private func visibleRow() -> LobsterOrderBookRow {
        func side(_ bid: Bool) -> [LobsterLevel] {
            var sizes: [Int64: Int64] = [:]
            for order in orders.values where order.bid == bid { sizes[order.price, default: 0] += order.size }
            return levelPrices(bid: bid).prefix(levels).map { LobsterLevel(price: $0, size: sizes[$0]!) }
        }
        return LobsterOrderBookRow(levels: levels, asks: side(false), bids: side(true))
    }
}
