import Capacity
import Foundation
import PropertyBased
import Testing

@Suite struct LoadAndRateTests {
    @Test func utilisationIsRateTimesProcessingOverAThousand() throws {
        #expect(try OfferedLoad.utilisation(ticksPerSecond: 200, processingMilliseconds: 4) == 0.8)
        #expect(try OfferedLoad.utilisation(ticksPerSecond: 250, processingMilliseconds: 4) == 1)
        #expect(try OfferedLoad.utilisation(ticksPerSecond: 0, processingMilliseconds: 4) == 0)
        #expect(try OfferedLoad.utilisation(ticksPerSecond: 1_000, processingMilliseconds: 0.5) == 0.5)
    }

    @Test func rateIsLoadTimesAThousandOverProcessing() throws {
        #expect(try OfferedLoad.ticksPerSecond(utilisation: 1, processingMilliseconds: 4) == 250)
        #expect(try OfferedLoad.ticksPerSecond(utilisation: 0.9, processingMilliseconds: 1) == 900)
        #expect(try OfferedLoad.ticksPerSecond(utilisation: 1.1, processingMilliseconds: 0.5) == 2_200)
    }

    @Test func theConversionsAreInverses() async {
        await propertyCheck(count: 300, input: Gen.double(in: 0.01...2), Gen.double(in: 0.01...100)) { load, procMs in
            let rate = try OfferedLoad.ticksPerSecond(utilisation: load, processingMilliseconds: procMs)
            let back = try OfferedLoad.utilisation(ticksPerSecond: rate, processingMilliseconds: procMs)
            #expect(
                abs(back - load) <= 1e-12 * load, "load \(load), proc-ms \(procMs): rate \(rate) gives back \(back)")
        }
    }

    @Test func zeroProcessingHasNoLoad() {
        #expect(throws: LoadError.noProcessing) {
            try OfferedLoad.ticksPerSecond(utilisation: 0.9, processingMilliseconds: 0)
        }
        #expect(throws: LoadError.noProcessing) {
            try OfferedLoad.utilisation(ticksPerSecond: 200, processingMilliseconds: 0)
        }
        #expect(LoadError.noProcessing.description == "with --proc-ms 0 a load has no meaning; use --rate (up to max)")
    }

    @Test func badValuesAreTypedErrors() {
        #expect(throws: LoadError.invalidProcessing(-1)) {
            try OfferedLoad.ticksPerSecond(utilisation: 0.9, processingMilliseconds: -1)
        }
        #expect(throws: LoadError.invalidProcessing(.infinity)) {
            try OfferedLoad.utilisation(ticksPerSecond: 1, processingMilliseconds: .infinity)
        }
        #expect(throws: LoadError.invalidLoad(0)) {
            try OfferedLoad.ticksPerSecond(utilisation: 0, processingMilliseconds: 4)
        }
        #expect(throws: LoadError.invalidLoad(-0.5)) {
            try OfferedLoad.ticksPerSecond(utilisation: -0.5, processingMilliseconds: 4)
        }
        #expect(throws: LoadError.invalidRate(-3)) {
            try OfferedLoad.utilisation(ticksPerSecond: -3, processingMilliseconds: 4)
        }
        #expect(throws: LoadError.self) { try OfferedLoad.ticksPerSecond(utilisation: .nan, processingMilliseconds: 4) }
        #expect(throws: LoadError.self) { try OfferedLoad.utilisation(ticksPerSecond: .nan, processingMilliseconds: 4) }
        #expect(throws: LoadError.self) { try OfferedLoad.utilisation(ticksPerSecond: 1, processingMilliseconds: .nan) }
    }

    @Test func aLoadListParsesInOrder() throws {
        #expect(try LoadList.parse("0.5,0.8,0.9,1.0,1.1") == [0.5, 0.8, 0.9, 1.0, 1.1])
        #expect(try LoadList.parse(" 1.1 , 0.5 ") == [1.1, 0.5])
        #expect(try LoadList.parse("2") == [2])
    }

    @Test func aBadLoadListNamesTheValue() {
        #expect(throws: LoadListError.empty) { try LoadList.parse("") }
        #expect(throws: LoadListError.empty) { try LoadList.parse(" , ") }
        #expect(throws: LoadListError.emptyEntry(position: 2)) { try LoadList.parse("0.5,,0.9") }
        #expect(throws: LoadListError.emptyEntry(position: 3)) { try LoadList.parse("0.5,0.9,") }
        #expect(throws: LoadListError.notANumber("abc")) { try LoadList.parse("0.5,abc") }
        #expect(throws: LoadListError.notANumber("90%")) { try LoadList.parse("90%") }
        #expect(throws: LoadListError.notPositiveFinite("0")) { try LoadList.parse("0,1") }
        #expect(throws: LoadListError.notPositiveFinite("-0.5")) { try LoadList.parse("-0.5") }
        #expect(throws: LoadListError.notPositiveFinite("nan")) { try LoadList.parse("nan") }
        #expect(throws: LoadListError.notPositiveFinite("inf")) { try LoadList.parse("0.5,inf") }
        #expect(throws: LoadListError.duplicate("1.0")) { try LoadList.parse("1,0.5,1.0") }

        let message = LoadListError.notANumber("abc").description
        #expect(message.contains("'abc'") && message.contains("positive number"), "\(message)")
        #expect(!message.contains("\n"))
    }
}

@Suite struct LatencyObjectiveTests {
    @Test func parsesPercentilesAndUnits() throws {
        #expect(try LatencyObjective.parse("p99=10ms") == LatencyObjective(percentile: .p99, boundMilliseconds: 10))
        #expect(try LatencyObjective.parse("p99.9=50ms") == LatencyObjective(percentile: .p999, boundMilliseconds: 50))
        #expect(try LatencyObjective.parse("p50=500us") == LatencyObjective(percentile: .p50, boundMilliseconds: 0.5))
        #expect(try LatencyObjective.parse("p90=250µs") == LatencyObjective(percentile: .p90, boundMilliseconds: 0.25))
        #expect(
            try LatencyObjective.parse("p90=250\u{03BC}s")
                == LatencyObjective(percentile: .p90, boundMilliseconds: 0.25))
        #expect(try LatencyObjective.parse("p99=1.5s") == LatencyObjective(percentile: .p99, boundMilliseconds: 1_500))
        #expect(
            try LatencyObjective.parse(" P99 = 10 MS ") == LatencyObjective(percentile: .p99, boundMilliseconds: 10))
    }

    @Test func printsBackWhatItReads() throws {
        for text in ["p99=10ms", "p99.9=50ms", "p50=500µs", "p90=2.5ms", "p99=2s", "p99=1.5s"] {
            #expect(try LatencyObjective.parse(text).description == text)
        }
        #expect(LatencyObjective.standard.description == "p99=10ms")
    }

    @Test func printingRoundTripsExactly() async {
        await propertyCheck(count: 400, input: Gen<LatencyPercentile>.case, Gen.double(in: 1e-6...1e7)) {
            percentile, bound in
            let objective = LatencyObjective(percentile: percentile, boundMilliseconds: bound)
            let parsed = try LatencyObjective.parse(objective.description)
            #expect(parsed == objective, "\(objective)")
        }
    }

    @Test func theDefaultIsProcessingP99UnderTenMilliseconds() {
        #expect(LatencyObjective.standard.percentile == .p99)
        #expect(LatencyObjective.standard.boundMilliseconds == 10)
        #expect(LatencyObjective.standard.isMet(byMilliseconds: 10))
        #expect(!LatencyObjective.standard.isMet(byMilliseconds: 10.001))
        #expect(!LatencyObjective.standard.isMet(byMilliseconds: .nan))
        #expect(!LatencyObjective.standard.isMet(byMilliseconds: .infinity))
        #expect(LatencyPercentile.p999.quantile == 0.999)
    }

    @Test func badObjectivesNameThePart() {
        #expect(throws: LatencyObjectiveError.missingBound("p99")) { try LatencyObjective.parse("p99") }
        #expect(throws: LatencyObjectiveError.missingBound("p99=")) { try LatencyObjective.parse("p99=") }
        #expect(throws: LatencyObjectiveError.unknownPercentile("p95")) { try LatencyObjective.parse("p95=10ms") }
        #expect(throws: LatencyObjectiveError.unknownPercentile("")) { try LatencyObjective.parse("=10ms") }
        #expect(throws: LatencyObjectiveError.unknownUnit("10")) { try LatencyObjective.parse("p99=10") }
        #expect(throws: LatencyObjectiveError.unknownUnit("10min")) { try LatencyObjective.parse("p99=10min") }
        #expect(throws: LatencyObjectiveError.invalidBound("0ms")) { try LatencyObjective.parse("p99=0ms") }
        #expect(throws: LatencyObjectiveError.invalidBound("-1ms")) { try LatencyObjective.parse("p99=-1ms") }
        #expect(throws: LatencyObjectiveError.invalidBound("xms")) { try LatencyObjective.parse("p99=xms") }
        #expect(throws: LatencyObjectiveError.invalidBound("infms")) { try LatencyObjective.parse("p99=infms") }

        let message = LatencyObjectiveError.unknownPercentile("p95").description
        #expect(message.contains("'p95'") && message.contains("p99.9"), "\(message)")
    }

    @Test func objectivesAreCodable() throws {
        let objective = LatencyObjective(percentile: .p999, boundMilliseconds: 50)
        let data = try JSONEncoder().encode(objective)
        #expect(try JSONDecoder().decode(LatencyObjective.self, from: data) == objective)
        #expect(String(decoding: data, as: UTF8.self).contains("\"p99.9\""))
        let negative = Data(#"{"percentile":"p99","boundMilliseconds":-1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LatencyObjective.self, from: negative) }
    }
}
