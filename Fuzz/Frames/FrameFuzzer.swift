// libFuzzer target for the exchange frame decoder (Sources/Wire). Built with plain swiftc over
// the Wire sources, which have no dependencies; see Fuzz/Frames/README.md for the commands.
//
// For any input it checks that
// - decoding never traps, and ends in frames, skipped messages, a failure or a wait for more;
// - feeding the same bytes in pieces gives exactly the same steps as feeding them at once;
// - every decoded frame encodes and decodes back to itself.

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

    for case .frame(let frame) in expected {
        let bytes: [UInt8]
        do { bytes = try FrameEncoder.encode(frame) } catch { preconditionFailure("a decoded frame does not encode: \(error)") }
        var again = FrameDecoder()
        again.append(bytes)
        let steps = drain(&again)
        precondition(steps == [.frame(frame)], "round trip changed the frame: \(frame) -> \(steps)")
    }
    return 0
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
