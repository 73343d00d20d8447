import Foundation
import Testing

@testable import TweetIngest

@Suite("Firehose records and calls")
struct FirehoseSplittingTests {
    @Test("each line is one record with its newline; blank lines are dropped; a last line gets its newline")
    func linesAreRecords() async throws {
        #expect(FirehoseRecords.lines(Array("a\n\nbc\n".utf8)) == [0..<2, 3..<6])
        let http = ScriptedFirehoseHTTP()
        try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Array("{\"id\":\"1\"}\n\n{\"id\":\"2\"}".utf8)))
        #expect(http.sentRecords == [[Array("{\"id\":\"1\"}\n".utf8), Array("{\"id\":\"2\"}\n".utf8)]])
    }

    @Test("at most 500 records per call, in order")
    func fiveHundredPerCall() async throws {
        let http = ScriptedFirehoseHTTP()
        try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(FirehoseFixtures.lines(1_201)))
        let calls = http.sentRecords
        #expect(calls.map(\.count) == [500, 500, 201])
        #expect(calls.flatMap { $0 }.flatMap { $0 } == FirehoseFixtures.lines(1_201))
        #expect(http.requests.allSatisfy { $0.header("x-amz-target") == "Firehose_20150804.PutRecordBatch" })
    }

    @Test("at most 4 MiB of record data per call")
    func fourMiBPerCall() async throws {
        // Ten records of 600 KiB: six fit 4 MiB (3.5 MiB), seven would not.
        let record = Array(repeating: UInt8(ascii: "x"), count: 600 * 1024 - 1) + [0x0A]
        let http = ScriptedFirehoseHTTP()
        try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Array((0..<10).map { _ in record }.joined())))
        #expect(http.sentRecords.map(\.count) == [6, 4])
        #expect(http.sentRecords.allSatisfy { call in call.reduce(0) { $0 + $1.count } <= 4 * 1024 * 1024 })
    }

    @Test("the call plan packs by count and bytes, whichever comes first")
    func callPlan() {
        let limits = FirehoseLimits(recordsPerCall: 3, bytesPerCall: 10, bytesPerRecord: 10)
        let sizes = [4, 4, 4, 1, 1, 1, 10, 1].enumerated().map { (index: $0.offset, bytes: $0.element) }
        #expect(FirehoseRecords.calls(sizes, limits: limits) == [[0, 1], [2, 3, 4], [5], [6], [7]])
        #expect(FirehoseRecords.calls([], limits: limits).isEmpty)
    }

    @Test("a record over 1,000 KiB is not sent but returned with the reason; the others are sent")
    func oversizedRecordIsSetAside() async throws {
        let huge =
            Array(#"{"id":"big","text":""#.utf8) + Array(repeating: UInt8(ascii: "y"), count: 1_024_000)
            + Array(#"","ingest":{"query":"q","fetched_at":"2026-01-02T03:04:05.000Z","source":"recent-search"}}"#.utf8) + [0x0A]
        let exactlyAtLimit = Array(repeating: UInt8(ascii: "z"), count: 1_024_000 - 1) + [0x0A]
        let http = ScriptedFirehoseHTTP()
        let body = FirehoseFixtures.lines(1) + huge + exactlyAtLimit + FirehoseFixtures.lines(1, from: 1)
        let rejected = try await FirehoseFixtures.sink(http).deliverSettingAsideRejects(FirehoseFixtures.object(body))
        #expect(http.sentRecords == [[FirehoseFixtures.lines(1), exactlyAtLimit, FirehoseFixtures.lines(1, from: 1)]])
        #expect(rejected.map(\.record) == [huge])
        let line = try #require(rejected.first?.errorLine)
        #expect(line.last == 0x0A && line.dropLast().allSatisfy { $0 != 0x0A })
        let error = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(error["errorCode"] as? String == "Firehose.RecordTooLarge")
        #expect(
            error["errorMessage"] as? String
                == "the record is \(huge.count) bytes; Firehose PutRecordBatch takes at most 1024000 bytes (1,000 KiB) per record, so it was not sent"
        )
        #expect(error["arrivalTimestamp"] as? Int == 1_767_323_045_000, "the record's ingest.fetched_at")
        #expect(Data(base64Encoded: error["rawData"] as? String ?? "") == Data(huge))
        #expect(
            (error["ingest"] as? [String: String]) == ["query": "q", "fetched_at": "2026-01-02T03:04:05.000Z", "source": "recent-search"])

        await #expect(throws: FirehoseError.self, "plain deliver never drops a set-aside record silently") {
            try await FirehoseFixtures.sink(ScriptedFirehoseHTTP()).deliver(FirehoseFixtures.object(huge))
        }
    }

    @Test("a gzip object is sent as its uncompressed lines")
    func gzipBodyIsDecompressed() async throws {
        let http = ScriptedFirehoseHTTP()
        var object = FirehoseFixtures.object(try Gzip.compress(FirehoseFixtures.lines(3)))
        object.contentEncoding = "gzip"
        try await FirehoseFixtures.sink(http).deliver(object)
        #expect(http.sentRecords.flatMap { $0 }.flatMap { $0 } == FirehoseFixtures.lines(3))
    }
}
