import Clocks
import Exchange
import Foundation
import Glibc
import Wire

/// An exchange on a free loopback port, fast enough for short runs; stopped by `body`'s end.
@discardableResult
public func withExchange<T: Sendable>(
    rate: Double = 2_000, seed: UInt64 = 11, heartbeatMs: Double = 20, ackDelayMs: Double = 0,
    _ body: (ExchangeServer) async throws -> T
) async throws -> T {
    let server = try ExchangeServer.start(
        ExchangeServer.Configuration(
            port: 0, rate: rate, seed: seed, heartbeatInterval: .nanoseconds(UInt64(heartbeatMs * 1e6)),
            ackDelay: .nanoseconds(UInt64(ackDelayMs * 1e6))))
    do {
        let result = try await body(server)
        try await offPool { server.stop() }
        return result
    } catch {
        try await offPool { server.stop() }
        throw error
    }
}

/// A plain blocking client for the exchange: what a test needs to look at the raw protocol.
public final class RawClient: @unchecked Sendable {
    // @unchecked Sendable: used by one test at a time, from one thread at a time (each call is
    // made from the test's own thread and returns before the next).
    private let fd: Int32
    private var decoder = FrameDecoder()
    private var sent: UInt64 = 0

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { close(fd); throw ClientError(message: "connect: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    public struct ClientError: Error { var message: String }

    public func send(_ message: WireMessage) throws {
        sent += 1
        try sendRaw(FrameEncoder.encode(WireFrame(sequence: sent, sendTime: MonotonicClock.now(), message: message)))
    }

    public func sendRaw(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw ClientError(message: "short send") }
    }

    /// The next frame, waiting up to `timeout` seconds; nil at the end of the stream or timeout.
    public func next(timeout: Double = 2) -> DecodeStep? {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while true {
            let step = decoder.next()
            if step != .needMore { return step }
            let now = MonotonicClock.now()
            guard now < deadline else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32((deadline - now) / 1_000_000 + 1)) > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { return nil }
            decoder.append(Array(buffer[..<n]))
        }
    }

    /// The next frame that is not a heartbeat (or any frame, if `skippingHeartbeats` is false);
    /// nil when the connection ended or nothing came for `timeout` seconds (a bound against a hang,
    /// generous because a busy machine may hold the exchange's thread for seconds).
    public func nextFrame(skippingHeartbeats: Bool = true, timeout: Double = 60) -> WireFrame? {
        while let step = next(timeout: timeout) {
            guard case .frame(let frame) = step else { return nil }
            if skippingHeartbeats, case .heartbeat = frame.message { continue }
            return frame
        }
        return nil
    }

    /// True when the exchange has closed the connection (within `timeout` seconds, a bound against a
    /// hang), after any frames still on the way.
    public func isClosed(timeout: Double = 60) -> Bool {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while MonotonicClock.now() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { return true }
        }
        return false
    }
}
