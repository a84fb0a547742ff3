/// Why bytes from the wire are not a valid frame.
///
/// Two families: a **fatal** error means the framing itself cannot be trusted (a bad magic, a
/// length that cannot be right, a version this code does not speak), so the connection must
/// be dropped; any other error concerns one well-framed message, which is skipped and counted
/// while the stream goes on.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header does not start with ``Wire/magic``.
    case badMagic(UInt8)
    /// A version other than ``Wire/version``.
    case unsupportedVersion(UInt8)
    /// The length prefix is below the header size.
    case frameTooShort(length: UInt32)
    /// The length prefix is above ``Wire/maxFrameLength``.
    case frameTooLong(length: UInt32)
    /// A well-framed message of a type version 1 does not define.
    case unknownType(UInt8)
    /// A known type whose payload has the wrong size.
    case badPayloadLength(MessageType, length: Int, expected: String)
    /// A field outside its domain (an unknown side, a non-positive price, an unsorted snapshot).
    case invalidField(MessageType, field: String, value: Int64)
    /// The stream ended inside a frame.
    case truncated(have: Int, need: Int)
    /// A frame too large to encode (a snapshot of more than ``Wire/maxSnapshotLevels`` levels).
    case tooLargeToEncode(MessageType, length: Int)

    /// The framing is lost: the connection must be reset.
    public var isFatal: Bool {
        switch self {
        case .badMagic, .unsupportedVersion, .frameTooShort, .frameTooLong, .truncated: true
        case .unknownType, .badPayloadLength, .invalidField, .tooLargeToEncode: false
        }
    }

    /// A short stable name, used as a counter suffix.
    public var kind: String {
        switch self {
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "unsupported_version"
        case .frameTooShort: "frame_too_short"
        case .frameTooLong: "frame_too_long"
        case .unknownType: "unknown_type"
        case .badPayloadLength: "bad_payload_length"
        case .invalidField: "invalid_field"
        case .truncated: "truncated"
        case .tooLargeToEncode: "too_large_to_encode"
        }
    }

    public var description: String {
        switch self {
        case .badMagic(let byte):
            "bad magic byte 0x\(String(byte, radix: 16)) (expected 0x\(String(Wire.magic, radix: 16))): not a TickLab exchange stream, or its framing is lost"
        case .unsupportedVersion(let version):
            "protocol version \(version) is not supported (this build speaks version \(Wire.version))"
        case .frameTooShort(let length):
            "frame length \(length) is below the \(Wire.headerSize)-byte header"
        case .frameTooLong(let length):
            "frame length \(length) is above the limit of \(Wire.maxFrameLength) bytes"
        case .unknownType(let type):
            "unknown message type \(type) (version \(Wire.version) defines 1 to \(MessageType.allCases.count))"
        case .badPayloadLength(let type, let length, let expected):
            "\(type) payload of \(length) bytes (expected \(expected))"
        case .invalidField(let type, let field, let value):
            "\(type) field '\(field)' has invalid value \(value)"
        case .truncated(let have, let need):
            "the stream ended inside a frame (\(have) of \(need) bytes)"
        case .tooLargeToEncode(let type, let length):
            "\(type) of \(length) bytes exceeds the frame limit of \(Wire.maxFrameLength) bytes"
        }
    }
}
