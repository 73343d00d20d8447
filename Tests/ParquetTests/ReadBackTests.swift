import Foundation
import Testing

@testable import Parquet

/// Files written here are read by pyarrow and DuckDB (Support/read_parquet.py), which compare
/// rows, values, nulls, statistics and dictionary pages with what the test expects.
@Suite("Parquet read back by pyarrow and DuckDB")
struct ReadBackTests {
    static let fields: [ParquetField] = [
        .string("id", optional: false),
        .int64("count"),
        .boolean("flag"),
        .timestampMillis("created_at"),
        .string("lang"),
        .list("tags", element: .string("tag")),
        .list("refs", element: .group("ref", [.string("type"), .string("id", optional: false)], optional: false)),
        .group("author", [.string("name"), .int64("followers"), .boolean("verified", optional: false)]),
    ]

    /// Optional scalars of every type, lists with nulls, empties and null elements, a list of
    /// structs, a struct, unicode.
    static func mixedRows(_ count: Int) -> [[TestValue]] {
        let langs = ["en", "fr", "ja", "und"]
        let texts = ["plain", "café", "日本語のテキスト", "emoji 🐦‍🔥", "", "quote \" and \\ backslash"]
        return (0..<count).map { n in
            let tags: TestValue =
                switch n % 5 {
                case 0: .null
                case 1: .list([])
                case 2: .list([.string(texts[n % texts.count]), .null, .string("#\(n % 7)")])
                case 3: .list([.null])
                default: .list([.string("only")])
                }
            let refs: TestValue =
                n % 4 == 0
                ? .list([.record([.string("quoted"), .string("\(n * 3)")]), .record([.null, .string("\(n * 3 + 1)")])])
                : n % 4 == 1 ? .list([]) : .list([.record([.string("replied_to"), .string("\(n)")])])
            let author: TestValue =
                n % 6 == 5
                ? .null
                : .record([n % 3 == 0 ? .null : .string(texts[n % texts.count]), .int(Int64(n) * 1000 - 5000), .bool(n % 2 == 0)])
            return [
                .string("\(1_800_000_000_000_000_000 + n)"),
                n % 3 == 0 ? .null : .int(Int64(n) - 20),
                n % 4 == 0 ? .null : .bool(n % 3 == 1),
                n % 7 == 0 ? .null : .timestamp(1_767_323_045_000 + Int64(n) * 61_001),
                n % 9 == 0 ? .null : .string(langs[n % langs.count]),
                tags, refs, author,
            ]
        }
    }

    @Test(arguments: ParquetCompression.allCases)
    func everyCompressionReadsBackTheSameRows(_ compression: ParquetCompression) throws {
        var options = ParquetWriterOptions()
        options.compression = compression
        let rows = Self.mixedRows(300)
        let (file, _) = try ReadBack.write(rows, fields: Self.fields, options: options)
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(
            file: file, rows: rows, fields: Self.fields, name: compression.rawValue,
            dictionary: ["lang": true, "id": false])
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    /// Large JSON-like documents, all distinct (dictionary dropped at the first page), and a
    /// slowly growing set of names whose dictionary passes its limit mid-chunk (fallback to
    /// PLAIN), over many small pages.
    @Test func largeStringsFallBackFromTheDictionaryOverSeveralPages() throws {
        let fields: [ParquetField] = [
            .int64("n", optional: false),
            .string("record"),
            .string("source"),
        ]
        let rows: [[TestValue]] = (0..<3000).map { n in
            let body = String(repeating: "ünïcode \(n) ", count: 20 + n % 60)
            return [
                .int(Int64(n)),
                n % 50 == 7 ? .null : .string(#"{"id":"\#(n)","text":"\#(body)"}"#),
                .string("source-\(n / 10)-" + String(repeating: "s", count: 30)),
            ]
        }
        var options = ParquetWriterOptions()
        options.pageSizeBytes = 1024
        options.dictionaryPageLimitBytes = 4096
        let (file, writer) = try ReadBack.write(rows, fields: fields, options: options)
        #expect(writer.dataPageCount > 100, "pages: \(writer.dataPageCount)")
        #expect(file.count < 3000 * 500, "zstd compresses the repetitive documents")
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(
            file: file, rows: rows, fields: fields, name: "fallback", dictionary: ["record": false, "source": true])
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func aSmallRowGroupSizeGivesSeveralRowGroups() throws {
        var options = ParquetWriterOptions()
        options.rowGroupSizeBytes = 8 << 10
        options.compression = .snappy
        let rows = Self.mixedRows(2000)
        let (file, _) = try ReadBack.write(rows, fields: Self.fields, options: options)
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(file: file, rows: rows, fields: Self.fields, name: "row-groups", minRowGroups: 4)
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func anEmptyFileHasTheSchemaAndNoRows() throws {
        let (file, _) = try ReadBack.write([], fields: Self.fields, options: .init())
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(file: file, rows: [], fields: Self.fields, name: "empty", minRowGroups: 0)
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func keyValueMetadataAndCreatedByReachTheFooter() throws {
        var options = ParquetWriterOptions()
        options.createdBy = "tweet-ingest test"
        options.keyValueMetadata = [("stream", "brexit"), ("schema.version", "1")]
        let (file, _) = try ReadBack.write(Self.mixedRows(3), fields: Self.fields, options: options)
        let text = String(decoding: file, as: UTF8.self)
        #expect(text.contains("tweet-ingest test") && text.contains("schema.version") && text.contains("brexit"))
    }

    @Test func aCopiedWriterGoesOnIndependently() throws {
        let rows = Self.mixedRows(400)
        let shredder = Shredder(fields: Self.fields)
        var options = ParquetWriterOptions()
        options.pageSizeBytes = 512
        var first = ParquetWriter(schema: ParquetSchema(Self.fields), options: options)
        for row in rows[0..<200] { try shredder.write(row, to: &first) }
        var second = first
        for row in rows[200...] { try shredder.write(row, to: &second) }
        for row in rows[200..<300] { try shredder.write(row, to: &first) }
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let whole = try readBack.check(file: try second.finish(), rows: rows, fields: Self.fields, name: "copy-whole")
        #expect(whole.status == 0, "\(whole.output)")
        let part = try readBack.check(file: try first.finish(), rows: Array(rows[0..<300]), fields: Self.fields, name: "copy-part")
        #expect(part.status == 0, "\(part.output)")
    }

    // MARK: The verifier catches bad files

    @Test func theVerifierReportsAValueThatDiffers() throws {
        let rows = Self.mixedRows(20)
        let (file, _) = try ReadBack.write(rows, fields: Self.fields, options: .init())
        var expected = rows
        expected[3][4] = .string("xx")
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(file: file, rows: expected, fields: Self.fields, name: "bad-value")
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("pyarrow: row 3 lang"), "\(outcome.output)")
        #expect(outcome.output.contains("duckdb: row 3 lang"), "\(outcome.output)")
    }

    @Test func theVerifierReportsACorruptedStatistic() throws {
        let fields: [ParquetField] = [.int64("n")]
        let largest: Int64 = 0x0123_4567_89AB_CDEF
        let rows: [[TestValue]] = (0..<50).map { [.int(Int64($0))] } + [[.int(largest)]]
        var options = ParquetWriterOptions()
        options.compression = .none
        var (file, _) = try ReadBack.write(rows, fields: fields, options: options)
        // The footer's max_value holds `largest` little-endian: make it one smaller.
        let footerLength = Int(file[file.count - 8]) | Int(file[file.count - 7]) << 8
        let footer = (file.count - 8 - footerLength)..<(file.count - 8)
        let needle = withUnsafeBytes(of: largest.littleEndian) { Array($0) }
        let at = try #require(footer.first { Array(file[$0..<min($0 + 8, file.count)]) == needle })
        file[at] -= 1
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(file: file, rows: rows, fields: fields, name: "bad-statistics")
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("pyarrow: row group 0 column n: min/max"), "\(outcome.output)")
    }

    @Test func theVerifierReportsACorruptedDefinitionLevel() throws {
        let fields: [ParquetField] = [.string("s")]
        let rows: [[TestValue]] = (0..<8).map { $0 == 2 ? [.null] : [.string("v\($0)")] }
        var options = ParquetWriterOptions()
        options.compression = .none
        var (file, _) = try ReadBack.write(rows, fields: fields, options: options)
        // Definition levels 1,1,0,1,1,1,1,1 are one bit-packed group: 0b11111011 (after the
        // 4-byte length and the header 0x03). Make it 0b11111111: row 2 claims a value.
        let levels: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x03, 0xFB]
        let at = try #require((0..<(file.count - 6)).first { Array(file[$0..<($0 + 6)]) == levels })
        file[at + 5] = 0xFF
        let readBack = try ReadBack()
        defer { readBack.remove() }
        let outcome = try readBack.check(file: file, rows: rows, fields: fields, name: "bad-levels")
        #expect(outcome.status != 0, "\(outcome.output)")
    }
}
