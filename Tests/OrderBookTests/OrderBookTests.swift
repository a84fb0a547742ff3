import OrderBook
import PropertyBased
import TestSupport
import Testing

// MARK: - Helpers

/// Applies a delta and returns the refusal, if any, as a value.
@discardableResult
private func outcome(_ book: inout OrderBook, _ delta: BookDelta) -> BookError? {
    do {
        try book.apply(delta)
        return nil
    } catch {
        return error
    }
}

/// A book built from `deltas`, every one of which must be accepted.
private func makeBook(_ deltas: [BookDelta], sourceLocation: SourceLocation = #_sourceLocation) -> OrderBook {
    var book = OrderBook()
    for delta in deltas {
        let error = outcome(&book, delta)
        #expect(
            error == nil, "setup delta '\(delta)' was refused: \(String(describing: error))",
            sourceLocation: sourceLocation)
    }
    return book
}

private func lv(_ price: Price, _ size: Size) -> PriceLevel { PriceLevel(price: price, size: size) }

/// Levels `(price, size)` of a side, best first, as plain tuples that read well in failures.
private func pairs(_ book: OrderBook, _ side: Side) -> [[Int64]] {
    book.levels(side).map { [$0.price, $0.size] }
}

/// A book with `depth` levels a side at even prices: bids 2, 4, … 2·depth, asks the same prices.
/// Sizes are `price + 1000` for bids and `price + 2000` for asks so every level is distinct.
private func evenBook(depth: Int) -> OrderBook {
    var book = OrderBook()
    for i in 1...depth {
        let price = Price(2 * i)
        book.set(.bid, price: price, size: price + 1000)
        book.set(.ask, price: price, size: price + 2000)
    }
    return book
}

/// SplitMix64: a tiny deterministic generator for reproducible shuffles in unit tests.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The documented checksum, written independently of the implementation: 64-bit FNV-1a over
/// the bytes (little end first) of: tag 1, bid count, each bid (price, size) best first, tag 2,
/// ask count, each ask best first.
private func referenceChecksum(bids: [PriceLevel], asks: [PriceLevel]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            hash ^= (value >> UInt64(shift)) & 0xff
            hash = hash &* 0x100_0000_01b3
        }
    }
    for (tag, levels) in [(UInt64(1), bids), (UInt64(2), asks)] {
        mix(tag)
        mix(UInt64(levels.count))
        for level in levels {
            mix(UInt64(bitPattern: level.price))
            mix(UInt64(bitPattern: level.size))
        }
    }
    return hash
}

// MARK: - Reference model

/// A deliberately naive L2 book: per side, an array of levels best first, searched and kept in
/// order by linear scans. Nothing is shared with the implementation (no scan-then-bisect, no
/// storage reversed), and it is small enough to be obviously right.
private struct ReferenceBook {
    private var bids: [PriceLevel] = []
    private var asks: [PriceLevel] = []
    var applied = 0
    var rejected = 0

    /// Every level of a side, best first.
    func levels(_ side: Side) -> [PriceLevel] { side == .bid ? bids : asks }

    /// Every price held on either side.
    var prices: Set<Price> { Set(bids.map(\.price) + asks.map(\.price)) }

    func size(_ side: Side, at price: Price) -> Size {
        levels(side).first { $0.price == price }?.size ?? 0
    }

    /// The refusal the specification demands for `delta`, or nil when it must be accepted.
    func expectedError(_ delta: BookDelta) -> BookError? {
        guard delta.price > 0 else { return .nonPositivePrice(delta) }
        let current = size(delta.side, at: delta.price)
        switch delta.action {
        case .add:
            return delta.size > 0 ? nil : .nonPositiveSize(delta)
        case .reduce:
            guard delta.size > 0 else { return .nonPositiveSize(delta) }
            guard current > 0 else { return .absentLevel(delta) }
            return delta.size > current ? .sizeBelowZero(delta, available: current) : nil
        case .delete:
            return current == 0 ? .absentLevel(delta) : nil
        }
    }

    mutating func apply(_ delta: BookDelta) -> BookError? {
        if let error = expectedError(delta) {
            rejected += 1
            return error
        }
        applied += 1
        let current = size(delta.side, at: delta.price)
        switch delta.action {
        case .add: set(delta.side, price: delta.price, size: current + delta.size)
        case .reduce: set(delta.side, price: delta.price, size: current - delta.size)
        case .delete: set(delta.side, price: delta.price, size: 0)
        }
        return nil
    }

    /// Gives the level at `price` an absolute size; zero removes it.
    mutating func set(_ side: Side, price: Price, size: Size) {
        func update(_ levels: inout [PriceLevel]) {
            if let i = levels.firstIndex(where: { $0.price == price }) {
                if size == 0 { levels.remove(at: i) } else { levels[i].size = size }
            } else if size != 0 {
                // Before the first level that is worse than `price`.
                let i = levels.firstIndex { side == .bid ? $0.price < price : $0.price > price } ?? levels.count
                levels.insert(PriceLevel(price: price, size: size), at: i)
            }
        }
        if side == .bid { update(&bids) } else { update(&asks) }
    }
}

/// One step of a random scenario. Codes choose what to do; some steps aim at a level the book
/// holds (picked by rank from `price`) so that reduces and deletes hit often at every depth.
private struct Step: Sendable, CustomStringConvertible {
    var code: Int
    var side: Side
    var price: Int64
    var size: Int64

    var description: String { "\(code)\(side == .bid ? "b" : "a")\(price)x\(size)" }

    /// The delta this step stands for against the current model, or nil for a `set` step.
    func delta(against model: ReferenceBook) -> BookDelta? {
        func heldPrice() -> Price {
            let held = model.levels(side)
            return held.isEmpty ? max(1, price) : held[Int(abs(price)) % held.count].price
        }
        switch code {
        case 0...3: return .add(side, price: price, size: size)
        case 4, 5: return .reduce(side, price: price, size: size)
        case 6: return .reduce(side, price: heldPrice(), size: size)  // may exceed what is held
        case 7:  // reduce a held level to exactly zero
            let p = heldPrice()
            return .reduce(side, price: p, size: max(1, model.size(side, at: p)))
        case 8: return BookDelta(.delete, side, price: price, size: size)  // size is ignored
        case 9: return .delete(side, price: heldPrice())
        case 10: return .add(side, price: heldPrice(), size: size)
        default: return nil
        }
    }
}

private func stepGenerator(prices: ClosedRange<Int64>) -> Generator<Step, some Sequence & SendableMetatype> {
    zip(Gen.int(in: 0...11), Gen<Side>.case, Gen.int64(in: prices), Gen.int64(in: -2...40))
        .map { t in Step(code: t.0, side: t.1, price: t.2, size: t.3) }
}

/// Thrown to stop a scenario at its first disagreement (the issue is already recorded).
private struct Disagreement: Error {}

/// `try #require(actual == expected)` for the hot loops of the property tests: as cheap as `==`
/// when the values agree (which matters under ThreadSanitizer), and a recorded issue with both
/// values, then a thrown error, when they do not.
private func agree<T: Equatable>(
    _ actual: T, _ expected: T, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    guard actual != expected else { return }
    Issue.record("\(what()): the book has \(actual), the model expects \(expected)", sourceLocation: sourceLocation)
    throw Disagreement()
}

/// Checks every observable of `book` against `model`.
private func requireAgreement(
    _ book: OrderBook, _ model: ReferenceBook, probing prices: [Price], _ context: @autoclosure () -> String
) throws {
    var best: [Side: PriceLevel] = [:]
    for side in Side.allCases {
        let expected = model.levels(side)
        best[side] = expected.first
        try agree(book.levels(side), expected, "\(side) levels after \(context())")
        try agree(book.depth(side), expected.count, "\(side) depth after \(context())")
        try agree(book.top(side, 3), Array(expected.prefix(3)), "\(side) top 3 after \(context())")
        try agree(book.level(side, at: 0), expected.first, "\(side) level 0 after \(context())")
        try agree(book.level(side, at: expected.count), nil, "\(side) level past depth after \(context())")
        for price in prices {
            try agree(
                book.size(side, at: price), model.size(side, at: price), "\(side) size at \(price) after \(context())")
        }
    }
    try agree(book.bestBid, best[.bid], "best bid after \(context())")
    try agree(book.bestAsk, best[.ask], "best ask after \(context())")
    try agree(book.appliedCount, model.applied, "appliedCount after \(context())")
    try agree(book.rejectedCount, model.rejected, "rejectedCount after \(context())")
}

/// Runs `steps` against a book and the model in lockstep and requires agreement after each.
/// The checksum (slow in debug builds of deep books) is compared every `checksumEvery` steps.
private func runScenario(
    _ steps: [Step], book start: OrderBook = OrderBook(), model startModel: ReferenceBook = ReferenceBook(),
    checksumEvery: Int = 1
) throws {
    var book = start
    var model = startModel
    for (n, step) in steps.enumerated() {
        let before = book
        let touched: [Price]
        if let delta = step.delta(against: model) {
            let expected = model.apply(delta)
            let actual = outcome(&book, delta)
            try agree(actual, expected, "outcome of step \(n) '\(delta)'")
            try agree(book.hasSameLevels(as: before), actual != nil, "step \(n) '\(delta)' left the book the same")
            if n % checksumEvery == 0 {
                // Every accepted delta changes the levels, so (up to a 2^-64 collision) the checksum.
                try agree(
                    book.checksum == before.checksum, actual != nil, "step \(n) '\(delta)' left the checksum the same")
            }
            touched = [delta.price - 1, delta.price, delta.price + 1]
        } else {
            let size = max(0, step.size)
            let price = max(1, step.price)
            book.set(step.side, price: price, size: size)
            model.set(step.side, price: price, size: size)
            touched = [price]
        }
        try requireAgreement(book, model, probing: touched, "step \(n) '\(step)'")
    }
    // A full sweep of sizes and the checksum at the end.
    let allPrices = model.prices.union(-1...5)
    try requireAgreement(book, model, probing: Array(allPrices), "the last step")
    try #require(book.checksum == referenceChecksum(bids: model.levels(.bid), asks: model.levels(.ask)))
}

// MARK: - Deltas and errors

@Suite("BookDelta and BookError")
struct DeltaTests {
    @Test func constructorsSetEveryField() {
        #expect(BookDelta.add(.bid, price: 10, size: 3) == BookDelta(.add, .bid, price: 10, size: 3))
        #expect(BookDelta.reduce(.ask, price: 11, size: 2) == BookDelta(.reduce, .ask, price: 11, size: 2))
        let delete = BookDelta.delete(.ask, price: 12)
        #expect(delete.action == .delete)
        #expect(delete.side == .ask)
        #expect(delete.price == 12)
        #expect(delete.size == 0)
    }

    @Test func descriptions() {
        #expect(BookDelta.add(.bid, price: 10, size: 3).description == "add bid 3@10")
        #expect(BookDelta.reduce(.ask, price: 11, size: 2).description == "reduce ask 2@11")
        #expect(BookDelta.delete(.ask, price: 12).description == "delete ask @12")
        #expect(PriceLevel(price: 5, size: 7).description == "7@5")
        #expect(Side.bid.description == "bid")
        #expect(Side.ask.description == "ask")
    }

    @Test func sides() {
        #expect(Side.bid.opposite == .ask)
        #expect(Side.ask.opposite == .bid)
        #expect(Side.allCases == [.bid, .ask])
        #expect(Side.bid.rawValue == 0 && Side.ask.rawValue == 1)
    }

    @Test func errorCarriesItsDelta() {
        let d = BookDelta.reduce(.bid, price: 10, size: 5)
        #expect(BookError.nonPositivePrice(d).delta == d)
        #expect(BookError.nonPositiveSize(d).delta == d)
        #expect(BookError.absentLevel(d).delta == d)
        #expect(BookError.sizeBelowZero(d, available: 3).delta == d)
        #expect(BookError.sizeBelowZero(d, available: 3) != BookError.sizeBelowZero(d, available: 4))
        #expect(BookError.sizeBelowZero(d, available: 3).description.contains("holds 3"))
        #expect(BookError.absentLevel(d).description.contains("no bid level at 10"))
        #expect(BookError.nonPositivePrice(d).description.contains("non-positive price"))
        #expect(BookError.nonPositiveSize(d).description.contains("non-positive size"))
    }
}

// MARK: - Actions

@Suite("add")
struct AddTests {
    @Test(arguments: Side.allCases)
    func addCreatesALevelOnAnEmptyBook(side: Side) throws {
        var book = OrderBook()
        try book.apply(.add(side, price: 100, size: 5))
        #expect(book.levels(side) == [lv(100, 5)])
        #expect(book.levels(side.opposite).isEmpty)
        #expect(book.depth(side) == 1)
        #expect(book.size(side, at: 100) == 5)
        #expect(book.appliedCount == 1)
        #expect(book.rejectedCount == 0)
    }

    @Test(arguments: Side.allCases)
    func addIncreasesAnExistingLevel(side: Side) throws {
        var book = makeBook([.add(side, price: 100, size: 5), .add(side, price: 101, size: 1)])
        try book.apply(.add(side, price: 100, size: 7))
        #expect(book.size(side, at: 100) == 12)
        #expect(book.depth(side) == 2)
        #expect(book.appliedCount == 3)
    }

    @Test func bidsAreBestHighestFirst() {
        let book = makeBook([
            .add(.bid, price: 100, size: 1), .add(.bid, price: 102, size: 2),
            .add(.bid, price: 99, size: 3), .add(.bid, price: 101, size: 4),
        ])
        #expect(book.levels(.bid) == [lv(102, 2), lv(101, 4), lv(100, 1), lv(99, 3)])
        #expect(book.bestBid == lv(102, 2))
        #expect(book.bestAsk == nil)
    }

    @Test func asksAreBestLowestFirst() {
        let book = makeBook([
            .add(.ask, price: 100, size: 1), .add(.ask, price: 102, size: 2),
            .add(.ask, price: 99, size: 3), .add(.ask, price: 101, size: 4),
        ])
        #expect(book.levels(.ask) == [lv(99, 3), lv(100, 1), lv(101, 4), lv(102, 2)])
        #expect(book.bestAsk == lv(99, 3))
        #expect(book.bestBid == nil)
    }

    @Test func sidesAreIndependentAtTheSamePrice() throws {
        var book = makeBook([.add(.bid, price: 100, size: 1)])
        try book.apply(.add(.ask, price: 100, size: 9))
        #expect(book.size(.bid, at: 100) == 1)
        #expect(book.size(.ask, at: 100) == 9)
        // A crossed or locked book is not the book's business: it only aggregates.
        try book.apply(.add(.ask, price: 50, size: 2))
        #expect(book.bestAsk == lv(50, 2))
        #expect(book.bestBid == lv(100, 1))
    }

    @Test(arguments: [Size(0), -1, -500, Size.min])
    func addRefusesANonPositiveSize(size: Size) {
        var book = makeBook([.add(.bid, price: 100, size: 5)])
        let before = book
        let d = BookDelta.add(.bid, price: 100, size: size)
        #expect(throws: BookError.nonPositiveSize(d)) { try book.apply(d) }
        #expect(book.hasSameLevels(as: before))
        #expect(book.appliedCount == 1)
        #expect(book.rejectedCount == 1)
    }

    @Test(arguments: [Price(0), -1, Price.min])
    func addRefusesANonPositivePrice(price: Price) {
        var book = makeBook([.add(.ask, price: 100, size: 5)])
        let before = book
        let d = BookDelta.add(.ask, price: price, size: 5)
        #expect(outcome(&book, d) == .nonPositivePrice(d))
        // The price is checked before the size.
        let both = BookDelta.add(.ask, price: price, size: 0)
        #expect(outcome(&book, both) == .nonPositivePrice(both))
        #expect(book.hasSameLevels(as: before))
        #expect(book.checksum == before.checksum)
        #expect(book.appliedCount == 1)
        #expect(book.rejectedCount == 2)
    }

    @Test func largeValuesAreKept() throws {
        var book = OrderBook()
        try book.apply(.add(.bid, price: .max, size: .max - 1))
        try book.apply(.add(.bid, price: .max, size: 1))
        try book.apply(.add(.bid, price: 1, size: 1))
        #expect(book.levels(.bid) == [lv(.max, .max), lv(1, 1)])
    }
}

@Suite("reduce")
struct ReduceTests {
    @Test(arguments: Side.allCases)
    func reduceTakesSizeAway(side: Side) throws {
        var book = makeBook([.add(side, price: 100, size: 10), .add(side, price: 101, size: 1)])
        try book.apply(.reduce(side, price: 100, size: 4))
        #expect(book.size(side, at: 100) == 6)
        #expect(book.depth(side) == 2)
        #expect(book.appliedCount == 3)
    }

    @Test func reduceToExactlyZeroRemovesTheLevel() throws {
        var book = makeBook([
            .add(.bid, price: 100, size: 10), .add(.bid, price: 99, size: 3),
            .add(.ask, price: 101, size: 7), .add(.ask, price: 102, size: 2),
        ])
        try book.apply(.reduce(.bid, price: 100, size: 4))
        try book.apply(.reduce(.bid, price: 100, size: 6))
        #expect(book.bestBid == lv(99, 3))
        #expect(book.size(.bid, at: 100) == 0)
        try book.apply(.reduce(.ask, price: 101, size: 7))
        #expect(book.bestAsk == lv(102, 2))
        try book.apply(.reduce(.ask, price: 102, size: 2))
        #expect(book.bestAsk == nil)
        #expect(book.levels(.ask).isEmpty)
        #expect(book.appliedCount == 8)
    }

    @Test(arguments: Side.allCases)
    func reduceOfAnAbsentLevelIsRefused(side: Side) {
        var book = makeBook([.add(side, price: 100, size: 10), .add(side.opposite, price: 101, size: 10)])
        let before = book
        for price: Price in [99, 101, 1, 1_000_000] {
            let d = BookDelta.reduce(side, price: price, size: 1)
            #expect(throws: BookError.absentLevel(d)) { try book.apply(d) }
        }
        #expect(book.hasSameLevels(as: before))
        #expect(book.appliedCount == 2)
        #expect(book.rejectedCount == 4)
    }

    @Test func reduceOnAnEmptyBookIsRefused() {
        var book = OrderBook()
        let d = BookDelta.reduce(.ask, price: 5, size: 1)
        #expect(outcome(&book, d) == .absentLevel(d))
        #expect(book.levels(.ask).isEmpty && book.levels(.bid).isEmpty)
        #expect(book.rejectedCount == 1 && book.appliedCount == 0)
    }

    @Test(arguments: Side.allCases)
    func reduceBelowZeroIsRefusedWithTheAvailableSize(side: Side) {
        var book = makeBook([.add(side, price: 100, size: 10)])
        let before = book
        let d = BookDelta.reduce(side, price: 100, size: 11)
        #expect(throws: BookError.sizeBelowZero(d, available: 10)) { try book.apply(d) }
        let huge = BookDelta.reduce(side, price: 100, size: .max)
        #expect(outcome(&book, huge) == .sizeBelowZero(huge, available: 10))
        #expect(book.hasSameLevels(as: before))
        #expect(book.size(side, at: 100) == 10)
        #expect(book.rejectedCount == 2)
        #expect(book.appliedCount == 1)
    }

    @Test(arguments: [Size(0), -1, Size.min])
    func reduceRefusesANonPositiveSize(size: Size) {
        var book = makeBook([.add(.bid, price: 100, size: 10)])
        let before = book
        let present = BookDelta.reduce(.bid, price: 100, size: size)
        #expect(outcome(&book, present) == .nonPositiveSize(present))
        // The size is checked before the level is looked up.
        let absent = BookDelta.reduce(.bid, price: 7, size: size)
        #expect(outcome(&book, absent) == .nonPositiveSize(absent))
        // And the price before the size.
        let badPrice = BookDelta.reduce(.bid, price: 0, size: size)
        #expect(outcome(&book, badPrice) == .nonPositivePrice(badPrice))
        #expect(book.hasSameLevels(as: before))
        #expect(book.rejectedCount == 3)
    }
}

@Suite("delete")
struct DeleteTests {
    @Test(arguments: Side.allCases)
    func deleteRemovesALevelWhateverItsSize(side: Side) throws {
        var book = makeBook([
            .add(side, price: 100, size: 10), .add(side, price: 90, size: 1), .add(side, price: 110, size: 2),
        ])
        try book.apply(.delete(side, price: 100))
        #expect(book.levels(side).map(\.price) == (side == .bid ? [110, 90] : [90, 110]))
        #expect(book.size(side, at: 100) == 0)
        #expect(book.appliedCount == 4)
    }

    @Test func deleteIgnoresTheSizeField() throws {
        var book = makeBook([.add(.ask, price: 100, size: 10), .add(.ask, price: 101, size: 10)])
        try book.apply(BookDelta(.delete, .ask, price: 100, size: -7))
        try book.apply(BookDelta(.delete, .ask, price: 101, size: 999))
        #expect(book.levels(.ask).isEmpty)
        #expect(book.rejectedCount == 0)
    }

    @Test func deletingTheBestMovesTheTop() throws {
        var book = makeBook([
            .add(.bid, price: 100, size: 1), .add(.bid, price: 99, size: 2),
            .add(.ask, price: 101, size: 3), .add(.ask, price: 102, size: 4),
        ])
        try book.apply(.delete(.bid, price: 100))
        try book.apply(.delete(.ask, price: 101))
        #expect(book.bestBid == lv(99, 2))
        #expect(book.bestAsk == lv(102, 4))
    }

    @Test(arguments: Side.allCases)
    func deleteOfAnAbsentLevelIsRefused(side: Side) {
        var book = makeBook([.add(side, price: 100, size: 10), .add(side.opposite, price: 50, size: 1)])
        let before = book
        let d = BookDelta.delete(side, price: 50)
        #expect(throws: BookError.absentLevel(d)) { try book.apply(d) }
        #expect(book.hasSameLevels(as: before))
        #expect(book.rejectedCount == 1)
        #expect(book.appliedCount == 2)
    }

    @Test func deleteTwiceIsRefusedTheSecondTime() throws {
        var book = makeBook([.add(.bid, price: 100, size: 10)])
        try book.apply(.delete(.bid, price: 100))
        let d = BookDelta.delete(.bid, price: 100)
        #expect(outcome(&book, d) == .absentLevel(d))
        #expect(book.appliedCount == 2 && book.rejectedCount == 1)
    }

    @Test(arguments: [Price(0), -5])
    func deleteRefusesANonPositivePrice(price: Price) {
        var book = makeBook([.add(.bid, price: 100, size: 10)])
        let d = BookDelta.delete(.bid, price: price)
        #expect(outcome(&book, d) == .nonPositivePrice(d))
        #expect(book.levels(.bid) == [lv(100, 10)])
        #expect(book.rejectedCount == 1)
    }
}

// MARK: - Counters, queries, set

@Suite("counters and queries")
struct CounterAndQueryTests {
    @Test func countersCountEveryDelta() {
        var book = OrderBook()
        #expect(book.appliedCount == 0 && book.rejectedCount == 0)
        let stream: [BookDelta] = [
            .add(.bid, price: 10, size: 5),  // ok
            .reduce(.bid, price: 10, size: 6),  // below zero
            .reduce(.bid, price: 11, size: 1),  // absent
            .add(.ask, price: 0, size: 1),  // price
            .add(.ask, price: 12, size: 0),  // size
            .add(.ask, price: 12, size: 1),  // ok
            .delete(.ask, price: 12),  // ok
            .delete(.ask, price: 12),  // absent
        ]
        var refusals = 0
        for d in stream where outcome(&book, d) != nil { refusals += 1 }
        #expect(refusals == 5)
        #expect(book.appliedCount == 3)
        #expect(book.rejectedCount == 5)
        #expect(book.levels(.bid) == [lv(10, 5)])
    }

    @Test func applyCountingReportsTheSameAsApply() {
        var thrown = OrderBook()
        var counted = OrderBook()
        let stream: [BookDelta] = [
            .add(.bid, price: 10, size: 5), .reduce(.bid, price: 10, size: 6), .reduce(.bid, price: 11, size: 1),
            .add(.ask, price: -3, size: 1), .reduce(.bid, price: 10, size: 5), .delete(.bid, price: 10),
        ]
        for d in stream {
            let a = outcome(&thrown, d)
            let b = counted.applyCounting(d)
            #expect(a == b, "\(d)")
        }
        #expect(counted.hasSameLevels(as: thrown))
        #expect(counted.appliedCount == thrown.appliedCount)
        #expect(counted.rejectedCount == thrown.rejectedCount)
        #expect(counted.appliedCount == 2 && counted.rejectedCount == 4)
    }

    @Test func emptyBook() {
        let book = OrderBook()
        for side in Side.allCases {
            #expect(book.levels(side).isEmpty)
            #expect(book.top(side, 5).isEmpty)
            #expect(book.level(side, at: 0) == nil)
            #expect(book.depth(side) == 0)
            #expect(book.size(side, at: 1) == 0)
        }
        #expect(book.bestBid == nil && book.bestAsk == nil)
    }

    @Test func levelAndTopIndexFromTheBest() {
        var deltas: [BookDelta] = []
        for i in 1...5 {
            deltas.append(.add(.bid, price: Price(100 - i), size: Size(i)))
            deltas.append(.add(.ask, price: Price(100 + i), size: Size(10 * i)))
        }
        let book = makeBook(deltas)
        #expect(book.level(.bid, at: 0) == lv(99, 1))
        #expect(book.level(.bid, at: 4) == lv(95, 5))
        #expect(book.level(.bid, at: 5) == nil)
        #expect(book.level(.bid, at: -1) == nil)
        #expect(book.level(.ask, at: 0) == lv(101, 10))
        #expect(book.level(.ask, at: 2) == lv(103, 30))
        #expect(book.top(.bid, 2) == [lv(99, 1), lv(98, 2)])
        #expect(book.top(.ask, 3) == [lv(101, 10), lv(102, 20), lv(103, 30)])
        #expect(book.top(.ask, 50) == book.levels(.ask))
        #expect(book.top(.ask, 0).isEmpty)
        #expect(book.top(.bid, -3).isEmpty)
        for i in 0..<5 {
            #expect(book.level(.bid, at: i) == book.levels(.bid)[i])
            #expect(book.level(.ask, at: i) == book.levels(.ask)[i])
        }
    }

    @Test func removeAllKeepsTheCounters() {
        var book = makeBook([.add(.bid, price: 1, size: 1), .add(.ask, price: 2, size: 2)])
        _ = book.applyCounting(.delete(.ask, price: 7))
        book.removeAll()
        #expect(book.levels(.bid).isEmpty && book.levels(.ask).isEmpty)
        #expect(book.hasSameLevels(as: OrderBook()))
        #expect(book.checksum == OrderBook().checksum)
        #expect(book.appliedCount == 2 && book.rejectedCount == 1)
    }

    @Test func booksAreValues() throws {
        var a = makeBook([.add(.bid, price: 10, size: 1)])
        var b = a
        try b.apply(.add(.bid, price: 10, size: 1))
        try b.apply(.add(.bid, price: 11, size: 1))
        #expect(a.levels(.bid) == [lv(10, 1)])
        #expect(a.appliedCount == 1 && b.appliedCount == 3)
        try a.apply(.delete(.bid, price: 10))
        #expect(b.levels(.bid) == [lv(11, 1), lv(10, 2)])
    }
}

@Suite("set")
struct SetTests {
    @Test(arguments: Side.allCases)
    func setCreatesOverwritesAndRemoves(side: Side) {
        var book = OrderBook()
        book.set(side, price: 100, size: 5)
        #expect(book.levels(side) == [lv(100, 5)])
        book.set(side, price: 100, size: 2)  // absolute, not added
        #expect(book.levels(side) == [lv(100, 2)])
        book.set(side, price: 101, size: 9)
        book.set(side, price: 99, size: 8)
        #expect(book.levels(side).map(\.price) == (side == .bid ? [101, 100, 99] : [99, 100, 101]))
        book.set(side, price: 100, size: 0)
        #expect(book.size(side, at: 100) == 0)
        #expect(book.depth(side) == 2)
        book.set(side, price: 55, size: 0)  // absent and zero: nothing
        #expect(book.depth(side) == 2)
        #expect(book.levels(side.opposite).isEmpty)
        #expect(book.appliedCount == 0 && book.rejectedCount == 0)
    }

    @Test func setAdoptsASnapshot() {
        let fromDeltas = makeBook([
            .add(.bid, price: 10, size: 3), .add(.bid, price: 9, size: 4), .add(.ask, price: 11, size: 5),
        ])
        var snapshot = OrderBook()
        for level in fromDeltas.levels(.ask) { snapshot.set(.ask, price: level.price, size: level.size) }
        for level in fromDeltas.levels(.bid).reversed() { snapshot.set(.bid, price: level.price, size: level.size) }
        #expect(snapshot.hasSameLevels(as: fromDeltas))
        #expect(snapshot.checksum == fromDeltas.checksum)
    }

    @Test(arguments: [1, 15, 16, 17, 18, 40, 100])
    func setAtEveryDepth(depth: Int) {
        for side in Side.allCases {
            for rank in 0..<depth {
                var book = evenBook(depth: depth)
                let price = book.level(side, at: rank)!.price
                book.set(side, price: price, size: 1)
                #expect(book.level(side, at: rank) == lv(price, 1))
                book.set(side, price: price + 1, size: 3)  // a new level next to it
                #expect(book.depth(side) == depth + 1)
                #expect(book.size(side, at: price + 1) == 3)
                book.set(side, price: price, size: 0)
                #expect(book.depth(side) == depth)
                #expect(book.size(side, at: price) == 0)
                #expect(book.levels(side.opposite) == evenBook(depth: depth).levels(side.opposite))
            }
        }
    }
}

// MARK: - Deep books (beyond the 16-level linear scan)

@Suite("deep books", .ownThread)
struct DeepBookTests {
    static let depths = [1, 2, 15, 16, 17, 18, 31, 32, 33, 64, 100]

    @Test(arguments: depths)
    func everyLevelIsFound(depth: Int) {
        let book = evenBook(depth: depth)
        for side in Side.allCases {
            #expect(book.depth(side) == depth)
            for i in 1...depth {
                let price = Price(2 * i)
                #expect(book.size(side, at: price) == price + (side == .bid ? 1000 : 2000))
                #expect(book.size(side, at: price - 1) == 0)  // the gaps
            }
            #expect(book.size(side, at: Price(2 * depth + 1)) == 0)
            #expect(book.size(side, at: Price(2 * depth + 1000)) == 0)
            #expect(book.size(side, at: 1) == 0)
        }
        #expect(book.bestBid?.price == Price(2 * depth))
        #expect(book.bestAsk?.price == 2)
    }

    @Test(arguments: [0 as UInt64, 1, 2, 3, 4])
    func insertionOrderDoesNotMatter(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var prices = (1...100).map { Price($0 * 3) }
        switch seed {
        case 0: break  // ascending
        case 1: prices.reverse()  // descending
        default: prices.shuffle(using: &rng)
        }
        var book = OrderBook()
        for p in prices {
            try book.apply(.add(.bid, price: p, size: p))
            try book.apply(.add(.ask, price: p, size: p))
        }
        #expect(book.levels(.bid).map(\.price) == (1...100).reversed().map { Price($0 * 3) })
        #expect(book.levels(.ask).map(\.price) == (1...100).map { Price($0 * 3) })
        #expect(book.levels(.bid).allSatisfy { $0.size == $0.price })
        #expect(book.checksum == evenPricesTimesThree().checksum)
        #expect(book.appliedCount == 200)
    }

    private func evenPricesTimesThree() -> OrderBook {
        var book = OrderBook()
        for i in 1...100 {
            book.set(.bid, price: Price(3 * i), size: Price(3 * i))
            book.set(.ask, price: Price(3 * i), size: Price(3 * i))
        }
        return book
    }

    @Test(arguments: depths)
    func insertAtEveryDepth(depth: Int) throws {
        for side in Side.allCases {
            // Between every pair of levels, above the best and below the worst.
            for price in 1...Price(2 * depth + 1) where price % 2 == 1 {
                var book = evenBook(depth: depth)
                try book.apply(.add(side, price: price, size: 7))
                let levels = book.levels(side)
                #expect(levels.count == depth + 1)
                #expect(
                    zip(levels, levels.dropFirst()).allSatisfy {
                        side == .bid ? $0.price > $1.price : $0.price < $1.price
                    })
                #expect(book.size(side, at: price) == 7)
                #expect(book.levels(side).filter { $0.price != price } == evenBook(depth: depth).levels(side))
            }
        }
    }

    @Test(arguments: depths)
    func reduceAndDeleteAtEveryDepth(depth: Int) throws {
        let reference = evenBook(depth: depth)
        for side in Side.allCases {
            let original = reference.levels(side)
            for rank in 0..<depth {
                let level = original[rank]
                var book = reference

                try book.apply(.add(side, price: level.price, size: 5))
                #expect(book.level(side, at: rank) == lv(level.price, level.size + 5))

                try book.apply(.reduce(side, price: level.price, size: 6))
                #expect(book.level(side, at: rank) == lv(level.price, level.size - 1))

                let tooMuch = BookDelta.reduce(side, price: level.price, size: level.size)
                #expect(outcome(&book, tooMuch) == .sizeBelowZero(tooMuch, available: level.size - 1))

                try book.apply(.reduce(side, price: level.price, size: level.size - 1))
                var expected = original
                expected.remove(at: rank)
                #expect(book.levels(side) == expected)

                let gone = BookDelta.reduce(side, price: level.price, size: 1)
                #expect(outcome(&book, gone) == .absentLevel(gone))
                let goneDelete = BookDelta.delete(side, price: level.price)
                #expect(outcome(&book, goneDelete) == .absentLevel(goneDelete))

                var deleted = reference
                try deleted.apply(.delete(side, price: level.price))
                #expect(deleted.levels(side) == expected)
                #expect(deleted.levels(side.opposite) == reference.levels(side.opposite))
                #expect(deleted.checksum != reference.checksum)

                // Absent prices right next to the level, at the same depth.
                for absent in [level.price - 1, level.price + 1] {
                    let r = BookDelta.reduce(side, price: absent, size: 1)
                    #expect(outcome(&deleted, r) == .absentLevel(r))
                    let d = BookDelta.delete(side, price: absent)
                    #expect(outcome(&deleted, d) == .absentLevel(d))
                }
                #expect(deleted.levels(side) == expected)
            }
        }
    }

    @Test func drainFromTheBottomAndFromTheTop() throws {
        for side in Side.allCases {
            var fromBottom = evenBook(depth: 100)
            var fromTop = fromBottom
            let levels = fromBottom.levels(side)
            for (i, level) in levels.reversed().enumerated() {
                try fromBottom.apply(.reduce(side, price: level.price, size: level.size))
                #expect(fromBottom.depth(side) == 99 - i)
                if i < 99 { #expect(fromBottom.level(side, at: 0) == levels[0]) }
            }
            for (i, level) in levels.enumerated() {
                #expect(fromTop.level(side, at: 0) == level)
                try fromTop.apply(.delete(side, price: level.price))
                #expect(fromTop.depth(side) == 99 - i)
            }
            #expect(fromBottom.levels(side).isEmpty && fromTop.levels(side).isEmpty)
            #expect(fromBottom.hasSameLevels(as: fromTop))
        }
    }
}

// MARK: - Checksum

@Suite("checksum")
struct ChecksumTests {
    @Test func emptyBooksAgree() {
        #expect(OrderBook().checksum == OrderBook().checksum)
        #expect(OrderBook().checksum == referenceChecksum(bids: [], asks: []))
    }

    @Test func matchesTheDocumentedDigest() {
        let book = makeBook([
            .add(.bid, price: 100, size: 3), .add(.bid, price: 99, size: 4),
            .add(.ask, price: 101, size: 5), .add(.ask, price: 104, size: 1),
        ])
        #expect(book.checksum == referenceChecksum(bids: [lv(100, 3), lv(99, 4)], asks: [lv(101, 5), lv(104, 1)]))
        let deep = evenBook(depth: 100)
        #expect(deep.checksum == referenceChecksum(bids: deep.levels(.bid), asks: deep.levels(.ask)))
    }

    @Test func equalForEqualLevelsWhateverTheHistory() {
        let a = makeBook([.add(.bid, price: 10, size: 5), .add(.ask, price: 11, size: 2)])
        var b = makeBook([
            .add(.ask, price: 11, size: 1), .add(.bid, price: 9, size: 4), .add(.bid, price: 10, size: 7),
            .reduce(.bid, price: 10, size: 2), .delete(.bid, price: 9), .add(.ask, price: 11, size: 1),
        ])
        _ = b.applyCounting(.delete(.ask, price: 99))  // counters differ; levels do not
        #expect(a.hasSameLevels(as: b))
        #expect(a.checksum == b.checksum)
        #expect(a.appliedCount != b.appliedCount)
    }

    @Test func differentAfterEveryKindOfChange() throws {
        let base = makeBook([
            .add(.bid, price: 10, size: 5), .add(.bid, price: 9, size: 5), .add(.ask, price: 11, size: 2),
        ])
        let changes: [BookDelta] = [
            .add(.bid, price: 10, size: 1), .add(.bid, price: 8, size: 1), .add(.ask, price: 12, size: 1),
            .add(.ask, price: 10, size: 5), .reduce(.bid, price: 10, size: 1), .reduce(.bid, price: 9, size: 5),
            .delete(.ask, price: 11), .delete(.bid, price: 10),
        ]
        var seen: Set<UInt64> = [base.checksum]
        for change in changes {
            var book = base
            try book.apply(change)
            #expect(!book.hasSameLevels(as: base), "\(change)")
            #expect(book.checksum != base.checksum, "\(change)")
            seen.insert(book.checksum)
        }
        #expect(seen.count == changes.count + 1)
    }

    @Test func sideSizeAndPriceAllMatter() {
        let bid = makeBook([.add(.bid, price: 10, size: 5)])
        let ask = makeBook([.add(.ask, price: 10, size: 5)])
        let swapped = makeBook([.add(.bid, price: 5, size: 10)])
        #expect(bid.checksum != ask.checksum)
        #expect(bid.checksum != swapped.checksum)
        #expect(!bid.hasSameLevels(as: ask))
        // The same sizes on different levels.
        let one = makeBook([.add(.bid, price: 10, size: 1), .add(.bid, price: 9, size: 2)])
        let two = makeBook([.add(.bid, price: 10, size: 2), .add(.bid, price: 9, size: 1)])
        #expect(one.checksum != two.checksum)
        // A level moved from one side to the other.
        let three = makeBook([.add(.bid, price: 10, size: 1), .add(.ask, price: 11, size: 2)])
        let four = makeBook([.add(.bid, price: 10, size: 1), .add(.bid, price: 11, size: 2)])
        #expect(three.checksum != four.checksum)
    }
}

// MARK: - Properties against the reference model

@Suite("properties", .ownThread)
struct PropertyTests {
    /// Prices in a range so small that deltas collide on the same levels all the time; books
    /// stay shallow (at most 14 levels a side), inside the linear scan.
    @Test func shallowBooksAgreeWithTheModel() async {
        await propertyCheck(count: 200, input: stepGenerator(prices: -1...14).array(of: 1...120)) { steps in
            try runScenario(steps)
        }
    }

    /// Books of 17 to 120 levels a side (prices 2, 4, …) and random steps over the whole price
    /// range, so that levels are found, inserted and removed in the binary search region too.
    @Test func deepBooksAgreeWithTheModel() async {
        await propertyCheck(
            count: 60, input: Gen.int(in: 17...120), stepGenerator(prices: -1...250).array(of: 50...250)
        ) {
            depth, steps in
            var book = OrderBook()
            var model = ReferenceBook()
            for i in 1...depth {
                for side in Side.allCases {
                    let delta = BookDelta.add(side, price: Price(2 * i), size: Size(i % 7 + 1))
                    try agree(outcome(&book, delta), nil, "setup '\(delta)'")
                    #expect(model.apply(delta) == nil)
                }
            }
            try runScenario(steps, book: book, model: model, checksumEvery: 16)
        }
    }

    /// Only valid deltas near the top of a book of about a hundred levels: the hot path.
    @Test func validTopOfBookTrafficAgrees() async {
        let step = zip(Gen.int(in: 0...3), Gen<Side>.case, Gen.int64(in: 0...9), Gen.int64(in: 1...30))
        await propertyCheck(count: 60, input: step.array(of: 100...300)) { raw in
            var book = evenBook(depth: 100)
            var model = ReferenceBook()
            for level in book.levels(.bid) { model.set(.bid, price: level.price, size: level.size) }
            for level in book.levels(.ask) { model.set(.ask, price: level.price, size: level.size) }
            for (n, (code, side, rank, size)) in raw.enumerated() {
                let held = model.levels(side)
                guard !held.isEmpty else {
                    model.set(side, price: 100, size: size)
                    book.set(side, price: 100, size: size)
                    continue
                }
                let level = held[min(Int(rank), held.count - 1)]
                let delta: BookDelta
                switch code {
                case 0:  // a new level one tick better than the level at `rank`
                    let price = side == .bid ? level.price + 1 : level.price - 1
                    delta =
                        price > 0 && model.size(side, at: price) == 0
                        ? .add(side, price: price, size: size) : .add(side, price: level.price, size: size)
                case 1: delta = .add(side, price: level.price, size: size)
                case 2: delta = .reduce(side, price: level.price, size: min(size, level.size))
                default:
                    delta =
                        level.size > 1
                        ? .reduce(side, price: level.price, size: level.size - 1) : .delete(side, price: level.price)
                }
                try agree(model.apply(delta), nil, "the generated '\(delta)' is valid")
                try agree(outcome(&book, delta), nil, "outcome of step \(n) '\(delta)'")
                try agree(book.levels(side), model.levels(side), "\(side) levels after step \(n) '\(delta)'")
            }
            try requireAgreement(book, model, probing: [], "the last step")
            #expect(book.rejectedCount == 0)
        }
    }

    /// `applyCounting` and `apply` are the same operation.
    @Test func applyCountingMatchesApply() async {
        await propertyCheck(count: 100, input: stepGenerator(prices: -1...20).array(of: 1...100)) { steps in
            var thrown = OrderBook()
            var counted = OrderBook()
            var model = ReferenceBook()
            for step in steps {
                guard let delta = step.delta(against: model) else { continue }
                _ = model.apply(delta)
                try agree(outcome(&thrown, delta), counted.applyCounting(delta), "'\(delta)'")
            }
            #expect(counted.hasSameLevels(as: thrown))
            #expect(counted.appliedCount == thrown.appliedCount)
            #expect(counted.rejectedCount == thrown.rejectedCount)
        }
    }

    /// The checksum depends on the levels only: a book rebuilt from the levels with `set`, in any
    /// order, has the same checksum, and it is the documented digest.
    @Test func checksumDependsOnTheLevelsOnly() async {
        await propertyCheck(count: 100, input: stepGenerator(prices: -1...40).array(of: 1...150), Gen.uint64()) {
            steps, seed in
            var book = OrderBook()
            var model = ReferenceBook()
            for step in steps {
                guard let delta = step.delta(against: model) else { continue }
                _ = model.apply(delta)
                _ = book.applyCounting(delta)
            }
            var rng = SplitMix64(seed: seed)
            var rebuilt = OrderBook()
            let all = (model.levels(.bid).map { (Side.bid, $0) } + model.levels(.ask).map { (Side.ask, $0) }).shuffled(
                using: &rng)
            for (side, level) in all { rebuilt.set(side, price: level.price, size: level.size) }
            #expect(rebuilt.hasSameLevels(as: book))
            #expect(rebuilt.checksum == book.checksum)
            #expect(book.checksum == referenceChecksum(bids: model.levels(.bid), asks: model.levels(.ask)))
        }
    }
}
