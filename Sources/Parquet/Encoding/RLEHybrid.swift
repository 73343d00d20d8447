/// The RLE / bit-packing hybrid of Encodings.md, used for definition and repetition levels and
/// for dictionary indices.
///
/// A run of 8 or more equal values becomes an RLE run (`varint(count << 1)`, then the value in
/// `ceil(bitWidth / 8)` little-endian bytes); everything else is bit-packed in groups of 8
/// (`varint(groups << 1 | 1)`, then the values packed least significant bit first). Only the
/// last group of the input is padded with zeros, which readers ignore by the value count.
enum RLEHybrid {
    /// The bits needed for values up to `maxValue` (0 for 0).
    static func bitWidth(_ maxValue: UInt64) -> Int {
        64 - maxValue.leadingZeroBitCount
    }

    static func encode<Values: RandomAccessCollection>(
        _ values: Values, bitWidth: Int, into out: inout [UInt8]
    ) where Values.Element: FixedWidthInteger, Values.Index == Int {
        precondition(bitWidth > 0 && bitWidth <= 32)
        var index = values.startIndex
        let end = values.endIndex
        // Start of the values not yet written, all destined for bit-packing.
        var literalStart = index
        while index < end {
            let value = values[index]
            var runEnd = index + 1
            while runEnd < end && values[runEnd] == value { runEnd += 1 }
            // Bit-packed groups hold 8 values: lend the run's head to the literals until they
            // fill whole groups, then see whether enough of the run is left for an RLE run.
            let pending = index - literalStart
            let lent = (8 - pending % 8) % 8
            if runEnd - index - lent >= 8 {
                let rleStart = index + lent
                if rleStart > literalStart {
                    bitPack(values, literalStart..<rleStart, bitWidth: bitWidth, into: &out)
                }
                writeRun(UInt64(value), count: runEnd - rleStart, bitWidth: bitWidth, into: &out)
                literalStart = runEnd
            }
            index = runEnd
        }
        if literalStart < end {
            bitPack(values, literalStart..<end, bitWidth: bitWidth, into: &out)
        }
    }

    private static func writeRun(_ value: UInt64, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        writeVarint(UInt64(count) << 1, into: &out)
        var rest = value
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }

    private static func bitPack<Values: RandomAccessCollection>(
        _ values: Values, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]
    ) where Values.Element: FixedWidthInteger, Values.Index == Int {
        let groups = (range.count + 7) / 8
        writeVarint(UInt64(groups) << 1 | 1, into: &out)
        var accumulator: UInt64 = 0
        var bits = 0
        for position in 0..<(groups * 8) {
            let index = range.lowerBound + position
            let value = index < range.upperBound ? UInt64(truncatingIfNeeded: values[index]) : 0
            accumulator |= value << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        // groups * 8 * bitWidth is a multiple of 8: no bits are left over.
    }

    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
