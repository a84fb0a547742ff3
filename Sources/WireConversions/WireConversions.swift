import MarketData
import OrderBook
import Wire

// Between the wire's plain values and the book's and feed's types. The wire module stays free
// of dependencies so that its decoder can be fuzzed alone.

extension Side {
    public init(_ side: WireSide) { self = side == .bid ? .bid : .ask }
    public var wire: WireSide { self == .bid ? .bid : .ask }
}

extension EventKind {
    public init(_ kind: WireEventKind) {
        switch kind {
        case .add: self = .add
        case .cancel: self = .cancel
        case .trade: self = .trade
        }
    }

    public var wire: WireEventKind {
        switch self {
        case .add: .add
        case .cancel: .cancel
        case .trade: .trade
        }
    }
}

extension BookDelta {
    public init(_ delta: WireDelta) {
        let action: BookDelta.Action =
            switch delta.action {
            case .add: .add
            case .reduce: .reduce
            case .delete: .delete
            }
        self.init(action, Side(delta.side), price: delta.price, size: delta.action == .delete ? 0 : delta.size)
    }
}

extension WireDelta {
    public init(_ delta: BookDelta, kind: EventKind) {
        let action: WireAction =
            switch delta.action {
            case .add: .add
            case .reduce: .reduce
            case .delete: .delete
            }
        self.init(
            action: action, side: delta.side.wire, kind: kind.wire, price: delta.price,
            size: delta.action == .delete ? 0 : delta.size)
    }
}

extension WireSnapshot {
    /// Every level of `book`, best first.
    public init(_ book: OrderBook) {
        self.init(
            bids: book.levels(.bid).map { WireLevel(price: $0.price, size: $0.size) },
            asks: book.levels(.ask).map { WireLevel(price: $0.price, size: $0.size) })
    }

    public func levels(_ side: Side) -> [WireLevel] { side == .bid ? bids : asks }

    /// The book this snapshot describes.
    public var book: OrderBook {
        var book = OrderBook()
        for side in Side.allCases {
            for level in levels(side) { book.set(side, price: level.price, size: level.size) }
        }
        return book
    }
}
