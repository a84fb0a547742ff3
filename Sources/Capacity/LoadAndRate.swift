import Foundation

/// Why a load or a rate could not be worked out. Each description is one line a user can act on.
public enum LoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--proc-ms 0`: there is no processing to utilise, so a load names no rate.
    case noProcessing
    /// The processing time per tick is negative, NaN or infinite.
    case invalidProcessing(Double)
    /// The utilisation is zero, negative, NaN or infinite.
    case invalidLoad(Double)
    /// The rate is negative, NaN or infinite.
    case invalidRate(Double)

    public var description: String {
        switch self {
        case .noProcessing:
            "with --proc-ms 0 a load has no meaning; use --rate (up to max)"
        case .invalidProcessing(let value):
            "--proc-ms \(value) is not allowed: processing time per tick is a finite number of milliseconds, 0 or more"
        case .invalidLoad(let value):
            "load \(value) is not allowed: a load is utilisation ρ = rate × proc-ms / 1000, a finite number above 0"
        case .invalidRate(let value):
            "rate \(value) is not allowed: a rate is a finite number of ticks per second, 0 or more"
        }
    }
}

/// Offered load as utilisation of the processor: ρ = rate × procMs / 1000.
///
/// At ρ = 1 the processor is busy all the time on average; above it a queue grows without bound
/// whatever the model. The conversions are exact inverses of each other (up to rounding).
public enum OfferedLoad {
    /// ρ = `ticksPerSecond` × `processingMilliseconds` / 1000.
    ///
    /// - Throws: `LoadError.noProcessing` when `processingMilliseconds` is 0 (every rate would be
    ///   ρ = 0), `.invalidProcessing` when it is negative or not finite, `.invalidRate` when the
    ///   rate is negative or not finite.
    public static func utilisation(ticksPerSecond: Double, processingMilliseconds: Double) throws(LoadError) -> Double {
        try checkProcessing(processingMilliseconds)
        guard ticksPerSecond.isFinite, ticksPerSecond >= 0 else { throw .invalidRate(ticksPerSecond) }
        return ticksPerSecond * processingMilliseconds / 1000
    }

    /// The rate in ticks per second that offers load ρ: ρ × 1000 / `processingMilliseconds`.
    ///
    /// - Throws: `LoadError.noProcessing` when `processingMilliseconds` is 0 (no rate offers a
    ///   load then), `.invalidProcessing` when it is negative or not finite, `.invalidLoad` when
    ///   ρ is 0 or less or not finite.
    public static func ticksPerSecond(utilisation: Double, processingMilliseconds: Double) throws(LoadError) -> Double {
        try checkProcessing(processingMilliseconds)
        guard utilisation.isFinite, utilisation > 0 else { throw .invalidLoad(utilisation) }
        return utilisation * 1000 / processingMilliseconds
    }

    private static func checkProcessing(_ milliseconds: Double) throws(LoadError) {
        guard milliseconds.isFinite, milliseconds >= 0 else { throw .invalidProcessing(milliseconds) }
        guard milliseconds > 0 else { throw .noProcessing }
    }
}

/// Why a `--load` list was refused. Each description names the bad value and what is allowed.
public enum LoadListError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing, or only commas and spaces.
    case empty
    /// Two commas with nothing between them, or a trailing comma; `position` counts from 1.
    case emptyEntry(position: Int)
    /// An entry that is not a number.
    case notANumber(String)
    /// A number that is 0 or less, NaN or infinite.
    case notPositiveFinite(String)
    /// The same load twice (it would run the same cells twice under two names).
    case duplicate(String)

    private static let allowed =
        "a load is utilisation ρ = rate × proc-ms / 1000, a positive number, e.g. --load 0.5,0.8,0.9,1.0,1.1"

    public var description: String {
        switch self {
        case .empty: "--load is empty: \(Self.allowed)"
        case .emptyEntry(let position): "--load has an empty entry at position \(position): \(Self.allowed)"
        case .notANumber(let text): "--load '\(text)' is not a number: \(Self.allowed)"
        case .notPositiveFinite(let text): "--load '\(text)' is not allowed: \(Self.allowed)"
        case .duplicate(let text): "--load '\(text)' is listed twice: each load once"
        }
    }
}

/// The `--load` option: a comma-separated list of utilisations.
public enum LoadList {
    /// Parses `0.5,0.8,0.9,1.0,1.1` into `[0.5, 0.8, 0.9, 1.0, 1.1]`, in the order given.
    ///
    /// Spaces around entries are ignored. Every entry must be a positive finite number, and no
    /// load may appear twice (compared as numbers: `1` and `1.0` are the same load).
    ///
    /// - Throws: `LoadListError` naming the first bad entry.
    public static func parse(_ text: String) throws(LoadListError) -> [Double] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard entries.contains(where: { !$0.isEmpty }) else { throw .empty }
        var loads: [Double] = []
        for (index, entry) in entries.enumerated() {
            guard !entry.isEmpty else { throw .emptyEntry(position: index + 1) }
            // Double("nan") and Double("inf") parse; they are numbers but not loads.
            guard let value = Double(entry) else { throw .notANumber(entry) }
            guard value.isFinite, value > 0 else { throw .notPositiveFinite(entry) }
            guard !loads.contains(value) else { throw .duplicate(entry) }
            loads.append(value)
        }
        return loads
    }
}
