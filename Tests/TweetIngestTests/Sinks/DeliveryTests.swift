import Foundation
import Testing

@testable import TweetIngest

@Suite("Delivery")
struct DeliveryTests {
    private let arrival = Date(timeIntervalSince1970: 1_767_323_045)

    private func batch(records: Int = 2, errors: Int = 0, sinceID: UInt64? = 42) -> Batch {
        var batch = Batch()
        batch.records = (0..<records).flatMap { Array(#"{"id":"\#($0)"}"#.utf8) + [0x0A] }
        batch.recordCount = records
        batch.errorRecords = (0..<errors).flatMap { Array(#"{"errorCode":"Normalize.MissingId","n":\#($0)}"#.utf8) + [0x0A] }
        batch.errorCount = errors
        batch.firstArrival = records + errors > 0 ? arrival : nil
        batch.checkpoint = sinceID.map { SearchCursor(sinceID: TweetID($0)) }
        return batch
    }

    @Test func aRetriedWriteReusesTheSameKey() async throws {
        let sink = FakeSink(failures: 2)
        let sleep = RecordingSleep()
        try await Delivery.fake(sink: sink, sleep: sleep).deliver(batch(), reason: "size")
        #expect(sink.attemptedKeys.count == 3)
        #expect(Set(sink.attemptedKeys) == ["2026/01/02/03/tweets-1-2026-01-02-03-04-05-r1"])
        #expect(sink.delivered.count == 1)
        #expect(sink.deliveredBytes == batch().records)
        #expect(sleep.durations.count == 2)
        #expect(sleep.durations.allSatisfy { $0 > 0 })
    }

    @Test func checkpointIsSavedOnlyAfterEveryObjectIsWritten() async throws {
        let log = EventLog()
        let sink = FakeSink(failures: 1, log: log)
        let checkpoints = FakeCheckpointStore(log: log)
        try await Delivery.fake(sink: sink, checkpoints: checkpoints).deliver(batch(records: 3, errors: 1, sinceID: 77), reason: "interval")
        #expect(log.all.count == 3)
        #expect(log.all.first?.hasPrefix("object errors/processing-failed/") == true)
        #expect(log.all.dropFirst().first?.hasPrefix("object 2026/01/02/03/tweets-1-") == true)
        #expect(log.all.last == "checkpoint 77")
        let saved = try #require(checkpoints.saved.first)
        #expect(saved.stream == "tweets" && saved.query == "#swift")
        #expect(saved.updatedAt == "2026-01-02T03:05:00.000Z")
    }

    @Test func aFailedCheckpointSaveIsRetriedNotSkipped() async throws {
        let checkpoints = FakeCheckpointStore(failures: 2)
        let sleep = RecordingSleep()
        try await Delivery.fake(sink: FakeSink(), checkpoints: checkpoints, sleep: sleep).deliver(batch(), reason: "size")
        #expect(checkpoints.attempts == 3)
        #expect(checkpoints.saved.map(\.cursor) == [SearchCursor(sinceID: TweetID(42))])
        #expect(sleep.durations.count == 2)
    }

    @Test func errorRecordsGoToTheirOwnObjectUnderProcessingFailed() async throws {
        let sink = FakeSink()
        let input = batch(records: 2, errors: 2)
        try await Delivery.fake(sink: sink).deliver(input, reason: "size")
        let keys = sink.delivered.map(\.key)
        #expect(
            keys == [
                "errors/processing-failed/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r1", "2026/01/02/03/tweets-1-2026-01-02-03-04-05-r2",
            ])
        #expect(sink.delivered.first?.body == input.errorRecords)
        #expect(sink.delivered.first?.recordCount == 2)
        #expect(sink.delivered.last?.body == input.records)
        #expect(sink.delivered.allSatisfy { $0.contentType == "application/x-ndjson" && $0.contentEncoding == nil })
    }

    @Test func gzipSetsContentEncodingAndTheGzSuffix() throws {
        let input = batch(records: 2, errors: 1)
        let objects = try Delivery.fake(sink: FakeSink(), compression: .gzip).objects(for: input)
        #expect(objects.count == 2)
        for object in objects {
            #expect(object.key.hasSuffix(".gz"))
            #expect(object.contentEncoding == "gzip")
            #expect(Array(object.body.prefix(2)) == [0x1F, 0x8B])
        }
        #expect(try Gzip.decompress(objects[1].body) == input.records)
        #expect(try Gzip.decompress(objects[0].body) == input.errorRecords)
    }

    @Test func compressionGzipInTheConfigIsWiredThrough() async throws {
        let config = try Config(environment: ["COMPRESSION": "gzip", "STREAM_NAME": "swift"])
        let sink = FakeSink()
        let input = batch()
        try await App.delivery(config, sink: sink, checkpoints: nil, query: "#swift", logger: silentLogger).deliver(input, reason: "size")
        let object = try #require(sink.delivered.first)
        #expect(object.key.hasPrefix("2026/01/02/03/swift-1-2026-01-02-03-04-05-"))
        #expect(object.key.hasSuffix(".gz"))
        #expect(object.contentEncoding == "gzip")
        #expect(try Gzip.decompress(object.body) == input.records)
    }

    @Test func aBatchWithOnlyACheckpointWritesNoObject() async throws {
        let sink = FakeSink()
        let checkpoints = FakeCheckpointStore()
        try await Delivery.fake(sink: sink, checkpoints: checkpoints).deliver(batch(records: 0, sinceID: 5), reason: "cycle-end")
        #expect(sink.attemptedKeys.isEmpty)
        #expect(checkpoints.saved.map(\.cursor.sinceID) == [TweetID(5)])
    }
}
