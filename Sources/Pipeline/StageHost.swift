import MarketData

// How I/O-bound stages learn where they run. A model says *how* a stage waits (it owns a thread,
// it is a task on an event loop, it shares an executor); an I/O feed or an order route says
// *what* it waits for (bytes on its socket, an acknowledgement, or a deadline). The shared stage
// loops pass the host on by themselves; a model with loops of its own calls
// `ReceiverStage.prepare(for:)` and `EvaluatorStage.prepare(for:)` before the first step.

/// Where a stage runs, as its model tells it.
public enum StageHost: Sendable {
    /// The stage owns an OS thread and may block it: sockets are read on that thread, and the
    /// stage waits for data in `poll(2)` (`threads`, `spin-ring`, `task-executors`). The default.
    case thread
    /// The stage is a task on this event loop: sockets are NIO channels on the same loop, so a
    /// busy loop delays the reading of the socket too, as in asyncio (`event-loop`).
    ///
    /// The loop is a SwiftNIO `EventLoop`, held opaquely so that Pipeline does not depend on NIO:
    /// the model that owns the loop passes it in, and the I/O side (ExchangeClient's feed and
    /// order route) casts it back with `as? any EventLoop`. Anything else here is a programming
    /// error that the I/O side reports when it attaches.
    case eventLoop(any Sendable)
    /// The stage runs on an executor it shares and must not block (the cooperative pool, a
    /// dispatch queue): sockets are read on an I/O thread of the feed's own, which wakes the
    /// stage with a callback or by resuming a continuation (`tasks`, `dispatch`).
    case sharedExecutor
}

/// A feed whose ticks come from I/O rather than from a schedule: besides `poll`, a receiver can
/// wait until it may have data.
///
/// Its `poll` never blocks either; when it answers `.idle(until:)` the deadline is a timeout (a
/// reconnection, a silent connection), and the receiver should wait with ``readiness`` instead
/// of sleeping, or it reads its socket only at those deadlines.
public protocol IOFeed: TickFeed {
    /// Chooses how the feed reads, for a receiver on `host`. Called once, before the first poll.
    mutating func attach(to host: StageHost)
    /// What the receiver waits on between polls; nil before ``attach(to:)``.
    var readiness: (any FeedReadiness)? { get }
}

/// "Data or deadline": what a receiver waits on between polls of an ``IOFeed``.
public protocol FeedReadiness: AnyObject, Sendable {
    /// Blocks the calling thread until the feed may have data or `deadline` (monotonic ns).
    func waitBlocking(until deadline: UInt64)
    /// Suspends until the feed may have data or `deadline`, without blocking the executor
    /// (for a host that owns its thread this may block it: that is what the thread is for).
    func wait(until deadline: UInt64) async
    /// Calls `wake` once, from the feed's I/O thread, when the feed may have data or at
    /// `deadline`: for callback-driven models. False if this readiness cannot call back (a feed
    /// attached to a ``StageHost/thread``): then wait for the deadline your own way.
    func notify(until deadline: UInt64, _ wake: @escaping @Sendable () -> Void) -> Bool
}
