import Foundation
import Testing

@testable import TweetIngest

@Suite("Firehose retries and errors")
struct FirehoseRetryTests {
    static let lines = FirehoseFixtures.lines(4)
    static func record(_ id: Int) -> [UInt8] { FirehoseFixtures.lines(1, from: id) }

    @Test("only the records FailedPutCount/RequestResponses report as failed are resent, with backoff")
    func perRecordRetry() async throws {
        let http = ScriptedFirehoseHTTP([
            .putResult([nil, "ServiceUnavailableException", nil, "InternalFailure"]),
            .putResult([nil, "ServiceUnavailableException"]),
            .putResult([nil]),
        ])
        let sleeps = RecordingSleep()
        try await FirehoseFixtures.sink(http, sleeps: sleeps).deliver(FirehoseFixtures.object(Self.lines))
        #expect(
            http.sentRecords == [
                [Self.record(0), Self.record(1), Self.record(2), Self.record(3)], [Self.record(1), Self.record(3)], [Self.record(3)],
            ])
        // Full jitter with unit 0.5: half of min(cap 10, 0.2 * 2^attempt).
        #expect(sleeps.durations == [0.2, 0.4])
    }

    @Test("records still failing after every attempt stop the call with the code; a retry of the object resends only those")
    func retryOfTheObjectSkipsAcceptedRecords() async throws {
        let failing = ScriptedFirehoseHTTP.Reply.putResult(["ServiceUnavailableException"])
        let http = ScriptedFirehoseHTTP([.putResult([nil, nil, "ServiceUnavailableException", nil])] + Array(repeating: failing, count: 4))
        let sink = try FirehoseFixtures.sink(http)
        let object = FirehoseFixtures.object(Self.lines)
        await #expect {
            try await sink.deliver(object)
        } throws: { error in
            let text = "\(error)"
            return (error as? FirehoseError)?.code == "ServiceUnavailableException" && (error as? FirehoseError)?.attempts == 5
                && text.contains("delivery stream \"tweets\"") && text.contains("1 record still refused") && text.contains("Slow down.")
        }
        #expect(http.requests.count == 5)
        // What Delivery does next: the same object again. Records 0, 1 and 3 were taken.
        try await sink.deliver(object)
        #expect(http.sentRecords.count == 6)
        #expect(http.sentRecords.last == [Self.record(2)])
        // Once complete, the object is forgotten: a new delivery under the key sends everything.
        try await sink.deliver(object)
        #expect(http.sentRecords.last?.count == 4)
    }

    @Test("5xx, throttling and a dropped connection are retried as a whole call, with the same records")
    func wholeCallRetry() async throws {
        let http = ScriptedFirehoseHTTP([
            .awsError(500, "InternalFailure", "Internal error"), .awsError(400, "ThrottlingException", "Rate exceeded"), .reset,
        ])
        let sleeps = RecordingSleep()
        try await FirehoseFixtures.sink(http, sleeps: sleeps).deliver(FirehoseFixtures.object(Self.lines))
        #expect(http.requests.count == 4)
        #expect(Set(http.sentRecords.map { $0.flatMap { $0 } }) == [Self.lines])
        #expect(sleeps.durations == [0.2, 0.4, 0.8])
        let dates = http.requests.map { $0.header("x-amz-date") }
        #expect(dates.allSatisfy { $0 == "20260123T040506Z" }, "each attempt is signed again")
    }

    @Test("503s stop after maxAttempts and the error says how often it tried")
    func whole5xxBounded() async throws {
        let http = ScriptedFirehoseHTTP(fallback: { _ in .awsError(503, "ServiceUnavailableException", "Slow down.") })
        await #expect {
            try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Self.lines))
        } throws: { error in
            (error as? FirehoseError)?.attempts == 4
                && "\(error)".contains("after 4 attempts: HTTP 503 ServiceUnavailableException: Slow down.")
        }
        #expect(http.requests.count == 4)
    }

    @Test("ResourceNotFoundException is not retried; the message names the stream, code, text, request id and the fix")
    func resourceNotFound() async throws {
        let http = ScriptedFirehoseHTTP([
            .awsError(400, "ResourceNotFoundException", "Firehose tweets under account 123456789012 not found.", requestID: "9F3C")
        ])
        await #expect {
            try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Self.lines))
        } throws: { error in
            "\(error)"
                == "Firehose PutRecordBatch to delivery stream \"tweets\" failed: HTTP 400 ResourceNotFoundException: Firehose tweets "
                + "under account 123456789012 not found. (request id 9F3C). No such delivery stream in this region: check "
                + "FIREHOSE_STREAM_NAME, AWS_REGION and AWS_ENDPOINT_URL_FIREHOSE; create the stream (Direct PUT source) before "
                + "tweet-ingest starts"
        }
        #expect(http.requests.count == 1)
    }

    @Test("AccessDenied as JSON or as moto's XML names the IAM action; the secret never shows")
    func accessDenied() async throws {
        let xml = ScriptedFirehoseHTTP.Reply.status(
            403,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: "
                + "arn:aws:iam::123456789012:user/w is not authorized to perform: firehose:PutRecordBatch</Message></Error></Errors></ErrorResponse>"
        )
        for reply in [ScriptedFirehoseHTTP.Reply.awsError(400, "AccessDeniedException", "not authorized"), xml] {
            let http = ScriptedFirehoseHTTP([reply])
            await #expect {
                try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Self.lines))
            } throws: { error in
                let text = "\(error)"
                return text.contains(
                    "the IAM policy needs firehose:PutRecordBatch on arn:aws:firehose:<region>:<account>:deliverystream/tweets")
                    && !text.contains(FirehoseFixtures.credentials.secretAccessKey)
            }
            #expect(http.requests.count == 1)
        }
    }

    @Test("an answer with fewer RequestResponses than records is an error, not a success")
    func malformedAnswer() async throws {
        let http = ScriptedFirehoseHTTP([.putResult([nil])])
        await #expect {
            try await FirehoseFixtures.sink(http).deliver(FirehoseFixtures.object(Self.lines))
        } throws: { error in
            "\(error)".contains("the answer has 1 RequestResponses for 4 records")
        }
    }

    @Test("error objects go to the error output, not to Firehose")
    func errorObjectsGoToTheErrorOutput() async throws {
        let http = ScriptedFirehoseHTTP()
        let errorOutput = FakeSink()
        var object = FirehoseFixtures.object(Array("{\"errorCode\":\"Normalize.MissingId\"}\n".utf8), key: "errors/processing-failed/x")
        object.isErrorOutput = true
        try await FirehoseFixtures.sink(http, errorOutput: errorOutput).deliver(object)
        #expect(http.requests.isEmpty)
        #expect(errorOutput.delivered.map(\.key) == ["errors/processing-failed/x"])
    }
}
