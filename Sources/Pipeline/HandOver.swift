// The two hand-overs of the pipeline, as protocols a model's primitives implement, in a
// blocking and an async flavour. The loops that drive the stages through them are in
// StageLoops.swift and are shared by every model of the same flavour.

/// The inbound FIFO between receiver and processor, for stages that block an OS thread.
public protocol BlockingTickQueue: Sendable {
    /// Appends the ticks in order, waiting while the queue is full; returns the depth right
    /// after the last one went in.
    func put(_ ticks: [ReceivedTick]) -> Int
    /// Moves every queued tick into `batch` (which it empties first), waiting while the queue
    /// is empty; false once the queue is closed and drained.
    func take(into batch: inout [ReceivedTick]) -> Bool
    /// No more puts: `take` returns what is left, then false.
    func close()
}

/// The latest-value slot between processor and evaluator, for blocking stages.
public protocol BlockingStateSlot: Sendable {
    /// Replaces the slot's state and wakes the evaluator.
    func publish(_ state: BookState)
    /// The newest state with a sequence above `sequence`, waiting for one; nil once the slot is
    /// closed and holds nothing newer.
    func next(after sequence: UInt64) -> BookState?
    func close()
}

/// The inbound FIFO for async stages.
public protocol AsyncTickQueue: Sendable {
    func put(_ ticks: [ReceivedTick]) async -> Int
    func take(into batch: inout [ReceivedTick]) async -> Bool
    func close()
}

/// The latest-value slot for async stages.
public protocol AsyncStateSlot: Sendable {
    func publish(_ state: BookState) async
    func next(after sequence: UInt64) async -> BookState?
    func close() async
}

/// How an async stage waits for an instant: an event loop's timer, `Task.sleep`, …
public protocol AsyncSleeper: Sendable {
    func sleep(until deadline: UInt64) async
    /// Where the stages that wait with this sleeper run: I/O feeds and order routes read their
    /// sockets accordingly (see ``StageHost``). `.sharedExecutor` unless the sleeper says otherwise.
    var host: StageHost { get }
}

extension AsyncSleeper {
    public var host: StageHost { .sharedExecutor }
}
