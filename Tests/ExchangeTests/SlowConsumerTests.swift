import Clocks
import Exchange
import Foundation
import Glibc
import Locks
import MarketData
import Synchronization
import TestSupport
import Testing
import Wire

/// The exchange's memory is bounded whatever its subscribers do: one that never reads is
/// dropped once the bytes waiting for it would pass its bound (or the total bound), and the
/// exchange's own count of those bytes, like the process's resident memory, stays within it.
///
/// Serialized: the resident-memory check reads the whole process, so these two must not add to
/// each other's.
@Suite("Slow consumers", .serialized)
struct SlowConsumerTests {
    /// Generous: the bound itself, plus what the rest of the test process may allocate meanwhile
    /// (other suites run beside this one, some on threads of their own; 64 MiB was once passed by
    /// 4.6 MB that way). Without a bound the non-reader is never dropped and the wait for it hangs,
    /// so this check only has to tell a bounded buffer from a runaway one.
    static let residentMargin = 256 << 20

    @Test("a subscriber that never reads is dropped at its bound; one that reads keeps receiving")
    func nonReadingSubscriberIsDroppedAtItsBound() async throws {
        let bound = 1 << 20
        let drops = Locked<[ExchangeServer.SlowConsumerDrop]>([])
        let baseline = residentBytes()
        let configuration = ExchangeServer.Configuration(
            port: 0, rate: 20_000, seed: 5, heartbeatInterval: .milliseconds(20),
            maxSubscriberBufferedBytes: bound, maxTotalBufferedBytes: 64 << 20)
        try await withBoundedExchange(configuration, log: { drop in drops.withLock { $0.append(drop) } }) { server in
            let reader = ContiguousReader(try RawClient(port: server.port))
            defer { reader.stop() }
            try await offPool {
                try waitUntil("the reading subscriber's first deltas", timeout: 60) {
                    reader.deltas.load(ordering: .relaxed) > 100
                }
            }
            // Connected while the market streams: the exchange must still accept and read it.
            let idle = try RawClient(port: server.port)
            try idle.send(.subscribe(.initial))

            let peakResident = try await offPool {
                try waitSampling("the non-reading subscriber to be dropped", on: server) {
                    server.statistics.slowConsumersDropped >= 1
                }
            }
            let atDrop = server.statistics
            #expect(atDrop.slowConsumersDropped == 1)
            #expect(atDrop.droppedOverSubscriberBound == 1)
            #expect(atDrop.droppedOverTotalBound == 0)
            // The exchange's own count: never past the bound, and it did reach most of it (it
            // counts what waits, not nothing).
            #expect(atDrop.peakConnectionBufferedBytes <= bound)
            #expect(atDrop.peakConnectionBufferedBytes > bound / 2)
            #expect(
                peakResident - baseline <= bound + Self.residentMargin,
                "resident memory grew by \(ByteCount(peakResident - baseline))")
            let logged = drops.withLock { $0 }
            #expect(logged.count == 1)
            #expect(logged.first?.bound == .subscriber)
            #expect(logged.first.map { $0.connectionBytes <= bound && $0.limit == bound } == true)
            #expect(logged.first?.description.contains("127.0.0.1:") == true)

            // The reader was not dropped and keeps receiving, in sequence.
            let receivedAtDrop = reader.deltas.load(ordering: .relaxed)
            try await offPool {
                try waitUntil("the reading subscriber's deltas after the drop", timeout: 60) {
                    reader.deltas.load(ordering: .relaxed) >= receivedAtDrop + 5_000
                        || reader.failed.load(ordering: .relaxed) != 0
                }
            }
            #expect(reader.failed.load(ordering: .relaxed) == 0, "the reader saw a gap (1) or lost its connection (2)")
            let after = server.statistics
            #expect(after.slowConsumersDropped == 1)
            #expect(after.subscribers == 1)
            withExtendedLifetime(idle) {}
        }
    }

    @Test("past the total bound the subscriber holding the most is dropped, and the bytes held come back to zero")
    func totalBoundDropsTheFurthestBehind() async throws {
        // The total below the per-subscriber bound: every drop here is the total's.
        let total = 1 << 20
        let baseline = residentBytes()
        let configuration = ExchangeServer.Configuration(
            port: 0, rate: 20_000, seed: 6, heartbeatInterval: .milliseconds(20),
            maxSubscriberBufferedBytes: 4 << 20, maxTotalBufferedBytes: total)
        try await withBoundedExchange(configuration) { server in
            let idle = try (0..<3).map { _ in try RawClient(port: server.port) }
            try await offPool { try waitUntil("three connections", timeout: 60) { server.statistics.connections == 3 } }
            for client in idle { try client.send(.subscribe(.initial)) }

            let peakResident = try await offPool {
                try waitSampling("three non-reading subscribers to be dropped", on: server) {
                    server.statistics.slowConsumersDropped >= 3
                }
            }
            try await offPool {
                try waitUntil("the dropped subscribers' bytes to be released", timeout: 60) {
                    server.statistics.bufferedBytes == 0
                }
            }
            let statistics = server.statistics
            #expect(statistics.droppedOverTotalBound == 3)
            #expect(statistics.droppedOverSubscriberBound == 0)
            #expect(statistics.peakBufferedBytes <= total)
            #expect(statistics.peakBufferedBytes > total / 2)
            #expect(statistics.subscribers == 0)
            #expect(
                peakResident - baseline <= total + Self.residentMargin,
                "resident memory grew by \(ByteCount(peakResident - baseline))")
            withExtendedLifetime(idle) {}
        }
    }
}

/// An exchange started with `configuration`, stopped (off the cooperative pool) when `body` ends.
private func withBoundedExchange(
    _ configuration: ExchangeServer.Configuration,
    log: (@Sendable (ExchangeServer.SlowConsumerDrop) -> Void)? = nil,
    _ body: (ExchangeServer) async throws -> Void
) async throws {
    let server = try ExchangeServer.start(configuration, log: log)
    do {
        try await body(server)
    } catch {
        try await offPool { server.stop() }
        throw error
    }
    try await offPool { server.stop() }
}

/// Waits (bounded only against a hang, 60 s) for `condition`, sampling the process's resident
/// memory every 2 ms; returns the most it saw. A hang names the exchange's statistics.
private func waitSampling(_ what: String, on server: ExchangeServer, _ condition: () -> Bool) throws -> Int {
    var peak = residentBytes()
    do {
        try waitUntil(what, timeout: 60) {
            peak = max(peak, residentBytes())
            return condition()
        }
    } catch {
        throw TimedOut(what: "\(what) (exchange: \(server.statistics))")
    }
    return max(peak, residentBytes())
}

/// VmRSS of this process, in bytes, from /proc/self/status.
private func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1_024
}

/// A subscriber that reads everything on a thread of its own and checks that deltas arrive in
/// sequence, without a gap.
private final class ContiguousReader: Sendable {
    let deltas = Atomic<UInt64>(0)
    /// 0 while all is well, 1 after a gap, 2 when the connection ended or fell silent.
    let failed = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    init(_ client: RawClient) {
        Thread { [self] in
            do { try client.send(.subscribe(.initial)) } catch { failed.store(2, ordering: .relaxed); return }
            var last: UInt64?
            while !stopping.load(ordering: .relaxed) {
                // A generous silence bound: heartbeats come every 20 ms.
                guard let frame = client.nextFrame(timeout: 30) else {
                    if !stopping.load(ordering: .relaxed) { failed.store(2, ordering: .relaxed) }
                    return
                }
                switch frame.message {
                case .snapshot: last = frame.sequence
                case .delta:
                    if let previous = last, frame.sequence != previous + 1 { failed.store(1, ordering: .relaxed) }
                    last = frame.sequence
                    deltas.add(1, ordering: .relaxed)
                default: break
                }
            }
        }.start()
    }

    func stop() { stopping.store(true, ordering: .relaxed) }
}
