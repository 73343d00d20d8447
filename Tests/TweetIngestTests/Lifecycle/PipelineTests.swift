import Foundation
import Testing

@testable import TweetIngest

@Suite("Pipeline")
struct PipelineTests {
    private func cursor(_ sinceID: UInt64) -> SearchCursor { SearchCursor(sinceID: TweetID(sinceID)) }

    @Test func recordsAcceptedOverSeveralPagesAreDeliveredInOrderWithNoneLost() async throws {
        let sink = FakeSink(failures: 1)
        let pipeline = Pipeline(delivery: .fake(sink: sink), maxBytes: 400, interval: .seconds(300), clock: ManualClock())
        var expected: [UInt8] = []
        for page in 0..<6 {
            let ids = (0..<5).map { UInt64(1000 - page * 5 - $0) }
            let normalized = try Pages.normalized(Pages.page(ids: ids, nextToken: page < 5 ? "t\(page)" : nil))
            expected += normalized.records
            try await pipeline.accept(normalized, checkpoint: cursor(UInt64(page)))
        }
        try await pipeline.flushAll(reason: "shutdown")
        #expect(sink.delivered.count > 3, "a 400-byte hint must cut several objects")
        #expect(sink.deliveredBytes == expected)
        #expect(await pipeline.deliveredRecords == 30)
        #expect(await pipeline.bufferedRecords == 0)
        #expect(try jsonLines(sink.deliveredBytes).map { $0["id"] as? String } == (0..<30).map { String(1000 - $0) })
    }

    @Test func flushAllDeliversAPartialBuffer() async throws {
        let sink = FakeSink()
        let checkpoints = FakeCheckpointStore()
        let pipeline = Pipeline(
            delivery: .fake(sink: sink, checkpoints: checkpoints), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: ManualClock())
        let page = try Pages.normalized(Pages.page(ids: [3, 2, 1]))
        try await pipeline.accept(page, checkpoint: cursor(3))
        #expect(sink.delivered.isEmpty)
        #expect(await pipeline.bufferedRecords == 3)
        try await pipeline.flushAll(reason: "shutdown")
        #expect(sink.deliveredBytes == page.records)
        #expect(checkpoints.saved.map(\.cursor) == [cursor(3)])
        #expect(await pipeline.bufferedRecords == 0)
    }

    @Test func flushesWhenIntervalElapses() async throws {
        let sink = FakeSink()
        let clock = ManualClock()
        let pipeline = Pipeline(delivery: .fake(sink: sink), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: clock)
        try await pipeline.accept(try Pages.normalized(Pages.page(ids: [2, 1])), checkpoint: nil)
        #expect(await pipeline.deadline == clock.now.advanced(by: .seconds(300)))
        clock.advance(by: .seconds(299))
        try await pipeline.flushIfDue()
        #expect(sink.delivered.isEmpty)
        clock.advance(by: .seconds(1))
        try await pipeline.flushIfDue()
        #expect(sink.delivered.count == 1)
        #expect(await pipeline.deadline == nil)
    }

    @Test func zeroIntervalDeliversAtTheEndOfEachCycle() async throws {
        let sink = FakeSink()
        let pipeline = Pipeline(delivery: .fake(sink: sink), maxBytes: 5 * 1024 * 1024, interval: .zero, clock: ManualClock())
        try await pipeline.accept(try Pages.normalized(Pages.page(ids: [2, 1])), checkpoint: cursor(2))
        try await pipeline.flushIfDue()
        #expect(sink.delivered.isEmpty)
        try await pipeline.cycleEnded()
        #expect(sink.delivered.count == 1)
    }

    @Test func aCheckpointOnlyEmptyCycleIsSaved() async throws {
        let sink = FakeSink()
        let checkpoints = FakeCheckpointStore()
        let pipeline = Pipeline(
            delivery: .fake(sink: sink, checkpoints: checkpoints), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: ManualClock())
        try await pipeline.accept(try Pages.normalized(Pages.empty()), checkpoint: cursor(500))
        try await pipeline.cycleEnded()
        #expect(sink.attemptedKeys.isEmpty)
        #expect(checkpoints.saved.map(\.cursor) == [cursor(500)])
    }

    @Test func aCheckpointWaitsForTheRecordsBeforeIt() async throws {
        let sink = FakeSink()
        let checkpoints = FakeCheckpointStore()
        let pipeline = Pipeline(
            delivery: .fake(sink: sink, checkpoints: checkpoints), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: ManualClock())
        try await pipeline.accept(try Pages.normalized(Pages.page(ids: [2, 1])), checkpoint: cursor(2))
        try await pipeline.accept(try Pages.normalized(Pages.empty()), checkpoint: cursor(2))
        try await pipeline.cycleEnded()
        #expect(checkpoints.saved.isEmpty, "records before the checkpoint are not delivered yet")
        try await pipeline.flushAll(reason: "shutdown")
        #expect(checkpoints.saved.map(\.cursor) == [cursor(2)])
        #expect(sink.delivered.count == 1)
    }

    /// A buffer of records is faulted in once and reused while records keep coming: each object
    /// after the first is cut from the storage the one before was delivered from (a copy of a
    /// sealed batch kept alive during delivery made every object a fresh buffer instead).
    @Test(arguments: [true, false])
    func aDeliveredBatchsStorageTakesTheNextRecords(normalizedInPlace: Bool) async throws {
        // Records of one length (four-digit ids), cut every 12.5 records: no cut falls at a page's
        // end, where nothing would stay buffered and the storage is let go by design.
        let pages = (0..<12).map { page in Pages.page(ids: (0..<5).map { UInt64(5000 - page * 5 - $0) }) }
        let recordLength = try Pages.normalized(pages[0]).records.count / 5
        let sink = StorageAddressSink()
        let pipeline = Pipeline(
            delivery: .fake(sink: sink), maxBytes: 12 * recordLength + recordLength / 2, interval: .seconds(300), clock: ManualClock())
        var expected: [UInt8] = []
        for (page, bytes) in pages.enumerated() {
            expected += try Pages.normalized(bytes).records
            if normalizedInPlace {
                _ = try await pipeline.accept(page: bytes, 0..<bytes.count, context: Pages.context, checkpoint: cursor(UInt64(page)))
            } else {
                try await pipeline.accept(try Pages.normalized(bytes), checkpoint: cursor(UInt64(page)))
            }
        }
        try await pipeline.flushAll(reason: "shutdown")
        let objects = sink.objects
        #expect(objects.count == 5, "cuts after records 13, 26, 39 and 52, and the rest")
        #expect(objects.flatMap(\.bytes) == expected)
        #expect(Set(objects.map(\.address)).count == 1, "objects came from \(Set(objects.map(\.address)).count) buffers")
    }
}

/// A sink that notes where each body's bytes lie (and copies them) without keeping the body,
/// so the pipeline's buffer is not shared with it after delivery.
private final class StorageAddressSink: Sink, Sendable {
    private let delivered = Locked<[(address: Int, bytes: [UInt8])]>([])
    var destination: String { "fake://addresses" }
    var objects: [(address: Int, bytes: [UInt8])] { delivered.value }

    func deliver(_ object: DeliveryObject) async throws {
        let seen = object.body.withUnsafeBufferPointer { (Int(bitPattern: $0.baseAddress), Array($0)) }
        delivered.withLock { $0.append(seen) }
    }
}
