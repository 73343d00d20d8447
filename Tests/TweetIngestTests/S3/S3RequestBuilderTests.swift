import Foundation
import Testing

@testable import TweetIngest

/// The request builder's headers, paths and signatures. The expected signatures were computed
/// independently with botocore's `S3SigV4Auth` for the same request, keys and time.
@Suite("S3 request builder")
struct S3RequestBuilderTests {
    static let body = Array("{\"id\":\"1\"}\n".utf8)
    static let bodyMD5 = "xTVAAIw27kt6D2iqNQv2tQ=="
    static let bodySHA256 = "e81e0aa57be1f0ad8b210b3e6348740e38a380365692b6d6129c53a84264ac1d"
    /// The same SHA-256 in base64, as `x-amz-checksum-sha256` carries it.
    static let bodySHA256Base64 = "6B4KpXvh8K2LIQs+Y0h0DjijgDZWkrbWEpxTqEJkrB0="

    /// Canonical request rebuilt from what the builder put on the wire (everything but
    /// `authorization` is signed), so the test sees exactly the headers S3 will see.
    static func canonical(_ request: HTTPRequest, builder: S3RequestBuilder) throws -> String {
        let url = request.url
        let afterScheme = url.range(of: "://")!.upperBound
        let pathStart = url[afterScheme...].firstIndex(of: "/")!
        let pathAndQuery = url[pathStart...].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let headers = request.headers.filter { $0.name != "authorization" }.map { ($0.name, $0.value) }
        return try builder.signer.canonicalRequest(
            method: request.method, path: String(pathAndQuery[0]), query: pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "",
            headers: headers, payloadHash: request.header("x-amz-content-sha256")!)
    }

    static func signature(_ request: HTTPRequest) -> String? {
        request.header("authorization")?.components(separatedBy: "Signature=").last
    }

    @Test("PutObject with SSE-KMS, storage class and gzip signs exactly the expected headers, with x-amz-checksum-sha256 by default")
    func putObjectCanonicalRequest() throws {
        let builder = try S3RequestBuilder(
            bucket: "tweets-bucket", region: "us-east-1", serverSideEncryption: .kms, kmsKeyID: "alias/tweets",
            storageClass: "STANDARD_IA")
        let request = try builder.putObject(
            key: "raw/my file+a=b ünï.ndjson", body: Self.body, contentType: "application/x-ndjson", contentEncoding: "gzip",
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.method == "PUT")
        #expect(request.url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/raw/my%20file%2Ba%3Db%20%C3%BCn%C3%AF.ndjson")
        #expect(request.body == Self.body)
        #expect(
            try Self.canonical(request, builder: builder) == """
                PUT
                /raw/my%20file%2Ba%3Db%20%C3%BCn%C3%AF.ndjson

                content-encoding:gzip
                content-type:application/x-ndjson
                host:tweets-bucket.s3.us-east-1.amazonaws.com
                x-amz-checksum-sha256:\(Self.bodySHA256Base64)
                x-amz-content-sha256:\(Self.bodySHA256)
                x-amz-date:20130524T000000Z
                x-amz-sdk-checksum-algorithm:SHA256
                x-amz-server-side-encryption:aws:kms
                x-amz-server-side-encryption-aws-kms-key-id:alias/tweets
                x-amz-storage-class:STANDARD_IA

                content-encoding;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;x-amz-storage-class
                \(Self.bodySHA256)
                """)
        #expect(Self.signature(request) == "c6b535f1bc8d6d8151bfe2bdc8e813efcb976c3e6c4149f6ba0b55bb83241534")
    }

    @Test("PutObject with SSE-KMS, storage class and gzip with S3_CHECKSUM=md5 signs Content-MD5 as before")
    func putObjectCanonicalRequestWithMD5() throws {
        let builder = try S3RequestBuilder(
            bucket: "tweets-bucket", region: "us-east-1", serverSideEncryption: .kms, kmsKeyID: "alias/tweets",
            storageClass: "STANDARD_IA", checksum: .md5)
        let request = try builder.putObject(
            key: "raw/my file+a=b ünï.ndjson", body: Self.body, contentType: "application/x-ndjson", contentEncoding: "gzip",
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.method == "PUT")
        #expect(request.url == "https://tweets-bucket.s3.us-east-1.amazonaws.com/raw/my%20file%2Ba%3Db%20%C3%BCn%C3%AF.ndjson")
        #expect(request.body == Self.body)
        #expect(
            try Self.canonical(request, builder: builder) == """
                PUT
                /raw/my%20file%2Ba%3Db%20%C3%BCn%C3%AF.ndjson

                content-encoding:gzip
                content-md5:\(Self.bodyMD5)
                content-type:application/x-ndjson
                host:tweets-bucket.s3.us-east-1.amazonaws.com
                x-amz-content-sha256:\(Self.bodySHA256)
                x-amz-date:20130524T000000Z
                x-amz-server-side-encryption:aws:kms
                x-amz-server-side-encryption-aws-kms-key-id:alias/tweets
                x-amz-storage-class:STANDARD_IA

                content-encoding;content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;x-amz-storage-class
                \(Self.bodySHA256)
                """)
        #expect(Self.signature(request) == "3230076588928fc3a648907e68af5154257f1f1bb99087121a14c95ffb32cba1")
    }

    @Test("a loopback endpoint forces path style and the Host header keeps the port")
    func pathStyleForLoopbackEndpoint() throws {
        let builder = try S3RequestBuilder(
            bucket: "tweets-bucket", region: "us-east-1", endpoint: S3Endpoint(parsing: "http://127.0.0.1:9000")!)
        #expect(builder.pathStyle)
        let request = try builder.listObjects(credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.method == "GET")
        #expect(request.url == "http://127.0.0.1:9000/tweets-bucket?list-type=2&max-keys=0")
        #expect(request.header("host") == "127.0.0.1:9000")
        #expect(request.body == nil)
        #expect(request.header("content-md5") == nil)
        #expect(request.header("x-amz-content-sha256") == SigV4Signer.emptyPayloadHash)
        #expect(Self.signature(request) == "7f8e1c3459c7b307208ca3b1a6d223e852ded6ab7f799f2d7cd0512abcc9816c")
    }

    @Test(
        "addressing style follows the endpoint, the bucket name and S3_FORCE_PATH_STYLE",
        arguments: [
            (nil, "tweets-bucket", false, "https://tweets-bucket.s3.eu-west-1.amazonaws.com/k"),
            (nil, "tweets-bucket", true, "https://s3.eu-west-1.amazonaws.com/tweets-bucket/k"),
            (nil, "tweets.example.com", false, "https://s3.eu-west-1.amazonaws.com/tweets.example.com/k"),
            ("http://localhost:4566", "tweets-bucket", false, "http://localhost:4566/tweets-bucket/k"),
            ("http://[::1]:9000", "tweets-bucket", false, "http://[::1]:9000/tweets-bucket/k"),
            ("https://minio.internal:9000/", "tweets-bucket", false, "https://tweets-bucket.minio.internal:9000/k"),
            ("https://minio.internal:9000", "tweets-bucket", true, "https://minio.internal:9000/tweets-bucket/k"),
            ("https://gateway.example.com:443/s3", "tweets-bucket", true, "https://gateway.example.com/s3/tweets-bucket/k"),
        ] as [(String?, String, Bool, String)])
    func addressing(endpoint: String?, bucket: String, forcePathStyle: Bool, url: String) throws {
        let builder = try S3RequestBuilder(
            bucket: bucket, region: "eu-west-1", endpoint: endpoint.map { S3Endpoint(parsing: $0)! }, forcePathStyle: forcePathStyle)
        let request = try builder.getObject(key: "k", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.url == url)
        let host = url.dropFirst(url.hasPrefix("https") ? 8 : 7).prefix { $0 != "/" }
        #expect(request.header("host") == String(host))
    }

    @Test(
        "keys are encoded per S3: unreserved bytes and '/' stay, everything else is %XX",
        arguments: [
            ("a b.json", "/a%20b.json"),
            ("x+y=z.json", "/x%2By%3Dz.json"),
            ("tweets/2024/é/ü 😀.ndjson", "/tweets/2024/%C3%A9/%C3%BC%20%F0%9F%98%80.ndjson"),
            ("100%.json", "/100%25.json"),
            ("a~b_c-d.e", "/a~b_c-d.e"),
            ("dt=2024-01-01/h=05/file", "/dt%3D2024-01-01/h%3D05/file"),
            ("sp&ec!al$*'(),;:@.json", "/sp%26ec%21al%24%2A%27%28%29%2C%3B%3A%40.json"),
        ])
    func keyEncoding(key: String, path: String) throws {
        let builder = try S3RequestBuilder(bucket: "b-1", region: "us-east-1")
        #expect(builder.path(key: key) == path)
        let request = try builder.putObject(
            key: key, body: [1], contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.url == "https://b-1.s3.us-east-1.amazonaws.com" + path)
        // The signer's canonical URI is the path as sent: S3 recomputes it the same way.
        #expect(try builder.signer.canonicalURI(path: path) == path)
    }

    @Test("SSE AES256 sends no KMS key id, and without settings no encryption or storage-class headers")
    func encryptionHeaders() throws {
        let aes = try S3RequestBuilder(bucket: "b-1", region: "us-east-1", serverSideEncryption: .aes256, kmsKeyID: "ignored")
        let request = try aes.putObject(
            key: "k", body: [1], contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.header("x-amz-server-side-encryption") == "AES256")
        #expect(request.header("x-amz-server-side-encryption-aws-kms-key-id") == nil)
        let plain = try S3RequestBuilder(bucket: "b-1", region: "us-east-1")
        let bare = try plain.putObject(
            key: "k", body: [1], contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        let names = Set(bare.headers.map(\.name))
        #expect(
            names == [
                "host", "content-type", "x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm", "x-amz-date", "x-amz-content-sha256",
                "authorization",
            ])
        #expect(bare.header("content-encoding") == nil)
    }

    @Test("the checkpoint is written without the storage class but with encryption")
    func checkpointSkipsStorageClass() throws {
        let builder = try S3RequestBuilder(bucket: "b-1", region: "us-east-1", serverSideEncryption: .aes256, storageClass: "GLACIER")
        let request = try builder.putObject(
            key: "_state/tweets.json", body: [1], contentType: "application/json", storeWithStorageClass: false,
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.header("x-amz-storage-class") == nil)
        #expect(request.header("x-amz-server-side-encryption") == "AES256")
    }

    @Test("with S3_CHECKSUM=md5, Content-MD5 and x-amz-content-sha256 describe the exact body and no x-amz-checksum is sent")
    func bodyIntegrityHeaders() throws {
        let builder = try S3RequestBuilder(bucket: "b-1", region: "us-east-1", checksum: .md5)
        let request = try builder.putObject(
            key: "k", body: Self.body, contentType: "application/x-ndjson", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(request.header("content-md5") == Self.bodyMD5)
        #expect(request.header("x-amz-content-sha256") == Self.bodySHA256)
        #expect(request.header("authorization")?.contains("content-md5;") == true)
        #expect(!request.headers.contains { $0.name.hasPrefix("x-amz-checksum") || $0.name == "x-amz-sdk-checksum-algorithm" })
    }

    @Test("temporary credentials add a signed x-amz-security-token")
    func sessionToken() throws {
        let builder = try S3RequestBuilder(bucket: "b-1", region: "us-east-1")
        var credentials = S3Fixtures.credentials
        credentials.sessionToken = "FQoGZXIvYXdzEXAMPLETOKEN"
        let request = try builder.getObject(key: "k", credentials: credentials, date: S3Fixtures.date)
        #expect(request.header("x-amz-security-token") == "FQoGZXIvYXdzEXAMPLETOKEN")
        #expect(request.header("authorization")?.contains("x-amz-security-token") == true)
    }

    @Test("multipart requests: create carries the object settings, parts and completion carry their ids")
    func multipartRequests() throws {
        let builder = try S3RequestBuilder(
            bucket: "b-1", region: "us-east-1", serverSideEncryption: .kms, kmsKeyID: "key-1", storageClass: "STANDARD_IA")
        let create = try builder.createMultipartUpload(
            key: "a b", contentType: "application/x-ndjson", contentEncoding: "gzip", credentials: S3Fixtures.credentials,
            date: S3Fixtures.date)
        #expect(create.method == "POST")
        #expect(create.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b?uploads")
        #expect(create.header("content-type") == "application/x-ndjson")
        #expect(create.header("content-encoding") == "gzip")
        #expect(create.header("x-amz-server-side-encryption-aws-kms-key-id") == "key-1")
        #expect(create.header("x-amz-storage-class") == "STANDARD_IA")

        let part = try builder.uploadPart(
            key: "a b", uploadID: "up/1+2=", partNumber: 3, body: Self.body, credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(part.method == "PUT")
        #expect(part.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b?partNumber=3&uploadId=up%2F1%2B2%3D")
        #expect(part.header("content-md5") == nil, "sha256 (the default) sends no Content-MD5")
        #expect(part.header("x-amz-checksum-sha256") == Self.bodySHA256Base64)
        #expect(part.header("x-amz-sdk-checksum-algorithm") == "SHA256")
        #expect(part.header("content-type") == "application/octet-stream")
        #expect(part.header("x-amz-server-side-encryption") == nil)

        let complete = try builder.completeMultipartUpload(
            key: "a b", uploadID: "u1",
            parts: [S3CompletedPart(partNumber: 1, eTag: "\"e1\""), S3CompletedPart(partNumber: 2, eTag: "\"e2\"")],
            credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(complete.method == "POST")
        #expect(complete.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b?uploadId=u1")
        #expect(
            String(decoding: complete.body ?? [], as: UTF8.self)
                == "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>"
        )
        #expect(complete.header("content-md5") == nil)
        #expect(complete.header("x-amz-checksum-sha256") == nil, "on a completion that header would mean the whole object's checksum")
        #expect(complete.header("if-none-match") == nil)

        let abort = try builder.abortMultipartUpload(key: "a b", uploadID: "u1", credentials: S3Fixtures.credentials, date: S3Fixtures.date)
        #expect(abort.method == "DELETE")
        #expect(abort.url == "https://b-1.s3.us-east-1.amazonaws.com/a%20b?uploadId=u1")
    }

    @Test(
        "endpoint URLs parse strictly",
        arguments: [
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"), ("HTTPS://S3.Example.com/", "https://s3.example.com"),
            ("https://s3.example.com:443", "https://s3.example.com"), ("http://[::1]:4566", "http://[::1]:4566"),
        ])
    func endpointParsing(text: String, normalized: String) {
        #expect(S3Endpoint(parsing: text)?.description == normalized)
    }

    @Test(
        "malformed endpoint URLs are rejected",
        arguments: [
            "127.0.0.1:9000", "ftp://host", "http://", "http://host:99999", "http://user:pw@host", "http://host/?x=1", "http://host:port",
        ])
    func endpointRejection(text: String) {
        #expect(S3Endpoint(parsing: text) == nil)
    }

    @Test("AWS endpoints: regional, and .com.cn in China")
    func awsEndpoints() {
        #expect(S3Endpoint.aws(region: "eu-central-1").description == "https://s3.eu-central-1.amazonaws.com")
        #expect(S3Endpoint.aws(region: "cn-north-1").description == "https://s3.cn-north-1.amazonaws.com.cn")
    }
}
