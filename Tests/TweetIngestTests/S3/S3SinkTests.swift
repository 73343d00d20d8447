import Foundation
import Testing

@testable import TweetIngest

@Suite("S3 sink")
struct S3SinkTests {
    static func object(bytes: Int = 10, key: String = "2024/05/01/12/tweets-1-2024-05-01-12-00-00-abc") -> DeliveryObject {
        DeliveryObject(key: key, body: (0..<bytes).map { UInt8($0 % 251) }, contentEncoding: "gzip", recordCount: 3)
    }

    @Test("503 SlowDown and a reset connection are retried with the same key, with jittered backoff")
    func retriesKeepTheKey() async throws {
        let http = ScriptedS3Client([
            .s3Error(503, code: "SlowDown", message: "Please reduce your request rate."), .reset, .status(200),
        ])
        let sleeps = S3RecordedSleeps()
        let sink = S3Sink(client: try S3Fixtures.client(http, sleeps: sleeps))
        try await sink.deliver(Self.object())
        let urls = http.requests.map(\.url)
        #expect(urls.count == 3)
        #expect(Set(urls) == ["https://tweets-bucket.s3.us-east-1.amazonaws.com/2024/05/01/12/tweets-1-2024-05-01-12-00-00-abc"])
        #expect(http.requests.allSatisfy { $0.method == "PUT" && $0.body == Self.object().body })
        // Full jitter with unit 0.5: half of min(cap, base * 2^attempt).
        #expect(sleeps.all == [0.2, 0.4])
    }

    @Test("retries stop after maxAttempts and the error says how often it tried")
    func retriesAreBounded() async throws {
        let http = ScriptedS3Client(fallback: { _ in .s3Error(500, code: "InternalError", message: "We encountered an internal error.") })
        let sink = S3Sink(client: try S3Fixtures.client(http))
        await #expect {
            try await sink.deliver(Self.object())
        } throws: { error in
            (error as? S3Error)?.attempts == 4 && (error as? S3Error)?.code == "InternalError"
        }
        #expect(http.requests.count == 4)
    }

    @Test("403 is reported at once with bucket, key, code, message and request id")
    func accessDeniedIsNotRetried() async throws {
        let http = ScriptedS3Client([.s3Error(403, code: "AccessDenied", message: "Access Denied", requestID: "9F3C")])
        let sink = S3Sink(client: try S3Fixtures.client(http))
        let object = Self.object()
        await #expect {
            try await sink.deliver(object)
        } throws: { error in
            let text = "\(error)"
            return text.contains("s3://tweets-bucket/\(object.key)") && text.contains("AccessDenied") && text.contains("Access Denied")
                && text.contains("9F3C")
        }
        #expect(http.requests.count == 1)
    }

    @Test("ExpiredToken drops the cached credentials before the retry")
    func expiredTokenRefreshes() async throws {
        let http = ScriptedS3Client([.s3Error(400, code: "ExpiredToken", message: "The provided token has expired."), .status(200)])
        let sink = S3Sink(client: try S3Fixtures.client(http))
        try await sink.deliver(Self.object())
        #expect(http.requests.count == 2)
    }

    @Test("objects above the threshold go up in parts, in order, and are completed with their ETags")
    func multipartUpload() async throws {
        let mib = 1024 * 1024
        let http = ScriptedS3Client([
            .status(
                200,
                "<InitiateMultipartUploadResult><Bucket>tweets-bucket</Bucket><Key>k</Key><UploadId>UP-1</UploadId></InitiateMultipartUploadResult>"
            ),
            .status(200, headers: [("ETag", "\"etag-1\"")]),
            .s3Error(503, code: "SlowDown", message: "slow"),
            .status(200, headers: [("ETag", "\"etag-2\"")]),
            .status(200, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"),
        ])
        let sink = S3Sink(client: try S3Fixtures.client(http), multipartThreshold: 5 * mib, partSize: 5 * mib)
        let object = Self.object(bytes: 7 * mib)
        try await sink.deliver(object)
        let requests = http.requests
        #expect(requests.map(\.method) == ["POST", "PUT", "PUT", "PUT", "POST"])
        #expect(requests[0].url.hasSuffix("?uploads"))
        #expect(requests[0].header("content-encoding") == "gzip")
        #expect(requests[1].url.hasSuffix("?partNumber=1&uploadId=UP-1"))
        #expect(requests[2].url.hasSuffix("?partNumber=2&uploadId=UP-1"))
        #expect(requests[3].url == requests[2].url)
        #expect(requests[1].body == Array(object.body[0..<(5 * mib)]))
        #expect(requests[3].body == Array(object.body[(5 * mib)...]))
        let completion = String(decoding: requests[4].body ?? [], as: UTF8.self)
        let sums = [requests[1].body, requests[3].body].map { S3Checksum.sha256.value($0 ?? [])! }
        #expect(
            completion.contains(
                "<Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag><ChecksumSHA256>\(sums[0])</ChecksumSHA256></Part><Part><PartNumber>2</PartNumber><ETag>\"etag-2\"</ETag><ChecksumSHA256>\(sums[1])</ChecksumSHA256></Part>"
            ))
    }

    @Test("objects up to the threshold use one PutObject")
    func smallObjectUsesPut() async throws {
        let http = ScriptedS3Client([.status(200)])
        let sink = S3Sink(client: try S3Fixtures.client(http), multipartThreshold: 5 * 1024 * 1024)
        try await sink.deliver(Self.object(bytes: 5 * 1024 * 1024))
        #expect(http.requests.map(\.method) == ["PUT"])
        #expect(!http.requests[0].url.contains("?"))
    }

    @Test("a failed part aborts the multipart upload and the error is rethrown")
    func failedPartAborts() async throws {
        let http = ScriptedS3Client([
            .status(200, "<InitiateMultipartUploadResult><UploadId>UP-9</UploadId></InitiateMultipartUploadResult>"),
            .status(200, headers: [("ETag", "\"e1\"")]),
            .s3Error(403, code: "AccessDenied", message: "Access Denied"),
            .status(204),
        ])
        let sink = S3Sink(client: try S3Fixtures.client(http), multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024)
        await #expect {
            try await sink.deliver(Self.object(bytes: 6 * 1024 * 1024))
        } throws: { error in
            (error as? S3Error)?.operation == .uploadPart && (error as? S3Error)?.code == "AccessDenied"
        }
        let last = try #require(http.requests.last)
        #expect(last.method == "DELETE")
        #expect(last.url.hasSuffix("?uploadId=UP-9"))
    }

    @Test("an error document inside a 200 completion is retried, and a final failure aborts")
    func completionErrorDocument() async throws {
        let failure = ScriptedS3Client.Reply.status(
            200, "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>boom</Message></Error>")
        var script: [ScriptedS3Client.Reply] = [
            .status(200, "<InitiateMultipartUploadResult><UploadId>UP-2</UploadId></InitiateMultipartUploadResult>"),
            .status(200, headers: [("ETag", "\"e1\"")]),
            .status(200, headers: [("ETag", "\"e2\"")]),
        ]
        script += Array(repeating: failure, count: 4)
        script.append(.status(204))
        let http = ScriptedS3Client(script)
        let sink = S3Sink(client: try S3Fixtures.client(http), multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024)
        await #expect(throws: S3Error.self) { try await sink.deliver(Self.object(bytes: 6 * 1024 * 1024)) }
        #expect(http.requests.filter { $0.method == "POST" && $0.url.hasSuffix("uploadId=UP-2") }.count == 4)
        #expect(http.requests.last?.method == "DELETE")
    }

    @Test("part boundaries respect the part size and S3's 10,000-part limit")
    func partRanges() {
        #expect(S3Sink.partRanges(byteCount: 12, partSize: 5) == [0..<5, 5..<10, 10..<12])
        #expect(S3Sink.partRanges(byteCount: 10, partSize: 5) == [0..<5, 5..<10])
        let many = S3Sink.partRanges(byteCount: 100_001, partSize: 1)
        #expect(many.count <= 10_000)
        #expect(many.first == 0..<11)
        #expect(many.last?.upperBound == 100_001)
    }
}

@Suite("S3 checkpoint store and start-up check")
struct S3CheckpointAndHealthcheckTests {
    @Test("the checkpoint lives at _state/<stream>.json; a missing one loads as nil")
    func checkpointRoundTrip() async throws {
        let checkpoint = Checkpoint(
            stream: "tweets", query: "from:nasa", cursor: SearchCursor(), updatedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let http = ScriptedS3Client([
            .s3Error(404, code: "NoSuchKey", message: "The specified key does not exist."), .status(200),
            .response(HTTPResponse(status: 200, body: try checkpoint.encoded())),
        ])
        let store = S3CheckpointStore(client: try S3Fixtures.client(http), streamName: "tweets")
        #expect(store.location == "s3://tweets-bucket/_state/tweets.json")
        #expect(try await store.load() == nil)
        try await store.save(checkpoint)
        #expect(try await store.load() == checkpoint)
        let save = http.requests[1]
        #expect(save.method == "PUT")
        #expect(save.url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/_state/tweets.json")
        #expect(save.header("content-type") == "application/json")
        var written = checkpoint
        written.writer = try Checkpoint.decode(try #require(save.body)).writer
        #expect(written.writer != nil, "the writer id tells our retried write from another daemon's")
        #expect(save.body == (try written.encoded()))
        #expect(save.header("if-none-match") == "*", "the first checkpoint is written only if none exists")
    }

    @Test("a missing bucket is not a missing checkpoint")
    func noSuchBucketIsAnError() async throws {
        let http = ScriptedS3Client([.s3Error(404, code: "NoSuchBucket", message: "The specified bucket does not exist")])
        let store = S3CheckpointStore(client: try S3Fixtures.client(http), streamName: "tweets")
        await #expect(throws: S3Error.self) { try await store.load() }
    }

    @Test(
        "the start-up check says what is wrong",
        arguments: [
            (ScriptedS3Client.Reply.s3Error(404, code: "NoSuchBucket", message: "The specified bucket does not exist"), "no such bucket"),
            (.s3Error(403, code: "AccessDenied", message: "Access Denied"), "s3:ListBucket on arn:aws:s3:::tweets-bucket"),
            (
                .s3Error(403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records."),
                "S3 does not know the access key AKIAIOSFODNN7EXAMPLE"
            ),
            (
                .s3Error(403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match"),
                "secret access key is wrong"
            ),
            (
                .s3Error(400, code: "AuthorizationHeaderMalformed", message: "the region 'us-east-1' is wrong", region: "eu-west-1"),
                "wrong region (HTTP 400 AuthorizationHeaderMalformed, request id REQ123): the bucket is in region eu-west-1, not us-east-1; set AWS_REGION=eu-west-1"
            ),
            (.status(301, headers: [("x-amz-bucket-region", "ap-southeast-2")]), "set AWS_REGION=ap-southeast-2"),
            (.refused, "cannot connect (Failed to connect to 127.0.0.1 port 9: Connection refused)"),
        ])
    func healthcheckMessages(reply: ScriptedS3Client.Reply, expected: String) async throws {
        let http = ScriptedS3Client([reply, reply])
        let client = try S3Fixtures.client(http)
        await #expect {
            try await S3Healthcheck.run(client, region: "us-east-1")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(
                "S3 start-up check failed for s3://tweets-bucket at https://s3.us-east-1.amazonaws.com (region us-east-1): ")
                && text.contains(expected) && !text.contains(S3Fixtures.credentials.secretAccessKey)
        }
        #expect(http.requests.first?.url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/?list-type=2&max-keys=0")
    }

    @Test("the start-up check passes on 200 and returns where the credentials came from")
    func healthcheckPasses() async throws {
        let http = ScriptedS3Client([.status(200, "<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>")])
        let provided = try await S3Healthcheck.run(try S3Fixtures.client(http), region: "us-east-1")
        #expect(provided.source == "environment variables")
        #expect(http.requests.count == 1)
    }
}
