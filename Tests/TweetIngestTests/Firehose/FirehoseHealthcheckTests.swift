import Foundation
import Testing

@testable import TweetIngest

@Suite("Firehose start-up check")
struct FirehoseHealthcheckTests {
    static func description(status: String = "ACTIVE", type: String = "DirectPut") -> ScriptedFirehoseHTTP.Reply {
        .status(
            200,
            #"{"DeliveryStreamDescription":{"DeliveryStreamName":"tweets","DeliveryStreamARN":"arn:aws:firehose:eu-west-1:123456789012:deliverystream/tweets","#
                + #""DeliveryStreamStatus":"\#(status)","DeliveryStreamType":"\#(type)","VersionId":"1","Destinations":[],"HasMoreDestinations":false}}"#
        )
    }

    static func failure(_ replies: [ScriptedFirehoseHTTP.Reply]) async throws -> String {
        let client = try FirehoseFixtures.client(ScriptedFirehoseHTTP(replies))
        do {
            _ = try await FirehoseHealthcheck.run(client, region: "eu-west-1")
        } catch {
            return "\(error)"
        }
        Issue.record("the check passed")
        return ""
    }

    static let place =
        "Firehose start-up check failed for delivery stream \"tweets\" at https://firehose.eu-west-1.amazonaws.com/ (region eu-west-1): "

    @Test("an ACTIVE Direct PUT stream passes with one DescribeDeliveryStream")
    func passes() async throws {
        let http = ScriptedFirehoseHTTP([Self.description()])
        let checked = try await FirehoseHealthcheck.run(try FirehoseFixtures.client(http), region: "eu-west-1")
        #expect(checked.stream.arn == "arn:aws:firehose:eu-west-1:123456789012:deliverystream/tweets")
        #expect(checked.credentials.credentials.accessKeyId == "AKIAIOSFODNN7EXAMPLE")
        #expect(http.requests.map { $0.header("x-amz-target") } == ["Firehose_20150804.DescribeDeliveryStream"])
    }

    @Test("each failure says what is wrong and what to do")
    func messages() async throws {
        #expect(
            try await Self.failure([.awsError(400, "ResourceNotFoundException", "Firehose tweets under account 123456789012 not found.")])
                == Self.place + "no such delivery stream (HTTP 400 ResourceNotFoundException: Firehose tweets under account "
                + "123456789012 not found., request id REQ-1): create a Direct PUT stream \"tweets\" in eu-west-1 or fix "
                + "FIREHOSE_STREAM_NAME (and AWS_REGION / AWS_ENDPOINT_URL_FIREHOSE)")
        #expect(
            try await Self.failure([.awsError(400, "AccessDeniedException", "User is not authorized")])
                == Self.place + "access denied (HTTP 400 AccessDeniedException: User is not authorized, request id REQ-1): access key "
                + "AKIAIOSFODNN7EXAMPLE from environment variables may not describe the stream. Allow firehose:DescribeDeliveryStream and "
                + "firehose:PutRecordBatch on arn:aws:firehose:eu-west-1:<account>:deliverystream/tweets")
        #expect(
            try await Self.failure([.awsError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")]
            )
            .contains("Firehose does not know the access key AKIAIOSFODNN7EXAMPLE from environment variables"))
        #expect(
            try await Self.failure([.awsError(400, "InvalidSignatureException", "Signature mismatch")])
                .contains("the secret access key is wrong for the access key AKIAIOSFODNN7EXAMPLE"))
        #expect(
            try await Self.failure([.reset, .reset])
                == Self.place + "cannot connect (Connection reset by peer). Check AWS_ENDPOINT_URL_FIREHOSE, AWS_REGION and the network "
                + "path to Firehose (a private subnet needs a NAT gateway or a Firehose VPC interface endpoint)")
        #expect(
            try await Self.failure([Self.description(status: "CREATING")])
                == Self.place + "the stream is still being created (CREATING): start tweet-ingest again once it is ACTIVE")
        #expect(
            try await Self.failure([Self.description(type: "KinesisStreamAsSource")])
                == Self.place + "the stream's source is KinesisStreamAsSource, so it does not take PutRecordBatch: use a stream with the "
                + "Direct PUT source")
        #expect(
            try await Self.failure([.status(200, "<html>proxy</html>")])
                == Self.place + "the answer is not a DescribeDeliveryStream result; check AWS_ENDPOINT_URL_FIREHOSE points at Firehose")
    }

    @Test("the error type is read from x-amzn-ErrorType, the body's __type (namespace dropped) or an XML Code")
    func errorResponseParsing() {
        let header = FirehoseErrorResponse(
            HTTPResponse(status: 400, headers: [("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")], body: []))
        #expect(header.code == "ResourceNotFoundException")
        let namespaced = FirehoseErrorResponse(
            HTTPResponse(
                status: 400, headers: [("x-amzn-RequestId", "R")],
                body: Array(#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"bad key"}"#.utf8)))
        #expect(namespaced == FirehoseErrorResponse(status: 400, code: "UnrecognizedClientException", message: "bad key", requestID: "R"))
        let xml = FirehoseErrorResponse(
            HTTPResponse(
                status: 403,
                body: Array("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error></ErrorResponse>".utf8)))
        #expect(xml.code == "SignatureDoesNotMatch" && xml.message == "m")
    }
}
