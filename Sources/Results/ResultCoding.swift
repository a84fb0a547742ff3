import Foundation

/// JSON encoding of results: one record per line, keys sorted, so files diff and stream well.
public enum ResultCoding {
    public static func jsonLine(_ result: RunResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }

    public static func decode(_ line: some StringProtocol) throws -> RunResult {
        try JSONDecoder().decode(RunResult.self, from: Data(line.utf8))
    }
}
