import Clocks
import Dispatch
import Locks
import MarketData
import NIOCore
import NIOPosix
import Pipeline
import Wire

/// Orders to `ticklab exchange` over TCP, on an order-entry connection of their own (market
/// data and order entry are separate sessions, as at real exchanges).
///
/// An evaluator that owns its thread writes the order and reads the socket until the
/// acknowledgement comes: synchronous I/O, which blocks nothing but the evaluator. An async
/// evaluator writes through a NIO channel (on its own event loop for `event-loop`, else on an
/// I/O thread of the route's) and awaits the acknowledgement, which that loop reads.
///
/// A lost connection is re-established at the next order; an order without an answer within
/// `timeout` fails, and the connection is replaced.
public final class ExchangeOrderRoute: OrderRoute {
    public let host: String
    public let port: Int
    /// How long an order waits for its acknowledgement.
    public let timeout: UInt64

    private enum Mode {
        case blocking(BlockingOrderSession)
        case channel(ChannelOrderSession, ownGroup: MultiThreadedEventLoopGroup?)
    }

    private let mode = Locked<Mode?>(nil)
    fileprivate let stats = Locked(RouteCounters())

    public init(host: String, port: Int, timeout: UInt64 = 5_000_000_000) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    public var name: String { "exchange \(ExchangeAddress(host: host, port: port))" }

    public func prepare(for stageHost: StageHost) {
        mode.withLock { mode in
            guard mode == nil else { return }
            switch stageHost {
            case .thread:
                mode = .blocking(BlockingOrderSession(route: self))
            case .eventLoop(let loop):
                mode = .channel(ChannelOrderSession(route: self, loop: StageHost.nioLoop(loop)), ownGroup: nil)
            case .sharedExecutor:
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
                mode = .channel(ChannelOrderSession(route: self, loop: group.next()), ownGroup: group)
            }
        }
    }

    private func currentMode() -> Mode {
        prepare(for: .thread)
        return mode.withLock { $0! }
    }

    public func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome {
        switch currentMode() {
        case .blocking(let session):
            return session.send(order)
        case .channel(let session, _):
            let semaphore = DispatchSemaphore(value: 0)
            let outcome = Locked<OrderOutcome?>(nil)
            session.send(order) { result in
                outcome.withLock { $0 = result }
                semaphore.signal()
            }
            semaphore.wait()
            return outcome.withLock { $0! }
        }
    }

    public func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome {
        switch currentMode() {
        case .blocking(let session):
            // The evaluator owns its thread (a task on a dedicated thread): blocking it is fine.
            return session.send(order)
        case .channel(let session, _):
            return await withCheckedContinuation { continuation in
                session.send(order) { continuation.resume(returning: $0) }
            }
        }
    }

    public func close() {
        // Dropping the sessions also breaks the cycle route → session → route.
        let current = mode.withLock { mode in
            defer { mode = nil }
            return mode
        }
        switch current {
        case .blocking(let session): session.close()
        case .channel(let session, let group):
            session.close()
            group?.shutdownGracefully { _ in }
        case nil: break
        }
    }

    public var counters: [String: UInt64] { stats.withLock { $0.dictionary } }

    fileprivate func frame(for order: RoutedOrder) -> [UInt8] {
        let message = WireMessage.orderNew(
            WireOrder(
                clientOrderID: order.id, side: order.side == .bid ? .bid : .ask,
                price: order.price, size: order.size, clientTime: MonotonicClock.now()))
        // An order frame has a fixed size: it always encodes.
        return
            (try? FrameEncoder.encode(WireFrame(sequence: order.id, sendTime: MonotonicClock.now(), message: message)))
            ?? []
    }

    fileprivate static func outcome(of ack: WireAck) -> OrderOutcome {
        ack.status == .accepted ? .accepted : .rejected(reason: ack.reason.description)
    }
}

struct RouteCounters: Sendable {
    var connects: UInt64 = 0
    var connectFailures: UInt64 = 0
    var disconnects: UInt64 = 0
    var ordersSent: UInt64 = 0
    var acks: UInt64 = 0
    var timeouts: UInt64 = 0
    var strayFrames: UInt64 = 0
    var decodeErrors: UInt64 = 0

    var dictionary: [String: UInt64] {
        [
            "connects": connects, "connect_failures": connectFailures, "disconnects": disconnects,
            "orders_sent": ordersSent, "acks": acks, "timeouts": timeouts, "stray_frames": strayFrames,
            "decode_errors": decodeErrors,
        ]
    }
}

/// The order connection of an evaluator that owns its thread: a socket read in `poll(2)`.
private final class BlockingOrderSession: Sendable {
    private struct State {
        var link: SocketLink?
        var decoder = FrameDecoder()
    }

    private let route: ExchangeOrderRoute
    private let state = Locked(State())

    init(route: ExchangeOrderRoute) { self.route = route }

    func send(_ order: RoutedOrder) -> OrderOutcome {
        state.withLock { s in
            if let link = s.link {
                // Take in what came since (late acknowledgements, an end of stream) so that a
                // connection the exchange closed is noticed before an order is sent on it.
                _ = link.read(into: &s.decoder, limit: 64 * 1_024)
                if link.progress() != .open {
                    link.close()
                    s.link = nil
                    route.stats.withLock { $0.disconnects &+= 1 }
                }
            }
            if s.link == nil {
                switch SocketLink.connectWaiting(host: route.host, port: route.port, timeout: 2_000_000_000) {
                case .success(let link):
                    s.link = link
                    s.decoder.reset()
                    route.stats.withLock { $0.connects &+= 1 }
                case .failure(let failure):
                    route.stats.withLock { $0.connectFailures &+= 1 }
                    return .failed(reason: "cannot connect to the exchange: \(failure.reason)")
                }
            }
            let link = s.link!
            guard link.send(route.frame(for: order)) else {
                return lose(&s, "the connection failed while sending")
            }
            route.stats.withLock { $0.ordersSent &+= 1 }
            let deadline = MonotonicClock.now() &+ route.timeout
            while true {
                switch s.decoder.next() {
                case .frame(let frame):
                    if case .ack(let ack) = frame.message, ack.clientOrderID == order.id {
                        route.stats.withLock { $0.acks &+= 1 }
                        return ExchangeOrderRoute.outcome(of: ack)
                    }
                    if case .goodbye = frame.message { return lose(&s, "the exchange closed") }
                    // An acknowledgement of an order that timed out earlier, or market data.
                    route.stats.withLock { $0.strayFrames &+= 1 }
                case .skipped:
                    route.stats.withLock { $0.decodeErrors &+= 1 }
                case .failed(let error):
                    route.stats.withLock { $0.decodeErrors &+= 1 }
                    return lose(&s, error.description)
                case .needMore:
                    if link.read(into: &s.decoder, limit: 64 * 1_024) > 0 { continue }
                    if case .closed(let reason) = link.progress() { return lose(&s, reason) }
                    if MonotonicClock.now() >= deadline {
                        route.stats.withLock { $0.timeouts &+= 1 }
                        return lose(&s, "no acknowledgement within \(route.timeout / 1_000_000) ms")
                    }
                    link.waitReady(until: deadline)
                }
            }
        }
    }

    private func lose(_ s: inout State, _ reason: String) -> OrderOutcome {
        s.link?.close()
        s.link = nil
        route.stats.withLock { $0.disconnects &+= 1 }
        return .failed(reason: reason)
    }

    func close() {
        state.withLock { s in
            s.link?.close()
            s.link = nil
        }
    }
}

/// The order connection of an async evaluator: a NIO channel whose handler answers the
/// waiting orders.
private final class ChannelOrderSession: Sendable {
    typealias Completion = @Sendable (OrderOutcome) -> Void

    private struct State {
        var channel: EventLoopFuture<any Channel>?
        var waiting: [UInt64: Completion] = [:]
        var closed = false
    }

    private let route: ExchangeOrderRoute
    let loop: any EventLoop
    private let state = Locked(State())

    init(route: ExchangeOrderRoute, loop: any EventLoop) {
        self.route = route
        self.loop = loop
    }

    func send(_ order: RoutedOrder, completion: @escaping Completion) {
        let (channel, closed) = state.withLock { s -> (EventLoopFuture<any Channel>?, Bool) in
            if s.closed { return (nil, true) }
            if s.channel == nil { s.channel = connect() }
            s.waiting[order.id] = completion
            return (s.channel, false)
        }
        guard let channel, !closed else { completion(.failed(reason: "the route is closed")); return }
        let bytes = route.frame(for: order)
        channel.whenComplete { [self] result in
            switch result {
            case .success(let channel):
                route.stats.withLock { $0.ordersSent &+= 1 }
                channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
                loop.scheduleTask(in: .nanoseconds(Int64(route.timeout))) { [self] in
                    guard let completion = take(order.id) else { return }
                    route.stats.withLock { $0.timeouts &+= 1 }
                    channel.close(promise: nil)
                    completion(.failed(reason: "no acknowledgement within \(route.timeout / 1_000_000) ms"))
                }
            case .failure(let error):
                take(order.id)?(.failed(reason: "cannot connect to the exchange: \(ChannelLink.describe(error))"))
            }
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let future = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AckHandler(session: self))
                }
            }
            .connect(host: route.host, port: route.port)
        future.whenComplete { [self] result in
            switch result {
            case .success: route.stats.withLock { $0.connects &+= 1 }
            case .failure:
                route.stats.withLock { $0.connectFailures &+= 1 }
                state.withLock { $0.channel = nil }
            }
        }
        return future
    }

    /// The completion of the order if it still waits. Count what happened before calling it:
    /// the caller may read the counters as soon as it is woken.
    func take(_ id: UInt64) -> Completion? {
        state.withLock { $0.waiting.removeValue(forKey: id) }
    }

    func acknowledged(_ ack: WireAck) {
        guard let completion = take(ack.clientOrderID) else {
            route.stats.withLock { $0.strayFrames &+= 1 }
            return
        }
        route.stats.withLock { $0.acks &+= 1 }
        completion(ExchangeOrderRoute.outcome(of: ack))
    }

    func stray(_ error: WireError?) {
        route.stats.withLock { st in if error != nil { st.decodeErrors &+= 1 } else { st.strayFrames &+= 1 } }
    }

    /// The connection is gone: every waiting order fails, the next one reconnects.
    func lost(_ reason: String) {
        let waiting = state.withLock { s -> [Completion] in
            s.channel = nil
            defer { s.waiting = [:] }
            return Array(s.waiting.values)
        }
        route.stats.withLock { $0.disconnects &+= 1 }
        for completion in waiting { completion(.failed(reason: reason)) }
    }

    func close() {
        let channel = state.withLock { s -> EventLoopFuture<any Channel>? in
            s.closed = true
            return s.channel
        }
        channel?.whenSuccess { $0.close(promise: nil) }
    }
}

private final class AckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let session: ChannelOrderSession
    private var decoder = FrameDecoder()

    init(session: ChannelOrderSession) { self.session = session }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        unwrapInboundIn(data).withUnsafeReadableBytes { decoder.append($0) }
        while true {
            switch decoder.next() {
            case .frame(let frame):
                if case .ack(let ack) = frame.message { session.acknowledged(ack) } else { session.stray(nil) }
            case .skipped(let error):
                session.stray(error)
            case .failed(let error):
                session.stray(error)
                context.close(promise: nil)
                return
            case .needMore:
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.lost("the exchange closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
