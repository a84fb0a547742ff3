// libFuzzer target for the LOBSTER CSV parser (Sources/MarketData/LobsterCSV.swift and the two
// value files it parses into). Built with plain swiftc over those three files, which need only
// the standard library and libc; see Fuzz/LobsterCSV/README.md for the commands.
//
// For any input, read both as a message file and as an orderbook file, it checks that
// - reading never traps and ends in rows, then the end of the input or one error with a line;
// - reading the same bytes in pieces of any size gives exactly the same rows and error;
// - an error names a line that exists (1 … lines + 1) and a reason;
// - every row read writes back (`csvLine`) to text that reads back to the same row.

@_cdecl("LLVMFuzzerTestOneInput")
public func lobsterCSVFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Read sizes from the input itself: 1 byte up to 64 KiB.
    let chunk = size == 0 ? 1 : 1 + Int(bytes[0]) * Int(bytes[size / 2]) % (1 << 16)
    let lines = bytes.reduce(into: 1) { count, byte in if byte == UInt8(ascii: "\n") { count += 1 } }

    let messages = readMessages(bytes, chunk: 1 << 16)
    precondition(readMessages(bytes, chunk: chunk) == messages, "chunked message reading differs (chunk \(chunk))")
    check(messages.error, lines: lines)
    for message in messages.rows {
        let again = readMessages(Array(message.csvLine.utf8), chunk: 1 << 16)
        precondition(again.rows == [message] && again.error == nil, "message round trip: \(message) -> \(again)")
    }

    let rows = readRows(bytes, chunk: 1 << 16)
    precondition(readRows(bytes, chunk: chunk) == rows, "chunked orderbook reading differs (chunk \(chunk))")
    check(rows.error, lines: lines)
    for row in rows.rows {
        let again = readRows(Array(row.csvLine.utf8), chunk: 1 << 16)
        precondition(again.rows == [row] && again.error == nil, "row round trip: \(row) -> \(again)")
    }
    return 0
}

private struct Outcome<Row: Equatable>: Equatable {
    var rows: [Row] = []
    var error: LobsterInputError?
}

private func readMessages(_ bytes: [UInt8], chunk: Int) -> Outcome<LobsterMessage> {
    var reader = LobsterLineReader(bytes: bytes, name: "fuzz", chunk: chunk)
    var outcome = Outcome<LobsterMessage>()
    do {
        while let message = try reader.nextMessage() { outcome.rows.append(message) }
    } catch {
        outcome.error = error
    }
    return outcome
}

private func readRows(_ bytes: [UInt8], chunk: Int) -> Outcome<LobsterOrderBookRow> {
    var reader = LobsterLineReader(bytes: bytes, name: "fuzz", chunk: chunk)
    var outcome = Outcome<LobsterOrderBookRow>()
    var row = LobsterOrderBookRow()
    do {
        while try reader.nextOrderBookRow(into: &row) { outcome.rows.append(row) }
    } catch {
        outcome.error = error
    }
    return outcome
}

private func check(_ error: LobsterInputError?, lines: Int) {
    guard let error else { return }
    precondition(!error.reason.isEmpty, "an error without a reason")
    if let line = error.line { precondition(line >= 1 && line <= lines + 1, "error at line \(line) of \(lines)") }
}
