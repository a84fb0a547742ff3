/// Which side of the book a price level belongs to.
public enum Side: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case bid = 0
    case ask = 1

    public var opposite: Side { self == .bid ? .ask : .bid }

    public var description: String { self == .bid ? "bid" : "ask" }
}

/// A price in fixed point: an integer count of ticks (the feed decides the scale; LOBSTER uses
/// dollars × 10 000).
public typealias Price = Int64

/// A size in whole units (shares, contracts).
public typealias Size = Int64

/// One change to an L2 book, aggregated by price level.
///
/// Every market event (an order added, cancelled, traded; a LOBSTER message) maps onto one of
/// three deltas. `reduce` that brings a level to exactly zero removes it.
public struct BookDelta: Sendable, Hashable, CustomStringConvertible {
    public enum Action: UInt8, Sendable, Hashable, CaseIterable {
        /// Add `size` at `price`, creating the level if it is absent.
        case add = 0
        /// Take `size` away from an existing level; the level disappears at zero.
        case reduce = 1
        /// Remove the level at `price` whatever its size (`size` is ignored).
        case delete = 2
    }

    public var action: Action
    public var side: Side
    public var price: Price
    public var size: Size

    @inlinable
    public init(_ action: Action, _ side: Side, price: Price, size: Size) {
        self.action = action
        self.side = side
        self.price = price
        self.size = size
    }

    public static func add(_ side: Side, price: Price, size: Size) -> BookDelta {
        BookDelta(.add, side, price: price, size: size)
    }

    public static func reduce(_ side: Side, price: Price, size: Size) -> BookDelta {
        BookDelta(.reduce, side, price: price, size: size)
    }

    public static func delete(_ side: Side, price: Price) -> BookDelta {
        BookDelta(.delete, side, price: price, size: 0)
    }

    public var description: String {
        switch action {
        case .add: "add \(side) \(size)@\(price)"
        case .reduce: "reduce \(side) \(size)@\(price)"
        case .delete: "delete \(side) @\(price)"
        }
    }
}

/// Why a delta was refused. A refused delta leaves the book exactly as it was.
public enum BookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Prices must be positive.
    case nonPositivePrice(BookDelta)
    /// `add` and `reduce` need a positive size.
    case nonPositiveSize(BookDelta)
    /// `reduce` or `delete` of a level the book does not have.
    case absentLevel(BookDelta)
    /// `reduce` by more than the level holds: the size would go below zero.
    case sizeBelowZero(BookDelta, available: Size)

    public var delta: BookDelta {
        switch self {
        case .nonPositivePrice(let d), .nonPositiveSize(let d), .absentLevel(let d), .sizeBelowZero(let d, _): d
        }
    }

    public var description: String {
        switch self {
        case .nonPositivePrice(let d): "non-positive price in '\(d)'"
        case .nonPositiveSize(let d): "non-positive size in '\(d)'"
        case .absentLevel(let d): "no \(d.side) level at \(d.price) for '\(d)'"
        case .sizeBelowZero(let d, let available): "'\(d)' would take the level below zero (it holds \(available))"
        }
    }
}
