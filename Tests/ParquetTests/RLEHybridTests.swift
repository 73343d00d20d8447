import Testing

@testable import Parquet

/// Vectors for the RLE / bit-packing hybrid computed by hand from Encodings.md.
@Suite("RLE / bit-packed hybrid")
struct RLEHybridTests {
    private func encode(_ values: [UInt8], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        RLEHybrid.encode(values, bitWidth: bitWidth, into: &out)
        return out
    }

    @Test func bitWidthIsTheBitsOfTheLargestValue() {
        #expect(RLEHybrid.bitWidth(0) == 0)
        #expect(RLEHybrid.bitWidth(1) == 1)
        #expect(RLEHybrid.bitWidth(2) == 2)
        #expect(RLEHybrid.bitWidth(3) == 2)
        #expect(RLEHybrid.bitWidth(255) == 8)
        #expect(RLEHybrid.bitWidth(256) == 9)
    }

    @Test func eightOrMoreEqualValuesAreOneRLERun() {
        // Header varint(10 << 1) = 0x14, then the value in one byte.
        #expect(encode(Array(repeating: 1, count: 10), bitWidth: 1) == [0x14, 0x01])
        #expect(encode(Array(repeating: 0, count: 8), bitWidth: 2) == [0x10, 0x00])
    }

    @Test func rleValuesTakeWholeBytesOfTheWidth() {
        var out: [UInt8] = []
        RLEHybrid.encode([UInt32](repeating: 300, count: 8), bitWidth: 9, into: &out)
        #expect(out == [0x10, 0x2C, 0x01])
    }

    @Test func distinctValuesAreBitPackedLeastSignificantBitFirst() {
        // The example of Encodings.md: 0...7 at width 3.
        #expect(encode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func theLastGroupIsPaddedWithZeros() {
        // 1, 2, 3 at width 2: 01 10 11 00 -> 0b00111001, then a zero byte for the padding.
        #expect(encode([1, 2, 3], bitWidth: 2) == [0x03, 0x39, 0x00])
        // Seven equal values are too few for a run.
        #expect(encode(Array(repeating: 1, count: 7), bitWidth: 1) == [0x03, 0x7F])
    }

    @Test func aRunAfterLiteralsFirstFillsTheLiteralsGroup() {
        // 2, 3, then twenty 5s at width 3: six 5s complete the bit-packed group of eight,
        // the other fourteen are a run (varint(14 << 1) = 0x1C).
        let values: [UInt8] = [2, 3] + Array(repeating: 5, count: 20)
        #expect(encode(values, bitWidth: 3) == [0x03, 0x5A, 0xDB, 0xB6, 0x1C, 0x05])
    }

    @Test func aShortRunAfterLiteralsStaysBitPacked() {
        // 1, then eight 0s: seven lent to the group leave one, too few for a run.
        let values: [UInt8] = [1] + Array(repeating: 0, count: 8)
        #expect(encode(values, bitWidth: 1) == [0x05, 0x01, 0x00])
    }

    @Test func runsAndLiteralsAlternate() {
        let values: [UInt8] = Array(repeating: 1, count: 9) + [0, 1, 0, 1, 0, 1, 0, 1] + Array(repeating: 0, count: 8)
        // Run of nine 1s, a group of eight alternating (0b10101010), a run of eight 0s.
        #expect(encode(values, bitWidth: 1) == [0x12, 0x01, 0x03, 0xAA, 0x10, 0x00])
    }
}
