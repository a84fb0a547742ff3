import Formats
import Testing

@Suite("number and duration text")
struct NumberTextTests {
    @Test(
        "shortest reads back and drops a whole number's point",
        arguments: [0.0, 200, -3, 0.5, 1e-7, 0.1 + 0.2, 123_456.789])
    func shortest(value: Double) {
        #expect(Double(NumberText.shortest(value)) == value)
        if value == value.rounded() { #expect(!NumberText.shortest(value).contains(".")) }
    }

    @Test("fixed and significant are printf's %.*f and %.*g")
    func printfForms() {
        #expect(NumberText.fixed(2.5, digits: 0) == "2")
        #expect(NumberText.fixed(1.23456, digits: 3) == "1.235")
        #expect(NumberText.fixed(-0.04, digits: 1) == "-0.0")
        #expect(NumberText.significant(0.012345, digits: 3) == "0.0123")
        #expect(NumberText.significant(1_234_567, digits: 3) == "1.23e+06")
    }

    @Test("durations as an option, a clock and a measured length")
    func durations() {
        #expect(DurationText.option(seconds: 10) == "10s")
        #expect(DurationText.option(seconds: 0.5) == "0.5s")
        #expect(DurationText.clock(seconds: 7.4) == "0:07")
        #expect(DurationText.clock(seconds: 3723) == "1:02:03")
        #expect(DurationText.clock(seconds: -1) == "0:00")
        #expect(DurationText.seconds(2.84, digits: 1) == "2.8 s")
    }
}

@Suite("usage error lines")
struct InvalidValueTests {
    @Test("a usage error names the option, the value and what is allowed, on one line")
    func oneLine() {
        let error = InvalidValue(option: "--rate", value: "fast", allowed: "a number of ticks per second, or max")
        #expect(error.description == "--rate: 'fast' is not allowed: a number of ticks per second, or max")
        #expect(!error.description.contains("\n"))
    }
}
