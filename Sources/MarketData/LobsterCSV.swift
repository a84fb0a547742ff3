#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Streaming readers for LOBSTER message and orderbook files. A day of a liquid stock is
// hundreds of thousands of rows (an orderbook row of 10 levels is 40 numbers), so rows are
// parsed straight from a reused byte buffer: no strings, no arrays of lines. Standard library
// and libc only (see LobsterMessage.swift).

/// Bad LOBSTER input: the file and, for a bad row, its line number (1-based) and what is wrong.
public struct LobsterInputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// nil for errors about the whole file (it does not exist, it cannot be read, …).
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int?, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { "\(path), line \(line): \(reason)" } else { "\(path): \(reason)" }
    }
}

/// Parsing of single rows: the rules of the LOBSTER format, independent of where bytes come from.
public enum LobsterCSV {
    /// What is wrong with one row (the reader adds the file and line).
    public struct RowError: Error, Sendable, Hashable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// The longest row accepted: a 200-level orderbook row is about 9 KB.
    public static let maximumLineLength = 1 << 20

    static let messageColumns = ["time", "type", "order id", "size", "price", "direction"]

    /// Parses one message-file row: `time,type,order id,size,price,direction`.
    public static func parseMessage(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) -> LobsterMessage {
        var fields = FieldCursor(line)
        var raw: (time: Int64, type: Int64, id: Int64, size: Int64, price: Int64, direction: Int64) = (0, 0, 0, 0, 0, 0)
        for column in 0..<6 {
            guard let field = fields.next() else {
                throw RowError("expected 6 columns (time, type, order id, size, price, direction), found \(column)")
            }
            if column == 0 {
                guard let time = parseTime(field) else {
                    throw RowError(
                        "column 1 (time) is \(quoted(field)): expected seconds after midnight such as 34200.004241176")
                }
                raw.time = time
                continue
            }
            guard let value = parseInteger(field) else {
                throw RowError(
                    "column \(column + 1) (\(messageColumns[column])) is \(quoted(field)): expected an integer")
            }
            switch column {
            case 1: raw.type = value
            case 2: raw.id = value
            case 3: raw.size = value
            case 4: raw.price = value
            default: raw.direction = value
            }
        }
        if fields.next() != nil {
            let found = 6 + 1 + fields.remainingFieldCount()
            throw RowError(
                "expected 6 columns (time, type, order id, size, price, direction), found \(found)"
                    + (found % 4 == 0 ? " (is this an orderbook file?)" : ""))
        }
        guard (1...7).contains(raw.type), let type = LobsterEventType(rawValue: UInt8(raw.type)) else {
            throw RowError(
                "unknown event type \(raw.type): LOBSTER types are 1 (submission), 2 (cancellation), "
                    + "3 (deletion), 4 (visible execution), 5 (hidden execution), 6 (cross trade), 7 (trading halt)")
        }
        guard raw.direction == 1 || raw.direction == -1 else {
            throw RowError("direction is \(raw.direction): expected 1 (buy limit order) or -1 (sell limit order)")
        }
        switch type {
        case .submission, .cancellation, .deletion, .visibleExecution, .hiddenExecution:
            guard raw.size > 0 else { throw RowError("a \(type) needs a positive size, got \(raw.size)") }
            guard raw.price > 0 else { throw RowError("a \(type) needs a positive price, got \(raw.price)") }
        case .crossTrade:
            guard raw.size >= 0 else { throw RowError("a \(type) needs a size of 0 or more, got \(raw.size)") }
            guard raw.price >= 0 else { throw RowError("a \(type) needs a price of 0 or more, got \(raw.price)") }
        case .tradingHalt:
            guard LobsterHaltState(rawValue: raw.price) != nil else {
                throw RowError(
                    "a \(type) carries -1 (halt), 0 (quoting resumes) or 1 (trading resumes) "
                        + "in the price column, got \(raw.price)")
            }
        }
        return LobsterMessage(
            time: raw.time, type: type, orderID: raw.id, size: raw.size, price: raw.price,
            isBuy: raw.direction == 1)
    }

    /// Parses one orderbook-file row into `row`, reusing its storage.
    ///
    /// - Parameter levels: levels per side the file has (every row must have `4 × levels`
    ///   columns); nil for the first row, which decides it.
    public static func parseOrderBookRow(
        _ line: UnsafeBufferPointer<UInt8>, levels: Int?,
        into row: inout LobsterOrderBookRow
    ) throws(RowError) {
        row.asks.removeAll(keepingCapacity: true)
        row.bids.removeAll(keepingCapacity: true)
        var fields = FieldCursor(line)
        var column = 0
        var pending: (askPrice: Int64, askSize: Int64, bidPrice: Int64, bidSize: Int64) = (0, 0, 0, 0)
        var askEnded = false
        var bidEnded = false
        while let field = fields.next() {
            guard let value = parseInteger(field) else {
                throw RowError(
                    "column \(column + 1) (\(orderBookColumnName(column))) is \(quoted(field)): expected an integer")
            }
            switch column % 4 {
            case 0: pending.askPrice = value
            case 1: pending.askSize = value
            case 2: pending.bidPrice = value
            default: pending.bidSize = value
            }
            column += 1
            if let levels, column > 4 * levels {
                throw RowError(
                    "expected \(4 * levels) columns (\(levels) levels × ask price, ask size, bid price, bid size) "
                        + "like the first row, found \(column + fields.remainingFieldCount())")
            }
            guard column % 4 == 0 else { continue }
            let level = column / 4
            try checkLevel(
                bid: false, level: level, price: pending.askPrice, size: pending.askSize, ended: &askEnded,
                into: &row.asks)
            try checkLevel(
                bid: true, level: level, price: pending.bidPrice, size: pending.bidSize, ended: &bidEnded,
                into: &row.bids)
        }
        let expected = levels.map { 4 * $0 }
        if let expected, column != expected {
            throw RowError(
                "expected \(expected) columns (\(expected / 4) levels × ask price, ask size, bid price, bid size) "
                    + "like the first row, found \(column)")
        }
        if expected == nil, column == 0 || column % 4 != 0 {
            throw RowError("expected 4 columns per level (ask price, ask size, bid price, bid size), found \(column)")
        }
        row.levels = column / 4
    }

    /// Checks one level of a side and appends it when occupied.
    private static func checkLevel(
        bid: Bool, level: Int, price: Int64, size: Int64, ended: inout Bool,
        into levels: inout [LobsterLevel]
    ) throws(RowError) {
        let name = bid ? "bid" : "ask"
        let dummy = bid ? LobsterOrderBookRow.dummyBidPrice : LobsterOrderBookRow.dummyAskPrice
        if price == dummy {
            guard size == 0 else {
                throw RowError(
                    "\(name) level \(level) has the empty-level price \(dummy) but size \(size) (expected 0)")
            }
            ended = true
            return
        }
        guard !ended else {
            throw RowError("\(name) level \(level) (\(size)@\(price)) follows an empty level (\(dummy))")
        }
        guard price > 0 else {
            throw RowError(
                "\(name) level \(level) has price \(price): expected a positive price or \(dummy) for an empty level")
        }
        guard size > 0 else {
            throw RowError("\(name) level \(level) at price \(price) has size \(size): expected a positive size")
        }
        if let previous = levels.last, bid ? price >= previous.price : price <= previous.price {
            throw RowError(
                "\(name) level \(level) at price \(price) is not \(bid ? "below" : "above") level \(level - 1) at \(previous.price)"
            )
        }
        levels.append(LobsterLevel(price: price, size: size))
    }

    static func orderBookColumnName(_ column: Int) -> String {
        let names = ["ask price", "ask size", "bid price", "bid size"]
        return "\(names[column % 4]) \(column / 4 + 1)"
    }

    // MARK: - Fields

    /// Splits a row at commas; a field is trimmed of spaces and tabs.
    struct FieldCursor {
        let line: UnsafeBufferPointer<UInt8>
        var position = 0
        var done = false

        init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            guard !done else { return nil }
            var end = position
            while end < line.count, line[end] != UInt8(ascii: ",") { end += 1 }
            var first = position
            var last = end
            while first < last, line[first] == UInt8(ascii: " ") || line[first] == UInt8(ascii: "\t") { first += 1 }
            while last > first, line[last - 1] == UInt8(ascii: " ") || line[last - 1] == UInt8(ascii: "\t") {
                last -= 1
            }
            if end >= line.count { done = true } else { position = end + 1 }
            return UnsafeBufferPointer(rebasing: line[first..<last])
        }

        /// How many fields are left (for an error message).
        mutating func remainingFieldCount() -> Int {
            var count = 0
            while next() != nil { count += 1 }
            return count
        }
    }

    /// An optionally signed decimal integer that fits in 64 bits.
    @inlinable
    static func parseInteger(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < field.count, field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") {
            negative = field[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < field.count else { return nil }
        var value: Int64 = 0
        while i < field.count {
            let digit = Int64(field[i]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// Seconds after midnight with up to nine decimals (more are accepted and truncated) as
    /// nanoseconds: `34200.16334803` is 34 200 163 348 030 ns.
    @inlinable
    static func parseTime(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var seconds: Int64 = 0
        var digits = 0
        while i < field.count, field[i] != UInt8(ascii: ".") {
            let digit = Int64(field[i]) &- 48
            guard digit >= 0, digit <= 9, seconds < 100_000_000 else { return nil }
            seconds = seconds * 10 + digit
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var fraction: Int64 = 0
        var scale: Int64 = 100_000_000
        if i < field.count {
            i += 1  // the point
            guard i < field.count else { return nil }
            while i < field.count {
                let digit = Int64(field[i]) &- 48
                guard digit >= 0, digit <= 9 else { return nil }
                fraction += digit * scale
                scale /= 10
                i += 1
            }
        }
        return seconds * 1_000_000_000 + fraction
    }

    /// A field for an error message: quoted, at most 24 characters, non-printable bytes as `?`.
    static func quoted(_ field: UnsafeBufferPointer<UInt8>) -> String {
        if field.isEmpty { return "empty" }
        var text = ""
        for byte in field.prefix(24) {
            text.unicodeScalars.append(byte >= 32 && byte < 127 ? Unicode.Scalar(byte) : "?")
        }
        return "'\(text)\(field.count > 24 ? "…" : "")'"
    }
}

/// Reads a file, or bytes in memory, one line at a time from a reused buffer, and counts lines.
///
/// A copy shares the open file with the original: one reader per consumer.
public struct LobsterLineReader: Sendable {
    /// Where the bytes come from.
    enum Source: Sendable {
        case file(LobsterFileDescriptor)
        /// Bytes in memory, handed out `chunk` at a time (tests and the fuzz target use small
        /// chunks to exercise lines that straddle reads).
        case memory([UInt8], chunk: Int)
    }

    public let path: String
    private let source: Source
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var memoryOffset = 0
    private var atEndOfInput = false
    /// The line last returned (1-based); 0 before the first.
    public private(set) var lineNumber = 0
    /// A blank line is an error unless only blank lines follow it.
    private var pendingBlankLine: Int?

    /// Opens `path` for reading.
    public init(path: String) throws(LobsterInputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LobsterInputError(path: path, line: nil, reason: "cannot open it: \(Self.errorText(errno))")
        }
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw LobsterInputError(path: path, line: nil, reason: "cannot read it: it is a directory")
        }
        self.path = path
        self.source = .file(LobsterFileDescriptor(fd))
        self.buffer = [UInt8](repeating: 0, count: 1 << 16)
    }

    /// Reads `bytes` as if they were a file named `name`, `chunk` bytes per read.
    public init(bytes: [UInt8], name: String, chunk: Int = 1 << 16) {
        self.path = name
        self.source = .memory(bytes, chunk: max(1, chunk))
        self.buffer = [UInt8](repeating: 0, count: max(16, min(1 << 16, chunk)))
    }

    /// Calls `body` with the next non-blank line (without its line break) and returns what it
    /// returns, or nil at the end of the input. The bytes are valid only inside `body`.
    public mutating func nextLine<R>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(LobsterCSV.RowError) -> R
    ) throws(LobsterInputError) -> R? {
        while true {
            guard let (lineStart, lineEnd) = try nextLineRange() else {
                return nil  // blank lines at the end are fine
            }
            lineNumber += 1
            var contentEnd = lineEnd
            if contentEnd > lineStart, buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            let blank = buffer[lineStart..<contentEnd].allSatisfy {
                $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
            }
            if blank {
                if pendingBlankLine == nil { pendingBlankLine = lineNumber }
                continue
            }
            if let blankLine = pendingBlankLine {
                throw LobsterInputError(path: path, line: blankLine, reason: "the line is empty")
            }
            let result: Result<R, LobsterCSV.RowError> = buffer.withUnsafeBufferPointer { all in
                do throws(LobsterCSV.RowError) {
                    return .success(try body(UnsafeBufferPointer(rebasing: all[lineStart..<contentEnd])))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let value): return value
            case .failure(let error): throw LobsterInputError(path: path, line: lineNumber, reason: error.reason)
            }
        }
    }

    /// The next line's byte range in `buffer` (the `\n` excluded), reading more input as needed.
    private mutating func nextLineRange() throws(LobsterInputError) -> (Int, Int)? {
        var scanFrom = start
        while true {
            if let newline = buffer[scanFrom..<end].firstIndex(of: UInt8(ascii: "\n")) {
                let range = (start, newline)
                start = newline + 1
                return range
            }
            if atEndOfInput {
                guard start < end else { return nil }
                let range = (start, end)
                start = end
                return range
            }
            if end - start >= LobsterCSV.maximumLineLength {
                throw LobsterInputError(
                    path: path, line: lineNumber + 1,
                    reason: "the line is longer than \(LobsterCSV.maximumLineLength) bytes (is this a LOBSTER file?)")
            }
            scanFrom = end
            // Make room: move the partial line to the front, grow when it fills the buffer.
            if start > 0 {
                let partial = end - start
                if partial > 0 {
                    buffer.withUnsafeMutableBufferPointer { b in
                        _ = memmove(b.baseAddress!, b.baseAddress! + start, partial)
                    }
                }
                scanFrom -= start
                end = partial
                start = 0
            }
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = try read(into: end)
            if count == 0 { atEndOfInput = true } else { end += count }
        }
    }

    /// Reads into `buffer[from...]`; 0 at the end of the input.
    private mutating func read(into from: Int) throws(LobsterInputError) -> Int {
        switch source {
        case .file(let file):
            while true {
                let count = buffer.withUnsafeMutableBufferPointer { b in
                    systemRead(file.fd, b.baseAddress! + from, b.count - from)
                }
                if count >= 0 { return count }
                if errno == EINTR { continue }
                throw LobsterInputError(path: path, line: nil, reason: "cannot read it: \(Self.errorText(errno))")
            }
        case .memory(let bytes, let chunk):
            let count = min(chunk, bytes.count - memoryOffset, buffer.count - from)
            buffer.replaceSubrange(from..<(from + count), with: bytes[memoryOffset..<(memoryOffset + count)])
            memoryOffset += count
            return count
        }
    }

    static func errorText(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        case EISDIR: "it is a directory"
        default: String(cString: strerror(code))
        }
    }
}

/// read(2), named apart from ``LobsterLineReader``'s own `read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// An open file descriptor, closed when the last reader holding it is gone.
final class LobsterFileDescriptor: Sendable {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

extension LobsterLineReader {
    /// The next message, nil at the end of the file.
    public mutating func nextMessage() throws(LobsterInputError) -> LobsterMessage? {
        try nextLine { line throws(LobsterCSV.RowError) in try LobsterCSV.parseMessage(line) }
    }

    /// Reads the next orderbook row into `row` (its level count is checked against the row's
    /// current one once set); false at the end of the file.
    public mutating func nextOrderBookRow(into row: inout LobsterOrderBookRow) throws(LobsterInputError) -> Bool {
        let levels = row.levels > 0 ? row.levels : nil
        let found: Void? = try nextLine { line throws(LobsterCSV.RowError) in
            try LobsterCSV.parseOrderBookRow(line, levels: levels, into: &row)
        }
        return found != nil
    }
}
