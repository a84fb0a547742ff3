import Clocks
import Dispatch
import Locks
import MarketData
import NIOCore
import NIOPosix
import Pipeline
import Wire

/// "Data or deadline" for a feed read by a NIO channel: the channel rings it when bytes arrive
/// or the connection changes, and a waiting receiver (a continuation, a callback, a blocked
/// thread) is woken by the first ring or by a timer on the channel's loop at its deadline.
///
/// A ring with nobody waiting is remembered, so a wake-up between a poll and the next wait is
/// never lost (at worst the receiver polls once for nothing).
final class Doorbell: FeedReadiness {
    private struct Waiter {
        var token: UInt64
        var wake: @Sendable () -> Void
        var timer: Scheduled<Void>?
    }

    private struct State {
        var rung = false
        var waiter: Waiter?
        var tokens: UInt64 = 0
    }

    private let state = Locked(State())
    /// Whose timers the deadlines use: on the event-loop model, the model's own loop.
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    /// Wakes the waiter, or remembers the ring for the next one.
    func ring() {
        let waiter = state.withLock { s -> Waiter? in
            guard let waiter = s.waiter else { s.rung = true; return nil }
            s.waiter = nil
            return waiter
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.wake()
    }

    func notify(until deadline: UInt64, _ wake: @escaping @Sendable () -> Void) -> Bool {
        let token = state.withLock { s -> UInt64? in
            if s.rung { s.rung = false; return nil }
            s.tokens &+= 1
            s.waiter = Waiter(token: s.tokens, wake: wake, timer: nil)
            return s.tokens
        }
        guard let token else { wake(); return true }
        let now = MonotonicClock.now()
        guard deadline > now else { fire(token); return true }
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(min(deadline - now, UInt64(Int64.max))))) { [self] in
            fire(token)
        }
        let stillWaiting = state.withLock { s -> Bool in
            guard s.waiter?.token == token else { return false }
            s.waiter!.timer = timer
            return true
        }
        if !stillWaiting { timer.cancel() }
        return true
    }

    func wait(until deadline: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            _ = notify(until: deadline) { continuation.resume() }
        }
    }

    func waitBlocking(until deadline: UInt64) {
        let semaphore = DispatchSemaphore(value: 0)
        _ = notify(until: deadline) { semaphore.signal() }
        semaphore.wait()
    }

    private func fire(_ token: UInt64) {
        let waiter = state.withLock { s -> Waiter? in
            guard s.waiter?.token == token else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.wake()
    }
}

/// A TCP connection read by a NIO channel on a given event loop: the transport of a feed whose
/// receiver is a task on that loop (the event-loop model), or that must not block its executor.
///
/// The channel's handler appends bytes to an inbox and rings the doorbell; the feed takes the
/// bytes when it polls. Reading is paused while the inbox holds more than 1 MiB, so a late
/// receiver leaves its backlog in the socket (and the exchange), as a blocking reader would.
final class ChannelLink: Sendable {
    private struct Inbox {
        var bytes: [UInt8] = []
        var phase: LinkPhase = .connecting
        var channel: (any Channel)?
        var readPaused = false
        var closeRequested = false
    }

    static let inboxHighWater = 1 << 20

    private let inbox = Locked(Inbox())
    private let doorbell: Doorbell

    private init(doorbell: Doorbell) { self.doorbell = doorbell }

    /// Starts connecting on `loop`.
    static func connect(host: String, port: Int, on loop: any EventLoop, doorbell: Doorbell, timeout: UInt64)
        -> ChannelLink
    {
        let link = ChannelLink(doorbell: doorbell)
        link.settle(bootstrap(link, on: loop, timeout: timeout).connect(host: host, port: port))
        return link
    }

    /// Takes over a socket that is already connected.
    static func adopt(_ descriptor: Int32, on loop: any EventLoop, doorbell: Doorbell) -> ChannelLink {
        let link = ChannelLink(doorbell: doorbell)
        link.settle(bootstrap(link, on: loop, timeout: 1_000_000_000).withConnectedSocket(descriptor))
        return link
    }

    private static func bootstrap(_ link: ChannelLink, on loop: any EventLoop, timeout: UInt64) -> ClientBootstrap {
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .connectTimeout(.nanoseconds(Int64(timeout)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(link: link))
                }
            }
    }

    private func settle(_ future: EventLoopFuture<any Channel>) {
        future.whenComplete { [self] result in
            switch result {
            case .success(let channel):
                let close = inbox.withLock { s -> Bool in
                    s.channel = channel
                    return s.closeRequested
                }
                if close { channel.close(promise: nil) }
            case .failure(let error):
                closed(Self.describe(error))
            }
        }
    }

    var phase: LinkPhase { inbox.withLock { $0.phase } }

    /// Moves the inbox, at most `limit` bytes, into `decoder`; the count moved.
    func read(into decoder: inout FrameDecoder, limit: Int) -> Int {
        let (count, resume) = inbox.withLock { s -> (Int, (any Channel)?) in
            let count = min(limit, s.bytes.count)
            guard count > 0 else { return (0, nil) }
            s.bytes.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            s.bytes.removeFirst(count)
            guard s.readPaused, s.bytes.count < Self.inboxHighWater / 2 else { return (count, nil) }
            s.readPaused = false
            return (count, s.channel)
        }
        if let resume { resume.eventLoop.execute { resume.read() } }
        return count
    }

    func send(_ bytes: [UInt8]) {
        guard let channel = inbox.withLock({ $0.phase == .open ? $0.channel : nil }) else { return }
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
    }

    func close() {
        let channel = inbox.withLock { s -> (any Channel)? in
            s.closeRequested = true
            if s.phase != .open && s.phase != .connecting { return nil }
            s.phase = .closed("closed by the client")
            return s.channel
        }
        channel?.close(promise: nil)
    }

    // MARK: from the handler, on the channel's loop

    /// The channel is active: it may be before the bootstrap's future has handed it over, so
    /// the handler hands it over too.
    fileprivate func opened(_ channel: any Channel) {
        let close = inbox.withLock { s -> Bool in
            s.channel = channel
            if s.phase == .connecting { s.phase = .open }
            return s.closeRequested
        }
        if close { channel.close(promise: nil) }
        doorbell.ring()
    }

    /// Appends bytes; false when reading should pause.
    fileprivate func received(_ buffer: ByteBuffer) -> Bool {
        inbox.withLock { s in
            s.bytes.append(contentsOf: buffer.readableBytesView)
            if s.bytes.count >= Self.inboxHighWater { s.readPaused = true }
            return !s.readPaused
        }
    }

    fileprivate func readComplete() { doorbell.ring() }

    fileprivate func closed(_ reason: String) {
        inbox.withLock { s in
            if case .closed = s.phase { return }
            s.phase = .closed(reason)
        }
        doorbell.ring()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connection timed out" }
        return String(describing: error)
    }
}

/// Feeds a ``ChannelLink``'s inbox; lives on the channel's loop.
private final class InboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let link: ChannelLink
    private var reading = true

    init(link: ChannelLink) { self.link = link }

    func channelActive(context: ChannelHandlerContext) {
        link.opened(context.channel)
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = link.received(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        link.readComplete()
        if reading { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        link.closed("the exchange closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        link.closed(ChannelLink.describe(error))
        context.close(promise: nil)
    }
}
