import CSystemSupport
import Glibc
import Locks
import MarketData
import NIOCore
import NIOPosix
import OrderBook
import Synchronization
import Wire

/// `ticklab exchange`: the synthetic market served over TCP.
///
/// One SwiftNIO event loop runs everything: the market's clock (a timer at each tick's
/// scheduled instant; all subscribers get the same sequence), heartbeats, every connection and
/// the order book. A subscriber gets a snapshot of the book at the current sequence, then every
/// delta after it, and a heartbeat with the book's checksum every `heartbeatInterval`. Orders
/// are acknowledged (after `ackDelay`), never matched: the exchange simulates an order gateway,
/// not a matching engine. A subscriber that stops reading is disconnected once `maxBufferedBytes`
/// wait for it, as real exchanges drop slow consumers.
public final class ExchangeServer: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var host: String
        /// 0 picks a free port (see ``ExchangeServer/port``).
        public var port: Int
        /// Ticks per second on the exchange's own clock.
        public var rate: Double
        public var seed: UInt64
        public var arrivals: ArrivalProcess
        public var heartbeatInterval: UInt64
        /// Time between an order and its acknowledgement: the exchange's own latency.
        public var ackDelay: UInt64
        public var maxBufferedBytes: Int
        /// Open orders a connection may hold; more are rejected.
        public var maxOpenOrders: Int

        public init(host: String = "127.0.0.1", port: Int = 9000, rate: Double = 200, seed: UInt64 = 1,
                    arrivals: ArrivalProcess = .uniform, heartbeatInterval: UInt64 = 50_000_000, ackDelay: UInt64 = 0,
                    maxBufferedBytes: Int = 64 << 20, maxOpenOrders: Int = 100_000) {
            self.host = host
            self.port = port
            self.rate = rate
            self.seed = seed
            self.arrivals = arrivals
            self.heartbeatInterval = heartbeatInterval
            self.ackDelay = ackDelay
            self.maxBufferedBytes = maxBufferedBytes
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
        public var slowConsumersDropped: UInt64 = 0
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

    /// Binds and starts the market.
    public static func start(_ configuration: Configuration) throws(StartError) -> ExchangeServer {
        guard configuration.rate.isFinite, configuration.rate > 0, configuration.rate <= 1_000_000 else {
            throw .invalid("the exchange's rate must be a number of ticks per second above 0, at most 1000000 (got \(configuration.rate))")
        }
        guard (0...65_535).contains(configuration.port) else {
            throw .invalid("a port is a number from 0 to 65535 (got \(configuration.port))")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let core = ServerCore(configuration, loop: loop)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1_024, high: 1 << 20))
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

    private init(configuration: Configuration, port: Int, group: MultiThreadedEventLoopGroup, listener: any Channel, core: ServerCore) {
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
        if let error = error as? SocketAddressError, case .unknown(let host, _) = error { return "cannot resolve host '\(host)'" }
        return String(describing: error)
    }
}

/// The exchange's state: touched only on its loop (the box checks it).
final class ServerCore: Sendable {
    private struct Connection {
        var channel: any Channel
        var subscribed = false
        var openOrders: Set<UInt64> = []
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
    }

    let loop: any EventLoop
    private let configuration: ExchangeServer.Configuration
    private let state: NIOLoopBoundBox<State>
    private let stats = Locked(ExchangeServer.Statistics())

    init(_ configuration: ExchangeServer.Configuration, loop: any EventLoop) {
        self.configuration = configuration
        self.loop = loop
        // A century of ticks: the market runs until the exchange stops.
        let market = SyntheticFeed(
            SyntheticFeed.Configuration(seed: configuration.seed, rate: configuration.rate,
                                        duration: 100 * 365 * 86_400 * 1_000_000_000,
                                        arrivals: configuration.arrivals, clock: .exchange),
            start: MonotonicClock.now())
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
        let interval = TimeAmount.nanoseconds(Int64(configuration.heartbeatInterval))
        state.value.heartbeat = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in heartbeat() }
    }

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
                    let frame = WireFrame(sequence: tick.sequence, sendTime: now, message: .delta(WireDelta(tick.delta, kind: tick.kind)))
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
        switch poll {
        case .ticks:
            loop.execute { [self] in emit() }
        case .idle(let until):
            let delay = until > now ? until - now : 0
            state.value.emission = loop.scheduleTask(in: .nanoseconds(Int64(delay))) { [self] in emit() }
        case .finished:
            break
        }
    }

    private func heartbeat() {
        guard !state.value.stopping else { return }
        let frame = WireFrame(sequence: state.value.market.emitted, sendTime: MonotonicClock.now(),
                              message: .heartbeat(checksum: state.value.book.checksum))
        guard let bytes = try? FrameEncoder.encode(frame) else { return }
        broadcast(ByteBuffer(bytes: bytes), frames: 1)
    }

    /// Writes `buffer` to every subscriber; drops the ones that have stopped reading.
    func broadcast(_ buffer: ByteBuffer, frames: Int) {
        guard buffer.readableBytes > 0 else { return }
        let subscribers = state.value.connections.values.filter(\.subscribed).map(\.channel)
        var written = 0
        for channel in subscribers {
            if !channel.isWritable,
               let buffered = try? channel.syncOptions?.getOption(.bufferedWritableBytes),
               buffered > configuration.maxBufferedBytes {
                stats.withLock { $0.slowConsumersDropped &+= 1 }
                channel.close(promise: nil)
                continue
            }
            channel.writeAndFlush(buffer, promise: nil)
            written += 1
        }
        stats.withLock { st in
            st.framesSent &+= UInt64(frames * written)
            st.bytesSent &+= UInt64(buffer.readableBytes * written)
        }
    }

    func dropNextDelta() { state.value.dropNext = true }

    // MARK: connections

    func connected(_ channel: any Channel) {
        guard !state.value.stopping else { channel.close(promise: nil); return }
        state.value.connections[ObjectIdentifier(channel)] = Connection(channel: channel)
        updateConnectionCounts(accepted: 1)
    }

    func disconnected(_ channel: any Channel) {
        state.value.connections[ObjectIdentifier(channel)] = nil
        updateConnectionCounts(accepted: 0)
    }

    private func updateConnectionCounts(accepted: UInt64) {
        let connections = state.value.connections
        let subscribers = connections.values.filter(\.subscribed).count
        stats.withLock { st in
            st.connectionsAccepted &+= accepted
            st.connections = connections.count
            st.subscribers = subscribers
        }
    }

    func received(_ frame: WireFrame, from channel: any Channel) {
        let id = ObjectIdentifier(channel)
        guard state.value.connections[id] != nil, !state.value.stopping else { return }
        switch frame.message {
        case .subscribe(let reason):
            state.value.connections[id]!.subscribed = true
            let snapshot = WireFrame(sequence: state.value.market.emitted, sendTime: MonotonicClock.now(),
                                     message: .snapshot(WireSnapshot(state.value.book)))
            guard let bytes = try? FrameEncoder.encode(snapshot) else {
                // More levels than a frame holds: the exchange's market never builds such a book.
                channel.close(promise: nil)
                return
            }
            stats.withLock { st in
                st.snapshots &+= 1
                if reason != .initial { st.resubscriptions &+= 1 }
                st.framesSent &+= 1
                st.bytesSent &+= UInt64(bytes.count)
            }
            updateConnectionCounts(accepted: 0)
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
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
            acknowledge(WireAck(clientOrderID: order.clientOrderID, clientTime: order.clientTime, request: .orderNew,
                                status: reason == .none ? .accepted : .rejected, reason: reason), to: channel)
        case .orderCancel(let cancel):
            let known = state.value.connections[id]!.openOrders.remove(cancel.clientOrderID) != nil
            stats.withLock { $0.cancels &+= 1 }
            acknowledge(WireAck(clientOrderID: cancel.clientOrderID, clientTime: cancel.clientTime, request: .orderCancel,
                                status: known ? .accepted : .rejected, reason: known ? .none : .unknownOrder), to: channel)
        case .snapshot, .delta, .heartbeat, .ack, .goodbye:
            stats.withLock { $0.unexpectedFrames &+= 1 }
        }
    }

    private func acknowledge(_ ack: WireAck, to channel: any Channel) {
        let send: @Sendable () -> Void = { [self] in
            let frame = WireFrame(sequence: state.value.market.emitted, sendTime: MonotonicClock.now(), message: .ack(ack))
            guard let bytes = try? FrameEncoder.encode(frame), channel.isActive else { return }
            stats.withLock { st in
                st.acks &+= 1
                if ack.status == .rejected { st.rejects &+= 1 }
                st.framesSent &+= 1
                st.bytesSent &+= UInt64(bytes.count)
            }
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        }
        if configuration.ackDelay == 0 {
            send()
        } else {
            loop.scheduleTask(in: .nanoseconds(Int64(configuration.ackDelay))) { send() }
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
            connection.channel.writeAndFlush(ByteBuffer(bytes: bytes)).flatMap { connection.channel.close() }
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
