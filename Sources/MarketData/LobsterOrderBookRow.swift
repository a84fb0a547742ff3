// LOBSTER orderbook files: row k is the visible book after message k, N levels a side:
//
//     Ask Price 1, Ask Size 1, Bid Price 1, Bid Size 1, Ask Price 2, …, Bid Size N
//
// Standard library only (see LobsterMessage.swift).

/// One occupied price level of a LOBSTER orderbook row.
public struct LobsterLevel: Sendable, Hashable, CustomStringConvertible {
    /// Dollars × 10 000.
    public var price: Int64
    public var size: Int64

    @inlinable
    public init(price: Int64, size: Int64) {
        self.price = price
        self.size = size
    }

    public var description: String { "\(size)@\(price)" }
}

/// The visible book of one orderbook row: the occupied levels of each side, best first.
///
/// Unoccupied levels are written with dummy prices (``dummyAskPrice``, ``dummyBidPrice``) and
/// size 0; they are not stored, so `asks.count < levels` means the whole ask side is visible.
public struct LobsterOrderBookRow: Sendable, Hashable {
    /// The price LOBSTER writes for an empty ask level.
    public static let dummyAskPrice: Int64 = 9_999_999_999
    /// The price LOBSTER writes for an empty bid level.
    public static let dummyBidPrice: Int64 = -9_999_999_999

    /// Levels per side in the file (N of `…_orderbook_N.csv`); 0 before the first row is read.
    public internal(set) var levels: Int
    /// Occupied ask levels, best (lowest) first.
    public internal(set) var asks: [LobsterLevel]
    /// Occupied bid levels, best (highest) first.
    public internal(set) var bids: [LobsterLevel]

    public init(levels: Int = 0, asks: [LobsterLevel] = [], bids: [LobsterLevel] = []) {
        self.levels = levels
        self.asks = asks
        self.bids = bids
    }

    /// The occupied levels of one side, best first.
    @inlinable
    public func side(bid: Bool) -> [LobsterLevel] { bid ? bids : asks }

    /// `true` when every one of the N levels of the side is occupied: deeper levels may exist
    /// that the file does not show.
    @inlinable
    public func isFull(bid: Bool) -> Bool { (bid ? bids.count : asks.count) >= levels }

    /// The row as LOBSTER writes it (dummy prices for empty levels), for tests and fixtures.
    public var csvLine: String {
        var fields: [String] = []
        fields.reserveCapacity(4 * levels)
        for i in 0..<levels {
            if i < asks.count {
                fields += [String(asks[i].price), String(asks[i].size)]
            } else {
                fields += [String(Self.dummyAskPrice), "0"]
            }
            if i < bids.count {
                fields += [String(bids[i].price), String(bids[i].size)]
            } else {
                fields += [String(Self.dummyBidPrice), "0"]
            }
        }
        return fields.joined(separator: ",")
    }
}
