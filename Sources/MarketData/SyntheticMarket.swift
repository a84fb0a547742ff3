import OrderBook

/// The synthetic exchange's order flow: a random-walk mid price with adds, cancels and trades
/// over at least ten price levels a side, deterministic for a seed.
///
/// The market keeps its own copy of the book so that every event it emits is valid: cancels
/// and trades only touch levels that exist, and no side ever crosses the other. The first
/// ticks open the market by building `levelsPerSide` levels on each side.
public struct SyntheticMarket: Sendable {
    public struct Parameters: Sendable, Hashable {
        /// Levels quoted on each side around the mid (the book holds at least this many once
        /// the market has opened, save for the moment a trade or cancel emptied one).
        public var levelsPerSide: Int = 12
        /// Fixed-point price of the first mid, in ticks.
        public var initialMid: Price = 1_000_000
        /// Probability that the mid moves one tick at an event.
        public var midMoveProbability: Double = 0.05
        /// Event mix: the rest are adds.
        public var cancelProbability: Double = 0.3
        public var tradeProbability: Double = 0.15
        public var maxOrderSize: Size = 500

        public init() {}
    }

    public let parameters: Parameters
    private var random: SeededRandom
    private var book = OrderBook()
    private var mid: Price
    /// Book levels made invalid by a mid move, removed one per event before anything else.
    private var pendingDeletes: [(Side, Price)] = []
    public private(set) var emitted: UInt64 = 0

    public init(seed: UInt64, parameters: Parameters = Parameters()) {
        self.parameters = parameters
        self.random = SeededRandom(seed: seed ^ 0x7469_636B_6C61_6221)
        self.mid = parameters.initialMid
    }

    /// The market's own book after every event emitted so far: what a correct consumer holds.
    public var referenceBook: OrderBook { book }

    /// The next event and the delta it makes to an L2 book.
    public mutating func next() -> (delta: BookDelta, kind: EventKind) {
        let event = makeEvent()
        emitted += 1
        do {
            try book.apply(event.delta)
        } catch {
            preconditionFailure("synthetic market produced an invalid delta: \(error)")
        }
        return event
    }

    private mutating func makeEvent() -> (delta: BookDelta, kind: EventKind) {
        let levels = parameters.levelsPerSide
        // Opening: one add per level, alternating sides, best levels first.
        if emitted < UInt64(2 * levels) {
            let side: Side = emitted % 2 == 0 ? .bid : .ask
            let depth = Int(emitted / 2)
            return (.add(side, price: price(side, depth: depth), size: randomSize()), .add)
        }
        if let (side, price) = pendingDeletes.popLast() {
            if book.size(side, at: price) > 0 { return (.delete(side, price: price), .cancel) }
        }
        // The mid moves only once the last move's crossed levels are gone, so sides never lock.
        if pendingDeletes.isEmpty, random.unit() < parameters.midMoveProbability {
            moveMid(up: random.next() & 1 == 0)
            if let (side, price) = pendingDeletes.popLast(), book.size(side, at: price) > 0 {
                return (.delete(side, price: price), .cancel)
            }
        }
        let side: Side = random.next() & 1 == 0 ? .bid : .ask
        // A side short of its quoted levels is refilled first, most of the time: liquidity
        // providers come back to an empty level.
        if book.depth(side) < levels, random.unit() < 0.8, let depth = firstMissingDepth(side) {
            return (.add(side, price: price(side, depth: depth), size: randomSize()), .add)
        }
        let roll = random.unit()
        if roll < parameters.tradeProbability, let best = book.level(side, at: 0) {
            // An aggressive order of the other side takes part (or all) of the best level.
            let size = min(best.size, randomSize())
            return (.reduce(side, price: best.price, size: size), .trade)
        }
        if roll < parameters.tradeProbability + parameters.cancelProbability, book.depth(side) > 0 {
            let depth = min(book.depth(side) - 1, skewedDepth(levels))
            let level = book.level(side, at: depth)!
            if random.next() % 4 == 0 {
                return (.delete(side, price: level.price), .cancel)
            }
            let size = 1 + Size(random.next() % UInt64(level.size))
            return (.reduce(side, price: level.price, size: size), .cancel)
        }
        // Keep the book bounded: a side too deep loses its worst level.
        if book.depth(side) > 2 * levels, let worst = book.level(side, at: book.depth(side) - 1) {
            return (.delete(side, price: worst.price), .cancel)
        }
        return (.add(side, price: price(side, depth: skewedDepth(levels)), size: randomSize()), .add)
    }

    /// Price `depth` ticks behind the best quote of `side` (the spread is two ticks).
    private func price(_ side: Side, depth: Int) -> Price {
        side == .bid ? mid - 1 - Price(depth) : mid + 1 + Price(depth)
    }

    /// The best quoted depth (0 is the touch) at which `side` has no level, if any.
    private func firstMissingDepth(_ side: Side) -> Int? {
        (0..<parameters.levelsPerSide).first { book.size(side, at: price(side, depth: $0)) == 0 }
    }

    /// Depths near the top are far more likely, as in real order flow.
    private mutating func skewedDepth(_ levels: Int) -> Int {
        let u = random.unit()
        return min(levels - 1, Int(Double(levels) * u * u))
    }

    private mutating func randomSize() -> Size {
        1 + Size(random.next() % UInt64(parameters.maxOrderSize))
    }

    /// Moves the mid one tick and queues deletes for the levels that would now cross.
    private mutating func moveMid(up: Bool) {
        mid += up ? 1 : -1
        guard mid - 1 - Price(parameters.levelsPerSide) > 0 else { mid += 1; return }
        let bidLimit = mid - 1  // bids must stay at or below
        let askLimit = mid + 1  // asks must stay at or above
        var i = 0
        while let level = book.level(.bid, at: i), level.price > bidLimit {
            pendingDeletes.append((.bid, level.price)); i += 1
        }
        i = 0
        while let level = book.level(.ask, at: i), level.price < askLimit {
            pendingDeletes.append((.ask, level.price)); i += 1
        }
    }
}
