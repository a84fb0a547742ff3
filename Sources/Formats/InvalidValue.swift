/// A value a user gave that is not allowed, worded the one way every command words it:
/// `<option>: '<value>' is not allowed: <what is allowed>` (one line, no trailing period).
///
/// The command line prints it as a usage error (exit 64); the sweep's plan throws it for a bad
/// list item. `allowed` says what would be accepted, so that the line alone is enough to fix
/// the command: `a number of milliseconds from 0 to 60000`, `models: threads, tasks, …`.
public struct InvalidValue: Error, CustomStringConvertible, Equatable, Sendable {
    public var option: String
    public var value: String
    public var allowed: String

    public init(option: String, value: String, allowed: String) {
        self.option = option
        self.value = value
        self.allowed = allowed
    }

    public var description: String { "\(option): '\(value)' is not allowed: \(allowed)" }
}

extension InvalidValue {
    /// What is allowed, worded once for the options that `run`, `sweep` and `exchange` share.
    public enum Allowed {
        public static let rate = "a rate is a number of ticks per second above 0 (up to 1e8), or 'max'"
        public static let maximumMilliseconds = 60_000.0

        /// `milliseconds must be a number from 0 to 60000`.
        public static func milliseconds(from minimum: Double = 0) -> String {
            "milliseconds must be a number from \(NumberText.shortest(minimum)) to \(NumberText.shortest(maximumMilliseconds))"
        }
    }
}
