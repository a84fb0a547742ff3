import Clocks
import Glibc
import Locks
import MarketData
import Pipeline
import Wire

/// Where a connection is in its life.
enum LinkPhase: Sendable, Equatable {
    case connecting
    case open
    /// Closed by either side; the reason is for the report.
    case closed(String)
}

/// A TCP connection on a non-blocking POSIX socket, for a stage that owns its thread
/// (``Pipeline/StageHost/thread``): it connects without blocking, reads what is there when the
/// stage polls, and the stage waits for it in `poll(2)`.
///
/// Only the owning stage's thread uses a link; the lock makes that visible to the compiler and
/// to ThreadSanitizer at no cost (it is never contended). The lock is the project's ``Locked``
/// (a pthread mutex): ThreadSanitizer does not see `Synchronization.Mutex` on Linux (Swift
/// 6.3.1), and reports every access under it as a race.
final class SocketLink: Sendable {
    private struct State {
        var fd: Int32
        var phase: LinkPhase
        var scratch = [UInt8](repeating: 0, count: 64 * 1_024)
    }

    private let state: Locked<State>

    private init(fd: Int32, phase: LinkPhase) {
        state = Locked(State(fd: fd, phase: phase))
    }

    deinit {
        state.withLock { s in
            if s.fd >= 0 { _ = systemClose(s.fd) }
        }
    }

    /// Starts connecting to `host:port` without blocking; a failure to resolve or to start is a
    /// link born closed, with the reason.
    static func connect(host: String, port: Int) -> SocketLink {
        switch startConnect(host: host, port: port) {
        case .success(let (fd, done)): SocketLink(fd: fd, phase: done ? .open : .connecting)
        case .failure(let failure): SocketLink(fd: -1, phase: .closed(failure.reason))
        }
    }

    /// Connects, waiting at most `timeout` ns: the first connection of a run, whose failure is
    /// an error for the user rather than a reason to retry.
    static func connectWaiting(host: String, port: Int, timeout: UInt64) -> Result<SocketLink, ConnectFailure> {
        let link = connect(host: host, port: port)
        let deadline = MonotonicClock.now() &+ timeout
        while true {
            switch link.progress() {
            case .open: return .success(link)
            case .closed(let reason): return .failure(ConnectFailure(reason: reason))
            case .connecting:
                if MonotonicClock.now() >= deadline {
                    link.close()
                    return .failure(ConnectFailure(reason: "no answer within \(timeout / 1_000_000) ms"))
                }
                link.waitReady(until: deadline)
            }
        }
    }

    struct ConnectFailure: Error {
        var reason: String
    }

    /// The phase, after checking whether a pending connection has completed.
    func progress() -> LinkPhase {
        state.withLock { s in
            guard s.phase == .connecting else { return s.phase }
            var descriptor = pollfd(fd: s.fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return .connecting }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 {
                s.phase = .open
            } else {
                Self.shut(&s, String(cString: strerror(error)))
            }
            return s.phase
        }
    }

    /// Moves what the socket holds, at most `limit` bytes, into `decoder`; the count moved.
    /// End of stream or an error closes the link (see ``progress()``).
    func read(into decoder: inout FrameDecoder, limit: Int) -> Int {
        state.withLock { s in
            guard s.phase == .open else { return 0 }
            var total = 0
            while total < limit {
                let fd = s.fd
                let want = min(limit - total, s.scratch.count)
                let n = s.scratch.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, want) }
                if n > 0 {
                    s.scratch.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    total += n
                    if n < want { break }
                } else if n == 0 {
                    Self.shut(&s, "the exchange closed the connection")
                    break
                } else {
                    let code = errno
                    if code == EINTR { continue }
                    if code != EAGAIN && code != EWOULDBLOCK { Self.shut(&s, String(cString: strerror(code))) }
                    break
                }
            }
            return total
        }
    }

    /// Writes all of `bytes`, waiting up to a second for room; false (and the link closed) if
    /// the connection is gone or stuck.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        state.withLock { s in
            guard s.phase == .open else { return false }
            var offset = 0
            let deadline = MonotonicClock.now() &+ 1_000_000_000
            while offset < bytes.count {
                let fd = s.fd
                let n = bytes.withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                }
                if n > 0 { offset += n; continue }
                let code = errno
                if n < 0 && code == EINTR { continue }
                if n < 0 && (code == EAGAIN || code == EWOULDBLOCK), MonotonicClock.now() < deadline {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 10)
                    continue
                }
                Self.shut(&s, n < 0 ? String(cString: strerror(code)) : "the connection does not take data")
                return false
            }
            return true
        }
    }

    /// Blocks until the socket is readable (connected, while connecting), or `deadline`.
    func waitReady(until deadline: UInt64) {
        let (fd, events) = state.withLock { s -> (Int32, Int16) in
            (s.fd, s.phase == .connecting ? Int16(POLLOUT) : Int16(POLLIN))
        }
        let now = MonotonicClock.now()
        guard deadline > now else { return }
        guard fd >= 0 else { MonotonicClock.sleep(until: deadline); return }
        // poll(2) counts milliseconds: round up so that a wait never ends before its deadline.
        let millis = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        _ = poll(&descriptor, 1, millis)
    }

    /// Closes the socket; the phase becomes `closed` if it was not already.
    func close(reason: String = "closed by the client") {
        state.withLock { s in Self.shut(&s, reason) }
    }

    /// Hands the connected socket to someone else (a NIO channel); the link no longer owns it.
    func takeDescriptor() -> Int32? {
        state.withLock { s in
            guard s.phase == .open, s.fd >= 0 else { return nil }
            let fd = s.fd
            s.fd = -1
            s.phase = .closed("handed over")
            return fd
        }
    }

    private static func shut(_ s: inout State, _ reason: String) {
        if s.fd >= 0 { _ = systemClose(s.fd); s.fd = -1 }
        if case .closed = s.phase { return }
        s.phase = .closed(reason)
    }

    /// Resolves `host` and starts a non-blocking connect to the first address that takes it.
    private static func startConnect(host: String, port: Int) -> Result<(Int32, Bool), ConnectFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .failure(
                ConnectFailure(reason: "cannot resolve host '\(host)': \(String(cString: gai_strerror(resolved)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address for host '\(host)'"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let rc = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if rc == 0 { return .success((fd, true)) }
            let code = errno
            if code == EINPROGRESS { return .success((fd, false)) }
            lastError = String(cString: strerror(code))
            _ = systemClose(fd)
        }
        return .failure(ConnectFailure(reason: lastError))
    }
}

@inline(__always) private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Waits on the current socket of a feed whose receiver owns its thread: `poll(2)` for bytes
/// (or for the connection to complete), a plain sleep while there is no socket.
final class SocketReadiness: FeedReadiness {
    private let link = Locked<SocketLink?>(nil)

    func watch(_ socket: SocketLink?) { link.withLock { $0 = socket } }

    func waitBlocking(until deadline: UInt64) {
        if let socket = link.withLock({ $0 }) {
            socket.waitReady(until: deadline)
        } else {
            MonotonicClock.sleep(until: deadline)
        }
    }

    /// The receiver owns its thread (a task pinned to a dedicated thread): blocking it is fine.
    func wait(until deadline: UInt64) async {
        waitBlocking(until: deadline)
    }

    func notify(until deadline: UInt64, _ wake: @escaping @Sendable () -> Void) -> Bool { false }
}
