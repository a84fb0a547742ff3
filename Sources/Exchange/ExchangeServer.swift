import CSystemSupport
import Clocks
import DequeModule
import Glibc
import Locks
import MarketData
import NIOCore
import NIOPosix
import OrderBook
import Synchronization
import Wire
import WireConversions

/// `ticklab exchange`: the synthetic market served over TCP.
///
/// One SwiftNIO event loop runs everything: the market's clock (a timer at each tick's
/// scheduled instant; all subscribers get the same sequence), heartbeats, every connection and
/// the order book. A subscriber gets a snapshot of the book at the current sequence, then every
/// delta after it, and a heartbeat with the book's checksum every `heartbeatInterval`. Orders
/// are acknowledged (after `ackDelay`), never matched: the exchange simulates an order gateway,
/// not a matching engine.
///
/// Memory is bounded: the bytes waiting to reach a connection's socket (in NIO's outbound buffer
/// and, once that is past its high water mark, in the connection's own queue of 64 KiB chunks)
/// are counted. A connection that would hold more than `maxSubscriberBufferedBytes`, or the one
/// holding the most when all together would hold more than `maxTotalBufferedBytes`, is closed
/// (counted and reported through `log`), as real exchanges drop slow consumers.
public final class ExchangeServer: Sendable {
    /// 4 MiB: about 5 s of the market at 20,000 ticks/s, behind what the kernel's socket buffers hold.
    public static let defaultMaxSubscriberBufferedBytes = 4 << 20
    public static let defaultMaxTotalBufferedBytes = 64 << 20

    public struct Configuration: Sendable, Hashable {
        public var host: String
        /// 0 picks a free port (see ``ExchangeServer/port``).
        public var port: Int
        /// Ticks per second on the exchange's own clock.
        public var rate: Double
        public var seed: UInt64
        public var arrivals: ArrivalProcess
        /// Time between two heartbeats (each carries the book's checksum).
        public var heartbeatInterval: Duration
        /// Time between an order and its acknowledgement: the exchange's own latency.
        public var ackDelay: Duration
        /// Bytes that may wait for one connection (frames not yet written to its socket); a
        /// connection that would hold more is dropped as a slow consumer.
        public var maxSubscriberBufferedBytes: Int
        /// Bytes that may wait for all connections together; past it the one holding the most is
        /// dropped.
        public var maxTotalBufferedBytes: Int
        /// Open orders a connection may hold; more are rejected.
        public var maxOpenOrders: Int

        public init(
            host: String = "127.0.0.1", port: Int = 9000, rate: Double = 200, seed: UInt64 = 1,
            arrivals: ArrivalProcess = .uniform, heartbeatInterval: Duration = .milliseconds(50),
            ackDelay: Duration = .zero,
            maxSubscriberBufferedBytes: Int = ExchangeServer.defaultMaxSubscriberBufferedBytes,
            maxTotalBufferedBytes: Int = ExchangeServer.defaultMaxTotalBufferedBytes, maxOpenOrders: Int = 100_000
        ) {
            self.host = host
            self.port = port
            self.rate = rate
            self.seed = seed
            self.arrivals = arrivals
            self.heartbeatInterval = heartbeatInterval
            self.ackDelay = ackDelay
            self.maxSubscriberBufferedBytes = maxSubscriberBufferedBytes
            self.maxTotalBufferedBytes = maxTotalBufferedBytes
            self.maxOpenOrders = maxOpenOrders
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case cannotListen(address: String, reason: String)
        case invalid(String)

        public var description: String {
            switch self {
            case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
            case .invalid(let message): message
            }
        }
    }

    /// What the exchange did so far.
    public struct Statistics: Sendable, Hashable {
        /// Market events generated, and the sequence of the last one.
        public var ticks: UInt64 = 0
        public var sequence: UInt64 = 0
        /// Connections open now, subscribed among them, and every connection accepted so far.
        public var connections: Int = 0
        public var subscribers: Int = 0
        public var connectionsAccepted: UInt64 = 0
        /// Snapshots sent (one per subscribe), and those asked for after a gap or a reconnect.
        public var snapshots: UInt64 = 0
        public var resubscriptions: UInt64 = 0
        public var framesSent: UInt64 = 0
        public var bytesSent: UInt64 = 0
        public var orders: UInt64 = 0
        public var cancels: UInt64 = 0
        public var acks: UInt64 = 0
        public var rejects: UInt64 = 0
        /// Client messages skipped as invalid, and connections closed for a broken stream.
        public var decodeErrors: UInt64 = 0
        public var framingErrors: UInt64 = 0
        public var unexpectedFrames: UInt64 = 0
        /// Connections dropped because they did not read fast enough: all of them, then by reason
        /// (their own bytes would pass the per-connection bound; all connections' bytes would pass
        /// the total bound and this one held the most).
        public var slowConsumersDropped: UInt64 = 0
        public var droppedOverSubscriberBound: UInt64 = 0
        public var droppedOverTotalBound: UInt64 = 0
        /// Bytes waiting to be written to connections' sockets now (NIO's outbound buffers and the
        /// exchange's queues), the most ever for all together, and the most ever for one.
        public var bufferedBytes: Int = 0
        public var peakBufferedBytes: Int = 0
        public var peakConnectionBufferedBytes: Int = 0
        /// Deltas withheld on purpose (``dropNextDelta()``, a test hook).
        public var deltasDropped: UInt64 = 0
    }

    public let configuration: Configuration
    /// The port the exchange listens on (the one picked when the configuration said 0).
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let core: ServerCore
    private let stopped = Atomic<Bool>(false)

    /// A connection the exchange closed because it did not read fast enough.
    public struct SlowConsumerDrop: Sendable, Hashable, CustomStringConvertible {
        public enum Bound: Sendable, Hashable {
            /// Its own bytes would have passed `maxSubscriberBufferedBytes`.
            case subscriber
            /// All connections' bytes would have passed `maxTotalBufferedBytes`; it held the most.
            case total
        }

        /// The client's address and port.
        public var remote: String
        public var bound: Bound
        /// Bytes waiting for this connection, and for all of them, when it was dropped.
        public var connectionBytes: Int
        public var totalBytes: Int
        /// The bound that was reached.
        public var limit: Int

        public var description: String {
            switch bound {
            case .subscriber:
                "dropped slow consumer \(remote): \(ByteCount(connectionBytes)) waited for it, the per-subscriber bound is \(ByteCount(limit))"
            case .total:
                "dropped slow consumer \(remote): all subscribers held \(ByteCount(totalBytes)), the total bound is \(ByteCount(limit)); it held the most (\(ByteCount(connectionBytes)))"
            }
        }
    }

    /// Binds and starts the market. `log` hears of every slow consumer dropped (on the
    /// exchange's loop: it must not block for long).
    public static func start(
        _ configuration: Configuration,
        log: (@Sendable (SlowConsumerDrop) -> Void)? = nil
    ) throws(StartError) -> ExchangeServer {
        guard configuration.rate.isFinite, configuration.rate > 0, configuration.rate <= 1_000_000 else {
            throw .invalid(
                "the exchange's rate must be a number of ticks per second above 0, at most 1000000 (got \(configuration.rate))"
            )
        }
        guard (0...65_535).contains(configuration.port) else {
            throw .invalid("a port is a number from 0 to 65535 (got \(configuration.port))")
        }
        guard configuration.maxSubscriberBufferedBytes > 0, configuration.maxTotalBufferedBytes > 0 else {
            throw .invalid(
                "the exchange's buffer bounds must be above 0 bytes (got \(configuration.maxSubscriberBufferedBytes) per subscriber, \(configuration.maxTotalBufferedBytes) in total)"
            )
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let core = ServerCore(configuration, loop: loop, log: log)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Low marks: past 64 KiB of small writes in NIO's buffer, frames are copied into the
            // connection's 64 KiB chunks instead, which cost little more than their bytes (each
            // small write NIO holds costs several times its size).
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1_024, high: 64 * 1_024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ExchangeConnectionHandler(core: core))
                }
            }
        let listener: any Channel
        do {
            listener = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw .cannotListen(address: "\(configuration.host):\(configuration.port)", reason: Self.describe(error))
        }
        let port = listener.localAddress?.port ?? configuration.port
        loop.execute {
            // 1 ns timer slack: the default 50 µs would make every tick that late.
            ticklab_set_timer_slack(1)
            core.startMarket()
        }
        return ExchangeServer(configuration: configuration, port: port, group: group, listener: listener, core: core)
    }

    private init(
        configuration: Configuration, port: Int, group: MultiThreadedEventLoopGroup, listener: any Channel,
        core: ServerCore
    ) {
        self.configuration = configuration
        self.port = port
        self.group = group
        self.listener = listener
        self.core = core
    }

    /// Says goodbye to every connection, closes them and the listener, and stops the loop.
    /// Blocks until done; call it from a thread that is not the exchange's loop. Idempotent.
    public func stop() {
        guard stopped.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let closing = try? core.loop.submit { self.core.shutdown() }.wait()
        _ = try? closing?.wait()
        _ = try? listener.close().wait()
        try? group.syncShutdownGracefully()
    }

    public var statistics: Statistics { core.statistics }

    /// The exchange's book and the sequence it is at.
    public func book() throws -> (sequence: UInt64, book: OrderBook) {
        try core.loop.submit { self.core.currentBook() }.wait()
    }

    // MARK: test hooks

    /// Closes every connection without a goodbye, as a network failure would. Blocks until done.
    public func disconnectAll() {
        let closing = try? core.loop.submit { self.core.disconnectAll() }.wait()
        _ = try? closing?.wait()
    }

    /// Withholds the next delta from every subscriber: a sequence gap.
    public func dropNextDelta() {
        core.loop.execute { self.core.dropNextDelta() }
    }

    /// Sends raw bytes to every subscriber (malformed frames, for tests). Blocks until written.
    public func sendToSubscribers(_ bytes: [UInt8]) {
        _ = try? core.loop.submit { self.core.broadcast(ByteBuffer(bytes: bytes), frames: 0) }.wait()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if let error = error as? SocketAddressError, case .unknown(let host, _) = error {
            return "cannot resolve host '\(host)'"
        }
        return String(describing: error)
    }
}

/// The exchange's state: touched only on its loop (the box checks it).
final class ServerCore: Sendable {
    private struct Connection {
        var channel: any Channel
        var outbound: OutboundQueue
        var subscribed = false
        var openOrders: Set<UInt64> = []
        /// Closed as a slow consumer: nothing more is written to it.
        var dropped = false
    }

    private struct State {
        var market: SyntheticFeed
        var book = OrderBook()
        var ticks: [Tick] = []
        var connections: [ObjectIdentifier: Connection] = [:]
        var dropNext = false
        var stopping = false
        var emission: Scheduled<Void>?
        var heartbeat: RepeatedTask?
        /// The sum of every live connection's `outbound.countedBytes`.
        var bufferedBytes = 0
        var peakBufferedBytes = 0
        var peakConnectionBufferedBytes = 0
        /// A `malloc_trim` is scheduled (after drops: see ``scheduleMemoryRelease()``).
        var releaseScheduled = false
    }

    let loop: any EventLoop
    private let configuration: ExchangeServer.Configuration
    private let state: NIOLoopBoundBox<State>
    private let stats = Locked(ExchangeServer.Statistics())
    private let log: (@Sendable (ExchangeServer.SlowConsumerDrop) -> Void)?

    init(
        _ configuration: ExchangeServer.Configuration, loop: any EventLoop,
        log: (@Sendable (ExchangeServer.SlowConsumerDrop) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.loop = loop
        self.log = log
        // A century of ticks: the market runs until the exchange stops.
        let market = SyntheticFeed(
            SyntheticFeed.Configuration(
                seed: configuration.seed, rate: configuration.rate,
                duration: .seconds(100 * 365 * 86_400),
                arrivals: configuration.arrivals, clock: .exchange),
            start: .now())
        state = .makeBoxSendingValue(State(market: market), eventLoop: loop)
    }

    var statistics: ExchangeServer.Statistics {
        stats.withLock { $0 }
    }

    func currentBook() -> (sequence: UInt64, book: OrderBook) {
        (state.value.market.emitted, state.value.book)
    }

    // MARK: the market

    func startMarket() {
        emit()
        let interval = TimeAmount.nanoseconds(Int64(configuration.heartbeatInterval.saturatingNanoseconds))
        state.value.heartbeat = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            heartbeat()
        }
    }

    /// The loop's turn for I/O between two emissions when the market is behind (see ``emit()``).
    private static let catchUpPause = TimeAmount.microseconds(50)

    /// Sends every tick that is due, then sleeps until the next one.
    private func emit() {
        guard !state.value.stopping else { return }
        let now = MonotonicClock.now()
        let poll = state.withValue { s in
            s.ticks.removeAll(keepingCapacity: true)
            return s.market.poll(now: now, into: &s.ticks, limit: 4_096)
        }
        let ticks = state.value.ticks
        if !ticks.isEmpty {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ticks.count * (Wire.prefixSize + Wire.headerSize + 20))
            var frames = 0
            var dropped: UInt64 = 0
            state.withValue { s in
                for tick in ticks {
                    s.book.applyCounting(tick.delta)
                    if s.dropNext { s.dropNext = false; dropped += 1; continue }
                    let frame = WireFrame(
                        sequence: tick.sequence, sendTime: now, message: .delta(WireDelta(tick.delta, kind: tick.kind)))
                    // A delta frame has a fixed size: it always encodes.
                    if (try? FrameEncoder.append(frame, to: &bytes)) != nil { frames += 1 }
                }
            }
            stats.withLock { st in
                st.ticks &+= UInt64(ticks.count)
                st.sequence = ticks.last!.sequence
                st.deltasDropped &+= dropped
            }
            broadcast(ByteBuffer(bytes: bytes), frames: frames)
        }
        // NIO runs every task that is due before it looks at sockets again: an emission that is
        // already due when the last one ends (a market faster than the loop) would keep the loop
        // from ever reading a subscribe or accepting a connection. Behind, the next emission
        // waits `catchUpPause` after this one ends, which lets the loop do its I/O first.
        let finished = MonotonicClock.now()
        switch poll {
        case .ticks:
            state.value.emission = loop.scheduleTask(in: Self.catchUpPause) { [self] in emit() }
        case .idle(let until):
            let delay: TimeAmount = until > finished ? .nanoseconds(Int64(until - finished)) : Self.catchUpPause
            state.value.emission = loop.scheduleTask(in: delay) { [self] in emit() }
        case .finished:
            break
        }
    }

    private func heartbeat() {
        guard !state.value.stopping else { return }
        let frame = WireFrame(
            sequence: state.value.market.emitted, sendTime: MonotonicClock.now(),
            message: .heartbeat(checksum: state.value.book.checksum))
        guard let bytes = try? FrameEncoder.encode(frame) else { return }
        broadcast(ByteBuffer(bytes: bytes), frames: 1)
    }

    /// Writes `buffer` to every subscriber; drops the ones that have stopped reading.
    func broadcast(_ buffer: ByteBuffer, frames: Int) {
        guard buffer.readableBytes > 0 else { return }
        let subscribers = state.value.connections.filter { $0.value.subscribed }.map(\.key)
        var written = 0
        for id in subscribers where send(buffer, to: id) {
            written += 1
        }
        let (buffered, peak, peakConnection) = (
            state.value.bufferedBytes, state.value.peakBufferedBytes,
            state.value.peakConnectionBufferedBytes
        )
        stats.withLock { st in
            st.framesSent &+= UInt64(frames * written)
            st.bytesSent &+= UInt64(buffer.readableBytes * written)
            st.bufferedBytes = buffered
            st.peakBufferedBytes = peak
            st.peakConnectionBufferedBytes = peakConnection
        }
    }

    /// Queues `buffer` for connection `id` within the bounds; false when it is not sent (the
    /// connection is gone, or dropped now because it would hold too much). `admitted` runs once
    /// the bounds allow the write and before it, so that statistics count a frame before its
    /// reader can see it.
    ///
    /// A connection's held bytes only grow here (NIO's count only shrinks between two calls), so
    /// checking before each write keeps every connection, and the sum, within its bound.
    private func send(_ buffer: ByteBuffer, to id: ObjectIdentifier, admitted: () -> Void = {}) -> Bool {
        guard let connection = state.value.connections[id], !connection.dropped else { return false }
        let size = buffer.readableBytes
        let held = recount(id)
        if held + size > configuration.maxSubscriberBufferedBytes {
            drop(id, bound: .subscriber, connectionBytes: held, limit: configuration.maxSubscriberBufferedBytes)
            return false
        }
        if state.value.bufferedBytes + size > configuration.maxTotalBufferedBytes {
            // Other connections' counts may be stale (high): NIO wrote some since.
            for other in state.value.connections.keys where other != id { recount(other) }
        }
        while state.value.bufferedBytes + size > configuration.maxTotalBufferedBytes {
            // The connection furthest behind goes first: it is the likeliest never to catch up.
            let victim = state.value.connections.filter { !$0.value.dropped }
                .max { $0.value.outbound.heldBytes < $1.value.outbound.heldBytes }!
            drop(
                victim.key, bound: .total, connectionBytes: victim.value.outbound.heldBytes,
                limit: configuration.maxTotalBufferedBytes)
            if victim.key == id { return false }
        }
        admitted()
        connection.outbound.enqueue(buffer)
        let after = recount(id)
        state.withValue { s in
            s.peakConnectionBufferedBytes = max(s.peakConnectionBufferedBytes, after)
            s.peakBufferedBytes = max(s.peakBufferedBytes, s.bufferedBytes)
        }
        return true
    }

    /// Brings connection `id`'s held bytes, and the total, up to date; returns its held bytes.
    @discardableResult
    private func recount(_ id: ObjectIdentifier) -> Int {
        guard let connection = state.value.connections[id], !connection.dropped else { return 0 }
        let change = connection.outbound.recount()
        state.value.bufferedBytes += change
        return connection.outbound.heldBytes
    }

    /// Closes a connection that fell behind its bound, and says why.
    private func drop(
        _ id: ObjectIdentifier, bound: ExchangeServer.SlowConsumerDrop.Bound, connectionBytes: Int, limit: Int
    ) {
        guard let connection = state.value.connections[id], !connection.dropped else { return }
        let total = state.value.bufferedBytes
        let remote =
            connection.channel.remoteAddress.map { address in
                address.ipAddress.map { ip in
                    ip.contains(":") ? "[\(ip)]:\(address.port ?? 0)" : "\(ip):\(address.port ?? 0)"
                }
                    ?? "\(address)"
            } ?? "a client"
        state.withValue { s in
            s.connections[id]!.dropped = true
            s.connections[id]!.subscribed = false
            s.bufferedBytes -= connection.outbound.countedBytes
        }
        connection.outbound.discard()
        connection.channel.close(promise: nil)
        stats.withLock { st in
            st.slowConsumersDropped &+= 1
            switch bound {
            case .subscriber: st.droppedOverSubscriberBound &+= 1
            case .total: st.droppedOverTotalBound &+= 1
            }
        }
        updateConnectionCounts(accepted: 0)
        log?(
            ExchangeServer.SlowConsumerDrop(
                remote: remote, bound: bound, connectionBytes: connectionBytes, totalBytes: total, limit: limit))
        scheduleMemoryRelease()
    }

    /// After drops, the chunks and frames they held are free but glibc keeps them in the loop
    /// thread's arena; `malloc_trim` hands those pages back. Once per burst of drops, after
    /// the closes have released NIO's buffers.
    private func scheduleMemoryRelease() {
        guard !state.value.releaseScheduled else { return }
        state.value.releaseScheduled = true
        loop.scheduleTask(in: .milliseconds(100)) { [self] in
            state.value.releaseScheduled = false
            _ = ticklab_release_free_memory()
        }
    }

    /// The connection's socket may take more: its queued chunks go to NIO.
    func writabilityChanged(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        guard let connection = state.value.connections[id], !connection.dropped else { return }
        connection.outbound.flushIfWritable()
        recount(id)
    }

    func dropNextDelta() { state.value.dropNext = true }

    // MARK: connections

    func connected(_ channel: any Channel) {
        guard !state.value.stopping else { channel.close(promise: nil); return }
        state.value.connections[ObjectIdentifier(channel)] = Connection(
            channel: channel, outbound: OutboundQueue(channel))
        updateConnectionCounts(accepted: 1)
    }

    func disconnected(_ channel: any Channel) {
        if let gone = state.value.connections.removeValue(forKey: ObjectIdentifier(channel)), !gone.dropped {
            state.value.bufferedBytes -= gone.outbound.countedBytes
            gone.outbound.discard()
        }
        updateConnectionCounts(accepted: 0)
    }

    private func updateConnectionCounts(accepted: UInt64) {
        let connections = state.value.connections
        let subscribers = connections.values.filter(\.subscribed).count
        let (buffered, peak, peakConnection) = (
            state.value.bufferedBytes, state.value.peakBufferedBytes,
            state.value.peakConnectionBufferedBytes
        )
        stats.withLock { st in
            st.connectionsAccepted &+= accepted
            st.connections = connections.count
            st.subscribers = subscribers
            st.bufferedBytes = buffered
            st.peakBufferedBytes = peak
            st.peakConnectionBufferedBytes = peakConnection
        }
    }

    func received(_ frame: WireFrame, from channel: any Channel) {
        let id = ObjectIdentifier(channel)
        guard let connection = state.value.connections[id], !connection.dropped, !state.value.stopping else { return }
        switch frame.message {
        case .subscribe(let reason):
            state.value.connections[id]!.subscribed = true
            let snapshot = WireFrame(
                sequence: state.value.market.emitted, sendTime: MonotonicClock.now(),
                message: .snapshot(WireSnapshot(state.value.book)))
            guard let bytes = try? FrameEncoder.encode(snapshot) else {
                // More levels than a frame holds: the exchange's market never builds such a book.
                channel.close(promise: nil)
                return
            }
            let sent = send(ByteBuffer(bytes: bytes), to: id) {
                stats.withLock { st in
                    st.snapshots &+= 1
                    if reason != .initial { st.resubscriptions &+= 1 }
                    st.framesSent &+= 1
                    st.bytesSent &+= UInt64(bytes.count)
                }
                updateConnectionCounts(accepted: 0)
            }
            guard sent else { return }
        case .orderNew(let order):
            let reason: RejectReason
            if order.price <= 0 {
                reason = .invalidPrice
            } else if order.size <= 0 {
                reason = .invalidSize
            } else if state.value.connections[id]!.openOrders.contains(order.clientOrderID) {
                reason = .duplicateOrderID
            } else if state.value.connections[id]!.openOrders.count >= configuration.maxOpenOrders {
                reason = .tooManyOpenOrders
            } else {
                state.value.connections[id]!.openOrders.insert(order.clientOrderID)
                reason = .none
            }
            stats.withLock { $0.orders &+= 1 }
            acknowledge(
                WireAck(
                    clientOrderID: order.clientOrderID, clientTime: order.clientTime, request: .orderNew,
                    status: reason == .none ? .accepted : .rejected, reason: reason), to: channel)
        case .orderCancel(let cancel):
            let known = state.value.connections[id]!.openOrders.remove(cancel.clientOrderID) != nil
            stats.withLock { $0.cancels &+= 1 }
            acknowledge(
                WireAck(
                    clientOrderID: cancel.clientOrderID, clientTime: cancel.clientTime, request: .orderCancel,
                    status: known ? .accepted : .rejected, reason: known ? .none : .unknownOrder), to: channel)
        case .snapshot, .delta, .heartbeat, .ack, .goodbye:
            stats.withLock { $0.unexpectedFrames &+= 1 }
        }
    }

    private func acknowledge(_ ack: WireAck, to channel: any Channel) {
        let send: @Sendable () -> Void = { [self] in
            let frame = WireFrame(
                sequence: state.value.market.emitted, sendTime: MonotonicClock.now(), message: .ack(ack))
            guard let bytes = try? FrameEncoder.encode(frame), channel.isActive else { return }
            _ = self.send(ByteBuffer(bytes: bytes), to: ObjectIdentifier(channel)) {
                stats.withLock { st in
                    st.acks &+= 1
                    if ack.status == .rejected { st.rejects &+= 1 }
                    st.framesSent &+= 1
                    st.bytesSent &+= UInt64(bytes.count)
                }
            }
        }
        if configuration.ackDelay <= .zero {
            send()
        } else {
            loop.scheduleTask(in: .nanoseconds(Int64(configuration.ackDelay.saturatingNanoseconds))) { send() }
        }
    }

    func decodeError(_ error: WireError) {
        stats.withLock { st in
            if error.isFatal { st.framingErrors &+= 1 } else { st.decodeErrors &+= 1 }
        }
    }

    // MARK: shutting down

    /// Goodbye to everyone, then close; the future completes when every connection is closed.
    func shutdown() -> EventLoopFuture<Void> {
        state.value.stopping = true
        state.value.emission?.cancel()
        state.value.heartbeat?.cancel()
        let goodbye = WireFrame(sequence: state.value.market.emitted, sendTime: MonotonicClock.now(), message: .goodbye)
        let bytes = (try? FrameEncoder.encode(goodbye)) ?? []
        let closing = state.value.connections.values.map { connection in
            let channel = connection.channel
            // After what is queued for it, beyond the bounds: the goodbye is the last frame.
            return connection.outbound.finish(with: ByteBuffer(bytes: bytes)).flatMap { channel.close() }
        }
        return EventLoopFuture.whenAllComplete(closing, on: loop).map { _ in }
    }

    func disconnectAll() -> EventLoopFuture<Void> {
        let closing = state.value.connections.values.map { $0.channel.close() }
        return EventLoopFuture.whenAllComplete(closing, on: loop).map { _ in }
    }
}

/// One client connection: frames in, handed to the core.
final class ExchangeConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ServerCore
    private var decoder = FrameDecoder()

    init(core: ServerCore) { self.core = core }

    func channelActive(context: ChannelHandlerContext) {
        core.connected(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.disconnected(context.channel)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        core.writabilityChanged(context.channel)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        while true {
            switch decoder.next() {
            case .frame(let frame):
                core.received(frame, from: context.channel)
            case .skipped(let error):
                core.decodeError(error)
            case .failed(let error):
                core.decodeError(error)
                context.close(promise: nil)
                return
            case .needMore:
                return
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// What waits to be written to one connection's socket, and the count of its bytes: NIO's
/// outbound buffer while the channel is writable, then the connection's own chunks, handed to
/// NIO when the channel becomes writable again. Touched only on the exchange's loop (it lives in
/// the core's loop-bound state).
///
/// Why chunks: NIO keeps every write as an entry with its own buffer, and a delta frame is 44
/// bytes; each held write costs several times its size. Copied into 64 KiB chunks, the bytes
/// held are what they cost, give or take one chunk.
final class OutboundQueue {
    static let chunkSize = 64 * 1_024

    private let channel: any Channel
    private var chunks: Deque<ByteBuffer> = []
    private var chunkBytes = 0
    /// NIO's outbound buffer when last looked at (``recount()``).
    private var channelBytes = 0
    /// `heldBytes` at the last ``recount()``: what the core's total holds for this connection.
    private(set) var countedBytes = 0

    init(_ channel: any Channel) { self.channel = channel }

    /// Bytes written to NIO and not yet to the socket, plus the bytes in chunks.
    var heldBytes: Int { channelBytes + chunkBytes }

    /// Reads NIO's count again; returns how much `heldBytes` changed since the last recount.
    func recount() -> Int {
        channelBytes = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        let change = heldBytes - countedBytes
        countedBytes = heldBytes
        return change
    }

    /// Writes `buffer` at once if NIO's buffer is below its high water mark and nothing waits
    /// before it; otherwise copies it into the chunks.
    func enqueue(_ buffer: ByteBuffer) {
        if chunks.isEmpty, channel.isWritable {
            channel.writeAndFlush(buffer, promise: nil)
            return
        }
        var buffer = buffer
        if chunks.isEmpty || chunks[chunks.count - 1].writableBytes < buffer.readableBytes {
            chunks.append(channel.allocator.buffer(capacity: max(Self.chunkSize, buffer.readableBytes)))
        }
        chunkBytes += buffer.readableBytes
        chunks[chunks.count - 1].writeBuffer(&buffer)
        flushIfWritable()
    }

    /// Hands the chunks to NIO while the channel takes them.
    func flushIfWritable() {
        guard !chunks.isEmpty, channel.isWritable else { return }
        // NIO takes all of them (they are counted in its buffer from then on); its writability
        // then says when the next frames may follow directly.
        while let chunk = chunks.popFirst() {
            chunkBytes -= chunk.readableBytes
            channel.write(chunk, promise: nil)
        }
        channel.flush()
    }

    /// Everything queued, then `last`; the future completes when `last` is written or failed.
    func finish(with last: ByteBuffer) -> EventLoopFuture<Void> {
        while let chunk = chunks.popFirst() {
            chunkBytes -= chunk.readableBytes
            channel.write(chunk, promise: nil)
        }
        return channel.writeAndFlush(last)
    }

    /// Forgets the chunks (the connection is being closed; NIO fails what it holds).
    func discard() {
        chunks.removeAll()
        chunkBytes = 0
        channelBytes = 0
        countedBytes = 0
    }
}

/// A number of bytes as a person reads it: "812 bytes", "64 KiB", "4.0 MiB".
public struct ByteCount: Sendable, Hashable, CustomStringConvertible {
    public var bytes: Int
    public init(_ bytes: Int) { self.bytes = bytes }

    public var description: String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size) \(name)" }
            let tenths = (bytes * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return "\(bytes) byte\(bytes == 1 ? "" : "s")"
    }
}
