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
