/// Where `ticklab exchange` listens, as the command line writes it: `tcp://HOST:PORT`.
///
/// Contract:
/// - Parses `tcp://HOST:PORT` and `tcp://[IPV6]:PORT`. HOST is not empty; PORT is a whole
///   number from 1 to 65535 (0 means "pick a free one" only when listening, never when
///   connecting). Any other text throws a ``ParseError`` that names what is wrong.
/// - Prints itself back the same way (``description``), with an IPv6 host in brackets, so that
///   `ExchangeAddress(parsing: a.description) == a`.
public struct ExchangeAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a text is not a `tcp://HOST:PORT` address: one clause, for after "is not".
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public let problem: String
        public var description: String { "'\(text)' is not tcp://HOST:PORT: \(problem)" }
    }

    public static let scheme = "tcp://"

    /// Parses `tcp://HOST:PORT` (see the type's contract).
    public init(parsing text: String) throws(ParseError) {
        guard text.hasPrefix(Self.scheme) else {
            throw ParseError(text: text, problem: "it does not start with tcp://")
        }
        let rest = text.dropFirst(Self.scheme.count)
        // The port's colon comes after the host, after the closing bracket of an IPv6 host.
        let hostEnd = rest.hasPrefix("[") ? rest.firstIndex(of: "]").map(rest.index(after:)) : rest.startIndex
        guard let hostEnd else {
            throw ParseError(text: text, problem: "the IPv6 host has no closing bracket (tcp://[::1]:9000)")
        }
        guard let colon = rest[hostEnd...].lastIndex(of: ":") else {
            throw ParseError(
                text: text, problem: "the port is missing (tcp://HOST:PORT, for example tcp://127.0.0.1:9000)")
        }
        let portText = rest[rest.index(after: colon)...]
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw ParseError(text: text, problem: "the port '\(portText)' is not a number from 1 to 65535")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw ParseError(text: text, problem: "an IPv6 host goes in brackets: tcp://[\(host)]:\(port)")
        }
        guard !host.isEmpty else { throw ParseError(text: text, problem: "the host is missing") }
        guard !host.contains("/") else { throw ParseError(text: text, problem: "the host '\(host)' contains a '/'") }
        self.init(host: host, port: port)
    }

    /// `HOST:PORT`, with an IPv6 host in brackets: `127.0.0.1:9000`, `[::1]:9000`.
    public var hostAndPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `tcp://HOST:PORT`, which ``init(parsing:)`` reads back.
    public var description: String { Self.scheme + hostAndPort }
}
