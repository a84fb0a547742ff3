/// How TickLab writes a length of time, in the three forms a reader meets.
///
/// Contract (all take seconds as a `Double`; a negative length prints as zero where noted):
/// - ``option(seconds:)``: the form `--duration` reads back: the seconds in
///   ``NumberText/shortest(_:)`` followed by `s` (`10s`, `0.5s`, `90s`). Not rounded.
/// - ``clock(seconds:)``: elapsed time on a progress line: `m:ss` or `h:mm:ss` (`0:07`, `12:30`,
///   `1:02:03`), rounded to the nearest second, negative as `0:00`.
/// - ``seconds(_:digits:)``: a measured length in a sentence: `digits` decimals and ` s`
///   (`2.8 s`, `12 s`), rounded as ``NumberText/fixed(_:digits:)`` rounds.
public enum DurationText {
    public static func option(seconds: Double) -> String { NumberText.shortest(seconds) + "s" }

    public static func clock(seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    public static func seconds(_ seconds: Double, digits: Int) -> String {
        NumberText.fixed(seconds, digits: digits) + " s"
    }
}
