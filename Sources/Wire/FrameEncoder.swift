/// Writes frames: a little-endian `u32` length, the 20-byte header, the payload.
public enum FrameEncoder {
    /// The frame as bytes.
    public static func encode(_ frame: WireFrame) throws(WireError) -> [UInt8] {
        var bytes: [UInt8] = []
        try append(frame, to: &bytes)
        return bytes
    }

    /// Appends the frame to `bytes`. Only a snapshot of more than ``Wire/maxSnapshotLevels``
    /// levels can fail; `bytes` is then left as it was.
    public static func append(_ frame: WireFrame, to bytes: inout [UInt8]) throws(WireError) {
        let payload = payloadLength(frame.message)
        let length = Wire.headerSize + payload
        guard length <= Wire.maxFrameLength else { throw .tooLargeToEncode(frame.message.type, length: length) }
        bytes.reserveCapacity(bytes.count + Wire.prefixSize + length)
        put(UInt32(length), &bytes)
        bytes.append(Wire.magic)
        bytes.append(Wire.version)
        bytes.append(frame.message.type.rawValue)
        bytes.append(frame.flags)
        put(frame.sequence, &bytes)
        put(frame.sendTime, &bytes)
        switch frame.message {
        case .snapshot(let snapshot):
            put(UInt16(snapshot.bids.count), &bytes)
            put(UInt16(snapshot.asks.count), &bytes)
            put(UInt32(0), &bytes)
            for level in snapshot.bids { put(level.price, &bytes); put(level.size, &bytes) }
            for level in snapshot.asks { put(level.price, &bytes); put(level.size, &bytes) }
        case .delta(let delta):
            bytes.append(delta.action.rawValue)
            bytes.append(delta.side.rawValue)
            bytes.append(delta.kind.rawValue)
            bytes.append(0)
            put(delta.price, &bytes)
            put(delta.size, &bytes)
        case .heartbeat(let checksum):
            put(checksum, &bytes)
        case .subscribe(let reason):
            bytes.append(reason.rawValue)
            bytes.append(contentsOf: [0, 0, 0])
        case .orderNew(let order):
            put(order.clientOrderID, &bytes)
            put(order.price, &bytes)
            put(order.size, &bytes)
            put(order.clientTime, &bytes)
            bytes.append(order.side.rawValue)
            bytes.append(contentsOf: [0, 0, 0])
        case .orderCancel(let cancel):
            put(cancel.clientOrderID, &bytes)
            put(cancel.clientTime, &bytes)
        case .ack(let ack):
            put(ack.clientOrderID, &bytes)
            put(ack.clientTime, &bytes)
            bytes.append(ack.request.rawValue)
            bytes.append(ack.status.rawValue)
            bytes.append(ack.reason.rawValue)
            bytes.append(0)
        case .goodbye:
            break
        }
    }

    /// The payload size of a message: fixed per type, but for the snapshot's levels.
    public static func payloadLength(_ message: WireMessage) -> Int {
        switch message {
        case .snapshot(let s): 8 + 16 * (s.bids.count + s.asks.count)
        default: fixedPayloadLength(message.type)!
        }
    }

    /// The payload size of every type but the snapshot.
    public static func fixedPayloadLength(_ type: MessageType) -> Int? {
        switch type {
        case .snapshot: nil
        case .delta: 20
        case .heartbeat: 8
        case .subscribe: 4
        case .orderNew: 36
        case .orderCancel: 16
        case .ack: 20
        case .goodbye: 0
        }
    }

    @inline(__always)
    static func put<T: FixedWidthInteger>(_ value: T, _ bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
