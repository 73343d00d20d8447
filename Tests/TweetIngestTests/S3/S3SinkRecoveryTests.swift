import Foundation
import Testing

@testable import TweetIngest

/// Create-only writes, the composite checksum check and the recovery operations of `S3Sink`,
/// against scripted S3 answers.
@Suite("S3 sink: conditional writes, checksums and recovery")
struct S3SinkRecoveryTests {
    static let mib = 1024 * 1024
    static let created = ScriptedS3Client.Reply.status(
        200,
        "<InitiateMultipartUploadResult><Bucket>tweets-bucket</Bucket><Key>k</Key><UploadId>UP-1</UploadId></InitiateMultipartUploadResult>"
    )
    static let preconditionFailed = ScriptedS3Client.Reply.s3Error(
        412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold")

    static func object(bytes: Int, createOnly: Bool = true, metadata: [ObjectFact] = []) -> DeliveryObject {
        var object = DeliveryObject(key: "raw/batch-7.gz", body: (0..<bytes).map { UInt8($0 % 253) }, recordCount: 2)
        object.createOnly = createOnly
        object.metadata = metadata
        return object
    }

    static func sink(_ http: ScriptedS3Client, checksum: S3Checksum = .sha256) throws -> S3Sink {
        let requests = try S3RequestBuilder(bucket: "tweets-bucket", region: "us-east-1", checksum: checksum)
        let client = S3Client(
            http: http, requests: requests, credentials: S3Fixtures.chain(), logger: S3Fixtures.quietLogger, now: { S3Fixtures.date },
            sleep: { _ in }, randomUnit: { 0.5 })
        return S3Sink(client: client, multipartThreshold: 5 * mib, partSize: 5 * mib)
    }

    @Test("a create-only PutObject sends If-None-Match: * and metadata; a 412 means the object is there: success")
    func createOnlyPutTreats412AsSuccess() async throws {
        let http = ScriptedS3Client([Self.preconditionFailed])
        try await Self.sink(http).deliver(Self.object(bytes: 10, metadata: [ObjectFact("record-count", "2")]))
        let requests = http.requests
        #expect(requests.count == 1, "a 412 is not retried")
        #expect(requests[0].header("if-none-match") == "*")
        #expect(requests[0].header("x-amz-meta-record-count") == "2")
    }

    @Test("a 412 on a write that is not create-only is an error")
    func unconditional412IsAnError() async throws {
        let http = ScriptedS3Client([Self.preconditionFailed])
        await #expect(throws: S3Error.self) { try await Self.sink(http).deliver(Self.object(bytes: 10, createOnly: false)) }
        #expect(http.requests[0].header("if-none-match") == nil)
    }

    @Test("BadDigest on a PutObject is resent, never taken as done")
    func badDigestIsResent() async throws {
        let http = ScriptedS3Client([
            .s3Error(400, code: "BadDigest", message: "The SHA256 you specified did not match the calculated checksum."), .status(200),
        ])
        try await Self.sink(http).deliver(Self.object(bytes: 10))
        #expect(http.requests.count == 2)
        #expect(http.requests[1].header("x-amz-checksum-sha256") == S3Checksum.sha256.value(Self.object(bytes: 10).body))
    }

    @Test(
        "a multipart upload sends each part's checksum, lists them in the completion, and accepts the matching composite",
        arguments: [S3Checksum.sha256, .crc32])
    func multipartComposite(checksum: S3Checksum) async throws {
        let object = Self.object(bytes: 7 * Self.mib)
        let part1 = Array(object.body[0..<(5 * Self.mib)])
        let part2 = Array(object.body[(5 * Self.mib)...])
        let composite = try #require(checksum.composite(ofParts: [part1, part2].compactMap { checksum.digest($0) }))
        let element = try #require(checksum.elementName)
        let http = ScriptedS3Client([
            Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .status(200, headers: [("ETag", "\"e2\"")]),
            .status(
                200,
                "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag><\(element)>\(composite)</\(element)></CompleteMultipartUploadResult>"),
        ])
        try await Self.sink(http, checksum: checksum).deliver(object)
        let requests = http.requests
        #expect(requests.count == 4)
        #expect(requests[0].header("x-amz-checksum-algorithm") == checksum.algorithm)
        let header = try #require(checksum.headerName)
        #expect(requests[1].header(header) == checksum.value(part1))
        #expect(requests[2].header(header) == checksum.value(part2))
        let completion = String(decoding: requests[3].body ?? [], as: UTF8.self)
        #expect(completion.contains("<ETag>\"e1\"</ETag><\(element)>\(checksum.value(part1)!)</\(element)>"))
        #expect(completion.contains("<ETag>\"e2\"</ETag><\(element)>\(checksum.value(part2)!)</\(element)>"))
        #expect(requests[3].header("if-none-match") == "*")
    }

    @Test("a composite checksum that does not match: the object is removed and the write fails, to be uploaded anew")
    func compositeMismatch() async throws {
        let http = ScriptedS3Client([
            Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .status(200, headers: [("ETag", "\"e2\"")]),
            .status(
                200,
                "<CompleteMultipartUploadResult><ChecksumSHA256>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=-2</ChecksumSHA256></CompleteMultipartUploadResult>"
            ),
            .status(204),
        ])
        let sink = try Self.sink(http)
        await #expect {
            try await sink.deliver(Self.object(bytes: 7 * Self.mib))
        } throws: { error in
            guard let error = error as? S3Error, case .checksumMismatch(_, let stored) = error.failure else { return false }
            return stored.hasPrefix("AAAA") && !error.isRetryable
        }
        let last = try #require(http.requests.last)
        #expect(last.method == "DELETE")
        #expect(!last.url.contains("uploadId"), "the completed object is deleted, not the upload aborted")
    }

    @Test("a mismatched object that could not be removed is removed before the next create-only write of its key")
    func unremovedMismatchIsRemovedFirst() async throws {
        let denied = ScriptedS3Client.Reply.s3Error(403, code: "AccessDenied", message: "Access Denied")
        let http = ScriptedS3Client([
            Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .status(200, headers: [("ETag", "\"e2\"")]),
            .status(200, "<CompleteMultipartUploadResult><ChecksumSHA256>bm9wZQ==-2</ChecksumSHA256></CompleteMultipartUploadResult>"),
            denied,
            // The retry: DELETE first, then the upload again (small now, one PUT).
            .status(204), .status(200),
        ])
        let sink = try Self.sink(http)
        await #expect(throws: S3Error.self) { try await sink.deliver(Self.object(bytes: 7 * Self.mib)) }
        try await sink.deliver(Self.object(bytes: 10))
        #expect(http.requests.suffix(2).map(\.method) == ["DELETE", "PUT"])
    }

    @Test("a completion without a checksum (S3-compatible servers) is accepted")
    func completionWithoutChecksum() async throws {
        let http = ScriptedS3Client([
            Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .status(200, headers: [("ETag", "\"e2\"")]),
            .status(200, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"),
        ])
        try await Self.sink(http).deliver(Self.object(bytes: 7 * Self.mib))
        #expect(http.requests.count == 4)
    }

    @Test("a 412 on a create-only completion: success, and the now useless upload is aborted")
    func createOnlyCompletion412() async throws {
        let http = ScriptedS3Client([
            Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .status(200, headers: [("ETag", "\"e2\"")]),
            Self.preconditionFailed, .status(204),
        ])
        let sink = try Self.sink(http)
        try await sink.deliver(Self.object(bytes: 7 * Self.mib))
        let last = try #require(http.requests.last)
        #expect(last.method == "DELETE")
        #expect(last.url.hasSuffix("?uploadId=UP-1"))
        #expect(sink.takeAbandonedUploads().isEmpty)
    }

    @Test("an upload whose abort fails is kept for takeAbandonedUploads, which hands it over once")
    func abandonedUploadsAreKept() async throws {
        let http = ScriptedS3Client(
            [Self.created, .status(200, headers: [("ETag", "\"e1\"")]), .s3Error(403, code: "AccessDenied", message: "Access Denied")],
            fallback: { _ in .s3Error(503, code: "ServiceUnavailable", message: "down") })
        let sink = try Self.sink(http)
        await #expect(throws: S3Error.self) { try await sink.deliver(Self.object(bytes: 7 * Self.mib)) }
        #expect(http.requests.filter { $0.method == "DELETE" }.count == 3, "the abort is tried three times")
        #expect(sink.takeAbandonedUploads() == [AbandonedUpload(key: "raw/batch-7.gz", uploadID: "UP-1")])
        #expect(sink.takeAbandonedUploads().isEmpty)
    }

    @Test("objectExists: 200 is true, a body-less 404 false, 403 an error")
    func objectExists() async throws {
        let http = ScriptedS3Client([.status(200), .status(404), .status(403)])
        let sink = try Self.sink(http)
        #expect(try await sink.objectExists("raw/a"))
        #expect(try await sink.objectExists("raw/b") == false)
        await #expect(throws: S3Error.self) { try await sink.objectExists("raw/c") }
        #expect(http.requests.map(\.method) == ["HEAD", "HEAD", "HEAD"])
    }

    @Test("a missing bucket is not a missing object")
    func objectExistsNoSuchBucket() async throws {
        let http = ScriptedS3Client([.s3Error(404, code: "NoSuchBucket", message: "The specified bucket does not exist")])
        await #expect(throws: S3Error.self) { try await Self.sink(http).objectExists("raw/a") }
    }

    @Test("removeObject sends DeleteObject; 204 and NoSuchKey are both done")
    func removeObject() async throws {
        let http = ScriptedS3Client([.status(204), .s3Error(404, code: "NoSuchKey", message: "The specified key does not exist.")])
        let sink = try Self.sink(http)
        try await sink.removeObject("raw/a b")
        try await sink.removeObject("raw/a b")
        #expect(http.requests.map(\.method) == ["DELETE", "DELETE"])
        #expect(http.requests[0].url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/raw/a%20b")
    }

    @Test("abortUnfinishedUploads aborts exactly the key's uploads, across truncated pages")
    func abortUnfinishedUploadsPages() async throws {
        let key = "raw/batch-7.gz"
        let page1 = """
            <ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>\(key)</NextKeyMarker>
            <NextUploadIdMarker>U2</NextUploadIdMarker><Upload><Key>\(key)</Key><UploadId>U1</UploadId></Upload>
            <Upload><Key>\(key)</Key><UploadId>U2</UploadId></Upload></ListMultipartUploadsResult>
            """
        let page2 = """
            <ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>\(key)</Key><UploadId>U3</UploadId></Upload>
            <Upload><Key>\(key).part2</Key><UploadId>OTHER</UploadId></Upload></ListMultipartUploadsResult>
            """
        let http = ScriptedS3Client([.status(200, page1), .status(204), .status(204), .status(200, page2), .status(204)])
        let aborted = try await Self.sink(http).abortUnfinishedUploads(key: key)
        #expect(aborted == 3)
        let requests = http.requests
        #expect(requests.map(\.method) == ["GET", "DELETE", "DELETE", "GET", "DELETE"])
        #expect(requests[0].url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/?prefix=raw%2Fbatch-7.gz&uploads")
        #expect(
            requests[3].url
                == "https://tweets-bucket.s3.us-east-1.amazonaws.com/?key-marker=raw%2Fbatch-7.gz&prefix=raw%2Fbatch-7.gz&upload-id-marker=U2&uploads"
        )
        #expect(requests.filter { $0.method == "DELETE" }.map { $0.url.components(separatedBy: "uploadId=").last } == ["U1", "U2", "U3"])
    }

    @Test("a truncated page that continues at another key ends the listing: all of the key's uploads came before")
    func abortUnfinishedUploadsStopsPastTheKey() async throws {
        let page = """
            <ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k-later</NextKeyMarker>
            <NextUploadIdMarker>U9</NextUploadIdMarker><Upload><Key>k</Key><UploadId>U1</UploadId></Upload>
            <Upload><Key>k-later</Key><UploadId>U9</UploadId></Upload></ListMultipartUploadsResult>
            """
        let http = ScriptedS3Client([.status(200, page), .status(204)])
        #expect(try await Self.sink(http).abortUnfinishedUploads(key: "k") == 1)
        #expect(http.requests.map(\.method) == ["GET", "DELETE"])
    }

    @Test("a listing that is not one is an error, not zero uploads")
    func abortUnfinishedUploadsMalformed() async throws {
        let http = ScriptedS3Client([.status(200, "<html>captive portal</html>")])
        await #expect(throws: S3Error.self) { try await Self.sink(http).abortUnfinishedUploads(key: "k") }
    }

    @Test("abortUpload: NoSuchUpload is done, AccessDenied an error")
    func abortUpload() async throws {
        let http = ScriptedS3Client([
            .s3Error(404, code: "NoSuchUpload", message: "The specified upload does not exist."),
            .s3Error(403, code: "AccessDenied", message: "Access Denied"),
        ])
        let sink = try Self.sink(http)
        let upload = AbandonedUpload(key: "raw/x", uploadID: "U1")
        try await sink.abortUpload(upload)
        await #expect(throws: S3Error.self) { try await sink.abortUpload(upload) }
        #expect(http.requests[0].method == "DELETE")
        #expect(http.requests[0].url.hasSuffix("/raw/x?uploadId=U1"))
    }
}
