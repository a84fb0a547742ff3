// LOBSTER message files, one row per event that touched the requested top levels of a book:
//
//     Time, Type, Order ID, Size, Price, Direction
//     34200.004241176,1,16113575,18,5853300,1
//
// This file and LobsterCSV.swift depend on nothing but the standard library, so that the fuzz
// target (Fuzz/LobsterCSV) can compile them on their own.

/// The event a LOBSTER message records (column 2).
public enum LobsterEventType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A new limit order rests in the book.
    case submission = 1
    /// Part of a resting order is cancelled.
    case cancellation = 2
    /// A resting order is deleted entirely.
    case deletion = 3
    /// A visible resting order trades (wholly or in part).
    case visibleExecution = 4
    /// A hidden order trades: the visible book does not change.
    case hiddenExecution = 5
    /// A cross (an auction trade): the visible book does not change.
    case crossTrade = 6
    /// A trading halt, quote resumption or trading resumption (see ``LobsterHaltState``).
    case tradingHalt = 7

    /// `true` for the four types that change the visible book.
    @inlinable
    public var touchesVisibleBook: Bool { rawValue <= 4 }

    public var description: String {
        switch self {
        case .submission: "submission (1)"
        case .cancellation: "cancellation (2)"
        case .deletion: "deletion (3)"
        case .visibleExecution: "visible execution (4)"
        case .hiddenExecution: "hidden execution (5)"
        case .crossTrade: "cross trade (6)"
        case .tradingHalt: "trading halt (7)"
        }
    }
}

/// What a type 7 message says, carried in its price column.
public enum LobsterHaltState: Int64, Sendable, Hashable {
    case halted = -1
    case quotingResumed = 0
    case tradingResumed = 1
}

/// A LOBSTER message (one row of a message file), fields as recorded.
public struct LobsterMessage: Sendable, Hashable {
    /// Nanoseconds after midnight (the file gives seconds with up to nine decimals).
    public var time: Int64
    public var type: LobsterEventType
    public var orderID: Int64
    /// Shares.
    public var size: Int64
    /// Dollars × 10 000; for type 7 the halt state (-1, 0, 1).
    public var price: Int64
    /// `true` for a buy limit order (direction 1), `false` for a sell limit order (-1). For
    /// executions this is the side of the *resting* order: a buy order executed is a
    /// seller-initiated trade.
    public var isBuy: Bool

    @inlinable
    public init(time: Int64, type: LobsterEventType, orderID: Int64, size: Int64, price: Int64, isBuy: Bool) {
        self.time = time
        self.type = type
        self.orderID = orderID
        self.size = size
        self.price = price
        self.isBuy = isBuy
    }

    /// The halt state of a type 7 message, nil for other types.
    public var haltState: LobsterHaltState? {
        type == .tradingHalt ? LobsterHaltState(rawValue: price) : nil
    }
}

extension LobsterMessage {
    /// The row as LOBSTER writes it (time with nine decimals), for tests and fixtures.
    public var csvLine: String {
        "\(Self.formatTime(time)),\(type.rawValue),\(orderID),\(size),\(price),\(isBuy ? 1 : -1)"
    }

    /// `34200.004241176` for a time in ns after midnight.
    public static func formatTime(_ time: Int64) -> String {
        let fraction = String(time % 1_000_000_000)
        return "\(time / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }
}
