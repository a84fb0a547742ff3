/// One aggregated price level.
public struct PriceLevel: Sendable, Hashable, CustomStringConvertible {
    public var price: Price
    public var size: Size

    @inlinable
    public init(price: Price, size: Size) {
        self.price = price
        self.size = size
    }

    public var description: String { "\(size)@\(price)" }
}

/// A level-2 order book: sizes aggregated by integer price, per side.
///
/// Each side is a contiguous array sorted so that the best level is the *last* element. Market
/// activity concentrates at the top of the book, so the deltas that matter touch the end of
/// the array: finding a level is a short backwards scan, inserting or removing one moves only
/// the few levels above it. Deeper levels are found by binary search.
///
/// The book has no lock: the processor stage owns it.
public struct OrderBook: Sendable {
    /// Bids ascending by price, asks descending: the best level of each side is last.
    @usableFromInline var bids: ContiguousArray<PriceLevel> = []
    @usableFromInline var asks: ContiguousArray<PriceLevel> = []

    /// Deltas applied and deltas refused since the book was created.
    public var appliedCount: Int { _applied }
    public var rejectedCount: Int { _rejected }
    @usableFromInline var _applied: Int = 0
    @usableFromInline var _rejected: Int = 0

    public init() {
        bids.reserveCapacity(64)
        asks.reserveCapacity(64)
    }

    /// The number of levels on a side.
    @inlinable
    public func depth(_ side: Side) -> Int { side == .bid ? bids.count : asks.count }

    public var bestBid: PriceLevel? { bids.last }
    public var bestAsk: PriceLevel? { asks.last }

    /// The level `index` steps from the top of `side` (0 is the best), or nil past the depth.
    @inlinable
    public func level(_ side: Side, at index: Int) -> PriceLevel? {
        let levels = side == .bid ? bids : asks
        guard index >= 0, index < levels.count else { return nil }
        return levels[levels.count - 1 - index]
    }

    /// Calls `body` with a side's levels in storage order: worst first, **best last**. The
    /// no-copy view for hot paths (feature extraction, workloads).
    @inlinable
    public func withLevels<R>(_ side: Side, _ body: (UnsafeBufferPointer<PriceLevel>) throws -> R) rethrows -> R {
        try (side == .bid ? bids : asks).withUnsafeBufferPointer(body)
    }

    /// The best `count` levels of a side, best first.
    public func top(_ side: Side, _ count: Int) -> [PriceLevel] {
        let levels = side == .bid ? bids : asks
        return Array(levels.suffix(max(0, count)).reversed())
    }

    /// Every level of a side, best first.
    public func levels(_ side: Side) -> [PriceLevel] {
        Array((side == .bid ? bids : asks).reversed())
    }

    /// `true` when both books hold the same levels (counters are not compared).
    public func hasSameLevels(as other: OrderBook) -> Bool {
        bids == other.bids && asks == other.asks
    }

    /// The size at `price` on `side`, zero where there is no level.
    public func size(_ side: Side, at price: Price) -> Size {
        let levels = side == .bid ? bids : asks
        let (found, index) = Self.locate(price, in: levels, side: side)
        return found ? levels[index].size : 0
    }

    /// Applies a delta, or refuses it with the reason and leaves the book untouched.
    ///
    /// Refusals are counted in ``rejectedCount``; the caller decides whether they matter.
    @inlinable
    public mutating func apply(_ delta: BookDelta) throws(BookError) {
        do {
            if delta.side == .bid {
                try Self.apply(delta, to: &bids)
            } else {
                try Self.apply(delta, to: &asks)
            }
            _applied &+= 1
        } catch {
            _rejected &+= 1
            throw error
        }
    }

    /// Applies a delta and reports a refusal as a value instead of an error, for hot loops.
    @inlinable
    @discardableResult
    public mutating func applyCounting(_ delta: BookDelta) -> BookError? {
        do {
            try apply(delta)
            return nil
        } catch {
            return error
        }
    }

    /// Removes every level (counters are kept).
    public mutating func removeAll() {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
    }

    /// Sets a level to an absolute size (zero removes it); used to adopt a snapshot.
    public mutating func set(_ side: Side, price: Price, size: Size) {
        precondition(price > 0 && size >= 0, "set needs a positive price and a non-negative size")
        if side == .bid {
            Self.set(price, size, in: &bids, side: .bid)
        } else {
            Self.set(price, size, in: &asks, side: .ask)
        }
    }

    /// A 64-bit FNV-1a digest of every level of both sides, best first. Two books have the same
    /// checksum when they hold the same levels (up to hash collisions).
    public var checksum: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ value: UInt64) {
            var v = value
            for _ in 0..<8 {
                hash ^= v & 0xff
                hash = hash &* 0x100_0000_01b3
                v >>= 8
            }
        }
        for (tag, levels) in [(UInt64(1), bids), (UInt64(2), asks)] {
            mix(tag)
            mix(UInt64(levels.count))
            for level in levels.reversed() {
                mix(UInt64(bitPattern: level.price))
                mix(UInt64(bitPattern: level.size))
            }
        }
        return hash
    }

    // MARK: - Machinery

    /// `true` when `a` ranks below `b` in the array order of `side` (further from the top).
    @inlinable @inline(__always)
    static func ranksBelow(_ a: Price, _ b: Price, side: Side) -> Bool {
        side == .bid ? a < b : a > b
    }

    /// Where `price` is, or where it would be inserted, in `levels` (sorted, best last).
    @inlinable
    static func locate(_ price: Price, in levels: ContiguousArray<PriceLevel>, side: Side) -> (found: Bool, index: Int)
    {
        let count = levels.count
        // Scan the top of the book first: that is where nearly all activity is.
        let scanFloor = max(0, count - 16)
        var i = count - 1
        while i >= scanFloor {
            let p = levels[i].price
            if p == price { return (true, i) }
            if ranksBelow(p, price, side: side) { return (false, i + 1) }
            i -= 1
        }
        if scanFloor == 0 { return (false, 0) }
        // Binary search in levels[0..<scanFloor]: first index whose price does not rank below.
        var low = 0
        var high = scanFloor
        while low < high {
            let mid = (low &+ high) >> 1
            if ranksBelow(levels[mid].price, price, side: side) { low = mid + 1 } else { high = mid }
        }
        return (low < scanFloor && levels[low].price == price, low)
    }

    @inlinable
    static func apply(_ delta: BookDelta, to levels: inout ContiguousArray<PriceLevel>) throws(BookError) {
        guard delta.price > 0 else { throw .nonPositivePrice(delta) }
        switch delta.action {
        case .add:
            guard delta.size > 0 else { throw .nonPositiveSize(delta) }
            let (found, index) = locate(delta.price, in: levels, side: delta.side)
            if found {
                levels[index].size += delta.size
            } else {
                levels.insert(PriceLevel(price: delta.price, size: delta.size), at: index)
            }
        case .reduce:
            guard delta.size > 0 else { throw .nonPositiveSize(delta) }
            let (found, index) = locate(delta.price, in: levels, side: delta.side)
            guard found else { throw .absentLevel(delta) }
            let available = levels[index].size
            if delta.size > available { throw .sizeBelowZero(delta, available: available) }
            if delta.size == available {
                levels.remove(at: index)
            } else {
                levels[index].size = available - delta.size
            }
        case .delete:
            let (found, index) = locate(delta.price, in: levels, side: delta.side)
            guard found else { throw .absentLevel(delta) }
            levels.remove(at: index)
        }
    }

    static func set(_ price: Price, _ size: Size, in levels: inout ContiguousArray<PriceLevel>, side: Side) {
        let (found, index) = locate(price, in: levels, side: side)
        switch (found, size) {
        case (true, 0): levels.remove(at: index)
        case (true, _): levels[index].size = size
        case (false, 0): break
        case (false, _): levels.insert(PriceLevel(price: price, size: size), at: index)
        }
    }
}
