import Formats
import Foundation
import Results

/// How the report and the progress lines write numbers and text.
public enum ReportFormat {
    /// Escapes text for XHTML and SVG (element content and quoted attributes alike).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A rate or a count: `199.9`, `96.6`, `12345`, `6.50`, `0.25`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let magnitude = abs(value)
        if magnitude >= 1_000 || value == value.rounded() { return NumberText.fixed(value, digits: 0) }
        if magnitude >= 10 { return NumberText.fixed(value, digits: 1) }
        if magnitude >= 1 { return NumberText.fixed(value, digits: 2) }
        return NumberText.significant(value, digits: 3)
    }

    /// Milliseconds to three significant digits: `130`, `52.1`, `1.23`, `0.0123`.
    public static func millis(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let magnitude = abs(value)
        if magnitude >= 100 { return NumberText.fixed(value, digits: 0) }
        if magnitude >= 10 { return NumberText.fixed(value, digits: 1) }
        if magnitude >= 1 { return NumberText.fixed(value, digits: 2) }
        if magnitude == 0 { return "0" }
        return NumberText.significant(value, digits: 3)
    }

    /// An axis tick, as short as it can be: `1`, `50`, `0.5`, `0.25`, `10000`.
    public static func tick(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return NumberText.significant(value, digits: 6)
    }

    /// Seconds of CPU: `1.23`, `0.0456`.
    public static func seconds(_ value: Double) -> String { millis(value) }

    /// A change in percent with its sign: `+47%`, `−12.5%`, `±0%`.
    public static func percent(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let magnitude = abs(value)
        let digits = magnitude >= 10 ? NumberText.fixed(magnitude, digits: 0) : NumberText.fixed(magnitude, digits: 1)
        if digits == "0" || digits == "0.0" { return "±0%" }
        return (value > 0 ? "+" : "−") + digits + "%"
    }

    /// `a–b` for a range of percentages, the seed's "47–123%".
    public static func percentRange(_ low: Double, _ high: Double) -> String {
        if percent(low) == percent(high) { return percent(low) }
        return percent(low) + " to " + percent(high)
    }
}
