/// What the decoder found at the front of its bytes.
public enum DecodeStep: Sendable, Hashable {
    /// A whole, valid frame; its bytes are consumed.
    case frame(WireFrame)
    /// A well-framed message that is not valid (an unknown type, a bad field); its bytes are
    /// consumed and the stream goes on. Count it.
    case skipped(WireError)
    /// The framing is lost: nothing more can be decoded from this stream. Drop the connection.
    case failed(WireError)
    /// Not a whole frame yet: read more bytes.
    case needMore
}

/// Decodes one frame from the start of a buffer, without copying it first.
public enum FrameParser {
    public enum Outcome: Sendable, Hashable {
        case frame(WireFrame, consumed: Int)
        case skipped(WireError, consumed: Int)
        case failed(WireError)
        case needMore
    }

    /// Looks at the frame at the start of `bytes`. The header is checked as soon as its first
    /// bytes are there, so garbage is refused before a bogus length is waited for.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard bytes.count >= Wire.prefixSize else { return .needMore }
        let length = read(UInt32.self, bytes, 0)
        if length < UInt32(Wire.headerSize) { return .failed(.frameTooShort(length: length)) }
        if length > UInt32(Wire.maxFrameLength) { return .failed(.frameTooLong(length: length)) }
        if bytes.count > 4, bytes[4] != Wire.magic { return .failed(.badMagic(bytes[4])) }
        if bytes.count > 5, bytes[5] != Wire.version { return .failed(.unsupportedVersion(bytes[5])) }
        let total = Wire.prefixSize + Int(length)
        guard bytes.count >= total else { return .needMore }
        let typeByte = bytes[6]
        let flags = bytes[7]
        let sequence = read(UInt64.self, bytes, 8)
        let sendTime = read(UInt64.self, bytes, 16)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(Wire.prefixSize + Wire.headerSize)..<total])
        guard let type = MessageType(rawValue: typeByte) else {
            return .skipped(.unknownType(typeByte), consumed: total)
        }
        switch message(type, payload) {
        case .success(let message):
            return .frame(
                WireFrame(sequence: sequence, sendTime: sendTime, message: message, flags: flags), consumed: total)
        case .failure(let error):
            return .skipped(error, consumed: total)
        }
    }

    static func message(_ type: MessageType, _ p: UnsafeRawBufferPointer) -> Result<WireMessage, WireError> {
        if let expected = FrameEncoder.fixedPayloadLength(type), p.count != expected {
            return .failure(.badPayloadLength(type, length: p.count, expected: "\(expected)"))
        }
        switch type {
        case .snapshot:
            guard p.count >= 8 else {
                return .failure(.badPayloadLength(type, length: p.count, expected: "8 + 16 per level"))
            }
            let bidCount = Int(read(UInt16.self, p, 0))
            let askCount = Int(read(UInt16.self, p, 2))
            guard p.count == 8 + 16 * (bidCount + askCount) else {
                return .failure(
                    .badPayloadLength(
                        type, length: p.count,
                        expected: "\(8 + 16 * (bidCount + askCount)) for \(bidCount) bids and \(askCount) asks"))
            }
            var bids: [WireLevel] = []
            var asks: [WireLevel] = []
            bids.reserveCapacity(bidCount)
            asks.reserveCapacity(askCount)
            for i in 0..<(bidCount + askCount) {
                let level = WireLevel(price: read(Int64.self, p, 8 + 16 * i), size: read(Int64.self, p, 16 + 16 * i))
                let isBid = i < bidCount
                guard level.price > 0 else { return .failure(.invalidField(type, field: "price", value: level.price)) }
                guard level.size > 0 else { return .failure(.invalidField(type, field: "size", value: level.size)) }
                // Best first: bids strictly descending, asks strictly ascending.
                if isBid, let previous = bids.last, level.price >= previous.price {
                    return .failure(.invalidField(type, field: "bid order", value: level.price))
                }
                if !isBid, let previous = asks.last, level.price <= previous.price {
                    return .failure(.invalidField(type, field: "ask order", value: level.price))
                }
                if isBid { bids.append(level) } else { asks.append(level) }
            }
            return .success(.snapshot(WireSnapshot(bids: bids, asks: asks)))
        case .delta:
            guard let action = WireAction(rawValue: p[0]) else {
                return .failure(.invalidField(type, field: "action", value: Int64(p[0])))
            }
            guard let side = WireSide(rawValue: p[1]) else {
                return .failure(.invalidField(type, field: "side", value: Int64(p[1])))
            }
            guard let kind = WireEventKind(rawValue: p[2]) else {
                return .failure(.invalidField(type, field: "kind", value: Int64(p[2])))
            }
            let price = read(Int64.self, p, 4)
            let size = read(Int64.self, p, 12)
            guard price > 0 else { return .failure(.invalidField(type, field: "price", value: price)) }
            if action == .delete {
                guard size == 0 else { return .failure(.invalidField(type, field: "size", value: size)) }
            } else {
                guard size > 0 else { return .failure(.invalidField(type, field: "size", value: size)) }
            }
            return .success(.delta(WireDelta(action: action, side: side, kind: kind, price: price, size: size)))
        case .heartbeat:
            return .success(.heartbeat(checksum: read(UInt64.self, p, 0)))
        case .subscribe:
            guard let reason = SubscribeReason(rawValue: p[0]) else {
                return .failure(.invalidField(type, field: "reason", value: Int64(p[0])))
            }
            return .success(.subscribe(reason))
        case .orderNew:
            guard let side = WireSide(rawValue: p[32]) else {
                return .failure(.invalidField(type, field: "side", value: Int64(p[32])))
            }
            // Price and size are the exchange's to judge: it answers a bad one with a reject.
            return .success(
                .orderNew(
                    WireOrder(
                        clientOrderID: read(UInt64.self, p, 0), side: side,
                        price: read(Int64.self, p, 8), size: read(Int64.self, p, 16),
                        clientTime: read(UInt64.self, p, 24))))
        case .orderCancel:
            return .success(
                .orderCancel(WireCancel(clientOrderID: read(UInt64.self, p, 0), clientTime: read(UInt64.self, p, 8))))
        case .ack:
            guard let request = MessageType(rawValue: p[16]), request == .orderNew || request == .orderCancel else {
                return .failure(.invalidField(type, field: "request", value: Int64(p[16])))
            }
            guard let status = AckStatus(rawValue: p[17]) else {
                return .failure(.invalidField(type, field: "status", value: Int64(p[17])))
            }
            guard let reason = RejectReason(rawValue: p[18]) else {
                return .failure(.invalidField(type, field: "reason", value: Int64(p[18])))
            }
            guard (status == .accepted) == (reason == .none) else {
                return .failure(.invalidField(type, field: "reason", value: Int64(p[18])))
            }
            return .success(
                .ack(
                    WireAck(
                        clientOrderID: read(UInt64.self, p, 0), clientTime: read(UInt64.self, p, 8),
                        request: request, status: status, reason: reason)))
        case .goodbye:
            return .success(.goodbye)
        }
    }

    @inline(__always)
    static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, _ offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// A streaming decoder: append bytes as they arrive, take frames as they complete.
///
/// Bytes are kept in one growable buffer read from the front and compacted now and then, so a
/// frame split over many reads costs no more than one that came whole. Once the framing is lost
/// the decoder stays failed: the bytes after a bad length or magic mean nothing.
public struct FrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var failure: WireError?

    public init() {}

    /// Bytes received and not yet decoded.
    public var bufferedBytes: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next frame, a skipped message, the failure, or `needMore`.
    public mutating func next() -> DecodeStep {
        if let failure { return .failed(failure) }
        let outcome = buffer.withUnsafeBytes { all in
            FrameParser.parse(UnsafeRawBufferPointer(rebasing: all[start...]))
        }
        switch outcome {
        case .frame(let frame, let consumed):
            start += consumed
            return .frame(frame)
        case .skipped(let error, let consumed):
            start += consumed
            return .skipped(error)
        case .failed(let error):
            failure = error
            buffer = []
            start = 0
            return .failed(error)
        case .needMore:
            return .needMore
        }
    }

    /// The stream ended: a partial frame left over is an error.
    public func finish() -> WireError? {
        if let failure { return failure }
        let left = bufferedBytes
        guard left > 0 else { return nil }
        let need: Int
        if left >= Wire.prefixSize {
            need = buffer.withUnsafeBytes {
                Wire.prefixSize + Int(FrameParser.read(UInt32.self, UnsafeRawBufferPointer(rebasing: $0[start...]), 0))
            }
        } else {
            need = Wire.prefixSize
        }
        return .truncated(have: left, need: need)
    }

    /// Forgets everything: for a new connection.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
        failure = nil
    }

    private mutating func compactIfWorthIt() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4_096 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
