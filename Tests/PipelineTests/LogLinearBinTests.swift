import PropertyBased
import Testing

@testable import Pipeline

/// The layout as it was first written, with a leading-zero count: the reference the conversion
/// to `Double` must agree with, bin for bin.
private func referenceBin(_ value: UInt64, subBinBits: Int) -> Int {
    let shift = (63 - subBinBits) - (value | (1 << UInt64(subBinBits))).leadingZeroBitCount
    return (shift << subBinBits) + Int(value >> UInt64(shift))
}

/// Every value a histogram keeps: a random exponent up to the highest trackable's, random low bits.
private let trackable = zip(Gen.int(in: 0...42), Gen.uint64()).map { exponent, bits in
    min(bits >> UInt64(63 - exponent), LatencyHistogram.highestTrackable)
}

@Suite("The log-linear bin of a value")
struct LogLinearBinTests {
    @Test("below 2^16 and at every power of two's edges, the bin is the reference's", arguments: [10, 4])
    func edges(subBinBits: Int) {
        var values = Array(UInt64(0)..<65_536)
        for k in 16...42 { values += [(1 << UInt64(k)) - 1, 1 << UInt64(k), (1 << UInt64(k)) + 1] }
        values.append(LatencyHistogram.highestTrackable)
        for value in values {
            #expect(
                LogLinearBin.index(of: value, subBinBits: subBinBits) == referenceBin(value, subBinBits: subBinBits),
                "value \(value)")
        }
    }

    @Test("any trackable value has the reference's bin, at three digits and at the timeline's", arguments: [10, 4])
    func anyValue(subBinBits: Int) async {
        await propertyCheck(count: 2_000, input: trackable) { value in
            #expect(
                LogLinearBin.index(of: value, subBinBits: subBinBits) == referenceBin(value, subBinBits: subBinBits))
        }
    }

    @Test("the histogram's bin holds its value, and the bins cover the values without gaps")
    func binHoldsItsValue() async {
        await propertyCheck(count: 2_000, input: trackable) { value in
            let bin = LatencyHistogram.binIndex(value)
            #expect(LatencyHistogram.range(ofBin: bin).contains(value), "value \(value) in bin \(bin)")
            if bin > 0 {
                #expect(
                    LatencyHistogram.range(ofBin: bin - 1).upperBound + 1
                        == LatencyHistogram.range(ofBin: bin).lowerBound)
            }
        }
    }
}
