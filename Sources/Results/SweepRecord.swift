import Foundation

/// The record of a cell that produced no result: it crashed, exited without printing one,
/// printed something unreadable or ran past its time limit.
///
/// It sits in `results.jsonl` beside the ``RunResult`` records (told apart by `schema`), so a
/// sweep's file says what failed and why, resume knows the cell was tried, and the report lists
/// it. A cell whose run printed a result that failed its self-check is recorded as that
/// ``RunResult`` instead: it carries the failures itself.
public struct FailedCell: Sendable, Hashable, Codable {
    public static let schemaName = "ticklab.failed-cell"
    public static let currentSchemaVersion = 1

    public var schema: String = FailedCell.schemaName
    public var schemaVersion: Int = FailedCell.currentSchemaVersion
    public var ticklabVersion: String = TickLabVersion.string
    /// When the child started, ISO 8601 UTC.
    public var startedAt: String
    /// The parameters the cell was run with, as a ``RunResult`` would carry them.
    public var configuration: RunResult.Parameters
    /// What went wrong, in one sentence.
    public var error: String
    /// The child's exit status, when it exited.
    public var exitStatus: Int32?
    /// The signal that ended the child, when one did.
    public var signal: Int32?
    /// The end of what the child wrote to standard error.
    public var stderr: String
    /// Wall time from spawn to end.
    public var wallSeconds: Double

    public init(
        startedAt: String, configuration: RunResult.Parameters, error: String, exitStatus: Int32? = nil,
        signal: Int32? = nil, stderr: String = "", wallSeconds: Double = 0
    ) {
        self.startedAt = startedAt
        self.configuration = configuration
        self.error = error
        self.exitStatus = exitStatus
        self.signal = signal
        self.stderr = stderr
        self.wallSeconds = wallSeconds
    }
}

/// One line of `results.jsonl`: a run's result (passed or not) or a failed cell.
public enum SweepRecord: Sendable, Hashable {
    case run(RunResult)
    case failed(FailedCell)

    /// A line the file holds that is none of the known records.
    public struct UnreadableLine: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public var parameters: RunResult.Parameters {
        switch self {
        case .run(let result): result.configuration
        case .failed(let failed): failed.configuration
        }
    }

    public var startedAt: String {
        switch self {
        case .run(let result): result.startedAt
        case .failed(let failed): failed.startedAt
        }
    }

    /// The result when the run completed, was not interrupted, its feed did not fail, it passed its self-check and no
    /// rerun replaced it: the only records the report's figures use.
    public var passedResult: RunResult? {
        if case .run(let result) = self, result.selfCheck.passed, !result.interrupted, result.feedFailure == nil,
            result.supersededByRerun != true
        {
            return result
        }
        return nil
    }

    /// Why the record does not count, nil when it does.
    public var failure: String? {
        switch self {
        case .run(let result):
            if !result.selfCheck.passed {
                return "self-check failed: " + result.selfCheck.failures.joined(separator: "; ")
            }
            if let feedFailure = result.feedFailure { return "the feed failed: " + feedFailure.reason }
            if result.supersededByRerun == true { return "the run was noisy and a rerun replaced it" }
            return result.interrupted ? "the run was interrupted; its partial result is not used" : nil
        case .failed(let failed):
            return failed.error
        }
    }

    /// The record as one JSON line (keys sorted, as `ticklab run --json` prints it).
    public func jsonLine() throws -> String {
        switch self {
        case .run(let result):
            return try ResultCoding.jsonLine(result)
        case .failed(let failed):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(failed), as: UTF8.self)
        }
    }

    private struct SchemaProbe: Decodable {
        var schema: String?
    }

    /// Reads a line written by ``jsonLine()`` or by `ticklab run --json`.
    public static func decode(_ line: some StringProtocol) throws(UnreadableLine) -> SweepRecord {
        let data = Data(line.utf8)
        let decoder = JSONDecoder()
        let schema: String?
        do {
            schema = try decoder.decode(SchemaProbe.self, from: data).schema
        } catch {
            throw UnreadableLine(reason: "not a JSON object")
        }
        do {
            switch schema {
            case RunResult.schemaName: return .run(try decoder.decode(RunResult.self, from: data))
            case FailedCell.schemaName: return .failed(try decoder.decode(FailedCell.self, from: data))
            default:
                throw UnreadableLine(
                    reason:
                        "unknown schema '\(schema ?? "none")' (expected \(RunResult.schemaName) or \(FailedCell.schemaName))"
                )
            }
        } catch let unreadable as UnreadableLine {
            throw unreadable
        } catch {
            throw UnreadableLine(
                reason: "a \(schema ?? "") record with missing or mistyped fields: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "no '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "'\(path(context))': \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
