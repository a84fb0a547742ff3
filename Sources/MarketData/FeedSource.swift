/// Where a run's ticks come from, as named by `--feed`.
public enum FeedSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The embedded synthetic exchange (deterministic for a seed).
    case synthetic
    /// A LOBSTER message file replayed at its recorded pace times a speed.
    case lobster(messages: String)
    /// The framed binary feed of `ticklab exchange` at HOST:PORT.
    case tcp(host: String, port: Int)

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "invalid feed '\(text)': use 'synthetic', 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'"
        }
    }

    /// Parses `synthetic`, `lobster:PATH` or `tcp://HOST:PORT`.
    public init(parsing text: String) throws(ParseError) {
        if text == "synthetic" {
            self = .synthetic
        } else if text.hasPrefix("lobster:"), text.count > "lobster:".count {
            self = .lobster(messages: String(text.dropFirst("lobster:".count)))
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"),
                  let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
                throw ParseError(text: text)
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw ParseError(text: text) }
            self = .tcp(host: host, port: port)
        } else {
            throw ParseError(text: text)
        }
    }

    public var description: String {
        switch self {
        case .synthetic: "synthetic"
        case .lobster(let path): "lobster:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }
}
