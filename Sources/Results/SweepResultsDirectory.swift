import Foundation

/// The files of one sweep, and the only code that writes them.
///
/// Every file stays valid whenever the sweep stops, even by `kill -9`: `results.jsonl` grows by
/// whole lines, each written with one `write` and flushed to disk before the next cell starts;
/// the other files are replaced whole (written beside, then renamed over). A line cut short by
/// a crash mid-write is the only damage possible; loading skips it and resuming cuts it off.
///
/// Every write is checked: one that fails (a full disk, say) throws a `FileError` of kind
/// `.write` naming the file and the system's reason, and leaves no damage behind: an append
/// that failed part-way is cut back off, a replacement that failed leaves the old file and no
/// temporary one.
public struct SweepResultsDirectory: Sendable {
    public let path: String
    /// How bytes reach the files; tests pass one that fails as a full disk would.
    public let writing: FileWriting

    public init(path: String, writing: FileWriting = .system) {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        self.writing = writing
    }

    public var resultsPath: String { path + "/results.jsonl" }
    public var csvPath: String { path + "/results.csv" }
    public var machinePath: String { path + "/machine.json" }
    public var reportPath: String { path + "/report.html" }

    /// A file operation that failed, with the path and the system's reason.
    public struct FileError: Error, CustomStringConvertible {
        public enum Kind: Sendable, Hashable {
            /// Something could not be written, created or replaced: the command exits 74.
            case write
            /// Something could not be read.
            case read
            /// Anything else (a program that cannot start, a record that cannot be encoded).
            case other
        }

        public var description: String
        public var kind: Kind

        public init(description: String, kind: Kind = .other) {
            self.description = description
            self.kind = kind
        }

        static func write(_ path: String, _ reason: String) -> FileError {
            FileError(description: "cannot write '\(path)': \(reason)", kind: .write)
        }
    }

    /// `results/20260125-143000` for the local time `date`.
    public static func defaultPath(for date: Date = Date(), under parent: String = "results") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return parent + "/" + formatter.string(from: date)
    }

    /// The newest sweep directory under `parent` (names sort by time), nil when there is none.
    public static func newest(under parent: String = "results") -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return nil }
        return names.sorted().reversed().map { parent + "/" + $0 }.first {
            FileManager.default.fileExists(atPath: $0 + "/results.jsonl")
        }
    }

    public var hasResults: Bool { FileManager.default.fileExists(atPath: resultsPath) }

    public func create() throws(FileError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError(description: "cannot create the directory '\(path)': \(Self.reason(error))", kind: .write)
        }
    }

    /// What `results.jsonl` holds: the records it could read, in file order, and one sentence
    /// per line it could not.
    public struct Contents: Sendable {
        public var records: [SweepRecord]
        public var problems: [String]
    }

    /// Reads `results.jsonl`; a missing file is an empty sweep.
    public func load() throws(FileError) -> Contents {
        guard hasResults else { return Contents(records: [], problems: []) }
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: resultsPath)), as: UTF8.self)
        } catch {
            throw FileError(description: "cannot read '\(resultsPath)': \(Self.reason(error))", kind: .read)
        }
        return Self.parse(text, name: resultsPath)
    }

    /// Parses the text of a results file (`name` is used in the problems).
    public static func parse(_ text: String, name: String = "results.jsonl") -> Contents {
        var records: [SweepRecord] = []
        var problems: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            let isLast = offset == lines.count - 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            do {
                records.append(try SweepRecord.decode(line))
            } catch {
                problems.append(
                    isLast
                        ? "\(name) line \(offset + 1) is incomplete (the sweep stopped while writing it) and is ignored"
                        : "\(name) line \(offset + 1) is ignored: \(error.reason)")
            }
        }
        return Contents(records: records, problems: problems)
    }

    /// Cuts a last line that has no newline (a write cut short), so that the next record
    /// starts on a line of its own. Returns whether anything was cut.
    @discardableResult
    public func repairTail() throws(FileError) -> Bool {
        guard hasResults else { return false }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: resultsPath))
        } catch {
            throw FileError(description: "cannot read '\(resultsPath)': \(Self.reason(error))", kind: .read)
        }
        guard let last = data.last, last != UInt8(ascii: "\n") else { return false }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard truncate(resultsPath, off_t(keep)) == 0 else {
            throw FileError(
                description: "cannot repair '\(resultsPath)': \(String(cString: strerror(errno)))", kind: .write)
        }
        return true
    }

    /// Appends one record as one line, flushed to disk before it returns. When the line cannot
    /// be written whole, what was written of it is cut off again, so the file still ends with a
    /// whole line.
    public func append(_ record: SweepRecord) throws(FileError) {
        let line: String
        do {
            line = try record.jsonLine() + "\n"
        } catch {
            throw FileError(description: "cannot encode a record: \(error)")
        }
        let fd = open(resultsPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.write(resultsPath, String(cString: strerror(errno))) }
        var closed = false
        defer { if !closed { close(fd) } }
        let sizeBefore = lseek(fd, 0, SEEK_END)
        do throws(FileError) {
            try Self.writeAll(fd, Array(line.utf8), path: resultsPath, writing: writing)
            guard fsync(fd) == 0 else { throw FileError.write(resultsPath, String(cString: strerror(errno))) }
        } catch {
            if sizeBefore >= 0 { _ = ftruncate(fd, sizeBefore) }
            throw error
        }
        closed = true
        guard close(fd) == 0 else { throw FileError.write(resultsPath, String(cString: strerror(errno))) }
    }

    /// Replaces the file at `path` with `text` in one step: readers see the old file or the
    /// new one, never half of it. The text goes to `path.partial-PID` beside it first, which is
    /// renamed over `path` once written and flushed, and removed when anything fails. A `path`
    /// that exists and is not a regular file (a device such as /dev/stdout, a pipe, a symbolic
    /// link) is written in place instead, since renaming over it would replace it.
    public static func writeAtomically(_ text: String, to path: String, using writing: FileWriting = .system)
        throws(FileError)
    {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { throw FileError.write(path, String(cString: strerror(errno))) }
            do {
                try writeAll(fd, Array(text.utf8), path: path, writing: writing)
            } catch {
                close(fd)
                throw error
            }
            guard close(fd) == 0 else { throw FileError.write(path, String(cString: strerror(errno))) }
            return
        }
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.write(path, String(cString: strerror(errno))) }
        do throws(FileError) {
            try writeAll(fd, Array(text.utf8), path: path, writing: writing)
            guard fsync(fd) == 0 else { throw FileError.write(path, String(cString: strerror(errno))) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError.write(path, reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError(description: "cannot replace '\(path)': \(reason)", kind: .write)
        }
    }

    /// Writes all of `bytes`; `path` names the file in the error.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, writing: FileWriting) throws(FileError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { writing.write(fd, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FileError.write(path, String(cString: strerror(errno))) }
            // write(2) returns 0 for a non-empty buffer only when nothing can be written.
            if n == 0 { throw FileError.write(path, String(cString: strerror(EIO))) }
            offset += n
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// The one system call the results files are written with, so that tests can act out a disk
/// that fills up. `write` has the contract of write(2): bytes written, or -1 with `errno` set.
public struct FileWriting: Sendable {
    public var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    public init(write: @escaping @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int) {
        self.write = write
    }

    public static let system = FileWriting { fd, bytes in
        bytes.isEmpty ? 0 : Foundation.write(fd, bytes.baseAddress!, bytes.count)
    }
}
