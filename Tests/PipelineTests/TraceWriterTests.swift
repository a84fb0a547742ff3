import Foundation
import Testing

@testable import Pipeline

@Suite("Trace writer")
struct TraceWriterTests {
    static let header = "event,sequence,arrival_ns,received_ns,processed_ns,picked_ns,decided_ns,decision\n"

    static func state(_ sequence: UInt64) -> BookState {
        BookState(
            sequence: sequence, arrival: 10, received: 20, processed: 30, bestBid: .init(price: 99, size: 1),
            bestAsk: .init(price: 101, size: 1), imbalance: 0, workResult: 0)
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "/ticklab-trace-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(
        "a trace that cannot be written (a full device) fails loudly at close, naming the file and the reason",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func fullDevice() throws {
        let trace = try TraceWriter(path: "/dev/full")
        // More than one block, so that writes fail during the run as well as at the close.
        for sequence: UInt64 in 1...5_000 { trace.processed(Self.state(sequence)) }
        #expect(trace.failure == TraceWriter.WriteError(path: "/dev/full", reason: String(cString: strerror(ENOSPC))))
        #expect(throws: TraceWriter.WriteError(path: "/dev/full", reason: String(cString: strerror(ENOSPC)))) {
            try trace.close()
        }
        #expect(trace.failure?.description == "cannot write trace file '/dev/full': No space left on device")
        try trace.close()  // a second close does nothing
    }

    @Test("a trace file appears only when complete, whole, with no partial file beside it")
    func regularFile() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trace.csv"
        let trace = try TraceWriter(path: path)
        trace.processed(Self.state(1))
        trace.decided(Self.state(1), picked: 40, decided: 50, decision: .hold)
        #expect(!FileManager.default.fileExists(atPath: path), "the rows go to a partial file until the close")
        try trace.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == Self.header + "processed,1,10,20,30,,,\n" + "decided,1,10,20,30,40,50,\(Decision.hold)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["trace.csv"])
    }

    @Test("a discarded trace leaves nothing, and an existing file as it was")
    func discarded() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trace.csv"
        try "earlier\n".write(toFile: path, atomically: false, encoding: .utf8)
        let trace = try TraceWriter(path: path)
        trace.processed(Self.state(1))
        trace.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "earlier\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["trace.csv"])
    }

    @Test("a trace that cannot be opened says why")
    func cannotOpen() {
        #expect(throws: TraceWriter.OpenError.self) { try TraceWriter(path: "/nonexistent-directory/trace.csv") }
    }
}
