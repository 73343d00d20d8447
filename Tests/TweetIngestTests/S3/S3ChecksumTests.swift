import Foundation
import Testing

@testable import TweetIngest

/// `S3_CHECKSUM`, object metadata, conditional writes and the list-uploads request, header by
/// header. Expected checksums were computed with Python's hashlib and zlib.
@Suite("S3 checksums, metadata and conditional writes")
struct S3ChecksumTests {
    static let hello = Array("hello world".utf8)

    static func builder(_ checksum: S3Checksum = .sha256) throws -> S3RequestBuilder {
        try S3RequestBuilder(bucket: "b-1", region: "us-east-1", checksum: checksum)
    }

    static func put(
        _ builder: S3RequestBuilder, body: [UInt8] = hello, metadata: [ObjectFact] = [], condition: S3WriteCondition? = nil
    ) throws -> HTTPRequest {
        try builder.putObject(
            key: "k", body: body, contentType: "application/x-ndjson", metadata: metadata, condition: condition,
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
    }

    @Test("checksums of \"hello world\" match the published SHA-256 and CRC-32 values")
    func knownVectors() {
        #expect(S3Checksum.sha256.value(Self.hello) == "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        #expect(CRC32.checksum(Self.hello) == 0x0D4A_1185)
        #expect(S3Checksum.crc32.value(Self.hello) == "DUoRhQ==", "big-endian bytes of 0x0D4A1185")
        #expect(S3Checksum.crc32.value([]) == "AAAAAA==")
        #expect(S3Checksum.sha256.value([]) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(S3Checksum.md5.value(Self.hello) == nil)
        #expect(S3Checksum.none.value(Self.hello) == nil)
    }

    @Test("the composite is the checksum of the concatenated binary part checksums, base64, -<parts>")
    func composite() {
        let parts = [Array("hello ".utf8), Array("world".utf8)]
        #expect(S3Checksum.sha256.composite(ofParts: parts.map { Crypto.sha256($0) }) == "Zhie15keHg/OBlOZxcoF/BXCgYZaeimRvdZnwUZqkaQ=-2")
        #expect(S3Checksum.crc32.composite(ofParts: parts.compactMap { S3Checksum.crc32.digest($0) }) == "1Fu2mQ==-2")
        #expect(S3Checksum.md5.composite(ofParts: parts) == nil)
    }

    @Test(
        "PutObject carries the chosen checksum, and Content-MD5 only with md5",
        arguments: [
            (S3Checksum.sha256, "x-amz-checksum-sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=", "SHA256"),
            (.crc32, "x-amz-checksum-crc32", "DUoRhQ==", "CRC32"),
        ])
    func putObjectChecksum(checksum: S3Checksum, header: String, value: String, algorithm: String) throws {
        let request = try Self.put(Self.builder(checksum))
        #expect(request.header(header) == value)
        #expect(request.header("x-amz-sdk-checksum-algorithm") == algorithm)
        #expect(request.header("content-md5") == nil)
        #expect(request.header("authorization")?.contains(header) == true, "the checksum header is signed")
        #expect(request.headers.filter { $0.name.hasPrefix("x-amz-checksum-") }.count == 1)
    }

    @Test("md5 sends Content-MD5 and no x-amz-checksum; none sends neither")
    func md5AndNone() throws {
        let md5 = try Self.put(Self.builder(.md5))
        #expect(md5.header("content-md5") == "XrY7u+Ae7tCTyyK7j1rNww==")
        #expect(!md5.headers.contains { $0.name.hasPrefix("x-amz-checksum") || $0.name == "x-amz-sdk-checksum-algorithm" })
        let none = try Self.put(Self.builder(.none))
        #expect(none.header("content-md5") == nil)
        #expect(!none.headers.contains { $0.name.hasPrefix("x-amz-checksum") || $0.name == "x-amz-sdk-checksum-algorithm" })
        #expect(none.header("x-amz-content-sha256") == Crypto.hex(Crypto.sha256(Self.hello)))
    }

    @Test(
        "a multipart upload names its algorithm, each part carries its checksum, and the completion lists them",
        arguments: [(S3Checksum.sha256, "SHA256"), (.crc32, "CRC32")])
    func multipartChecksums(checksum: S3Checksum, algorithm: String) throws {
        let builder = try Self.builder(checksum)
        let create = try builder.createMultipartUpload(
            key: "k", contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(create.header("x-amz-checksum-algorithm") == algorithm)
        #expect(create.header("content-md5") == nil)
        let part = try builder.uploadPart(
            key: "k", uploadID: "u1", partNumber: 1, body: Self.hello, credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(part.header("x-amz-checksum-\(algorithm.lowercased())") == checksum.value(Self.hello))
        #expect(part.header("content-md5") == nil)
        let complete = try builder.completeMultipartUpload(
            key: "k", uploadID: "u1", parts: [S3CompletedPart(partNumber: 1, eTag: "\"e1\"", checksum: "c+1=")],
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(
            String(decoding: complete.body ?? [], as: UTF8.self)
                == "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag><Checksum\(algorithm)>c+1=</Checksum\(algorithm)></Part></CompleteMultipartUpload>"
        )
        #expect(complete.header("content-md5") == nil)
    }

    @Test("md5 and none start a multipart upload without an algorithm and list no part checksums")
    func multipartWithoutAdditionalChecksum() throws {
        for checksum in [S3Checksum.md5, .none] {
            let builder = try Self.builder(checksum)
            let create = try builder.createMultipartUpload(
                key: "k", contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
            #expect(create.header("x-amz-checksum-algorithm") == nil)
            let document = S3CompletedPart.document([S3CompletedPart(partNumber: 1, eTag: "e", checksum: "x")], checksum: checksum)
            #expect(!document.contains("Checksum"))
        }
    }

    @Test("metadata becomes signed x-amz-meta-<name> headers on PutObject and CreateMultipartUpload")
    func metadataHeaders() throws {
        let facts = [ObjectFact("record-count", "3"), ObjectFact("newest-id", "1790000000000000001")]
        let builder = try Self.builder()
        let put = try Self.put(builder, metadata: facts)
        let create = try builder.createMultipartUpload(
            key: "k", contentType: "application/x-ndjson", metadata: facts, credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        for request in [put, create] {
            #expect(request.header("x-amz-meta-record-count") == "3")
            #expect(request.header("x-amz-meta-newest-id") == "1790000000000000001")
            let signed = request.header("authorization") ?? ""
            #expect(signed.contains("x-amz-meta-newest-id;x-amz-meta-record-count"))
        }
        let part = try builder.uploadPart(
            key: "k", uploadID: "u", partNumber: 1, body: [1], credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(!part.headers.contains { $0.name.hasPrefix("x-amz-meta-") })
    }

    @Test(
        "metadata S3 would alter is refused",
        arguments: [
            ObjectFact("Record-Count", "1"), ObjectFact("a_b", "1"), ObjectFact("", "1"), ObjectFact("n", "é"), ObjectFact("n", "a\nb"),
        ])
    func invalidMetadata(fact: ObjectFact) throws {
        #expect(throws: S3MetadataError.self) { try Self.put(Self.builder(), metadata: [fact]) }
    }

    @Test("a create-only PutObject and CompleteMultipartUpload send If-None-Match: *")
    func ifNoneMatch() throws {
        let builder = try Self.builder()
        #expect(try Self.put(builder, condition: .absent).header("if-none-match") == "*")
        #expect(try Self.put(builder).header("if-none-match") == nil)
        let complete = try builder.completeMultipartUpload(
            key: "k", uploadID: "u1", parts: [S3CompletedPart(partNumber: 1, eTag: "e")], createOnly: true,
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(complete.header("if-none-match") == "*")
        #expect(complete.header("authorization")?.contains("if-none-match") == true)
    }

    @Test("HeadObject, DeleteObject and ListMultipartUploads (with its paging markers)")
    func recoveryRequests() throws {
        let builder = try Self.builder()
        let head = try builder.headObject(key: "a b", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(head.method == "HEAD")
        #expect(head.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b")
        #expect(head.body == nil)
        let delete = try builder.deleteObject(key: "a b", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(delete.method == "DELETE")
        #expect(delete.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b")
        let list = try builder.listMultipartUploads(prefix: "raw/x y.gz", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(list.method == "GET")
        #expect(list.url == "https://b-1.s3.us-east-1.amazonaws.com/?prefix=raw%2Fx%20y.gz&uploads")
        let next = try builder.listMultipartUploads(
            prefix: "k", keyMarker: "k", uploadIDMarker: "u+1", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(next.url == "https://b-1.s3.us-east-1.amazonaws.com/?key-marker=k&prefix=k&upload-id-marker=u%2B1&uploads")
    }

    @Test("a ListMultipartUploads page: every upload, and the markers of a truncated one")
    func listingParsing() throws {
        let truncated = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b-1</Bucket><KeyMarker></KeyMarker>
            <UploadIdMarker></UploadIdMarker><NextKeyMarker>raw/a&amp;b</NextKeyMarker><NextUploadIdMarker>U2</NextUploadIdMarker>
            <Prefix>raw/a</Prefix><MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>
            <Upload><Key>raw/a&amp;b</Key><UploadId>U1</UploadId><Initiated>2024-05-01T12:00:00.000Z</Initiated></Upload>
            <Upload><Key>raw/a&amp;b</Key><UploadId>U2</UploadId></Upload></ListMultipartUploadsResult>
            """
        let page = try #require(S3UploadListing(parsing: truncated))
        #expect(page.uploads == [AbandonedUpload(key: "raw/a&b", uploadID: "U1"), AbandonedUpload(key: "raw/a&b", uploadID: "U2")])
        #expect(page.next?.keyMarker == "raw/a&b")
        #expect(page.next?.uploadIDMarker == "U2")
        let last = try #require(
            S3UploadListing(parsing: "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"))
        #expect(last.uploads.isEmpty)
        #expect(last.next == nil)
        #expect(S3UploadListing(parsing: "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>") == nil)
        #expect(S3UploadListing(parsing: "<Error><Code>x</Code></Error>") == nil)
    }

    @Test(
        "a checksum mismatch S3 reports is retried; other InvalidRequests are not",
        arguments: [
            ("BadDigest", 400, "The SHA256 you specified did not match the calculated checksum.", true),
            ("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", true),
            ("InvalidRequest", 400, "Value for x-amz-checksum-crc32 header is invalid.", false),
            ("InvalidRequest", 400, "The checksum you specified did not match the calculated checksum.", true),
            ("InvalidRequest", 400, "Checksum Type mismatch occurred", false),
        ])
    func mismatchesAreRetried(code: String, status: Int, message: String, retried: Bool) {
        let error = S3Error(
            operation: .putObject, bucket: "b", key: "k", failure: .response(S3ErrorResponse(status: status, code: code, message: message)))
        #expect(error.isRetryable == retried)
        #expect(error.meansChecksumMismatch == retried)
    }

    @Test("the new operations name the IAM action that allows them, on the bucket or its objects")
    func permissions() {
        #expect(S3Operation.headObject.permission == "s3:GetObject")
        #expect(S3Operation.deleteObject.permission == "s3:DeleteObject")
        #expect(S3Operation.listMultipartUploads.permission == "s3:ListBucketMultipartUploads")
        let denied = S3Error(
            operation: .listMultipartUploads, bucket: "b-1", key: "k",
            failure: .response(S3ErrorResponse(status: 403, code: "AccessDenied")))
        #expect(denied.hint?.contains("s3:ListBucketMultipartUploads on arn:aws:s3:::b-1 ") == true)
    }
}
