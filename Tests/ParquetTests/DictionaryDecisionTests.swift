import Testing

@testable import Parquet

/// When a byte-array chunk gives up its dictionary: a column of nearly all distinct values
/// (ids, texts) decides after `ColumnChunkWriter.distinctProbe` values instead of hashing and
/// copying a whole page first; a column that repeats keeps its dictionary.
@Suite("Dictionary decision")
struct DictionaryDecisionTests {
    private func writer(appending values: [String]) -> ColumnChunkWriter {
        let schema = ParquetSchema([.string("s", optional: false)])
        var chunk = ColumnChunkWriter(schema.leaves[0])
        for value in values {
            Array(value.utf8).withUnsafeBytes { chunk.append($0, repetition: 0, dictionaryLimit: 1 << 20) }
        }
        return chunk
    }

    private func isPlain(_ chunk: ColumnChunkWriter) -> Bool {
        if case .plain = chunk.mode { return true }
        return false
    }

    @Test func distinctValuesGiveUpTheDictionaryAfterTheProbe() {
        let probe = ColumnChunkWriter.distinctProbe
        #expect(!isPlain(writer(appending: (0..<probe).map { "id-\($0)" })), "no decision before the probe")
        #expect(isPlain(writer(appending: (0...probe).map { "id-\($0)" })), "decided at the first value past it")
    }

    @Test func repeatingValuesKeepTheDictionary() {
        let values = (0..<(4 * ColumnChunkWriter.distinctProbe)).map { "lang-\($0 % 40)" }
        #expect(!isPlain(writer(appending: values)))
    }

    /// 85% distinct: below the 90% bound, so the page's end decides (by size), not the probe.
    @Test func mostlyDistinctBelowTheBoundWaitsForThePageEnd() {
        let values = (0..<(2 * ColumnChunkWriter.distinctProbe)).map { $0 % 20 < 17 ? "v-\($0)" : "same" }
        #expect(!isPlain(writer(appending: values)))
    }
}
