import Foundation
import Testing

@testable import TweetIngest

@Suite("S3 error responses")
struct S3ErrorTests {
    @Test("the XML error body gives code, message, request id and region")
    func parsesErrorDocument() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos;</Message><Region>eu-west-1</Region><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc=</HostId></Error>
            """
        let parsed = S3ErrorResponse(HTTPResponse(status: 400, body: Array(body.utf8)))
        #expect(parsed.code == "AuthorizationHeaderMalformed")
        #expect(parsed.message == "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'")
        #expect(parsed.requestID == "4442587FB7D0A2F9")
        #expect(parsed.bucketRegion == "eu-west-1")
    }

    @Test("a body-less answer falls back to the headers and the status")
    func bodylessAnswer() {
        let response = HTTPResponse(status: 301, headers: [("x-amz-request-id", "R1"), ("x-amz-bucket-region", "ap-south-1")])
        let error = S3Error(operation: .listObjectsV2, bucket: "b", key: nil, failure: .response(S3ErrorResponse(response)))
        #expect(error.code == "PermanentRedirect")
        #expect(error.description.contains("request id R1"))
        #expect(error.description.contains("AWS_REGION=ap-south-1"))
    }

    @Test("the message names operation, bucket, key, code, message and request id, and what to do")
    func describesAccessDenied() {
        let error = S3Error(
            operation: .putObject, bucket: "tweets-bucket", key: "2024/01/01/00/tweets-1.gz",
            failure: .response(S3ErrorResponse(status: 403, code: "AccessDenied", message: "Access Denied", requestID: "RID9")))
        let text = error.description
        #expect(
            text.hasPrefix(
                "S3 PutObject s3://tweets-bucket/2024/01/01/00/tweets-1.gz failed: HTTP 403 AccessDenied: Access Denied (request id RID9).")
        )
        #expect(text.contains("s3:PutObject on arn:aws:s3:::tweets-bucket/*"))
        #expect(!error.isRetryable)
    }

    @Test(
        "which failures are retried",
        arguments: [
            (S3Error.Failure.response(S3ErrorResponse(status: 503, code: "SlowDown")), true),
            (.response(S3ErrorResponse(status: 500, code: "InternalError")), true),
            (.response(S3ErrorResponse(status: 400, code: "RequestTimeout")), true),
            (.response(S3ErrorResponse(status: 400, code: "BadDigest")), true),
            (.response(S3ErrorResponse(status: 400, code: "ExpiredToken")), true),
            (.transport(kind: .timedOut, message: "t"), true),
            (.transport(kind: .connectionDropped, message: "reset"), true),
            (.transport(kind: .connectionFailed, message: "refused"), true),
            (.response(S3ErrorResponse(status: 403, code: "AccessDenied")), false),
            (.response(S3ErrorResponse(status: 403, code: "SignatureDoesNotMatch")), false),
            (.response(S3ErrorResponse(status: 404, code: "NoSuchBucket")), false),
            (.response(S3ErrorResponse(status: 400, code: "InvalidStorageClass")), false),
            (.transport(kind: .other, message: "SSL certificate problem"), false),
        ])
    func retryable(failure: S3Error.Failure, retried: Bool) {
        #expect(S3Error(operation: .putObject, bucket: "b", key: "k", failure: failure).isRetryable == retried)
    }

    @Test("a 200 CompleteMultipartUpload answer can still be an error document")
    func completeErrorDocument() {
        #expect(S3ErrorResponse.isErrorDocument(Array("<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>".utf8)))
        #expect(
            !S3ErrorResponse.isErrorDocument(
                Array("<?xml version=\"1.0\"?><CompleteMultipartUploadResult><ETag>\"x\"</ETag></CompleteMultipartUploadResult>".utf8)))
    }
}
