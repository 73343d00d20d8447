import Foundation
import Testing
import ZoneInfo

@testable import TweetIngest

/// Dynamic partitioning: keys from the records, one object per key set, Firehose's limits.
@Suite("Partitions from the records")
struct PartitionTests {
    static func records(_ lines: [String]) -> [UInt8] { lines.flatMap { Array($0.utf8) + [0x0A] } }

    @Test func keysParseNamesAndDottedPaths() throws {
        let keys = try PartitionKey.parseList("lang=.lang, verified=.author.verified")
        #expect(keys.map(\.name) == ["lang", "verified"])
        #expect(keys.map(\.path) == [["lang"], ["author", "verified"]])
        #expect(keys.map(\.pathText) == [".lang", ".author.verified"])
    }

    @Test(
        "bad keys are refused naming the part",
        arguments: [
            ("lang", "expected NAME=.path"), ("1lang=.lang", "the name is"), ("lang=lang", "starts with '.'"),
            ("lang=.", "starts with '.'"), ("lang=.a..b", "each member"), ("lang=.a|ascii", "each member"),
            ("lang=.lang,lang=.x", "defined twice"),
        ])
    func badKeys(text: String, reason: String) {
        #expect {
            try PartitionKey.parseList(text)
        } throws: { error in
            (error as? PartitionKeyError)?.reason.contains(reason) == true
        }
    }

    @Test func valuesAreMadeSafeForAKey() {
        #expect(PartitionKey.safeValue("en") == "en")
        #expect(PartitionKey.safeValue("a/b") == "a_b")
        #expect(PartitionKey.safeValue("tab\there\u{7F}") == "tab_here_")
        #expect(PartitionKey.safeValue("..") == "__")
        #expect(PartitionKey.safeValue(".") == "_")
        #expect(PartitionKey.safeValue("") == nil)
        #expect(PartitionKey.safeValue("日本語") == "日本語")
        let long = PartitionKey.safeValue(String(repeating: "é", count: 100))!
        #expect(long.utf8.count == PartitionKey.maximumValueBytes)
    }

    @Test func recordsAreGroupedByKeySetInArrivalOrder() throws {
        let keys = try PartitionKey.parseList("lang=.lang,verified=.author.verified")
        let records = Self.records([
            #"{"id":"1","lang":"en","author":{"verified":true}}"#,
            #"{"id":"2","lang":"de","author":{"verified":false}}"#,
            #"{"id":"3","lang":"en","author":{"verified":true}}"#,
            #"{"id":"4","author":{}}"#,
            #"{"id":"5","lang":null,"author":{"verified":"x\/y"}}"#,
            #"{"id":"6","lang":12,"author":[]}"#,
        ])
        let split = RecordPartitioner(Partitioning(keys: keys)).split(records)
        #expect(split.overflow.isEmpty)
        #expect(
            split.groups.map(\.values) == [
                ["lang": "en", "verified": "true"], ["lang": "de", "verified": "false"], ["lang": "unknown", "verified": "unknown"],
                ["lang": "unknown", "verified": "x_y"], ["lang": "12", "verified": "unknown"],
            ])
        let ids = split.groups.map { group in
            group.lines.map { String(decoding: records[$0], as: UTF8.self).dropFirst(7).prefix(1) }.joined()
        }
        #expect(ids == ["13", "2", "4", "5", "6"])
    }

    @Test func keySetsBeyondTheLimitAreSetAside() throws {
        let keys = try PartitionKey.parseList("lang=.lang")
        let records = Self.records((0..<5).map { #"{"id":"\#($0)","lang":"l\#($0 % 3)"}"# })
        let split = RecordPartitioner(Partitioning(keys: keys, maximumPartitions: 2)).split(records)
        #expect(split.groups.map(\.values) == [["lang": "l0"], ["lang": "l1"]])
        #expect(split.groups.map(\.lines.count) == [2, 2])
        #expect(split.overflow.count == 1)
    }

    @Test func aFlushWritesOneObjectPerKeySetAndTheOverflowToTheErrorOutput() throws {
        let keys = try PartitionKey.parseList("lang=.lang")
        var layout = ObjectKeyLayout(
            prefix: try S3Prefix("tweets/lang=!{partitionKeyFromQuery:lang}/", role: .data), errorPrefix: nil, streamName: "tweets")
        layout.partitionDefault = "none"
        var delivery = Delivery(
            sink: FakeSink(), checkpoints: nil, layout: layout, compression: .none, streamName: "tweets", query: "q",
            logger: silentLogger, now: { Date() }, sleep: { _ in }, randomSuffix: { "r" })
        delivery.encoding = ObjectEncoding(partitioning: Partitioning(keys: keys, defaultValue: "none", maximumPartitions: 2))
        var batch = Batch()
        batch.records = Self.records([
            #"{"id":"10","lang":"en"}"#, #"{"id":"11"}"#, #"{"id":"12","lang":"en"}"#, #"{"id":"13","lang":"fr"}"#,
        ])
        batch.recordCount = 4
        batch.firstArrival = Date(timeIntervalSince1970: 1_767_323_045)
        let objects = try delivery.objects(for: batch)
        #expect(
            objects.map(\.key) == [
                "errors/activePartitionExceeded/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r",
                "tweets/lang=en/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r",
                "tweets/lang=none/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r",
            ])
        #expect(objects.map(\.recordCount) == [1, 2, 1])
        #expect(String(decoding: objects[1].body, as: UTF8.self) == "{\"id\":\"10\",\"lang\":\"en\"}\n{\"id\":\"12\",\"lang\":\"en\"}\n")
        #expect(objects[1].metadata.contains(ObjectFact("newest-id", "12")))
        #expect(objects[1].metadata.contains(ObjectFact("oldest-id", "10")))
        let error = try JSONSerialization.jsonObject(with: Data(objects[0].body)) as? [String: Any]
        #expect(error?["errorCode"] as? String == "DynamicPartitioning.ActivePartitionsLimitExceeded")
        let raw = Data(base64Encoded: error?["rawData"] as? String ?? "")
        #expect(raw.map { String(decoding: $0, as: UTF8.self) } == #"{"id":"13","lang":"fr"}"#)
    }

    @Test func withParquetErrorRecordsStayJSONLinesAndDataObjectsEndInParquet() throws {
        var layout = ObjectKeyLayout(streamName: "tweets", fileExtension: ".parquet")
        layout.errorFileExtension = ".gz"
        var delivery = Delivery(
            sink: FakeSink(), checkpoints: nil, layout: layout, compression: .gzip, streamName: "tweets", query: "q",
            logger: silentLogger, now: { Date() }, sleep: { _ in }, randomSuffix: { "r" })
        delivery.encoding = ObjectEncoding(format: .parquet)
        var batch = Batch()
        batch.records = Self.records([#"{"id":"10","text":"a"}"#])
        batch.recordCount = 1
        batch.errorRecords = Self.records([#"{"errorCode":"Normalize.MissingId"}"#])
        batch.errorCount = 1
        batch.firstArrival = Date(timeIntervalSince1970: 1_767_323_045)
        let objects = try delivery.objects(for: batch)
        #expect(
            objects.map(\.key) == [
                "errors/processing-failed/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r.gz",
                "2026/01/02/03/tweets-1-2026-01-02-03-04-05-r.parquet",
            ])
        #expect(objects[0].contentEncoding == "gzip" && objects[0].contentType == "application/x-ndjson")
        #expect(try Gzip.decompress(objects[0].body) == batch.errorRecords)
        #expect(objects[1].contentEncoding == nil && objects[1].contentType == "application/vnd.apache.parquet")
    }

    @Test func keyTimeZoneMovesThePrefixAndTheName() throws {
        var layout = ObjectKeyLayout(streamName: "tweets")
        layout.timeZone = KeyTimeZone(try ZoneInfo.load("Asia/Tokyo"))
        let arrival = Date(timeIntervalSince1970: 1_767_323_045)  // 2026-01-02T03:04:05Z
        #expect(layout.dataKey(arrival: arrival, random: "r") == "2026/01/02/12/tweets-1-2026-01-02-12-04-05-r")
        #expect(layout.errorKey(arrival: arrival, random: "r") == "errors/processing-failed/2026/01/02/12/tweets-1-2026-01-02-12-04-05-r")
        var expression = ObjectKeyLayout(
            prefix: try S3Prefix("d=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HHXXX}/", role: .data), errorPrefix: nil, streamName: "t")
        expression.timeZone = KeyTimeZone(try ZoneInfo.load("America/New_York"))
        #expect(expression.dataKey(arrival: arrival, random: "r") == "d=2026-01-01/h=22-05:00/t-1-2026-01-01-22-04-05-r")
    }
}
