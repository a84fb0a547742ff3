import OrderBook

/// Rebuilds an L2 book from LOBSTER messages and reconciles it with the orderbook file.
///
/// Messages map onto the book's deltas: a submission (1) adds its size at its price and side;
/// a cancellation (2), deletion (3) or visible execution (4) takes its size away (the level
/// goes at zero). Hidden executions (5), cross trades (6) and halts (7) leave the visible book
/// alone and are only counted.
///
/// A level-N file records only the events inside the visible top N levels, so levels deeper
/// than that change unseen. The builder therefore reconciles after every message: a level that
/// enters the top N from beyond the previous row's visible depth is *revealed* and adopted
/// from the orderbook row; every other visible level must match the row exactly. On a mismatch
/// the visible levels are adopted as well (a resync), so that one bad row does not make every
/// later row differ.
///
/// Every change the builder makes to its book is recorded in ``changes`` as a delta, so a feed
/// can hand exactly the same changes to a pipeline.
public struct LobsterBookBuilder: Sendable {
    /// One change to the book, as a tick would carry it.
    public struct Change: Sendable, Hashable {
        public enum Cause: UInt8, Sendable, Hashable {
            /// Builds the book the replay starts from.
            case opening
            /// The message itself.
            case message
            /// Adopts a level revealed from beyond the previous row's visible depth.
            case revealed
            /// Adopts a visible level after a mismatch.
            case resync
        }

        public var delta: BookDelta
        public var kind: EventKind
        public var cause: Cause
    }

    /// A row that differs from the rebuilt book.
    public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
        /// The orderbook file's line (its row number when the file has no blank lines).
        public var row: Int
        /// 1 is the best level.
        public var level: Int
        public var side: Side
        /// What the orderbook row holds there, nil for an empty level.
        public var expected: PriceLevel?
        /// What the rebuilt book holds there, nil for no level.
        public var got: PriceLevel?

        public init(row: Int, level: Int, side: Side, expected: PriceLevel?, got: PriceLevel?) {
            self.row = row
            self.level = level
            self.side = side
            self.expected = expected
            self.got = got
        }

        public var description: String {
            func text(_ level: PriceLevel?) -> String { level.map { "\($0.size)@\($0.price)" } ?? "empty" }
            return "row \(row), \(side) level \(level): expected \(text(expected)), got \(text(got))"
        }
    }

    /// What reconciling with one row found.
    public enum RowCheck: Sendable, Hashable {
        /// Every visible level matches; `revealed` levels were adopted from beyond the previous
        /// row's visible depth.
        case matched(revealed: Int)
        /// The first differing level (after adopting revealed ones); the row was adopted.
        case mismatched(Mismatch, revealed: Int)
    }

    public private(set) var book = OrderBook()
    /// The changes of the last ``start(firstMessage:firstRow:)``, ``apply(_:)`` or
    /// ``reconcile(with:row:)`` calls since ``clearChanges()``.
    public private(set) var changes: [Change] = []
    /// Levels per side of the orderbook file; 0 without one.
    public private(set) var levels = 0
    /// The worst visible price of each side in the previous row when that side was full (the
    /// book may go deeper than the file shows), nil when the whole side was visible.
    private var boundary: (bid: Price?, ask: Price?) = (nil, nil)
    /// Reused buffers for the prices a reconciliation touches.
    private var scratch: [Price] = []

    public init() {}

    public mutating func clearChanges() { changes.removeAll(keepingCapacity: true) }

    /// The book the replay starts from: the first orderbook row with the first message undone
    /// (row k is the book *after* message k). Records one `opening` add per level, best levels
    /// first, bids and asks alternating.
    public mutating func start(firstMessage message: LobsterMessage, firstRow row: LobsterOrderBookRow) {
        precondition(book.depth(.bid) == 0 && book.depth(.ask) == 0, "start is for an empty builder")
        levels = row.levels
        var bids = row.bids.map { PriceLevel(price: $0.price, size: $0.size) }
        var asks = row.asks.map { PriceLevel(price: $0.price, size: $0.size) }
        if message.type.touchesVisibleBook {
            // Undo: a submission added its size, the others took theirs away.
            let undo: Size = message.type == .submission ? -message.size : message.size
            if message.isBuy {
                Self.adjust(&bids, price: message.price, by: undo, bid: true)
            } else {
                Self.adjust(&asks, price: message.price, by: undo, bid: false)
            }
        }
        for i in 0..<max(bids.count, asks.count) {
            if i < bids.count { record(.add(.bid, price: bids[i].price, size: bids[i].size), .add, .opening) }
            if i < asks.count { record(.add(.ask, price: asks[i].price, size: asks[i].size), .add, .opening) }
        }
        // The row before the first one is not in the file: take its visible depth from the
        // rebuilt book, and consider a side full when the first row's is.
        boundary.bid = row.isFull(bid: true) ? (bids.prefix(levels).last?.price) : nil
        boundary.ask = row.isFull(bid: false) ? (asks.prefix(levels).last?.price) : nil
    }

    /// Applies one message. Returns the book's refusal when its delta does not fit the book
    /// (the change is recorded all the same: a consumer of the changes refuses it too).
    @discardableResult
    public mutating func apply(_ message: LobsterMessage) -> BookError? {
        guard let (delta, kind) = Self.delta(for: message) else { return nil }
        return record(delta, kind, .message)
    }

    /// The delta a message makes to the visible book, nil for types 5, 6 and 7.
    public static func delta(for message: LobsterMessage) -> (BookDelta, EventKind)? {
        let side: Side = message.isBuy ? .bid : .ask
        switch message.type {
        case .submission: return (.add(side, price: message.price, size: message.size), .add)
        case .cancellation, .deletion: return (.reduce(side, price: message.price, size: message.size), .cancel)
        case .visibleExecution: return (.reduce(side, price: message.price, size: message.size), .trade)
        case .hiddenExecution, .crossTrade, .tradingHalt: return nil
        }
    }

    /// Reconciles the book with the orderbook row of the message just applied: adopts revealed
    /// levels, compares the top N levels, and adopts the row's visible levels on a mismatch.
    /// - Parameter rowNumber: the row's line in its file, for the mismatch report.
    public mutating func reconcile(with row: LobsterOrderBookRow, row rowNumber: Int) -> RowCheck {
        levels = row.levels
        var revealed = 0
        for side in Side.allCases {
            let bid = side == .bid
            guard let edge = bid ? boundary.bid : boundary.ask else { continue }
            // Beyond the previous row's visible depth, the row is the only source: adopt it
            // down to its own worst level, or entirely when the side is no longer full.
            let target = row.side(bid: bid)
            let limit = row.isFull(bid: bid) ? target.last?.price : nil
            revealed += adopt(side, target: target, from: edge, inclusive: false, through: limit)
        }
        var mismatch: Mismatch?
        compare: for side in Side.allCases {
            let target = row.side(bid: side == .bid)
            for i in 0..<row.levels {
                let expected = i < target.count ? PriceLevel(price: target[i].price, size: target[i].size) : nil
                let got = book.level(side, at: i)
                if expected != got {
                    mismatch = Mismatch(row: rowNumber, level: i + 1, side: side, expected: expected, got: got)
                    break compare
                }
            }
        }
        if mismatch != nil {
            for side in Side.allCases {
                let bid = side == .bid
                let target = row.side(bid: bid)
                _ = adopt(
                    side, target: target, from: nil, inclusive: true,
                    through: row.isFull(bid: bid) ? target.last?.price : nil)
            }
        }
        boundary.bid = row.isFull(bid: true) ? row.bids.last?.price : nil
        boundary.ask = row.isFull(bid: false) ? row.asks.last?.price : nil
        if let mismatch { return .mismatched(mismatch, revealed: revealed) }
        return .matched(revealed: revealed)
    }

    // MARK: - Machinery

    /// Makes the levels of `side` priced beyond `edge` (or from the top when nil; `edge`
    /// itself when `inclusive`) down to `limit` (inclusive; to the bottom when nil) equal to
    /// `target`'s levels in that range. Returns how many target levels lie in the range.
    private mutating func adopt(
        _ side: Side, target: [LobsterLevel], from edge: Price?, inclusive: Bool,
        through limit: Price?
    ) -> Int {
        let bid = side == .bid
        func inRange(_ price: Price) -> Bool {
            if let edge {
                let beyond = bid ? price < edge : price > edge
                guard beyond || (inclusive && price == edge) else { return false }
            }
            if let limit, bid ? price < limit : price > limit { return false }
            return true
        }
        // Levels of the book in range that the row does not have go.
        scratch.removeAll(keepingCapacity: true)
        book.withLevels(side) { stored in
            for level in stored where inRange(level.price) { scratch.append(level.price) }
        }
        let cause: Change.Cause = edge == nil ? .resync : .revealed
        for price in scratch where !target.contains(where: { $0.price == price }) {
            set(side, price: price, size: 0, cause: cause)
        }
        var count = 0
        for level in target where inRange(level.price) {
            set(side, price: level.price, size: level.size, cause: cause)
            count += 1
        }
        return count
    }

    /// Brings a level to `size` with the delta that does it, if any.
    private mutating func set(_ side: Side, price: Price, size: Size, cause: Change.Cause) {
        let current = book.size(side, at: price)
        if size == current { return }
        if size == 0 {
            record(.delete(side, price: price), .cancel, cause)
        } else if size > current {
            record(.add(side, price: price, size: size - current), .add, cause)
        } else {
            record(.reduce(side, price: price, size: current - size), .cancel, cause)
        }
    }

    @discardableResult
    private mutating func record(_ delta: BookDelta, _ kind: EventKind, _ cause: Change.Cause) -> BookError? {
        changes.append(Change(delta: delta, kind: kind, cause: cause))
        return book.applyCounting(delta)
    }

    /// Adds `amount` (negative: removes) at `price` in levels sorted best first; a level that
    /// would go to zero or below is removed.
    private static func adjust(_ levels: inout [PriceLevel], price: Price, by amount: Size, bid: Bool) {
        if let i = levels.firstIndex(where: { $0.price == price }) {
            levels[i].size += amount
            if levels[i].size <= 0 { levels.remove(at: i) }
        } else if amount > 0 {
            let i = levels.firstIndex(where: { bid ? $0.price < price : $0.price > price }) ?? levels.count
            levels.insert(PriceLevel(price: price, size: amount), at: i)
        }
    }
}
