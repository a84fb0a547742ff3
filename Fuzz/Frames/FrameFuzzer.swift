// libFuzzer target for the exchange frame decoder (Sources/Wire). Built with plain swiftc over
// the Wire sources, which have no dependencies; see Fuzz/Frames/README.md for the commands.
//
// For any input it checks that
// - decoding never traps, and ends in frames, skipped messages, a failure or a wait for more;
// - feeding the same bytes in pieces gives exactly the same steps as feeding them at once;
// - every decoded frame encodes back to the very bytes it came from, but for the reserved bytes
//   the format tells receivers to ignore (so no field is misread, truncated or dropped);
// - and decodes back to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func frameFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)

    var whole = FrameDecoder()
    whole.append(input)
    let expected = drain(&whole)

    // The same bytes in pieces whose sizes come from the input itself.
    var pieces = FrameDecoder()
    var got: [DecodeStep] = []
    var offset = 0
    var cut = 0
    while offset < size, pieces.failure == nil {
        let length = min(size - offset, 1 + Int(input[cut % size]) % 64)
        pieces.append(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + length)]))
        got += drain(&pieces)
        offset += length
        cut += 1
    }
    if size == 0 { got = drain(&pieces) }
    precondition(got == expected, "chunked decoding differs: \(got) vs \(expected)")
    precondition(whole.finish() == pieces.finish(), "end-of-stream verdicts differ")

    // Walk the input frame by frame to compare each decoded frame with its own bytes.
    var position = 0
    while position < size {
        let rest = UnsafeRawBufferPointer(rebasing: input[position...])
        guard case .frame(let frame, let consumed) = FrameParser.parse(rest) else {
            if case .skipped(_, let consumed) = FrameParser.parse(rest) { position += consumed; continue }
            break
        }
        let bytes: [UInt8]
        do { bytes = try FrameEncoder.encode(frame) } catch {
            preconditionFailure("a decoded frame does not encode: \(error)")
        }
        precondition(bytes.count == consumed, "\(frame.message.type): \(consumed) bytes in, \(bytes.count) out")
        let reserved = reservedOffsets(frame.message.type)
        for i in 0..<consumed where !reserved.contains(i) {
            precondition(
                bytes[i] == rest[i], "\(frame.message.type): byte \(i) was \(rest[i]), re-encoded as \(bytes[i])")
        }
        var again = FrameDecoder()
        again.append(bytes)
        let steps = drain(&again)
        precondition(steps == [.frame(frame)], "round trip changed the frame: \(frame) -> \(steps)")
        position += consumed
    }
    return 0
}

/// Offsets within a frame (length prefix included) of the reserved bytes of a message type:
/// senders write zero, receivers ignore them (docs/WIRE-FORMAT.md).
private func reservedOffsets(_ type: MessageType) -> Set<Int> {
    let payload = Wire.prefixSize + Wire.headerSize
    switch type {
    case .snapshot: return Set((payload + 4)..<(payload + 8))
    case .delta: return [payload + 3]
    case .subscribe: return Set((payload + 1)..<(payload + 4))
    case .orderNew: return Set((payload + 33)..<(payload + 36))
    case .ack: return [payload + 19]
    case .heartbeat, .orderCancel, .goodbye: return []
    }
}

/// Every step up to the first `needMore` or failure.
private func drain(_ decoder: inout FrameDecoder) -> [DecodeStep] {
    var steps: [DecodeStep] = []
    while true {
        let step = decoder.next()
        switch step {
        case .needMore: return steps
        case .failed: steps.append(step); return steps
        case .frame, .skipped: steps.append(step)
        }
    }
}
