/// Where a run's ticks come from, as named by `--feed`.
public enum FeedSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The embedded synthetic exchange (deterministic for a seed).
    case synthetic
    /// A LOBSTER message file replayed at its recorded pace times a speed.
    case lobster(messages: String)
    /// The framed binary feed of `ticklab exchange` at HOST:PORT.
    case tcp(host: String, port: Int)

    /// Why a text names no feed: the value and what is allowed, for a one-line usage error.
    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        /// What is wrong with it, when it is almost right (`tcp://` without a port, `lobster:`
        /// without a file); nil when it names no kind of feed at all.
        public let problem: String?

        public init(text: String, problem: String? = nil) {
            self.text = text
            self.problem = problem
        }

        public var description: String {
            problem.map { "'\(text)' is not a feed: \($0)" }
                ?? "'\(text)' is not a feed: use 'synthetic', 'lobster:MESSAGES.csv' or 'tcp://HOST:PORT'"
        }
    }

    /// Parses `synthetic`, `lobster:PATH` or `tcp://HOST:PORT` (see ``ExchangeAddress``).
    public init(parsing text: String) throws(ParseError) {
        if text == "synthetic" {
            self = .synthetic
        } else if text.hasPrefix("lobster:") {
            guard text.count > "lobster:".count else {
                throw ParseError(text: text, problem: "the message file is missing (lobster:MESSAGES.csv)")
            }
            self = .lobster(messages: String(text.dropFirst("lobster:".count)))
        } else if text.hasPrefix(ExchangeAddress.scheme) {
            do {
                let address = try ExchangeAddress(parsing: text)
                self = .tcp(host: address.host, port: address.port)
            } catch {
                throw ParseError(text: text, problem: error.problem)
            }
        } else {
            throw ParseError(text: text)
        }
    }

    /// The exchange of a `tcp://` feed; nil for the others.
    public var exchangeAddress: ExchangeAddress? {
        if case .tcp(let host, let port) = self { return ExchangeAddress(host: host, port: port) }
        return nil
    }

    public var description: String {
        switch self {
        case .synthetic: "synthetic"
        case .lobster(let path): "lobster:\(path)"
        case .tcp(let host, let port): ExchangeAddress(host: host, port: port).description
        }
    }
}
