import Foundation
import Testing

@testable import TweetIngest

/// Our Firehose sink against moto_server on 127.0.0.1 with signature and IAM checking on: a
/// Direct PUT stream writing to a moto S3 bucket, everything read back with boto3
/// (Support/firehose/firehose_helper.py), never with our own code.
@Suite("Firehose delivery against moto_server", .timeLimit(.minutes(3)))
struct FirehoseDeliveryIntegrationTests {
    static let pages = [
        "twarc_search_recent_brexit_page_2021-09-22.json", "twarc_search_recent_kpop_page_with_places_and_errors_2021-09-22.json",
        "twarc_search_recent_media_page_2021-05-11.json", "twarc_search_recent_obama_page_with_errors_2021-04-08.json",
        "tweepy_search_recent_2021-04-13_client.json", "tweepy_search_recent_2022-10-07_client.json",
    ]

    /// The fixture pages' records, as the pipeline buffers them, and their ids in order.
    static func batch(_ names: [String] = pages) throws -> (batch: Batch, ids: [String]) {
        var batch = Batch()
        for name in names {
            let page = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.twitterFixtures + "/" + name)))
            let context = IngestContext(query: "fixture", fetchedAt: Date(timeIntervalSince1970: 1_767_323_045), source: .replay)
            let normalized = try PageNormalizer.normalize(page, context: context).get()
            batch.records += normalized.records
            batch.recordCount += normalized.recordCount
        }
        batch.firstArrival = Date(timeIntervalSince1970: 1_767_323_045)
        batch.checkpoint = SearchCursor(sinceID: TweetID(1_234_567))
        let ids = try String(decoding: batch.records, as: UTF8.self).split(separator: "\n").map { line -> String in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["id"] as? String)
        }
        return (batch, ids)
    }

    static func delivery(_ sink: FirehoseSink, config: Config, local: LocalDirectorySink) -> Delivery {
        Delivery(
            sink: sink, checkpoints: local, layout: App.layout(config), compression: config.compression, streamName: config.streamName,
            query: "fixture", logger: FirehoseTestSupport.logger, now: { Date() }, sleep: { _ in })
    }

    @Test("every record of the fixture pages lands in the bucket exactly once, as JSON Lines, and the checkpoint moves after")
    func everyRecordOnce() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-it"])
        defer { moto.stop() }
        let (sink, config, local) = try await FirehoseTestSupport.connect(try moto.environment(stream: "tweets-it"))
        let (batch, ids) = try Self.batch()
        #expect(ids.count == 420)
        try await Self.delivery(sink, config: config, local: local).deliver(batch, reason: "test")

        let objects = try moto.objects()
        #expect(objects.count == 1, "420 records of 1.3 MB fit one PutRecordBatch call, and moto writes one object per call")
        #expect(objects.allSatisfy { $0.endsWithNewline && $0.invalidLines == 0 })
        #expect(
            objects.allSatisfy { $0.key.range(of: #"^firehose/\d{4}/\d{2}/\d{2}/\d{2}/tweets-it-1-"#, options: .regularExpression) != nil })
        let delivered = objects.flatMap(\.lines)
        #expect(delivered == ids.map(Optional.some), "every record exactly once, in order, each one whole line")
        #expect(objects.reduce(0) { $0 + $1.size } == batch.records.count, "the bytes Firehose stored are the records as sent")
        #expect(try await local.load()?.cursor.sinceID == TweetID(1_234_567))
    }

    @Test("records are split into calls by count and bytes; a record over 1,000 KiB goes to the local error output")
    func splitsAndSetsAside() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-split"])
        defer { moto.stop() }
        var (sink, config, local) = try await FirehoseTestSupport.connect(try moto.environment(stream: "tweets-split"))
        sink.limits.recordsPerCall = 50
        sink.limits.bytesPerCall = 256 * 1024
        var (batch, ids) = try Self.batch()
        let huge =
            Array(#"{"id":"huge","text":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 1_100_000)
            + Array(#"","ingest":{"query":"fixture","fetched_at":"2026-01-02T03:04:05.000Z","source":"replay"}}"#.utf8) + [0x0A]
        batch.records += huge
        batch.recordCount += 1
        try await Self.delivery(sink, config: config, local: local).deliver(batch, reason: "test")

        let objects = try moto.objects()
        #expect(objects.count >= 9, "420 records: at least 9 calls of at most 50")
        #expect(objects.allSatisfy { $0.lines.count <= 50 && $0.size <= 256 * 1024 && $0.endsWithNewline && $0.invalidLines == 0 })
        #expect(objects.flatMap(\.lines).sorted { ($0 ?? "") < ($1 ?? "") } == ids.sorted().map(Optional.some))
        let files = try FileManager.default.subpathsOfDirectory(atPath: config.outputDirectory + "/errors/processing-failed")
            .filter { ($0 as NSString).lastPathComponent.hasPrefix("tweets-1-") }
        #expect(files.count == 1)
        let text = try String(contentsOfFile: config.outputDirectory + "/errors/processing-failed/" + files[0], encoding: .utf8)
        let errorRecord = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(errorRecord["errorCode"] as? String == "Firehose.RecordTooLarge")
        #expect((errorRecord["errorMessage"] as? String)?.contains("1024000") == true)
        #expect(Data(base64Encoded: errorRecord["rawData"] as? String ?? "") == Data(huge))
        #expect((errorRecord["ingest"] as? [String: Any])?["source"] as? String == "replay")
    }

    @Test("two writers with disjoint records feed one stream at once without interfering")
    func twoWritersOneStream() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-shared"])
        defer { moto.stop() }
        var (first, firstConfig, firstLocal) = try await FirehoseTestSupport.connect(try moto.environment(stream: "tweets-shared"))
        var (second, secondConfig, secondLocal) = try await FirehoseTestSupport.connect(try moto.environment(stream: "tweets-shared"))
        first.limits.recordsPerCall = 40
        second.limits.recordsPerCall = 40
        let (firstBatch, firstIDs) = try Self.batch(Array(Self.pages.prefix(3)))
        let (secondBatch, secondIDs) = try Self.batch(Array(Self.pages.dropFirst(3)))
        #expect(Set(firstIDs).isDisjoint(with: secondIDs))
        async let one = Self.delivery(first, config: firstConfig, local: firstLocal).deliver(firstBatch, reason: "test")
        async let two = Self.delivery(second, config: secondConfig, local: secondLocal).deliver(secondBatch, reason: "test")
        _ = try await (one, two)

        let objects = try moto.objects()
        #expect(objects.allSatisfy { $0.endsWithNewline && $0.invalidLines == 0 })
        let delivered = objects.flatMap(\.lines).compactMap { $0 }
        #expect(delivered.count == firstIDs.count + secondIDs.count, "no record lost or doubled")
        #expect(Set(delivered) == Set(firstIDs + secondIDs))
    }
}
