import Clocks
import MarketData
import NIOCore
import NIOPosix
import OrderBook
import Pipeline
import Wire
import WireConversions

/// `--feed tcp://HOST:PORT`: the framed feed of `ticklab exchange`, as ticks.
///
/// The feed subscribes, turns frames into contiguous ticks with a ``FeedSession``, and keeps
/// the connection alive: a sequence gap or a checksum disagreement asks for a new snapshot; a
/// lost or silent connection is replaced after a capped exponential backoff (10 ms doubling to
/// 1 s), and the new connection's snapshot brings the book back in line. Everything is counted.
///
/// How it reads depends on where the receiver runs (``attach(to:)``): on the receiver's own
/// thread with a non-blocking socket and `poll(2)`, or with a NIO channel on the receiver's
/// event loop (or on an I/O thread of the feed's own when the receiver must not block).
public struct TCPFeed: IOFeed, SelfCheckingFeed {
    public struct Configuration: Sendable, Hashable {
        public var host: String
        public var port: Int
        /// The first instant of the run and how long the feed delivers.
        public var start: MonotonicInstant
        public var duration: Duration
        /// How long a connection attempt may take.
        public var connectTimeout: Duration = .seconds(2)
        /// A connection without a frame for this long is dropped and replaced (the exchange sends
        /// heartbeats, 50 ms apart by default).
        public var silenceTimeout: Duration = .seconds(2)
        /// The wait before the first reconnection attempt; it doubles after each failed one.
        public var initialBackoff: Duration = .milliseconds(10)
        /// The longest wait between reconnection attempts.
        public var maxBackoff: Duration = .seconds(1)

        public init(host: String, port: Int, start: MonotonicInstant, duration: Duration) {
            self.host = host
            self.port = port
            self.start = start
            self.duration = duration
        }

        public var endpoint: String { ExchangeAddress(host: host, port: port).description }
    }

    /// The first connection failed: nothing to run against.
    public struct ConnectError: Error, CustomStringConvertible {
        public var endpoint: String
        public var reason: String
        public var description: String {
            "cannot connect to \(endpoint): \(reason) (is 'ticklab exchange' running there?)"
        }
    }

    private enum Link: Sendable {
        case socket(SocketLink)
        case channel(ChannelLink)

        var phase: LinkPhase {
            switch self {
            case .socket(let link): link.progress()
            case .channel(let link): link.phase
            }
        }

        func read(into decoder: inout FrameDecoder, limit: Int) -> Int {
            switch self {
            case .socket(let link): link.read(into: &decoder, limit: limit)
            case .channel(let link): link.read(into: &decoder, limit: limit)
            }
        }

        func send(_ bytes: [UInt8]) {
            switch self {
            case .socket(let link): link.send(bytes)
            case .channel(let link): link.send(bytes)
            }
        }

        func close() {
            switch self {
            case .socket(let link): link.close()
            case .channel(let link): link.close()
            }
        }
    }

    private enum Connection: Sendable {
        /// Connected before the receiver said where it runs.
        case unattached(SocketLink)
        case connecting(Link, since: UInt64)
        case open(Link)
        /// Waiting to reconnect.
        case backingOff(until: UInt64)
        case closed
    }

    private enum Ending: Sendable {
        case window, stopRequested, goodbye
    }

    public private(set) var configuration: Configuration {
        didSet { timings = Timings(configuration) }
    }
    /// The configuration's times in nanoseconds, as each poll compares them with its `now`.
    private var timings: Timings
    private var session = FeedSession()
    private var decoder = FrameDecoder()
    private var connection: Connection
    private var linkCounters = FeedCounters()
    private var backoff: UInt64
    private var lastFrameAt: UInt64 = 0
    /// The last frame of any connection (``lastFrameAt`` restarts with each connection).
    private var lastDataAt: UInt64?
    public private(set) var failure: FeedFailure?
    /// Why the last open connection was dropped.
    private var lastLossReason: String?
    private var subscribedBefore = false
    private var stopRequested = false
    private var ending: Ending?
    private var host: StageHost?
    /// The receiver never said where it runs: poll every millisecond rather than sleep through data.
    private var pollingFallback = false
    private var socketReadiness: SocketReadiness?
    private var doorbell: Doorbell?
    /// The I/O thread of a feed whose receiver must not block.
    private var ioGroup: MultiThreadedEventLoopGroup?

    /// Connects (waiting at most the connect timeout), so that an exchange that is not there is
    /// an error before the run starts rather than a run of reconnections.
    public static func connect(_ configuration: Configuration) throws(ConnectError) -> TCPFeed {
        switch SocketLink.connectWaiting(
            host: configuration.host, port: configuration.port,
            timeout: configuration.connectTimeout.saturatingNanoseconds)
        {
        case .success(let link): return TCPFeed(configuration, link: link)
        case .failure(let failure): throw ConnectError(endpoint: configuration.endpoint, reason: failure.reason)
        }
    }

    private init(_ configuration: Configuration, link: SocketLink) {
        self.configuration = configuration
        self.timings = Timings(configuration)
        self.connection = .unattached(link)
        self.backoff = timings.initialBackoff
    }

    /// The end of the window: `start + duration`.
    public var end: MonotonicInstant { MonotonicInstant(nanoseconds: timings.end) }

    /// The same connected feed, delivering from `start` for the configured duration.
    public func starting(at start: MonotonicInstant) -> TCPFeed {
        var feed = self
        feed.configuration.start = start
        return feed
    }

    // MARK: IOFeed

    public mutating func attach(to host: StageHost) {
        guard self.host == nil else { return }
        self.host = host
        guard case .unattached(let socket) = connection else { return }
        let now = MonotonicClock.now()
        switch host {
        case .thread:
            let readiness = SocketReadiness()
            socketReadiness = readiness
            readiness.watch(socket)
            connection = .connecting(.socket(socket), since: now)
        case .eventLoop(let loop):
            adopt(socket, on: StageHost.nioLoop(loop), now: now)
        case .sharedExecutor:
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ioGroup = group
            adopt(socket, on: group.next(), now: now)
        }
    }

    private mutating func adopt(_ socket: SocketLink, on loop: any EventLoop, now: UInt64) {
        let bell = Doorbell(loop: loop)
        doorbell = bell
        if let descriptor = socket.takeDescriptor() {
            connection = .connecting(.channel(ChannelLink.adopt(descriptor, on: loop, doorbell: bell)), since: now)
        } else {
            connection = .backingOff(until: now)
        }
    }

    public var readiness: (any FeedReadiness)? {
        if let socketReadiness { return socketReadiness }
        return doorbell
    }

    // MARK: TickFeed

    public mutating func stop() { stopRequested = true }

    public mutating func poll(now: UInt64, into buffer: inout [Tick], limit: Int) -> FeedPoll {
        if host == nil {
            attach(to: .thread)
            pollingFallback = true
        }
        if ending == nil {
            if stopRequested {
                ending = .stopRequested
            } else if now >= timings.end {
                ending = .window
                noteLostConnectionAtWindowEnd()
            }
        }
        if ending != nil {
            // Ticks already made are delivered: the book they lead to is the reference.
            closeConnection()
            let count = session.takeTicks(into: &buffer, limit: limit)
            return count > 0 ? .ticks(count: count) : .finished
        }
        var count = session.takeTicks(into: &buffer, limit: limit)
        if count < limit {
            pump(now: now, wanted: limit - count)
            count += session.takeTicks(into: &buffer, limit: limit - count)
        }
        if count > 0 { return .ticks(count: count) }
        if ending != nil { closeConnection(); return .finished }
        return .idle(until: nextDeadline(now: now))
    }

    public func referenceBook(afterTicks count: UInt64) -> OrderBook? {
        count == session.made ? session.book : nil
    }

    public var counters: [String: UInt64] {
        var all = session.counters.merging(connection: linkCounters).dictionary
        all["exchange_sequence"] = session.exchangeSequence
        all["verified_since_last_snapshot"] = session.verifiedSinceSnapshot
        return all
    }

    public var selfCheckFailures: [String] {
        var failures: [String] = []
        let c = session.counters
        if c.frames == 0 {
            failures.append(
                "the exchange at \(configuration.endpoint) sent nothing: no snapshot, no delta, no heartbeat")
        }
        if c.checksumMismatches > 0 {
            failures.append(
                "\(c.checksumMismatches) exchange heartbeat checksum(s) disagreed with the book the feed delivered")
        }
        if c.snapshotMismatches > 0 {
            failures.append("\(c.snapshotMismatches) snapshot(s) were not reproduced by the deltas made from them")
        }
        if c.frames > 0 && c.checksumChecks == 0 {
            failures.append("no exchange heartbeat verified the delivered book (the exchange sent none in the run)")
        }
        return failures
    }

    // MARK: the connection

    /// Moves the connection on and decodes until `wanted` ticks are made or the bytes run out.
    private mutating func pump(now: UInt64, wanted: Int) {
        switch connection {
        case .unattached, .closed:
            return
        case .backingOff(let until):
            guard now >= until else { return }
            startConnecting(now: now)
            pump(now: now, wanted: wanted)
        case .connecting(let link, let since):
            switch link.phase {
            case .open:
                connection = .open(link)
                linkCounters.connects &+= 1
                if linkCounters.connects > 1 { linkCounters.reconnects &+= 1 }
                decoder.reset()
                lastFrameAt = now
                subscribe(link, subscribedBefore ? .reconnect : .initial)
                subscribedBefore = true
                pump(now: now, wanted: wanted)
            case .closed(let reason):
                linkCounters.connectFailures &+= 1
                backOff(now: now, reason: reason)
            case .connecting:
                if now &- since >= timings.connectTimeout {
                    link.close()
                    linkCounters.connectFailures &+= 1
                    backOff(now: now, reason: "connection timed out")
                }
            }
        case .open(let link):
            let snapshotsBefore = session.counters.snapshots
            var readAgain = true
            while session.pendingCount < wanted && ending == nil {
                switch decoder.next() {
                case .frame(let frame):
                    lastFrameAt = now
                    lastDataAt = now
                    switch session.handle(frame, at: now) {
                    case .none: break
                    case .resubscribe(let reason): subscribe(link, reason)
                    case .finish:
                        ending = .goodbye
                        // The poll ends the window at `end` before it reads: a goodbye read is early.
                        failure = FeedFailure(
                            reason: "the exchange at \(configuration.endpoint) said goodbye before the end of the run",
                            lastDataAt: lastDataAt.map(MonotonicInstant.init(nanoseconds:)))
                    }
                case .skipped(let error):
                    session.decodeError(error)
                case .failed(let error):
                    session.decodeError(error)
                    drop(link, now: now, reason: error.description)
                    return
                case .needMore:
                    guard readAgain else { break }
                    let bytes = link.read(into: &decoder, limit: 256 * 1_024)
                    linkCounters.bytes &+= UInt64(bytes)
                    if bytes > 0 { continue }
                    readAgain = false
                    if case .closed(let reason) = link.phase {
                        if let error = decoder.finish() { session.decodeError(error) }
                        drop(link, now: now, reason: reason)
                        return
                    }
                }
                if !readAgain { break }
            }
            if session.counters.snapshots > snapshotsBefore { backoff = timings.initialBackoff }
            if ending == nil, now &- lastFrameAt >= timings.silenceTimeout {
                linkCounters.timeouts &+= 1
                drop(link, now: now, reason: "no frame for \(timings.silenceTimeout / 1_000_000) ms")
            }
        }
    }

    private mutating func subscribe(_ link: Link, _ reason: SubscribeReason) {
        linkCounters.subscriptions &+= 1
        let frame = WireFrame(
            sequence: linkCounters.subscriptions, sendTime: MonotonicClock.now(), message: .subscribe(reason))
        // A subscribe frame is 24 bytes: it always encodes.
        link.send((try? FrameEncoder.encode(frame)) ?? [])
    }

    private mutating func startConnecting(now: UInt64) {
        let link: Link
        switch host {
        case .eventLoop(let loop):
            link = .channel(
                ChannelLink.connect(
                    host: configuration.host, port: configuration.port, on: StageHost.nioLoop(loop),
                    doorbell: doorbell!, timeout: timings.connectTimeout))
        case .sharedExecutor:
            link = .channel(
                ChannelLink.connect(
                    host: configuration.host, port: configuration.port, on: ioGroup!.next(),
                    doorbell: doorbell!, timeout: timings.connectTimeout))
        case .thread, nil:
            let socket = SocketLink.connect(host: configuration.host, port: configuration.port)
            socketReadiness?.watch(socket)
            link = .socket(socket)
        }
        connection = .connecting(link, since: now)
    }

    /// The window ended while the feed had no open connection: the exchange went away and did not
    /// come back. (A connection replaced in time is a recovery, not a failure.)
    private mutating func noteLostConnectionAtWindowEnd() {
        switch connection {
        case .open, .unattached, .closed: return
        case .backingOff, .connecting: break
        }
        let last = lastLossReason.map { " (\($0))" } ?? ""
        failure = FeedFailure(
            reason: "the connection to the exchange at \(configuration.endpoint) was lost\(last) "
                + "and not re-established before the end of the run",
            lastDataAt: lastDataAt.map(MonotonicInstant.init(nanoseconds:)))
    }

    private mutating func drop(_ link: Link, now: UInt64, reason: String) {
        link.close()
        linkCounters.disconnects &+= 1
        lastLossReason = reason
        backOff(now: now, reason: reason)
    }

    private mutating func backOff(now: UInt64, reason: String) {
        session.connectionLost()
        socketReadiness?.watch(nil)
        connection = .backingOff(until: now &+ backoff)
        backoff = min(backoff &* 2, timings.maxBackoff)
    }

    private mutating func closeConnection() {
        switch connection {
        case .unattached(let socket): socket.close()
        case .connecting(let link, _), .open(let link): link.close()
        case .backingOff, .closed: break
        }
        connection = .closed
        socketReadiness?.watch(nil)
        if let group = ioGroup {
            ioGroup = nil
            group.shutdownGracefully { _ in }
        }
    }

    private func nextDeadline(now: UInt64) -> UInt64 {
        var deadline = timings.end
        switch connection {
        case .backingOff(let until): deadline = min(deadline, until)
        case .connecting(_, let since): deadline = min(deadline, since &+ timings.connectTimeout)
        case .open: deadline = min(deadline, lastFrameAt &+ timings.silenceTimeout)
        case .unattached, .closed: break
        }
        if pollingFallback { deadline = min(deadline, now &+ 1_000_000) }
        return deadline
    }
}

extension TCPFeed {
    /// A configuration's times in monotonic nanoseconds, the unit of the feed's poll.
    fileprivate struct Timings: Sendable {
        var end: UInt64
        var connectTimeout: UInt64
        var silenceTimeout: UInt64
        var initialBackoff: UInt64
        var maxBackoff: UInt64

        init(_ configuration: Configuration) {
            end = (configuration.start + configuration.duration).nanoseconds
            connectTimeout = configuration.connectTimeout.saturatingNanoseconds
            silenceTimeout = configuration.silenceTimeout.saturatingNanoseconds
            initialBackoff = configuration.initialBackoff.saturatingNanoseconds
            maxBackoff = configuration.maxBackoff.saturatingNanoseconds
        }
    }
}
