import Benchmark
import OrderBook

// Throughput of the L2 book on pre-generated, deterministic streams of valid deltas.
//
// Every delta benchmark applies exactly 1M deltas per iteration (`scalingFactor: .mega` and
// `benchmark.scaledIterations`), so the throughput metric reads directly as deltas per second
// (the `(M)` column of "Throughput (# / s)") and wall clock as time per 1M deltas.
//
// Run from Benchmarks/:  swift package --scratch-path ../.build-bench benchmark

/// SplitMix64: deterministic, so every run measures the same streams.
struct SplitMix64: RandomNumberGenerator {
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

/// A starting book and a stream of deltas that are all valid when applied to it in order.
struct Workload: Sendable {
    var book: OrderBook
    var deltas: [BookDelta]
}

/// Generates `count` valid deltas touching the levels ranked `ranks` (0 is the best) of a book
/// whose depth is kept within `depths`, starting from `initialDepth` levels a side two ticks
/// apart around a mid of 100 000.
///
/// The mix resembles an equity feed aggregated by level: 30 % new orders at an existing level,
/// 25 % partial cancels or executions, 15 % new levels one tick better than a held level, 10 %
/// reductions that empty a level, 10 % level deletes, and 10 % adds to the best level.
func makeWorkload(count: Int, ranks: Range<Int>, depths: ClosedRange<Int>, initialDepth: Int, seed: UInt64) -> Workload
{
    var rng = SplitMix64(seed: seed)
    // The generator's own model: levels best first, per side.
    var levels: [Side: [PriceLevel]] = [:]
    var book = OrderBook()
    let mid: Price = 100_000
    for side in Side.allCases {
        levels[side] = (0..<initialDepth).map { i in
            let price = side == .bid ? mid - 2 * Price(i) : mid + 1 + 2 * Price(i)
            return PriceLevel(price: price, size: Size.random(in: 100...5_000, using: &rng))
        }
        for level in levels[side]! { book.set(side, price: level.price, size: level.size) }
    }
    var deltas: [BookDelta] = []
    deltas.reserveCapacity(count)
    while deltas.count < count {
        let side: Side = Bool.random(using: &rng) ? .bid : .ask
        var held = levels[side]!
        let depth = held.count
        // Rank skewed towards the top within `ranks`: the smaller of two uniform draws.
        let span = min(ranks.upperBound, depth) - ranks.lowerBound
        guard span > 0 else { fatalError("the book is too shallow for ranks \(ranks)") }
        let rank = ranks.lowerBound + min(Int.random(in: 0..<span, using: &rng), Int.random(in: 0..<span, using: &rng))
        var roll = Int.random(in: 0..<100, using: &rng)
        if depth <= depths.lowerBound, (70..<90).contains(roll) { roll = 55 }  // do not shrink further
        if depth >= depths.upperBound, (55..<70).contains(roll) { roll = 90 }  // do not grow further
        let level = held[rank]
        let delta: BookDelta
        switch roll {
        case 0..<30:
            delta = .add(side, price: level.price, size: Size.random(in: 1...500, using: &rng))
            held[rank].size += delta.size
        case 30..<55:
            if level.size > 1 {
                delta = .reduce(
                    side, price: level.price, size: min(level.size - 1, Size.random(in: 1...300, using: &rng)))
                held[rank].size -= delta.size
            } else {
                delta = .add(side, price: level.price, size: 100)
                held[rank].size += 100
            }
        case 55..<70:
            let price = side == .bid ? level.price + 1 : level.price - 1
            let other = levels[side.opposite]!.first?.price
            let crosses = other.map { side == .bid ? price >= $0 : price <= $0 } ?? false
            let taken = rank > 0 && held[rank - 1].price == price
            if crosses || taken {
                delta = .add(side, price: level.price, size: 100)
                held[rank].size += 100
            } else {
                delta = .add(side, price: price, size: Size.random(in: 1...2_000, using: &rng))
                held.insert(PriceLevel(price: price, size: delta.size), at: rank)
            }
        case 70..<80:
            delta = .reduce(side, price: level.price, size: level.size)
            held.remove(at: rank)
        case 80..<90:
            delta = .delete(side, price: level.price)
            held.remove(at: rank)
        default:
            delta = .add(side, price: held[0].price, size: Size.random(in: 1...300, using: &rng))
            held[0].size += delta.size
        }
        levels[side] = held
        deltas.append(delta)
    }
    // Check the stream once, outside any measurement: every delta must be accepted.
    var check = book
    for delta in deltas {
        if let error = check.applyCounting(delta) { fatalError("generated an invalid delta: \(error)") }
    }
    precondition(check.levels(.bid) == levels[.bid]! && check.levels(.ask) == levels[.ask]!)
    return Workload(book: book, deltas: deltas)
}

let deltasPerIteration = BenchmarkScalingFactor.mega.rawValue

/// Top of book: ranks 0..<10 of a book kept between 10 and 20 levels a side.
let topOfBook = makeWorkload(count: deltasPerIteration, ranks: 0..<10, depths: 10...20, initialDepth: 15, seed: 1)
/// Deep deltas: ranks 10..<50 of a book kept between 55 and 70 levels a side (binary search).
let deepBook = makeWorkload(count: deltasPerIteration, ranks: 10..<50, depths: 55...70, initialDepth: 60, seed: 2)

/// Applies the workload's deltas with `apply`, measuring only the loop; every delta is valid.
func applyAll(_ workload: Workload, _ benchmark: Benchmark) {
    var book = workload.book
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
        do {
            try book.apply(workload.deltas[i])
        } catch {
            fatalError("\(error)")
        }
    }
    benchmark.stopMeasurement()
    blackHole(book)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 40
    )

    Benchmark("OrderBook.apply top-10 deltas") { benchmark in
        applyAll(topOfBook, benchmark)
    }

    Benchmark("OrderBook.applyCounting top-10 deltas") { benchmark in
        let workload = topOfBook
        var book = workload.book
        var refused = 0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations where book.applyCounting(workload.deltas[i]) != nil {
            refused += 1
        }
        benchmark.stopMeasurement()
        precondition(refused == 0)
        blackHole(book)
    }

    Benchmark("OrderBook.apply deep deltas (levels 10..50)") { benchmark in
        applyAll(deepBook, benchmark)
    }

    Benchmark(
        "OrderBook.checksum (15 levels a side)",
        configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo, maxDuration: .seconds(3))
    ) { benchmark in
        let book = topOfBook.book
        for _ in benchmark.scaledIterations {
            blackHole(identity(book).checksum)
        }
    }
}
