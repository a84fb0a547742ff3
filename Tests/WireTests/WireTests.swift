import PropertyBased
import TestSupport
import Testing
import Wire

/// Frames of every type with arbitrary field values (valid ones: the decoder refuses the rest).
let frameGenerator = zip(
    Gen.int(in: 0...7), Gen.uint64(), Gen.uint64(), Gen.uint8(),
    zip(Gen.int64(in: 1...Int64.max), Gen.int64(in: 1...Int64.max), Gen.uint64(), Gen.int(in: 0...5)),
    zip(Gen.int64(in: 1...1_000_000), Gen.int64(in: 1...100_000)).array(of: 0...30)
).map { type, sequence, sendTime, flags, fields, levels -> WireFrame in
    let (price, size, id, pick) = fields
    let side: WireSide = pick % 2 == 0 ? .bid : .ask
    let message: WireMessage
    switch type {
    case 0:
        // Unique prices, bids best (highest) first, asks best (lowest) first.
        let prices = Array(Set(levels.map(\.0))).sorted()
        let split = prices.count / 2
        let sizes = levels.map(\.1)
        message = .snapshot(
            WireSnapshot(
                bids: prices[..<split].reversed().enumerated().map {
                    WireLevel(price: $0.element, size: sizes[$0.offset])
                },
                asks: prices[split...].enumerated().map {
                    WireLevel(price: $0.element, size: sizes[($0.offset + split) % max(1, sizes.count)])
                }))
    case 1:
        let action = WireAction.allCases[pick % 3]
        message = .delta(
            WireDelta(
                action: action, side: side, kind: WireEventKind.allCases[(pick / 2) % 3],
                price: price, size: action == .delete ? 0 : size))
    case 2: message = .heartbeat(checksum: id)
    case 3: message = .subscribe(SubscribeReason.allCases[pick % 4])
    case 4:
        message = .orderNew(
            WireOrder(clientOrderID: id, side: side, price: price - 1, size: size - 1, clientTime: sendTime))
    case 5: message = .orderCancel(WireCancel(clientOrderID: id, clientTime: sendTime))
    case 6:
        let rejected = pick >= 1
        message = .ack(
            WireAck(
                clientOrderID: id, clientTime: sendTime, request: pick % 2 == 0 ? .orderNew : .orderCancel,
                status: rejected ? .rejected : .accepted, reason: rejected ? RejectReason.allCases[pick] : .none))
    default: message = .goodbye
    }
    return WireFrame(sequence: sequence, sendTime: sendTime, message: message, flags: flags)
}

/// Every step a decoder yields until it needs more bytes or fails.
func drain(_ decoder: inout FrameDecoder) -> [DecodeStep] {
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

func decodeAll(_ bytes: [UInt8]) -> [DecodeStep] {
    var decoder = FrameDecoder()
    decoder.append(bytes)
    return drain(&decoder)
}

/// A valid delta frame's bytes, for the malformed-frame cases to corrupt.
func deltaBytes(sequence: UInt64 = 7) -> [UInt8] {
    try! FrameEncoder.encode(
        WireFrame(
            sequence: sequence, sendTime: 99,
            message: .delta(
                WireDelta(action: .add, side: .bid, kind: .add, price: 1_000, size: 5))))
}

func littleEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

@Suite("Wire format", .ownThread)
struct WireTests {
    @Test("every frame encodes and decodes back to itself")
    func roundTrip() async {
        await propertyCheck(count: 400, input: frameGenerator) { frame in
            let bytes = try! FrameEncoder.encode(frame)
            #expect(bytes.count == Wire.prefixSize + Wire.headerSize + FrameEncoder.payloadLength(frame.message))
            #expect(decodeAll(bytes) == [.frame(frame)])
        }
    }

    @Test("a stream of frames decodes the same whatever the pieces it arrives in")
    func chunking() async {
        await propertyCheck(count: 100, input: frameGenerator.array(of: 1...20), Gen.int(in: 1...50).array(of: 1...40))
        { frames, cuts in
            var stream: [UInt8] = []
            for frame in frames { try! FrameEncoder.append(frame, to: &stream) }
            var decoder = FrameDecoder()
            var steps: [DecodeStep] = []
            var offset = 0
            var i = 0
            while offset < stream.count {
                let length = min(cuts[i % cuts.count], stream.count - offset)
                decoder.append(Array(stream[offset..<(offset + length)]))
                steps += drain(&decoder)
                offset += length
                i += 1
            }
            #expect(steps == frames.map { .frame($0) })
            #expect(decoder.bufferedBytes == 0)
            #expect(decoder.finish() == nil)
        }
    }

    @Test("the layout is the documented one: little-endian length, header, payload")
    func layout() throws {
        let bytes = deltaBytes(sequence: 0x0102_0304_0506_0708)
        #expect(bytes.count == 44)
        #expect(Array(bytes[0..<4]) == [40, 0, 0, 0])
        #expect(Array(bytes[4..<8]) == [0x54, 1, 2, 0])  // magic 'T', version 1, delta, flags
        #expect(Array(bytes[8..<16]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(bytes[16..<24]) == [99, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[24..<28]) == [0, 0, 0, 0])  // add, bid, kind add, reserved
        #expect(Array(bytes[28..<36]) == [0xE8, 0x03, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[36..<44]) == [5, 0, 0, 0, 0, 0, 0, 0])
        let snapshot = try FrameEncoder.encode(
            WireFrame(
                sequence: 1, sendTime: 2,
                message: .snapshot(
                    WireSnapshot(
                        bids: [WireLevel(price: 10, size: 1)],
                        asks: [WireLevel(price: 11, size: 2), WireLevel(price: 12, size: 3)]))))
        #expect(snapshot.count == 4 + 20 + 8 + 3 * 16)
        #expect(Array(snapshot[24..<32]) == [1, 0, 2, 0, 0, 0, 0, 0])
    }

    @Test("a partial frame waits for more; the end of the stream inside it is a truncation")
    func partialAndTruncated() {
        let bytes = deltaBytes()
        for cut in [1, 3, 4, 5, 23, 24, 43] {
            var decoder = FrameDecoder()
            decoder.append(Array(bytes[..<cut]))
            #expect(decoder.next() == .needMore, "cut at \(cut)")
            #expect(decoder.finish() == .truncated(have: cut, need: cut < 4 ? 4 : 44), "cut at \(cut)")
        }
        var empty = FrameDecoder()
        #expect(empty.next() == .needMore)
        #expect(empty.finish() == nil)
    }

    @Test("a length below the header or above the limit loses the framing at once")
    func badLengths() {
        #expect(decodeAll(littleEndian(19)) == [.failed(.frameTooShort(length: 19))])
        #expect(decodeAll(littleEndian(0)) == [.failed(.frameTooShort(length: 0))])
        #expect(
            decodeAll(littleEndian(UInt32(Wire.maxFrameLength) + 1)) == [
                .failed(.frameTooLong(length: UInt32(Wire.maxFrameLength) + 1))
            ])
        #expect(decodeAll(littleEndian(.max)) == [.failed(.frameTooLong(length: .max))])
        // Exactly the limit is allowed: the decoder waits for the bytes.
        var decoder = FrameDecoder()
        decoder.append(littleEndian(UInt32(Wire.maxFrameLength)) + [Wire.magic, Wire.version])
        #expect(decoder.next() == .needMore)
    }

    @Test("a bad magic or an unknown version is refused before the frame is complete")
    func badMagicAndVersion() {
        #expect(decodeAll(littleEndian(40) + [0x47]) == [.failed(.badMagic(0x47))])
        #expect(decodeAll(littleEndian(40) + [Wire.magic, 2]) == [.failed(.unsupportedVersion(2))])
        // HTTP by mistake: "GET " is a length of 0x20544547, far above the limit.
        #expect(decodeAll(Array("GET / HTTP/1.1\r\n".utf8)) == [.failed(.frameTooLong(length: 0x2054_4547))])
    }

    @Test("once the framing is lost the decoder stays failed and ignores what follows")
    func failureSticks() {
        var decoder = FrameDecoder()
        decoder.append(littleEndian(40) + [0x00])
        #expect(decoder.next() == .failed(.badMagic(0)))
        decoder.append(deltaBytes())
        #expect(decoder.next() == .failed(.badMagic(0)))
        #expect(decoder.bufferedBytes == 0)
        #expect(decoder.finish() == .badMagic(0))
        decoder.reset()
        decoder.append(deltaBytes())
        if case .frame = decoder.next() {} else { Issue.record("a reset decoder decodes again") }
    }

    @Test("an unknown type is skipped and the stream goes on")
    func unknownType() {
        var bytes = deltaBytes()
        bytes[6] = 42
        #expect(decodeAll(bytes + deltaBytes(sequence: 8)).count == 2)
        #expect(decodeAll(bytes).first == .skipped(.unknownType(42)))
        bytes[6] = 0
        #expect(decodeAll(bytes) == [.skipped(.unknownType(0))])
    }

    @Test("a payload of the wrong size is skipped, for every fixed-size type")
    func wrongPayloadSizes() {
        for type in MessageType.allCases where type != .snapshot {
            let expected = FrameEncoder.fixedPayloadLength(type)!
            for payload in [expected + 1, max(0, expected - 1), expected + 16] where payload != expected {
                let bytes =
                    littleEndian(UInt32(Wire.headerSize + payload)) + [Wire.magic, Wire.version, type.rawValue, 0]
                    + [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 0, count: payload)
                let steps = decodeAll(bytes + deltaBytes())
                #expect(
                    steps.first == .skipped(.badPayloadLength(type, length: payload, expected: "\(expected)")),
                    "\(type) with \(payload)")
                #expect(steps.count == 2, "the next frame still decodes after a bad \(type)")
            }
        }
    }

    @Test("a snapshot whose counts do not match its size, or whose levels are unsorted or not positive, is skipped")
    func badSnapshots() throws {
        func snapshotBytes(_ bids: [(Int64, Int64)], _ asks: [(Int64, Int64)], countBids: Int? = nil) -> [UInt8] {
            var payload: [UInt8] = []
            payload += withUnsafeBytes(of: UInt16(countBids ?? bids.count).littleEndian) { Array($0) }
            payload += withUnsafeBytes(of: UInt16(asks.count).littleEndian) { Array($0) }
            payload += [0, 0, 0, 0]
            for (p, s) in bids + asks {
                payload += withUnsafeBytes(of: p.littleEndian) { Array($0) }
                payload += withUnsafeBytes(of: s.littleEndian) { Array($0) }
            }
            return littleEndian(UInt32(20 + payload.count)) + [Wire.magic, Wire.version, 1, 0]
                + [UInt8](repeating: 0, count: 16) + payload
        }
        let good = snapshotBytes([(10, 1), (9, 1)], [(11, 1), (12, 1)])
        if case .frame = decodeAll(good).first {} else { Issue.record("a valid snapshot decodes") }
        #expect(
            decodeAll(snapshotBytes([(10, 1)], [], countBids: 2)).first
                == .skipped(.badPayloadLength(.snapshot, length: 24, expected: "40 for 2 bids and 0 asks")))
        #expect(
            decodeAll(snapshotBytes([(9, 1), (10, 1)], [])).first
                == .skipped(.invalidField(.snapshot, field: "bid order", value: 10)))
        #expect(
            decodeAll(snapshotBytes([], [(12, 1), (11, 1)])).first
                == .skipped(.invalidField(.snapshot, field: "ask order", value: 11)))
        #expect(
            decodeAll(snapshotBytes([], [(12, 1), (12, 1)])).first
                == .skipped(.invalidField(.snapshot, field: "ask order", value: 12)))
        #expect(
            decodeAll(snapshotBytes([(0, 1)], [])).first == .skipped(.invalidField(.snapshot, field: "price", value: 0))
        )
        #expect(
            decodeAll(snapshotBytes([(5, -3)], [])).first
                == .skipped(.invalidField(.snapshot, field: "size", value: -3)))
        // A snapshot payload shorter than its count fields.
        let stub =
            littleEndian(24) + [Wire.magic, Wire.version, 1, 0] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 0]
        #expect(
            decodeAll(stub).first == .skipped(.badPayloadLength(.snapshot, length: 4, expected: "8 + 16 per level")))
    }

    @Test("delta fields outside their domain are skipped with the field named")
    func badDeltaFields() {
        func corrupt(_ offset: Int, _ bytes: [UInt8]) -> DecodeStep? {
            var frame = deltaBytes()
            frame.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            return decodeAll(frame).first
        }
        #expect(corrupt(24, [3]) == .skipped(.invalidField(.delta, field: "action", value: 3)))
        #expect(corrupt(25, [2]) == .skipped(.invalidField(.delta, field: "side", value: 2)))
        #expect(corrupt(26, [9]) == .skipped(.invalidField(.delta, field: "kind", value: 9)))
        #expect(corrupt(28, [0, 0, 0, 0, 0, 0, 0, 0]) == .skipped(.invalidField(.delta, field: "price", value: 0)))
        #expect(
            corrupt(28, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
                == .skipped(.invalidField(.delta, field: "price", value: -1)))
        #expect(corrupt(36, [0, 0, 0, 0, 0, 0, 0, 0]) == .skipped(.invalidField(.delta, field: "size", value: 0)))
        // A delete carries no size.
        #expect(corrupt(24, [2]) == .skipped(.invalidField(.delta, field: "size", value: 5)))
        // Reserved bytes and flags are ignored.
        if case .frame = corrupt(27, [0xAB]) {} else { Issue.record("reserved byte must be ignored") }
        if case .frame = corrupt(7, [0xFF]) {} else { Issue.record("flags must be ignored") }
    }

    @Test("subscribe, order and ack fields outside their domain are skipped")
    func badOtherFields() throws {
        func frame(_ message: WireMessage, corrupt offset: Int, with byte: UInt8) -> DecodeStep? {
            var bytes = try! FrameEncoder.encode(WireFrame(sequence: 1, sendTime: 1, message: message))
            bytes[offset] = byte
            return decodeAll(bytes).first
        }
        #expect(
            frame(.subscribe(.initial), corrupt: 24, with: 4)
                == .skipped(.invalidField(.subscribe, field: "reason", value: 4)))
        let order = WireOrder(clientOrderID: 1, side: .bid, price: 1, size: 1, clientTime: 1)
        #expect(
            frame(.orderNew(order), corrupt: 56, with: 7) == .skipped(.invalidField(.orderNew, field: "side", value: 7))
        )
        let ack = WireAck(clientOrderID: 1, clientTime: 1, request: .orderNew, status: .accepted)
        #expect(frame(.ack(ack), corrupt: 40, with: 2) == .skipped(.invalidField(.ack, field: "request", value: 2)))
        #expect(frame(.ack(ack), corrupt: 41, with: 5) == .skipped(.invalidField(.ack, field: "status", value: 5)))
        #expect(frame(.ack(ack), corrupt: 42, with: 9) == .skipped(.invalidField(.ack, field: "reason", value: 9)))
        // Accepted with a reason, or rejected without one, is inconsistent.
        #expect(frame(.ack(ack), corrupt: 42, with: 1) == .skipped(.invalidField(.ack, field: "reason", value: 1)))
        #expect(frame(.ack(ack), corrupt: 41, with: 1) == .skipped(.invalidField(.ack, field: "reason", value: 0)))
        // Orders with silly prices decode: the exchange answers them with a reject.
        let silly = WireOrder(clientOrderID: 2, side: .ask, price: -5, size: 0, clientTime: 3)
        #expect(
            decodeAll(try FrameEncoder.encode(WireFrame(sequence: 1, sendTime: 1, message: .orderNew(silly))))
                == [.frame(WireFrame(sequence: 1, sendTime: 1, message: .orderNew(silly)))])
    }

    @Test("a snapshot too large for a frame is refused by the encoder, which leaves the buffer as it was")
    func oversizedSnapshot() {
        let levels = (1...Int64(Wire.maxSnapshotLevels + 1)).map { WireLevel(price: $0, size: 1) }
        var bytes: [UInt8] = [1, 2, 3]
        #expect(throws: WireError.tooLargeToEncode(.snapshot, length: 20 + 8 + 16 * levels.count)) {
            try FrameEncoder.append(
                WireFrame(sequence: 1, sendTime: 1, message: .snapshot(WireSnapshot(bids: [], asks: levels))),
                to: &bytes)
        }
        #expect(bytes == [1, 2, 3])
        // The largest snapshot that fits does encode and decode.
        let fits = Array(levels.dropLast())
        let frame = WireFrame(sequence: 1, sendTime: 1, message: .snapshot(WireSnapshot(bids: [], asks: fits)))
        #expect(decodeAll(try! FrameEncoder.encode(frame)) == [.frame(frame)])
    }

    @Test("errors say what was wrong and whether the connection must go")
    func errorDescriptions() {
        #expect(WireError.frameTooLong(length: 2_000_000).description.contains("2000000"))
        #expect(WireError.frameTooLong(length: 2_000_000).isFatal)
        #expect(WireError.badMagic(0x47).description.contains("0x47"))
        #expect(WireError.unsupportedVersion(9).description.contains("version 9"))
        #expect(!WireError.unknownType(42).isFatal)
        #expect(WireError.unknownType(42).description.contains("42"))
        #expect(
            WireError.invalidField(.delta, field: "side", value: 2).description
                == "delta field 'side' has invalid value 2")
        #expect(WireError.truncated(have: 3, need: 44).isFatal)
        #expect(
            Set(
                ([
                    .badMagic(0), .unsupportedVersion(0), .frameTooShort(length: 0), .frameTooLong(length: 0),
                    .unknownType(0),
                    .badPayloadLength(.ack, length: 0, expected: ""), .invalidField(.ack, field: "", value: 0),
                    .truncated(have: 0, need: 0), .tooLargeToEncode(.snapshot, length: 0),
                ] as [WireError]).map(\.kind)
            ).count == 9)
    }
}
