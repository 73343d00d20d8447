import Foundation
import Testing

@testable import TweetIngest

@Suite("Batcher")
struct BatcherTests {
    private typealias Batcher = TweetIngest.Batcher<ManualClock.Instant>
    private let wallClock = Date(timeIntervalSince1970: 1_767_323_045)

    /// `count` records of varying length, each `\n`-terminated and numbered.
    private func records(_ range: Range<Int>) -> [UInt8] {
        range.flatMap { n in Array(#"{"id":"\#(n)","text":"\#(String(repeating: "x", count: n % 37))"}"#.utf8) + [0x0A] }
    }

    private func cursor(_ sinceID: UInt64) -> SearchCursor { SearchCursor(sinceID: TweetID(sinceID)) }

    @Test func aBatchNeverExceedsTheSizeBoundByMoreThanOneRecord() {
        let input = records(0..<500)
        let largest = splitLines(input).map(\.count).max()! + 1
        var batcher = Batcher(maxBytes: 300, interval: .seconds(300))
        var batches = batcher.append(records: input, errorRecords: [], checkpoint: nil, now: at(0), wallClock: wallClock)
        batches.append(batcher.take())
        #expect(batches.count > 20)
        for batch in batches {
            #expect(batch.byteCount < 300 + largest)
        }
        #expect(batches.dropLast().allSatisfy { $0.byteCount >= 300 }, "sealed batches are cut when full, not early")
    }

    @Test func recordOrderIsPreservedAcrossBatchesAndPages() {
        var batcher = Batcher(maxBytes: 250, interval: .seconds(300))
        var batches: [Batch] = []
        for page in 0..<5 {
            let range = (page * 40)..<(page * 40 + 40)
            batches += batcher.append(
                records: records(range), errorRecords: [], checkpoint: nil, now: at(Double(page)), wallClock: wallClock)
        }
        batches.append(batcher.take())
        #expect(batches.flatMap(\.records) == records(0..<200))
        #expect(batches.reduce(0) { $0 + $1.recordCount } == 200)
    }

    @Test func whileRecordsKeepComingADeliveredBuffersStorageIsReusedAndNothingIsReordered() {
        var batcher = Batcher(maxBytes: 300, interval: .seconds(300))
        var sealed = batcher.append(records: records(0..<30), errorRecords: [], checkpoint: nil, now: at(0), wallClock: wallClock)
        #expect(sealed.count >= 2 && !batcher.current.isEmpty, "the page ends part way into a new batch")
        let pending = batcher.current.records
        var delivered = sealed.removeFirst()
        let storage = delivered.records.withUnsafeBufferPointer { $0.baseAddress }
        batcher.recycle(&delivered.records)
        #expect(batcher.current.records == pending, "the records already buffered move over, in order")
        #expect(batcher.current.records.withUnsafeBufferPointer { $0.baseAddress } == storage, "same storage, not a copy")
        #expect(delivered.records.isEmpty)
    }

    @Test func withNothingBufferedADeliveredBuffersStorageIsLetGo() {
        var batcher = Batcher(maxBytes: 10_000, interval: .seconds(300))
        _ = batcher.append(records: records(0..<30), errorRecords: [], checkpoint: nil, now: at(0), wallClock: wallClock)
        var delivered = batcher.take()
        #expect(batcher.current.isEmpty)
        batcher.recycle(&delivered.records)
        #expect(batcher.current.records.capacity == 0, "an idle daemon keeps no buffer resident")
        #expect(delivered.records == records(0..<30), "the caller's batch is left as it was")
    }

    @Test func checkpointRidesWithTheBatchThatSealsOnThePagesLastRecord() {
        let page = records(0..<4)
        var batcher = Batcher(maxBytes: page.count, interval: .seconds(300))
        let sealed = batcher.append(records: page, errorRecords: [], checkpoint: cursor(42), now: at(0), wallClock: wallClock)
        #expect(sealed.count == 1)
        #expect(sealed.first?.checkpoint == cursor(42))
        #expect(sealed.first?.recordCount == 4)
        #expect(batcher.current.isEmpty)
        #expect(batcher.current.checkpoint == nil)
    }

    @Test func checkpointStaysWithTheOpenBatchHoldingThePagesLastRecord() {
        var batcher = Batcher(maxBytes: 250, interval: .seconds(300))
        let sealed = batcher.append(records: records(0..<20), errorRecords: [], checkpoint: cursor(7), now: at(0), wallClock: wallClock)
        #expect(!sealed.isEmpty)
        #expect(sealed.allSatisfy { $0.checkpoint == nil }, "a batch without the page's last record must not move the checkpoint")
        #expect(!batcher.current.isEmpty)
        #expect(batcher.current.checkpoint == cursor(7))
    }

    @Test func anEmptyPagesCheckpointIsKept() {
        var batcher = Batcher(maxBytes: 300, interval: .seconds(300))
        let sealed = batcher.append(records: [], errorRecords: [], checkpoint: cursor(9), now: at(0), wallClock: wallClock)
        #expect(sealed.isEmpty)
        let batch = batcher.take()
        #expect(batch.isEmpty)
        #expect(batch.checkpoint == cursor(9))
        #expect(batch.firstArrival == nil)
    }

    @Test func errorRecordsAreBufferedBesideRecordsAndCountTowardsSize() {
        var batcher = Batcher(maxBytes: 10_000, interval: .seconds(300))
        let errors = Array(#"{"errorCode":"Normalize.MissingId"}"#.utf8) + [0x0A]
        _ = batcher.append(records: records(0..<3), errorRecords: errors, checkpoint: nil, now: at(0), wallClock: wallClock)
        let batch = batcher.take()
        #expect(batch.errorRecords == errors)
        #expect(batch.errorCount == 1)
        #expect(batch.recordCount == 3)
        #expect(batch.byteCount == errors.count + records(0..<3).count)
        #expect(batch.firstArrival == wallClock)
    }

    @Test func intervalSealsTheBufferOnlyOnceDue() {
        var batcher = Batcher(maxBytes: 10_000, interval: .seconds(60))
        _ = batcher.append(records: records(0..<3), errorRecords: [], checkpoint: cursor(3), now: at(0), wallClock: wallClock)
        #expect(batcher.deadline == at(60))
        let early = batcher.takeIfDue(now: at(59))
        #expect(early == nil)
        let batch = batcher.takeIfDue(now: at(60))
        #expect(batch?.recordCount == 3)
        #expect(batch?.checkpoint == cursor(3))
        #expect(batcher.deadline == nil)
    }
}
