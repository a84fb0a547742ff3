import ArgumentParser
import Formats
import Foundation
import MarketData

/// The one way TickLab words a usage error, ``InvalidValue``'s
/// `<option>: '<bad value>' is not allowed: <what is allowed>`, one line, exit 64 (``Main``
/// prints it and exits).
///
/// Contract:
/// - ``invalid(_:_:allowed:)`` builds the error for `validate()` and for checks in `run()`;
///   `allowed` says what is accepted (`a number from 1 to 60000`).
/// - ``NotAllowed`` is what an option's `transform` throws: ArgumentParser adds the option and
///   the value, and ``oneLine(_:)`` puts them in the same order as ``invalid(_:_:allowed:)``.
/// - ``oneLine(_:)`` turns ArgumentParser's own messages (a value not in a list, an unknown
///   option, a missing value) into the same shape, on one line.
enum UsageMessage {
    static func line(_ option: String, _ value: String, allowed: String) -> String {
        InvalidValue(option: option, value: value, allowed: allowed).description
    }

    static func invalid(_ option: String, _ value: String, allowed: String) -> ValidationError {
        ValidationError(line(option, value, allowed: allowed))
    }

    /// What a transform throws: only what is allowed; ArgumentParser knows option and value.
    struct NotAllowed: Error, CustomStringConvertible {
        var allowed: String
        init(_ allowed: String) { self.allowed = allowed }
        var description: String { allowed }
    }

    /// A whole number in a range, as a transform: `--seed`, `--port`, `--repeats`.
    static func wholeNumber<Value: FixedWidthInteger>(
        _ text: String, in range: ClosedRange<Value>,
        _ allowed: String? = nil
    ) throws -> Value {
        guard let value = Value(text), range.contains(value) else {
            throw NotAllowed(allowed ?? "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// ArgumentParser's message for a usage error, in the shape of ``line(_:_:allowed:)``.
    /// - Parameters:
    ///   - command: the subcommand given (`run`), nil when none was.
    ///   - commands: the subcommands there are, for a word that is none of them.
    static func oneLine(_ message: String, command: String?, commands: [String]) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let first = lines.first else { return "invalid arguments" }
        // "The value 'V' is invalid for '--opt <name>': ALLOWED" (a transform's NotAllowed)
        // "The value 'V' is invalid for '--opt <name>'. Please provide one of 'a', 'b' or 'c'."
        // "The value 'V' is invalid for '--opt <name>'. Please provide one of the following:" + "  - a" lines
        if let match = first.wholeMatch(
            of: /The value '(?<value>.*)' is invalid for '(?<option>[^' ]+)(?: <[^>]*>)?'(?<rest>.*)/)
        {
            let option = String(match.output.option), value = String(match.output.value)
            var rest = String(match.output.rest)
            if rest.hasPrefix(": ") {
                return line(option, value, allowed: String(rest.dropFirst(2)))
            }
            if rest.hasPrefix(". Please provide one of the following:") {
                let choices = lines.dropFirst().map { $0.trimmingPrefix(while: { $0 == " " || $0 == "-" }) }
                return line(option, value, allowed: "one of " + choices.joined(separator: ", "))
            }
            if rest.hasPrefix(". Please provide one of ") {
                rest = String(rest.dropFirst(". Please provide ".count))
                if rest.hasSuffix(".") { rest.removeLast() }
                // ArgumentParser lists two values as "'a' and 'b'": only one of them is allowed.
                if !rest.contains(",") { rest = rest.replacingOccurrences(of: "' and '", with: "' or '") }
                return line(option, value, allowed: rest)
            }
            return line(option, value, allowed: "see the option's help")
        }
        // "Missing value for '--opt <name>'"
        if let match = first.wholeMatch(of: /Missing value for '(?<option>[^' ]+)(?: <(?<name>[^>]*)>)?'/) {
            let name = match.output.name.map { " (\($0))" } ?? ""
            return "\(match.output.option): the value\(name) is missing"
        }
        // "Missing expected argument '<name>'"
        if let match = first.wholeMatch(of: /Missing expected argument '(?<name>[^']+)'/) {
            return "\(command ?? "ticklab"): the argument \(match.output.name) is missing"
        }
        // "Unknown option '--x'" or "Unknown option '--x'. Did you mean '--y'?"
        if let match = first.wholeMatch(
            of: /Unknown option '(?<option>[^']+)'(?:\. Did you mean '(?<suggestion>[^']+)'\?)?/)
        {
            let suggestion = match.output.suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return line(
                command ?? "option", String(match.output.option),
                allowed: "not an option of \(command.map { "'ticklab \($0)'" } ?? "ticklab")\(suggestion)")
        }
        // "Unexpected argument 'x'": a word where no argument goes.
        if let match = first.wholeMatch(of: /Unexpected argument '(?<value>[^']*)'/) {
            guard let command else {
                return line(
                    "command", String(match.output.value), allowed: "one of " + commands.joined(separator: ", "))
            }
            return line(
                command, String(match.output.value),
                allowed: "an argument of 'ticklab \(command)', which takes none here")
        }
        return first
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> String {
        String(drop(while: predicate))
    }
}
