#if canImport(Darwin)
    import Darwin
#else
    import Glibc
#endif

/// How TickLab writes a number wherever it must read back, be typed again, or stay the same
/// from run to run: options echoed in tables and commands, the CSV and the sweep's commands.
///
/// Contract:
/// - ``shortest(_:)``: a whole number below 1e15 in magnitude without a decimal point (`200`,
///   `-3`, `0`); anything else in Swift's shortest form that reads back to the same `Double`
///   (`0.5`, `1e-07`, `inf`). No rounding: `Double(shortest(x)) == x` for every finite `x`.
/// - ``fixed(_:digits:)``: exactly `digits` decimals, as C's `printf("%.*f")`: the nearest
///   decimal to the binary value (`fixed(2.675, digits: 2)` is `2.67`, the `Double` being just
///   below 2.675); for the human tables, where columns line up.
/// - ``significant(_:digits:)``: `digits` significant digits without trailing zeros, as
///   `printf("%.*g")` (`0.0123`, `1.23e+06`); for small values in the report.
public enum NumberText {
    public static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    public static func fixed(_ value: Double, digits: Int) -> String { printf("%.*f", digits, value) }

    public static func significant(_ value: Double, digits: Int) -> String { printf("%.*g", digits, value) }

    /// C's `snprintf` with one precision and one value, without Foundation (MarketData has none).
    private static func printf(_ format: String, _ precision: Int, _ value: Double) -> String {
        let capacity = 400  // %.*f of 1e308 with a few decimals fits; longer output is cut.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            let count = withVaList([Int32(precision), value]) { vsnprintf(buffer.baseAddress!, capacity, format, $0) }
            return String(
                decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: min(Int(count), capacity - 1)),
                as: UTF8.self)
        }
    }
}
