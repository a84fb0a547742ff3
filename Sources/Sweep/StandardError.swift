import Foundation

/// Writes to file descriptor 2 (`stderr` itself is not concurrency-safe in Swift 6).
public enum StandardError {
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    public static var isTerminal: Bool { isatty(2) != 0 }
}
