import FoundationEssentials
import Testing

@testable import TweetIngest

/// The spans only spare the shredder a scan: a batch encoded with them is the same Parquet file,
/// byte for byte, as without them, for every recorded page, batches cut in place at several
/// sizes, and every compression.
@Suite("Parquet with record spans")
struct TweetParquetSpanTests {
    @Test(arguments: Config.ParquetCompression.allCases)
    func aFileIsTheSameWithOrWithoutSpans(compression: Config.ParquetCompression) throws {
        let pages = try (Fixtures.twarcPages + Fixtures.tweepyPages).map {
            try PageNormalizer.normalize(Fixtures.bytes($0), context: Pages.context, notingSpans: true).get()
        }
        let start = ContinuousClock.Instant.now
        for maxBytes in [20_000, 150_000, 10_000_000] {
            var batcher = Batcher<ContinuousClock.Instant>(maxBytes: maxBytes, interval: .seconds(300))
            var batches: [Batch] = []
            for page in pages {
                batches +=
                    batcher.append(
                        writingAtMost: 0, checkpoint: nil, cursors: nil, now: start, wallClock: Date(timeIntervalSince1970: 0)
                    ) { (storage: inout [UInt8]) -> Result<NormalizedPage, PageError> in
                        storage.append(contentsOf: page.records)
                        var rest = page
                        rest.records = []
                        return .success(rest)
                    }.sealed
            }
            batches.append(batcher.take())
            var spansUsed = 0
            for batch in batches where batch.recordCount > 0 {
                let lines = batch.records.withUnsafeBufferPointer { recordLines($0) }
                let withSpans = try TweetParquet.encode(batch.records, lines: lines, spans: batch.spans, compression: compression)
                let without = try TweetParquet.encode(batch.records, lines: lines, compression: compression)
                #expect(withSpans == without, "BUFFER of \(maxBytes) bytes: \(batch.recordCount) records, \(batch.spans.count) spans")
                spansUsed += batch.spans.count
            }
            #expect(spansUsed > 100)
        }
    }
}
