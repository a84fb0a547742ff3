import Dispatch
import Foundation
import OrderBook
import Testing

@testable import Pipeline

@Suite("Trace writer rows")
struct TraceWriterRowTests {
    private static func path(_ name: String) -> String {
        NSTemporaryDirectory() + "ticklab-trace-\(UUID().uuidString)-\(name).csv"
    }

    private static func state(_ sequence: UInt64) -> BookState {
        BookState(
            sequence: sequence, arrival: sequence * 10, received: sequence * 10 + 1, processed: sequence * 10 + 2,
            bestBid: PriceLevel(price: 1, size: 1), bestAsk: PriceLevel(price: 2, size: 1), imbalance: 0, workResult: 0)
    }

    private static let header = "event,sequence,arrival_ns,received_ns,processed_ns,picked_ns,decided_ns,decision"

    @Test("rows are written under the header, processed rows with their decision columns empty")
    func rows() throws {
        let file = Self.path("rows")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = try TraceWriter(path: file)
        writer.processed(Self.state(1))
        writer.decided(Self.state(1), picked: 13, decided: 14, decision: .buy)
        try writer.close()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines == [
                Substring(Self.header),
                "processed,1,10,11,12,,,",
                "decided,1,10,11,12,13,14,buy",
                "",
            ])
    }

    @Test("more rows than one block holds are all written, in order")
    func manyBlocks() throws {
        let file = Self.path("blocks")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = try TraceWriter(path: file)
        let count: UInt64 = 5_000  // about 150 kB: several 64 KiB blocks
        for sequence in 1...count { writer.processed(Self.state(sequence)) }
        try writer.close()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == Int(count) + 1)
        let sequences = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] }
        #expect(sequences == (1...count).map { Substring(String($0)) })
    }

    @Test("rows from two threads at once are never torn")
    func twoWriters() throws {
        let file = Self.path("threads")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = try TraceWriter(path: file)
        let perThread: UInt64 = 2_000
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for i in 1...perThread {
                if thread == 0 {
                    writer.processed(Self.state(i))
                } else {
                    writer.decided(Self.state(i), picked: 1, decided: 2, decision: .hold)
                }
            }
        }
        try writer.close()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let processed = lines.filter { $0.hasPrefix("processed,") }
        let decided = lines.filter { $0.hasPrefix("decided,") }
        #expect(lines.count == 1 + 2 * Int(perThread))
        #expect(processed.count == Int(perThread) && decided.count == Int(perThread))
        #expect(processed.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 8 })
        #expect(
            decided.allSatisfy {
                $0.split(separator: ",", omittingEmptySubsequences: false).count == 8 && $0.hasSuffix(",hold")
            })
    }

    @Test("rows after close are dropped, and a second close does nothing")
    func afterClose() throws {
        let file = Self.path("closed")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = try TraceWriter(path: file)
        try writer.close()
        writer.processed(Self.state(1))
        try writer.close()
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.header + "\n")
    }

    @Test("a file that cannot be created is an error naming the path and the reason")
    func openFailure() {
        let file = NSTemporaryDirectory() + "ticklab-no-such-directory-\(UUID().uuidString)/trace.csv"
        #expect {
            _ = try TraceWriter(path: file)
        } throws: { error in
            let description = String(describing: error)
            return description.contains(file) && description.contains("No such file or directory")
        }
    }
}
