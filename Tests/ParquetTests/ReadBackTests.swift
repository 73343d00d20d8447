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
}
