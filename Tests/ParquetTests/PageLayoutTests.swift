import Testing

@testable import Parquet

/// Whole first pages, uncompressed, computed by hand: the PageHeader, then the levels (absent
/// at maximum level 0; else a 4-byte length and the hybrid encoding, repetition first), then
/// PLAIN values.
@Suite("Data page layout")
struct PageLayoutTests {
    private func firstPage(_ field: ParquetField, rows: [[TestValue]]) throws -> [UInt8] {
        var options = ParquetWriterOptions()
        options.compression = .none
        let (file, _) = try ReadBack.write(rows, fields: [field], options: options)
        return Array(file.dropFirst(4))
    }

    /// PageHeader of a v1 data page: type 0, sizes, DataPageHeader(num_values, encoding, RLE, RLE).
    private func header(size: UInt8, values: UInt8, encoding: UInt8 = 0) -> [UInt8] {
        [0x15, 0x00, 0x15, size * 2, 0x15, size * 2, 0x2C, 0x15, values * 2, 0x15, encoding * 2, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00]
    }

    private func int64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    @Test func aRequiredFlatColumnHasNoLevels() throws {
        let page = try firstPage(.int64("n", optional: false), rows: [[.int(1)], [.int(-1)], [.int(7)]])
        let expected = header(size: 24, values: 3) + int64(1) + int64(-1) + int64(7)
        #expect(Array(page.prefix(expected.count)) == expected)
    }

    @Test func anOptionalColumnHasDefinitionLevelsOnly() throws {
        let page = try firstPage(.int64("n"), rows: [[.int(1)], [.null], [.int(2)]])
        // Levels 1, 0, 1 at width 1: one bit-packed group, 0b101.
        let expected = header(size: 22, values: 3) + [0x02, 0x00, 0x00, 0x00, 0x03, 0x05] + int64(1) + int64(2)
        #expect(Array(page.prefix(expected.count)) == expected)
    }

    @Test func aRepeatedColumnHasRepetitionThenDefinitionLevels() throws {
        let field = ParquetField.list("l", element: .int64("e", optional: false), optional: false)
        let page = try firstPage(field, rows: [[.list([.int(5), .int(6)])], [.list([])]])
        // Repetition 0, 1, 0 (0b010); definition 1, 1, 0 (0b011); the empty list stores no value.
        let expected =
            header(size: 28, values: 3) + [0x02, 0x00, 0x00, 0x00, 0x03, 0x02] + [0x02, 0x00, 0x00, 0x00, 0x03, 0x03]
            + int64(5) + int64(6)
        #expect(Array(page.prefix(expected.count)) == expected)
    }

    @Test func booleansArePackedOneBitEach() throws {
        let rows: [[TestValue]] = [true, false, true, true, false, false, false, false, true].map { [.bool($0)] }
        let page = try firstPage(.boolean("b", optional: false), rows: rows)
        let expected = header(size: 2, values: 9) + [0b0000_1101, 0b0000_0001]
        #expect(Array(page.prefix(expected.count)) == expected)
    }

    @Test func aDictionaryPagePrecedesIndexPages() throws {
        let rows: [[TestValue]] = ["a", "b", "a", "a", "b", "a", "a", "a", "a", "a"].map { [.string($0)] }
        let page = try firstPage(.string("s", optional: false), rows: rows)
        // DictionaryPageHeader (field 7, delta 4): 2 entries, PLAIN; the body is "a" and "b", PLAIN.
        let dictionary: [UInt8] = [0x15, 0x04, 0x15, 0x14, 0x15, 0x14, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00, 0x00]
        let entries: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x61, 0x01, 0x00, 0x00, 0x00, 0x62]
        // Indices 0 1 0 0 1 0 0 0 | 0 0 at width 1: a bit-packed group (0b00010010), then the
        // last two padded into a second group.
        let data = header(size: 4, values: 10, encoding: 8) + [0x01, 0x05, 0x12, 0x00]
        #expect(Array(page.prefix(dictionary.count + entries.count + data.count)) == dictionary + entries + data)
    }
}
