import Foundation
import Testing

@testable import TweetIngest

@Suite("Firehose request builder")
struct FirehoseRequestBuilderTests {
    /// `{"id":"1"}\n` and `{"id":"2"}\n`.
    static let records = [Array("{\"id\":\"1\"}\n".utf8), Array("{\"id\":\"2\"}\n".utf8)]
    static let body =
        #"{"DeliveryStreamName":"tweets","Records":[{"Data":"eyJpZCI6IjEifQo="},{"Data":"eyJpZCI6IjIifQo="}]}"#

    @Test("PutRecordBatch is a POST / to the regional endpoint with the AWS JSON 1.1 headers and a base64 body")
    func putRecordBatchRequest() throws {
        let builder = try FirehoseRequestBuilder(streamName: "tweets", region: "eu-west-1")
        let request = try builder.putRecordBatch(
            records: Self.records, credentials: FirehoseFixtures.credentials, date: FirehoseFixtures.date)
        #expect(request.method == "POST")
        #expect(request.url == "https://firehose.eu-west-1.amazonaws.com/")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == Self.body)
        #expect(request.header("host") == "firehose.eu-west-1.amazonaws.com")
        #expect(request.header("content-type") == "application/x-amz-json-1.1")
        #expect(request.header("x-amz-target") == "Firehose_20150804.PutRecordBatch")
        #expect(request.header("x-amz-date") == "20260123T040506Z")
        #expect(request.header("x-amz-content-sha256") == nil, "only S3 sends the payload hash as a header")
    }

    /// Expected values computed once with botocore 1.43.11 (`SigV4Auth(credentials, "firehose",
    /// "eu-west-1")`, the same body and headers, X-Amz-Date 20260123T040506Z).
    @Test("the signature matches botocore's for the same request, with and without a session token")
    func signatureMatchesBotocore() throws {
        let builder = try FirehoseRequestBuilder(streamName: "tweets", region: "eu-west-1")
        let request = try builder.putRecordBatch(
            records: Self.records, credentials: FirehoseFixtures.credentials, date: FirehoseFixtures.date)
        #expect(
            request.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260123/eu-west-1/firehose/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                + "Signature=860d01b0a07b7107ce016d0d934eb9a256e994c2d7445f21981ea5b9fec17fb7")

        var temporary = FirehoseFixtures.credentials
        temporary.sessionToken = "SESSIONTOKEN/EXAMPLE+1="
        let withToken = try builder.putRecordBatch(records: Self.records, credentials: temporary, date: FirehoseFixtures.date)
        #expect(withToken.header("x-amz-security-token") == "SESSIONTOKEN/EXAMPLE+1=")
        #expect(
            withToken.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260123/eu-west-1/firehose/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
                + "Signature=a81d86361268a3e2d5b536c40ed8b26142b7037a0dd461a7a184efba24e2afa4")
    }

    @Test("DescribeDeliveryStream names the stream in the body and the operation in X-Amz-Target")
    func describeRequest() throws {
        let builder = try FirehoseRequestBuilder(streamName: "tweets.v2-eu_1", region: "eu-west-1")
        let request = try builder.describeDeliveryStream(credentials: FirehoseFixtures.credentials, date: FirehoseFixtures.date)
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == #"{"DeliveryStreamName":"tweets.v2-eu_1"}"#)
        #expect(request.header("x-amz-target") == "Firehose_20150804.DescribeDeliveryStream")
        #expect(request.header("authorization")?.contains("/eu-west-1/firehose/aws4_request") == true)
    }

    @Test("a custom endpoint keeps its port and path; China regions use amazonaws.com.cn")
    func endpoints() throws {
        let custom = try FirehoseRequestBuilder(
            streamName: "tweets", region: "us-east-1", endpoint: S3Endpoint(parsing: "http://127.0.0.1:4566/firehose/"))
        let request = try custom.putRecordBatch(
            records: Self.records, credentials: FirehoseFixtures.credentials, date: FirehoseFixtures.date)
        #expect(request.url == "http://127.0.0.1:4566/firehose/")
        #expect(request.header("host") == "127.0.0.1:4566")
        #expect(try FirehoseRequestBuilder(streamName: "t", region: "cn-north-1").url == "https://firehose.cn-north-1.amazonaws.com.cn/")
    }

    @Test("the body carries the raw bytes of every record: newlines, quotes, unicode and binary survive base64")
    func bodyRoundTrip() throws {
        let records: [[UInt8]] = [Array("{\"t\":\"h\\\"é\\n🐦\"}\n".utf8), [0, 255, 10], []]
        let body = FirehoseRequestBuilder.putRecordBatchBody(streamName: "tweets", records: records)
        let request = HTTPRequest(url: "x", body: body)
        #expect(FirehoseFixtures.records(in: request) == records)
    }
}
