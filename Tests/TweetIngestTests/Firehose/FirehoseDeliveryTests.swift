import Foundation
import Testing

@testable import TweetIngest

/// `Delivery` with a Firehose sink: set-aside records reach the error output, the checkpoint
/// moves only after Firehose took everything.
@Suite("Delivery to Firehose")
struct FirehoseDeliveryTests {
    static let arrival = Date(timeIntervalSince1970: 1_767_323_045)

    static func delivery(_ sink: FirehoseSink, checkpoints: FakeCheckpointStore, sleep: RecordingSleep = RecordingSleep()) -> Delivery {
        let suffixes = SequentialSuffixes()
        return Delivery(
            sink: sink, checkpoints: checkpoints, layout: ObjectKeyLayout(streamName: "tweets", fileExtension: ""), compression: .none,
            streamName: "tweets", query: "#swift", logger: silentLogger, now: { arrival }, sleep: sleep.closure,
            randomSuffix: { suffixes.next() }, randomUnit: { 0.5 })
    }

    static func batch(_ records: [UInt8], count: Int) -> Batch {
        var batch = Batch()
        batch.records = records
        batch.recordCount = count
        batch.firstArrival = arrival
        batch.checkpoint = SearchCursor(sinceID: TweetID(99))
        return batch
    }

    @Test("an oversized record becomes an error object under processing-failed, then the checkpoint is saved")
    func oversizedRecordToErrorOutput() async throws {
        let huge =
            Array(#"{"id":"big","text":""#.utf8) + Array(repeating: UInt8(ascii: "y"), count: 1_100_000) + Array(#""}"#.utf8) + [0x0A]
        let http = ScriptedFirehoseHTTP()
        let log = EventLog()
        let errorOutput = FakeSink(log: log)
        let checkpoints = FakeCheckpointStore(log: log)
        let sink = try FirehoseFixtures.sink(http, errorOutput: errorOutput)
        try await Self.delivery(sink, checkpoints: checkpoints).deliver(
            Self.batch(FirehoseFixtures.lines(2) + huge, count: 3), reason: "size")
        #expect(http.sentRecords == [[FirehoseFixtures.lines(1), FirehoseFixtures.lines(1, from: 1)]])
        #expect(log.all == ["object errors/processing-failed/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r2", "checkpoint 99"])
        let errorObject = try #require(errorOutput.delivered.first)
        #expect(errorObject.isErrorOutput && errorObject.recordCount == 1)
        let error = try JSONSerialization.jsonObject(with: Data(errorObject.body)) as? [String: Any]
        #expect(error?["errorCode"] as? String == "Firehose.RecordTooLarge")
        #expect(error?["ingest"] == nil, "a record without ingest metadata gets none")
    }

    @Test("a failing call keeps the checkpoint back; Delivery's retry resends only what Firehose did not take")
    func checkpointWaitsForEveryRecord() async throws {
        // The third record fails on the first send and on all four resends of the call.
        let http = ScriptedFirehoseHTTP(
            [.putResult([nil, nil, "ServiceUnavailableException"])]
                + Array(repeating: .putResult(["ServiceUnavailableException"]), count: 4))
        let checkpoints = FakeCheckpointStore()
        let sleep = RecordingSleep()
        let sink = try FirehoseFixtures.sink(http)
        try await Self.delivery(sink, checkpoints: checkpoints, sleep: sleep).deliver(
            Self.batch(FirehoseFixtures.lines(3), count: 3), reason: "size")
        #expect(http.sentRecords.map(\.count) == [3, 1, 1, 1, 1, 1])
        #expect(http.sentRecords.dropFirst().allSatisfy { $0 == [FirehoseFixtures.lines(1, from: 2)] })
        #expect(sleep.durations.count == 1, "Delivery waited once before writing the object again")
        #expect(checkpoints.saved.map(\.cursor) == [SearchCursor(sinceID: TweetID(99))])
    }
}
