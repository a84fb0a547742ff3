import Locks

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Per-tick CSV rows for `--trace FILE`: the only place a run keeps per-tick data, and only
/// when asked. Rows are buffered and written in blocks; the processor and the evaluator share
/// the writer, so a row is one `processed` or one `decided` event.
///
/// Columns: `event,sequence,arrival_ns,received_ns,processed_ns,picked_ns,decided_ns,decision`
/// (monotonic nanoseconds; `picked`, `decided` and `decision` are empty on `processed` rows).
///
/// Every write is checked. The first one that fails (a full disk, a device that refuses data) is
/// kept, nothing more is written, and `close()` throws it, so a lost trace is never silent.
/// A trace to a regular file (or a new one) is written beside it, to `FILE.partial-PID`, and
/// renamed to `FILE` only when `close()` finds every row written: a failed or abandoned trace
/// leaves no half-written file. Anything else (a device, a pipe, a symbolic link) is written
/// in place.
public final class TraceWriter: Sendable {
    private struct State {
        var fd: Int32
        var buffer: [UInt8]
        var failure: WriteError?
    }

    private let state: Locked<State>
    /// The file the user named.
    public let path: String
    /// Where the rows go until `close()`: `path` itself when it is written in place.
    private let writingPath: String

    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write trace file '\(path)': \(reason)" }
    }

    /// A write, flush or rename of the trace that failed; `reason` is the system's (strerror).
    public struct WriteError: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "cannot write trace file '\(path)': \(reason)" }
    }

    /// Where a trace to the regular file `path` is written until it is complete (then renamed
    /// to `path`): what a watcher of a running trace in this process reads.
    public static func partialPath(for path: String) -> String { path + ".partial-\(getpid())" }

    public init(path: String) throws(OpenError) {
        var info = stat()
        let inPlace = lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG
        let writingPath = inPlace ? path : Self.partialPath(for: path)
        let fd = open(writingPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.writingPath = writingPath
        state = Locked(State(fd: fd, buffer: [], failure: nil))
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
            guard state.failure == nil else { return }
            state.buffer.append(contentsOf: line.utf8)
            if state.buffer.count >= 1 << 16 { flush(&state) }
        }
    }

    /// The first write that failed so far, nil while every row has been written.
    public var failure: WriteError? { state.withLock { $0.failure } }

    /// Writes what is buffered, closes the file and (for a regular file) puts it in place.
    /// Throws the first write that failed, during the run or now; the partial file is then
    /// removed. A second call does nothing.
    public func close() throws(WriteError) {
        let failure: WriteError? = state.withLock { state in
            guard state.fd >= 0 else { return nil }
            flush(&state)
            if state.failure == nil, writingPath != path, fsync(state.fd) != 0 { fail(&state) }
            if Glibc.close(state.fd) != 0, state.failure == nil { fail(&state) }
            state.fd = -1
            if state.failure == nil, writingPath != path, rename(writingPath, path) != 0 { fail(&state) }
            if state.failure != nil, writingPath != path { unlink(writingPath) }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// Closes the file without putting it in place (a run that failed has no trace worth
    /// keeping). Does nothing after `close()`.
    public func discard() {
        state.withLock { state in
            guard state.fd >= 0 else { return }
            _ = Glibc.close(state.fd)
            state.fd = -1
            state.buffer.removeAll()
            if writingPath != path { unlink(writingPath) }
        }
    }

    private func fail(_ state: inout State) {
        state.failure = WriteError(path: path, reason: String(cString: strerror(errno)))
    }

    private func flush(_ state: inout State) {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard state.fd >= 0, state.failure == nil else { return }
        let failed: Bool = state.buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(state.fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return true }
                if n == 0 { errno = EIO; return true }
                offset += n
            }
            return false
        }
        if failed { fail(&state) }
    }
}
