// The messages of the exchange protocol, version 1, as values. The byte layout of each is in
// docs/WIRE-FORMAT.md and in FrameEncoder/FrameDecoder. This module has no dependencies so that
// its decoder can be fuzzed on its own (Fuzz/Frames); conversions to book and tick types live
// with their users.

/// Constants of the framing.
public enum Wire {
    /// First byte of every header: 'T'. A stream that does not start frames with it is not this
    /// protocol, or has lost its framing.
    public static let magic: UInt8 = 0x54
    /// The protocol version this code speaks.
    public static let version: UInt8 = 1
    /// The `u32` length prefix in front of every frame.
    public static let prefixSize = 4
    /// magic, version, type, flags (1 byte each), sequence and send time (8 bytes each).
    public static let headerSize = 20
    /// The largest length a prefix may announce (header plus payload): 1 MiB. A peer that
    /// announces more is broken or hostile; reading on would let it claim unbounded memory.
    public static let maxFrameLength = 1 << 20
    /// The most levels a snapshot can carry and stay under ``maxFrameLength``.
    public static let maxSnapshotLevels = (maxFrameLength - headerSize - 8) / 16
}

/// What a frame carries. Values are stable: they are on the wire.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Exchange → subscriber: every level of both sides, valid at the header's sequence.
    case snapshot = 1
    /// Exchange → subscriber: one change to an L2 level; the header's sequence is the delta's.
    case delta = 2
    /// Exchange → subscriber: "still here", with the checksum of the book at the header's
    /// sequence (the last delta sent).
    case heartbeat = 3
    /// Client → exchange: start (or restart) the stream with a snapshot.
    case subscribe = 4
    /// Client → exchange: a new order.
    case orderNew = 5
    /// Client → exchange: cancel an order.
    case orderCancel = 6
    /// Exchange → client: the answer to an order or a cancel.
    case ack = 7
    /// Exchange → client: the exchange is closing; nothing follows.
    case goodbye = 8

    public var description: String {
        switch self {
        case .snapshot: "snapshot"
        case .delta: "delta"
        case .heartbeat: "heartbeat"
        case .subscribe: "subscribe"
        case .orderNew: "order-new"
        case .orderCancel: "order-cancel"
        case .ack: "ack"
        case .goodbye: "goodbye"
        }
    }
}

public enum WireSide: UInt8, Sendable, Hashable, CaseIterable {
    case bid = 0
    case ask = 1
}

public enum WireAction: UInt8, Sendable, Hashable, CaseIterable {
    /// Add size at a price, creating the level.
    case add = 0
    /// Take size away from a level; it disappears at zero.
    case reduce = 1
    /// Remove a level whatever its size (the size field is zero).
    case delete = 2
}

public enum WireEventKind: UInt8, Sendable, Hashable, CaseIterable {
    case add = 0
    case cancel = 1
    case trade = 2
}

/// Why a client asks for a snapshot; the exchange counts them.
public enum SubscribeReason: UInt8, Sendable, Hashable, CaseIterable {
    case initial = 0
    /// A sequence number was missing.
    case gap = 1
    /// A new connection after a lost one.
    case reconnect = 2
    /// The client's book disagreed with a heartbeat's checksum.
    case checksumMismatch = 3
}

public enum AckStatus: UInt8, Sendable, Hashable, CaseIterable {
    case accepted = 0
    case rejected = 1
}

public enum RejectReason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    case invalidPrice = 1
    case invalidSize = 2
    case unknownOrder = 3
    case duplicateOrderID = 4
    case tooManyOpenOrders = 5

    public var description: String {
        switch self {
        case .none: "none"
        case .invalidPrice: "invalid price"
        case .invalidSize: "invalid size"
        case .unknownOrder: "unknown order"
        case .duplicateOrderID: "duplicate order id"
        case .tooManyOpenOrders: "too many open orders"
        }
    }
}

/// A price level: fixed-point price and size, both positive.
public struct WireLevel: Sendable, Hashable {
    public var price: Int64
    public var size: Int64

    public init(price: Int64, size: Int64) {
        self.price = price
        self.size = size
    }
}

/// Every level of the book, best first on each side: bids strictly descending in price, asks
/// strictly ascending.
public struct WireSnapshot: Sendable, Hashable {
    public var bids: [WireLevel]
    public var asks: [WireLevel]

    public init(bids: [WireLevel], asks: [WireLevel]) {
        self.bids = bids
        self.asks = asks
    }
}

public struct WireDelta: Sendable, Hashable {
    public var action: WireAction
    public var side: WireSide
    public var kind: WireEventKind
    public var price: Int64
    public var size: Int64

    public init(action: WireAction, side: WireSide, kind: WireEventKind, price: Int64, size: Int64) {
        self.action = action
        self.side = side
        self.kind = kind
        self.price = price
        self.size = size
    }
}

public struct WireOrder: Sendable, Hashable {
    /// Chosen by the client, unique per connection.
    public var clientOrderID: UInt64
    public var side: WireSide
    public var price: Int64
    public var size: Int64
    /// The client's clock when it sent the order; the ack echoes it.
    public var clientTime: UInt64

    public init(clientOrderID: UInt64, side: WireSide, price: Int64, size: Int64, clientTime: UInt64) {
        self.clientOrderID = clientOrderID
        self.side = side
        self.price = price
        self.size = size
        self.clientTime = clientTime
    }
}

public struct WireCancel: Sendable, Hashable {
    public var clientOrderID: UInt64
    public var clientTime: UInt64

    public init(clientOrderID: UInt64, clientTime: UInt64) {
        self.clientOrderID = clientOrderID
        self.clientTime = clientTime
    }
}

public struct WireAck: Sendable, Hashable {
    public var clientOrderID: UInt64
    /// Echoed from the order or cancel.
    public var clientTime: UInt64
    /// What is acknowledged: ``MessageType/orderNew`` or ``MessageType/orderCancel``.
    public var request: MessageType
    public var status: AckStatus
    public var reason: RejectReason

    public init(
        clientOrderID: UInt64, clientTime: UInt64, request: MessageType, status: AckStatus,
        reason: RejectReason = .none
    ) {
        self.clientOrderID = clientOrderID
        self.clientTime = clientTime
        self.request = request
        self.status = status
        self.reason = reason
    }
}

public enum WireMessage: Sendable, Hashable {
    case snapshot(WireSnapshot)
    case delta(WireDelta)
    case heartbeat(checksum: UInt64)
    case subscribe(SubscribeReason)
    case orderNew(WireOrder)
    case orderCancel(WireCancel)
    case ack(WireAck)
    case goodbye

    public var type: MessageType {
        switch self {
        case .snapshot: .snapshot
        case .delta: .delta
        case .heartbeat: .heartbeat
        case .subscribe: .subscribe
        case .orderNew: .orderNew
        case .orderCancel: .orderCancel
        case .ack: .ack
        case .goodbye: .goodbye
        }
    }
}

/// One frame: header fields and the message.
public struct WireFrame: Sendable, Hashable {
    /// Reserved in version 1: senders write 0, receivers ignore it.
    public var flags: UInt8
    /// Exchange → client: the market sequence the message belongs to (see ``MessageType``);
    /// client → exchange: the client's own message count.
    public var sequence: UInt64
    /// The sender's monotonic clock (CLOCK_MONOTONIC, ns) when it wrote the frame.
    public var sendTime: UInt64
    public var message: WireMessage

    public init(sequence: UInt64, sendTime: UInt64, message: WireMessage, flags: UInt8 = 0) {
        self.flags = flags
        self.sequence = sequence
        self.sendTime = sendTime
        self.message = message
    }
}
