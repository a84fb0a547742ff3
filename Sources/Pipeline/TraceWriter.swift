#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Locks

/// Per-tick CSV rows for `--trace FILE`: the only place a run keeps per-tick data, and only
/// when asked. Rows are buffered and written in blocks; the processor and the evaluator share
/// the writer, so a row is one `processed` or one `decided` event.
///
/// Columns: `event,sequence,arrival_ns,received_ns,processed_ns,picked_ns,decided_ns,decision`
/// (monotonic nanoseconds; `picked`, `decided` and `decision` are empty on `processed` rows).
public final class TraceWriter: Sendable {
    private let state: Locked<(fd: Int32, buffer: [UInt8])>

    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write trace file '\(path)': \(reason)" }
    }

    public init(path: String) throws(OpenError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        state = Locked((fd, []))
        append("event,sequence,arrival_ns,received_ns,processed_ns,picked_ns,decided_ns,decision\n")
    }

    func processed(_ s: BookState) {
        append("processed,\(s.sequence),\(s.arrival),\(s.received),\(s.processed),,,\n")
    }

    func decided(_ s: BookState, picked: UInt64, decided: UInt64, decision: Decision) {
        append("decided,\(s.sequence),\(s.arrival),\(s.received),\(s.processed),\(picked),\(decided),\(decision)\n")
    }

    private func append(_ line: String) {
        state.withLock { state in
            state.buffer.append(contentsOf: line.utf8)
            if state.buffer.count >= 1 << 16 { Self.flush(&state) }
        }
    }

    /// Writes what is buffered and closes the file.
    public func close() {
        state.withLock { state in
            Self.flush(&state)
            if state.fd >= 0 { _ = Glibc.close(state.fd); state.fd = -1 }
        }
    }

    private static func flush(_ state: inout (fd: Int32, buffer: [UInt8])) {
        guard state.fd >= 0 else { state.buffer.removeAll(); return }
        state.buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(state.fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}
