import Benchmark
import Dispatch
import MarketData
import Models
import NIOCore
import NIOPosix
import OrderBook
import Pipeline

// What a hand-over costs in each concurrency model, apart from the stages' own work.
//
// - "hand-over <model>": the receiver → processor FIFO of each model, as the model uses it: one
//   side puts ticks in batches of 16 (or one by one), the other takes whatever is queued, on the
//   threads, executors or queues the model runs its stages on. 1M ticks per iteration, so the
//   throughput column reads as ticks per second through the FIFO.
// - "round trip <model>": one tick there and one back, 10k times: two wake-ups per round trip
//   when the other side waits, the latency floor of a model's hop at low rates.
// - "FIFO …" and "slot …": each primitive alone on one thread (no contention, no wake-up), and
//   each slot with a reader on another thread.
//
// Run from Benchmarks/:
//   swift package --scratch-path ../.build-bench-handover benchmark --target HandOverBenchmarks

/// 1M ticks, built once, outside every measurement.
let tickCount = BenchmarkScalingFactor.mega.rawValue
let allTicks: [ReceivedTick] = (1...tickCount).map {
    ReceivedTick(
        Tick(sequence: UInt64($0), scheduledArrival: 0, delta: .add(.bid, price: 100, size: 1), kind: .add),
        received: 0)
}

/// Puts `allTicks` through `put` in batches of `batch`.
@inline(__always)
func produce(batch: Int, _ put: ([ReceivedTick]) -> Void) {
    var chunk: [ReceivedTick] = []
    chunk.reserveCapacity(batch)
    var start = 0
    while start < allTicks.count {
        let end = min(start + batch, allTicks.count)
        chunk.removeAll(keepingCapacity: true)
        chunk.append(contentsOf: allTicks[start..<end])
        put(chunk)
        start = end
    }
}

/// Moves every tick through a blocking FIFO from a producer thread to a consumer thread.
func blockingHandOver(_ queue: some BlockingTickQueue, batch: Int) {
    let consumer = OSThread(name: "bench-consumer") { () -> UInt64 in
        var taken: [ReceivedTick] = []
        var sum: UInt64 = 0
        while queue.take(into: &taken) { for tick in taken { sum &+= tick.tick.sequence } }
        return sum
    }
    let producer = OSThread(name: "bench-producer") { () -> Void in
        produce(batch: batch) { _ = queue.put($0) }
        queue.close()
    }
    _ = producer.join()
    precondition(consumer.join().result == UInt64(tickCount) * UInt64(tickCount + 1) / 2, "a tick was lost")
}

/// Moves every tick through an async FIFO from one task to another, each preferring its executor
/// (nil: the global cooperative pool).
func asyncHandOver(
    _ queue: some AsyncTickQueue, batch: Int, producerOn: (any TaskExecutor)?,
    consumerOn: (any TaskExecutor)?
) async {
    let consumer = Task(executorPreference: consumerOn) { () -> UInt64 in
        var taken: [ReceivedTick] = []
        var sum: UInt64 = 0
        while await queue.take(into: &taken) { for tick in taken { sum &+= tick.tick.sequence } }
        return sum
    }
    let producer = Task(executorPreference: producerOn) {
        var start = 0
        var chunk: [ReceivedTick] = []
        while start < allTicks.count {
            let end = min(start + batch, allTicks.count)
            chunk.removeAll(keepingCapacity: true)
            chunk.append(contentsOf: allTicks[start..<end])
            _ = await queue.put(chunk)
            start = end
        }
        queue.close()
    }
    await producer.value
    let sum = await consumer.value
    precondition(sum == UInt64(tickCount) * UInt64(tickCount + 1) / 2, "a tick was lost")
}

/// The `dispatch` model's hand-over: each batch is a block sent from the receiver's serial queue
/// to the processor's.
func dispatchHandOver(batch: Int) {
    let receiver = DispatchQueue(label: "bench.receiver")
    let processor = DispatchQueue(label: "bench.processor")
    let done = BlockingCompletion<UInt64>()
    let sum = SumBox()
    receiver.async {
        produce(batch: batch) { chunk in
            processor.async { for tick in chunk { sum.add(tick.tick.sequence) } }
        }
        processor.async { done.complete(sum.total) }
    }
    precondition(done.wait() == UInt64(tickCount) * UInt64(tickCount + 1) / 2, "a tick was lost")
}

/// A sum touched only on one serial queue.
final class SumBox: @unchecked Sendable {
    // @unchecked Sendable: only the processor queue touches `total`, one block at a time.
    var total: UInt64 = 0
    func add(_ value: UInt64) { total &+= value }
}

let roundTrips = 10_000

/// One tick there through `there`, back through `back`, `roundTrips` times, between two threads.
func blockingRoundTrips(_ there: some BlockingTickQueue, _ back: some BlockingTickQueue) {
    let echo = OSThread(name: "bench-echo") { () -> Void in
        var taken: [ReceivedTick] = []
        while there.take(into: &taken) { _ = back.put(taken) }
        back.close()
    }
    var taken: [ReceivedTick] = []
    for i in 0..<roundTrips {
        _ = there.put([allTicks[i]])
        precondition(back.take(into: &taken) && taken.count == 1)
    }
    there.close()
    _ = echo.join()
}

func asyncRoundTrips(
    _ there: some AsyncTickQueue, _ back: some AsyncTickQueue, pingOn: (any TaskExecutor)?,
    echoOn: (any TaskExecutor)?
) async {
    let echo = Task(executorPreference: echoOn) {
        var taken: [ReceivedTick] = []
        while await there.take(into: &taken) { _ = await back.put(taken) }
        back.close()
    }
    await Task(executorPreference: pingOn) {
        var taken: [ReceivedTick] = []
        for i in 0..<roundTrips {
            _ = await there.put([allTicks[i]])
            let got = await back.take(into: &taken)
            precondition(got && taken.count == 1)
        }
        there.close()
    }.value
    await echo.value
}

func dispatchRoundTrips() {
    let ping = DispatchQueue(label: "bench.ping")
    let echo = DispatchQueue(label: "bench.echo")
    let done = BlockingCompletion<Int>()
    // A chain of blocks: ping → echo → ping → … `roundTrips` times.
    @Sendable func send(_ remaining: Int) {
        guard remaining > 0 else { done.complete(0); return }
        echo.async { ping.async { send(remaining - 1) } }
    }
    ping.async { send(roundTrips) }
    _ = done.wait()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(4),
        maxIterations: 20
    )

    // MARK: hand-over per model, receiver → processor

    for batch in [16, 1] {
        let label = batch == 1 ? "one by one" : "batches of \(batch)"
        Benchmark("hand-over threads (mutex + condition), \(label)") { _ in
            blockingHandOver(LockedTickQueue(capacity: 4_096), batch: batch)
        }
        for strategy in WaitStrategy.allCases {
            Benchmark("hand-over spin-ring --wait \(strategy.rawValue), \(label)") { _ in
                blockingHandOver(SpinRingTickQueue(capacity: 1_024, strategy: strategy), batch: batch)
            }
        }
        Benchmark("hand-over event-loop (one loop, async FIFO), \(label)") { _ in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let executor = EventLoopTaskExecutor(group.next())
            await asyncHandOver(
                AsyncTickFIFO(capacity: 4_096), batch: batch, producerOn: executor, consumerOn: executor)
            try? await group.shutdownGracefully()
        }
        Benchmark("hand-over task-executors (two threads, async FIFO), \(label)") { _ in
            let receiver = DedicatedThreadExecutor(name: "bench-receiver")
            let processor = DedicatedThreadExecutor(name: "bench-processor")
            await asyncHandOver(
                AsyncTickFIFO(capacity: 4_096), batch: batch, producerOn: receiver, consumerOn: processor)
            receiver.shutdown()
            processor.shutdown()
        }
        Benchmark("hand-over tasks (cooperative pool, AsyncChannel), \(label)") { _ in
            await asyncHandOver(ChannelTickFIFO(), batch: batch, producerOn: nil, consumerOn: nil)
        }
        Benchmark("hand-over dispatch (serial queue to serial queue), \(label)") { _ in
            dispatchHandOver(batch: batch)
        }
    }

    // MARK: round trips: the wake-up floor of a hop

    let roundTrip = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], scalingFactor: .one,
        maxDuration: .seconds(4), maxIterations: 10)
    Benchmark("round trip ×10k threads", configuration: roundTrip) { _ in
        blockingRoundTrips(LockedTickQueue(capacity: 64), LockedTickQueue(capacity: 64))
    }
    for strategy in WaitStrategy.allCases {
        Benchmark("round trip ×10k spin-ring --wait \(strategy.rawValue)", configuration: roundTrip) { _ in
            blockingRoundTrips(
                SpinRingTickQueue(capacity: 64, strategy: strategy),
                SpinRingTickQueue(capacity: 64, strategy: strategy))
        }
    }
    Benchmark("round trip ×10k event-loop", configuration: roundTrip) { _ in
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        await asyncRoundTrips(
            AsyncTickFIFO(capacity: 64), AsyncTickFIFO(capacity: 64), pingOn: executor, echoOn: executor)
        try? await group.shutdownGracefully()
    }
    Benchmark("round trip ×10k task-executors", configuration: roundTrip) { _ in
        let ping = DedicatedThreadExecutor(name: "bench-ping")
        let echo = DedicatedThreadExecutor(name: "bench-echo")
        await asyncRoundTrips(AsyncTickFIFO(capacity: 64), AsyncTickFIFO(capacity: 64), pingOn: ping, echoOn: echo)
        ping.shutdown()
        echo.shutdown()
    }
    Benchmark("round trip ×10k tasks", configuration: roundTrip) { _ in
        await asyncRoundTrips(ChannelTickFIFO(), ChannelTickFIFO(), pingOn: nil, echoOn: nil)
    }
    Benchmark("round trip ×10k dispatch", configuration: roundTrip) { _ in
        dispatchRoundTrips()
    }

    // MARK: the FIFOs alone: put a batch of 16, take it, on one thread

    let alone = Benchmark.Configuration(
        metrics: [.throughput, .wallClock], scalingFactor: .mega,
        maxDuration: .seconds(3), maxIterations: 20)
    Benchmark("FIFO alone LockedTickQueue, put 16 + take", configuration: alone) { benchmark in
        let queue = LockedTickQueue(capacity: 64)
        var taken: [ReceivedTick] = []
        taken.reserveCapacity(16)
        let chunk = Array(allTicks[0..<16])
        for _ in 0..<(benchmark.scaledIterations.count / 16) {
            _ = queue.put(chunk)
            _ = queue.take(into: &taken)
        }
        Pipeline.blackHole(taken)
    }
    Benchmark("FIFO alone SpinRingTickQueue, put 16 + take", configuration: alone) { benchmark in
        let queue = SpinRingTickQueue(capacity: 64, strategy: .busy)
        var taken: [ReceivedTick] = []
        taken.reserveCapacity(16)
        let chunk = Array(allTicks[0..<16])
        for _ in 0..<(benchmark.scaledIterations.count / 16) {
            _ = queue.put(chunk)
            _ = queue.take(into: &taken)
        }
        Pipeline.blackHole(taken)
    }
    Benchmark("FIFO alone AsyncTickFIFO, put 16 + take", configuration: alone) { (benchmark: Benchmark) async in
        let queue = AsyncTickFIFO(capacity: 64)
        var taken: [ReceivedTick] = []
        taken.reserveCapacity(16)
        let chunk = Array(allTicks[0..<16])
        for _ in 0..<(benchmark.scaledIterations.count / 16) {
            _ = await queue.put(chunk)
            _ = await queue.take(into: &taken)
        }
        Pipeline.blackHole(taken)
    }

    // MARK: the slots alone, and with a reader on another thread

    let slotAlone = Benchmark.Configuration(
        metrics: [.throughput, .wallClock], scalingFactor: .mega,
        maxDuration: .seconds(3), maxIterations: 20)
    let states = (1...1_024).map { sequence -> BookState in
        var state = BookState.empty
        state.sequence = UInt64(sequence)
        return state
    }
    Benchmark("slot alone LockedStateSlot, publish", configuration: slotAlone) { benchmark in
        let slot = LockedStateSlot()
        for i in benchmark.scaledIterations { slot.publish(states[i & 1_023]) }
    }
    Benchmark("slot alone SeqlockStateSlot, publish", configuration: slotAlone) { benchmark in
        let slot = SeqlockStateSlot(strategy: .busy)
        for i in benchmark.scaledIterations { slot.publish(states[i & 1_023]) }
    }
    Benchmark("slot alone SeqlockStateSlot, read", configuration: slotAlone) { benchmark in
        let slot = SeqlockStateSlot(strategy: .busy)
        slot.publish(states[7])
        var sum: UInt64 = 0
        for _ in benchmark.scaledIterations { sum &+= slot.read().state.sequence }
        Pipeline.blackHole(sum)
    }
    Benchmark("slot alone AsyncLatestSlot, publish", configuration: slotAlone) { benchmark in
        let slot = AsyncLatestSlot()
        for i in benchmark.scaledIterations { slot.publish(states[i & 1_023]) }
    }
    Benchmark("slot alone ActorStateSlot, publish", configuration: slotAlone) { (benchmark: Benchmark) async in
        let slot = ActorStateSlot()
        for i in benchmark.scaledIterations { await slot.publish(states[i & 1_023]) }
    }
    Benchmark("slot alone CoalescingStateSlot, publish", configuration: slotAlone) { benchmark in
        let slot = CoalescingStateSlot {}
        for i in benchmark.scaledIterations { slot.publish(states[i & 1_023]) }
    }

    // A reader on another thread takes the newest state as fast as it can while 1M publish.
    Benchmark("slot with reader LockedStateSlot, publish", configuration: slotAlone) { benchmark in
        publishWithReader(LockedStateSlot(), count: benchmark.scaledIterations.count, states: states)
    }
    for strategy in WaitStrategy.allCases {
        Benchmark("slot with reader SeqlockStateSlot --wait \(strategy.rawValue), publish", configuration: slotAlone) {
            benchmark in
            publishWithReader(
                SeqlockStateSlot(strategy: strategy), count: benchmark.scaledIterations.count, states: states)
        }
    }
}

/// Publishes `count` states while a reader thread takes the newest; both end at the close.
func publishWithReader(_ slot: some BlockingStateSlot, count: Int, states: [BookState]) {
    let reader = OSThread(name: "bench-reader") { () -> Int in
        var reads = 0
        var last: UInt64 = 0
        while let state = slot.next(after: last) {
            reads += 1
            last = state.sequence
        }
        return reads
    }
    var state = BookState.empty
    for i in 0..<count {
        state = states[i & 1_023]
        state.sequence = UInt64(i + 1)
        slot.publish(state)
    }
    slot.close()
    Pipeline.blackHole(reader.join().result)
}
