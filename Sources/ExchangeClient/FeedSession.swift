import DequeModule
import MarketData
import OrderBook
import Wire
import WireConversions

/// The client side of the exchange protocol without any I/O: frames in, ticks out.
///
/// The pipeline must see contiguous sequence numbers 1, 2, 3, … and a book it can rebuild with
/// deltas alone, across gaps and reconnections that the exchange's own numbering shows. So the
/// session keeps a *shadow* of the book it has delivered, and turns every snapshot (at
/// subscription, after a gap, after a reconnection) into the deltas that take the delivered
/// book to the snapshot: the processor never learns that a snapshot happened, and its book is
/// the exchange's after every recovery. Heartbeats carry the exchange's book checksum, which
/// the session compares with its shadow.
public struct FeedSession: Sendable {
    /// What the connection must do after a frame.
    public enum Action: Sendable, Hashable {
        case none
        /// Ask for a snapshot (the stream is broken or the book disagrees).
        case resubscribe(SubscribeReason)
        /// The exchange said goodbye: the feed ends.
        case finish
    }

    /// What the pipeline holds once it has applied every tick the session made.
    public private(set) var book = OrderBook()
    /// Ticks made so far: the sequence of the last one.
    public private(set) var made: UInt64 = 0
    /// The exchange sequence the book is at (0 before the first snapshot).
    public private(set) var exchangeSequence: UInt64 = 0
    /// A snapshot has been adopted and the deltas since are contiguous.
    public private(set) var synchronized = false
    public private(set) var counters = FeedCounters()
    /// Heartbeats that agreed with the book since the last snapshot.
    public private(set) var verifiedSinceSnapshot: UInt64 = 0
    private var pending: Deque<Tick> = []
    /// Exchange clock minus ours: nil until the first frame, zero when both share a clock.
    private var clockOffset: Int64?

    public init() {}

    /// Ticks made and not yet taken.
    public var pendingCount: Int { pending.count }

    /// Moves up to `limit` ticks, oldest first, into `buffer`; returns how many.
    public mutating func takeTicks(into buffer: inout [Tick], limit: Int) -> Int {
        let count = min(limit, pending.count)
        for _ in 0..<count { buffer.append(pending.removeFirst()) }
        return count
    }

    /// Handles one frame that arrived at `now` (monotonic ns).
    public mutating func handle(_ frame: WireFrame, at now: UInt64) -> Action {
        counters.frames &+= 1
        let arrival = align(frame.sendTime, now: now)
        switch frame.message {
        case .snapshot(let snapshot):
            counters.snapshots &+= 1
            adopt(snapshot, at: frame.sequence, arrival: arrival)
            return .none
        case .delta(let delta):
            guard synchronized, frame.sequence > exchangeSequence else {
                // Before the snapshot we asked for, or already covered by it.
                counters.staleFrames &+= 1
                return .none
            }
            guard frame.sequence == exchangeSequence &+ 1 else {
                return lostSync(.gap)
            }
            exchangeSequence = frame.sequence
            counters.deltas &+= 1
            emit(BookDelta(delta), kind: EventKind(delta.kind), arrival: arrival, fromSnapshot: false)
            return .none
        case .heartbeat(let checksum):
            counters.heartbeats &+= 1
            guard synchronized else { return .none }
            if frame.sequence > exchangeSequence {
                // The exchange is ahead of the last delta we saw: deltas were lost at the end.
                return lostSync(.gap)
            }
            guard frame.sequence == exchangeSequence else { counters.staleFrames &+= 1; return .none }
            counters.checksumChecks &+= 1
            if book.checksum != checksum {
                counters.checksumMismatches &+= 1
                return lostSync(.checksumMismatch)
            }
            verifiedSinceSnapshot &+= 1
            return .none
        case .goodbye:
            counters.goodbyes &+= 1
            return .finish
        case .subscribe, .orderNew, .orderCancel, .ack:
            // Not for a market-data subscriber.
            counters.unexpectedFrames &+= 1
            return .none
        }
    }

    /// The connection was lost: the next snapshot resynchronizes.
    public mutating func connectionLost() {
        synchronized = false
    }

    /// A message was skipped (`fatal == false`) or the framing was lost.
    public mutating func decodeError(_ error: WireError) {
        if error.isFatal { counters.framingErrors &+= 1 } else { counters.decodeErrors &+= 1 }
    }

    private mutating func lostSync(_ reason: SubscribeReason) -> Action {
        if reason == .gap { counters.gaps &+= 1 }
        synchronized = false
        return .resubscribe(reason)
    }

    /// Makes the deltas that take the book to `snapshot`: deletes and reductions first, then
    /// additions, one tick each.
    private mutating func adopt(_ snapshot: WireSnapshot, at sequence: UInt64, arrival: UInt64) {
        for side in Side.allCases {
            var target: [Price: Size] = [:]
            for level in snapshot.levels(side) { target[level.price] = level.size }
            for level in book.levels(side) {
                let wanted = target[level.price] ?? 0
                if wanted == 0 {
                    emit(.delete(side, price: level.price), kind: .cancel, arrival: arrival, fromSnapshot: true)
                } else if wanted < level.size {
                    emit(
                        .reduce(side, price: level.price, size: level.size - wanted), kind: .cancel, arrival: arrival,
                        fromSnapshot: true)
                }
            }
            for level in snapshot.levels(side) {
                let held = book.size(side, at: level.price)
                if held < level.size {
                    emit(
                        .add(side, price: level.price, size: level.size - held), kind: .add, arrival: arrival,
                        fromSnapshot: true)
                }
            }
        }
        if !book.hasSameLevels(as: snapshot.book) { counters.snapshotMismatches &+= 1 }
        exchangeSequence = sequence
        synchronized = true
        verifiedSinceSnapshot = 0
    }

    private mutating func emit(_ delta: BookDelta, kind: EventKind, arrival: UInt64, fromSnapshot: Bool) {
        if book.applyCounting(delta) != nil { counters.rejectedDeltas &+= 1 }
        made &+= 1
        if fromSnapshot { counters.snapshotTicks &+= 1 }
        pending.append(Tick(sequence: made, scheduledArrival: arrival, delta: delta, kind: kind))
    }

    /// The exchange's send time on our clock, never after `now`. On one host both use
    /// CLOCK_MONOTONIC and the offset is zero; an exchange more than a second off is on another
    /// host, and its clock is mapped onto ours at the first frame (transit counted as zero).
    private mutating func align(_ sendTime: UInt64, now: UInt64) -> UInt64 {
        if clockOffset == nil {
            let difference = Int64(bitPattern: now &- sendTime)
            let sameClock = difference > -1_000_000_000 && difference < 1_000_000_000
            clockOffset = sameClock ? 0 : difference
            if !sameClock { counters.foreignClock = 1 }
        }
        let aligned = sendTime &+ UInt64(bitPattern: clockOffset!)
        return aligned <= now ? aligned : now
    }
}

/// What a TCP feed counts; reported as the run's `feedCounters`.
public struct FeedCounters: Sendable, Hashable {
    /// Frames decoded, snapshots among them, deltas applied in sequence, heartbeats.
    public var frames: UInt64 = 0
    public var snapshots: UInt64 = 0
    public var deltas: UInt64 = 0
    public var heartbeats: UInt64 = 0
    /// Ticks made from snapshots (the deltas from the delivered book to a snapshot).
    public var snapshotTicks: UInt64 = 0
    /// Missing sequence numbers detected (each one leads to a resubscription).
    public var gaps: UInt64 = 0
    /// Deltas before the awaited snapshot or already covered by one.
    public var staleFrames: UInt64 = 0
    public var checksumChecks: UInt64 = 0
    public var checksumMismatches: UInt64 = 0
    /// Snapshots the deltas did not reproduce (never expected).
    public var snapshotMismatches: UInt64 = 0
    /// Exchange deltas the book refused (the processor refuses the same ones).
    public var rejectedDeltas: UInt64 = 0
    /// Well-framed messages skipped as invalid, and streams whose framing was lost.
    public var decodeErrors: UInt64 = 0
    public var framingErrors: UInt64 = 0
    public var unexpectedFrames: UInt64 = 0
    public var goodbyes: UInt64 = 0
    /// 1 when the exchange's clock is not ours (latencies then start at the first frame's arrival).
    public var foreignClock: UInt64 = 0

    // Kept by the connection.
    public var bytes: UInt64 = 0
    public var connects: UInt64 = 0
    /// Connections after the first.
    public var reconnects: UInt64 = 0
    public var connectFailures: UInt64 = 0
    public var disconnects: UInt64 = 0
    /// Connections dropped because the exchange fell silent.
    public var timeouts: UInt64 = 0
    public var subscriptions: UInt64 = 0

    public init() {}

    public var dictionary: [String: UInt64] {
        [
            "frames": frames, "snapshots": snapshots, "deltas": deltas, "heartbeats": heartbeats,
            "snapshot_ticks": snapshotTicks, "gaps": gaps, "stale_frames": staleFrames,
            "checksum_checks": checksumChecks, "checksum_mismatches": checksumMismatches,
            "snapshot_mismatches": snapshotMismatches, "rejected_deltas": rejectedDeltas,
            "decode_errors": decodeErrors, "framing_errors": framingErrors, "unexpected_frames": unexpectedFrames,
            "goodbyes": goodbyes, "foreign_clock": foreignClock, "bytes": bytes, "connects": connects,
            "reconnects": reconnects, "connect_failures": connectFailures, "disconnects": disconnects,
            "timeouts": timeouts, "subscriptions": subscriptions,
        ]
    }

    /// Adds the connection's counts to the session's.
    func merging(connection: FeedCounters) -> FeedCounters {
        var merged = self
        merged.bytes = connection.bytes
        merged.connects = connection.connects
        merged.reconnects = connection.reconnects
        merged.connectFailures = connection.connectFailures
        merged.disconnects = connection.disconnects
        merged.timeouts = connection.timeouts
        merged.subscriptions = connection.subscriptions
        return merged
    }
}
