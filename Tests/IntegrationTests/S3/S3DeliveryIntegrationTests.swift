import Foundation
import Synchronization
import Testing

@testable import TweetIngest

/// Our S3 code against a real moto_server on 127.0.0.1 with signature checking on; everything
/// is read back with boto3 (Support/s3/s3_helper.py), never with our own S3 code.
@Suite("S3 delivery against moto_server", .timeLimit(.minutes(3)))
struct S3DeliveryIntegrationTests {
    static let arrival = parseRFC3339("2024-05-01T12:34:56Z")!

    @Test("objects land with the right keys, content, Content-Type/Encoding, encryption and storage class")
    func objectsLand() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-it"])
        defer { moto.stop() }
        let environment = try moto.environment(
            bucket: "tweets-it",
            extra: [
                "S3_PREFIX": "raw/!{timestamp:yyyy}/!{timestamp:MM}/", "S3_SSE": "aws:kms", "S3_SSE_KMS_KEY_ID": "alias/tweets",
                "S3_STORAGE_CLASS": "STANDARD_IA", "COMPRESSION": "gzip",
            ])
        let connected = try await S3TestSupport.connect(environment)
        let config = try Config(environment: environment)
        let layout = App.layout(config)
        let records = Array("{\"id\":\"1\",\"text\":\"héllo\"}\n{\"id\":\"2\",\"text\":\"world\"}\n".utf8)
        let gzipped = try Gzip.compress(records)
        let key = layout.dataKey(arrival: Self.arrival, random: "7d7e5c46-0c1b-4b8e-9f55-3f2f0a6c1d2e")
        #expect(key == "raw/2024/05/tweets-1-2024-05-01-12-34-56-7d7e5c46-0c1b-4b8e-9f55-3f2f0a6c1d2e.gz")
        try await connected.sink.deliver(DeliveryObject(key: key, body: gzipped, contentEncoding: "gzip", recordCount: 2))
        let spaced = "raw/with space ~tilde/part 1.ndjson"
        try await connected.sink.deliver(DeliveryObject(key: spaced, body: records, recordCount: 2))

        let object = try S3Boto.get(moto, bucket: "tweets-it", key: key)
        #expect(object.body == gzipped)
        #expect(try Gzip.decompress(object.body) == records)
        #expect(object.contentType == "application/x-ndjson")
        #expect(object.contentEncoding == "gzip")
        #expect(object.serverSideEncryption == "aws:kms")
        #expect(object.kmsKeyID == "alias/tweets")
        #expect(object.storageClass == "STANDARD_IA")
        let plain = try S3Boto.get(moto, bucket: "tweets-it", key: spaced)
        #expect(plain.body == records)
        #expect(plain.contentEncoding == nil)
        #expect(Set(try S3Boto.keys(moto, bucket: "tweets-it")) == [key, spaced])

        // The checkpoint: written beside the data, encrypted, never with the storage class.
        let checkpoint = Checkpoint(stream: "tweets", query: "from:nasa", cursor: SearchCursor(), updatedAt: Self.arrival)
        #expect(try await connected.checkpoints.load() == nil)
        try await connected.checkpoints.save(checkpoint)
        var loaded = try await connected.checkpoints.load()
        #expect(loaded?.writer != nil, "the writer id is stored with the checkpoint")
        loaded?.writer = nil
        #expect(loaded == checkpoint)
        let stored = try S3Boto.get(moto, bucket: "tweets-it", key: "_state/tweets.json")
        var written = checkpoint
        written.writer = try Checkpoint.decode(stored.body).writer
        #expect(stored.body == (try written.encoded()))
        #expect(stored.contentType == "application/json")
        #expect(stored.serverSideEncryption == "aws:kms")
        #expect(stored.storageClass == nil)
    }

    @Test("SSE AES256 is applied")
    func aes256() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-aes"])
        defer { moto.stop() }
        let connected = try await S3TestSupport.connect(try moto.environment(bucket: "tweets-aes", extra: ["S3_SSE": "AES256"]))
        try await connected.sink.deliver(DeliveryObject(key: "k.ndjson", body: Array("{}\n".utf8), recordCount: 1))
        let object = try S3Boto.get(moto, bucket: "tweets-aes", key: "k.ndjson")
        #expect(object.serverSideEncryption == "AES256")
        #expect(object.kmsKeyID == nil)
    }

    /// moto 5 recomputes signatures from a re-quoted path and so rejects any client's (boto3's
    /// too) request for keys with `+`, `=`, `(`, `%` or non-ASCII when checks are on; this test
    /// therefore runs with checks off and proves the keys land under exactly their names. The
    /// signatures for such keys are checked against botocore in the unit tests.
    @Test("keys with +, =, %, parentheses, spaces and unicode land under exactly their names")
    func reservedCharacterKeys() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-keys"], signatureChecks: false)
        defer { moto.stop() }
        let connected = try await S3TestSupport.connect(try moto.environment(bucket: "tweets-keys"))
        let keys: Set<String> = [
            "dt=2024-05-01/h=12/a+b=c.ndjson", "ü/😀 (1).ndjson", "100%/x&y;z,@$!*'.ndjson", "a//double/slash", "tabs\tand~tilde",
        ]
        for key in keys {
            try await connected.sink.deliver(DeliveryObject(key: key, body: Array(key.utf8), recordCount: 1))
        }
        #expect(Set(try S3Boto.keys(moto, bucket: "tweets-keys")) == keys)
        for key in keys { #expect(try S3Boto.get(moto, bucket: "tweets-keys", key: key).body == Array(key.utf8)) }
    }

    @Test("a wrong secret is refused by S3 and reported with the error code, bucket and key")
    func wrongSecret() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-auth"])
        defer { moto.stop() }
        let environment = try moto.environment(bucket: "tweets-auth", extra: ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])
        await #expect {
            try await S3TestSupport.connect(environment)
        } throws: { error in
            let text = "\(error)"
            return error is S3HealthcheckError && text.contains("SignatureDoesNotMatch") && text.contains("secret access key is wrong")
                && !text.contains("not-the-secret")
        }
        // The sink itself, without the start-up check.
        let requests = try S3RequestBuilder(bucket: "tweets-auth", region: "us-east-1", endpoint: S3Endpoint(parsing: moto.endpoint))
        let chain = AWSCredentialChain(
            providers: [EnvironmentCredentialProvider(accessKeyID: moto.user.accessKeyID, secretAccessKey: Secret("not-the-secret"))],
            now: { Date() }, logger: S3TestSupport.logger)
        let sink = S3Sink(client: S3Client(http: CurlHTTPClient(), requests: requests, credentials: chain, logger: S3TestSupport.logger))
        await #expect {
            try await sink.deliver(DeliveryObject(key: "2024/05/01/12/x", body: [1], recordCount: 1))
        } throws: { error in
            guard let error = error as? S3Error else { return false }
            return error.code == "SignatureDoesNotMatch" && error.status == 403 && error.attempts == 1
                && "\(error)".contains("s3://tweets-auth/2024/05/01/12/x")
        }
        let unknown = try moto.environment(bucket: "tweets-auth", extra: ["AWS_ACCESS_KEY_ID": "AKIAUNKNOWNKEY000000"])
        await #expect {
            try await S3TestSupport.connect(unknown)
        } throws: { error in
            "\(error)".contains("InvalidAccessKeyId")
        }
        #expect(try S3Boto.keys(moto, bucket: "tweets-auth").isEmpty)
    }

    @Test("an object above the threshold is uploaded in parts and reads back whole")
    func multipart() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-big"])
        defer { moto.stop() }
        let connected = try await S3TestSupport.connect(
            try moto.environment(bucket: "tweets-big", extra: ["S3_MULTIPART_THRESHOLD_MB": "5", "S3_STORAGE_CLASS": "STANDARD_IA"]))
        let body = (0..<(11 * 1024 * 1024 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try await connected.sink.deliver(DeliveryObject(key: "big/tweets.ndjson", body: body, recordCount: 1))
        let object = try S3Boto.get(moto, bucket: "tweets-big", key: "big/tweets.ndjson")
        #expect(object.contentLength == body.count)
        #expect(object.bodySHA256 == Crypto.hex(Crypto.sha256(body)))
        #expect(object.eTag?.hasSuffix("-2\"") == true, "a multipart ETag ends with -<parts>: \(object.eTag ?? "-")")
        #expect(object.contentType == "application/x-ndjson")
        #expect(object.storageClass == "STANDARD_IA")
        #expect(try S3Boto.unfinishedUploads(moto, bucket: "tweets-big") == 0)
    }

    @Test("a multipart upload that fails midway is aborted: no unfinished upload stays")
    func multipartAbort() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-abort"])
        defer { moto.stop() }
        let http = FailingPartClient(failingPart: 2)
        let connected = try await S3TestSupport.connect(
            try moto.environment(bucket: "tweets-abort", extra: ["S3_MULTIPART_THRESHOLD_MB": "5"]), http: http)
        let body = [UInt8](repeating: 7, count: 9 * 1024 * 1024)
        await #expect(throws: S3Error.self) {
            try await connected.sink.deliver(DeliveryObject(key: "big/aborted.ndjson", body: body, recordCount: 1))
        }
        #expect(http.methods.contains("DELETE"))
        #expect(try S3Boto.unfinishedUploads(moto, bucket: "tweets-abort") == 0)
        #expect(try S3Boto.keys(moto, bucket: "tweets-abort").isEmpty)
    }

    @Test("the start-up check fails clearly for a missing bucket and for an endpoint that does not answer")
    func healthcheckFailures() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-present"])
        defer { moto.stop() }
        await #expect {
            try await S3TestSupport.connect(try moto.environment(bucket: "tweets-missing"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("S3 start-up check failed for s3://tweets-missing at \(moto.endpoint)") && text.contains("no such bucket")
                && text.contains("NoSuchBucket")
        }
        let closedPort = try freeLoopbackPort()
        await #expect {
            try await S3TestSupport.connect(
                try moto.environment(bucket: "tweets-present", extra: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:\(closedPort)"]))
        } throws: { error in
            "\(error)".contains("cannot connect")
        }
    }
}

/// The real client, except that one UploadPart fails without an answer.
final class FailingPartClient: HTTPClient {
    let inner = CurlHTTPClient()
    let failingPart: Int
    private let seen = Mutex<[String]>([])

    init(failingPart: Int) { self.failingPart = failingPart }

    var methods: [String] { seen.withLock { $0 } }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        seen.withLock { $0.append(request.method) }
        if request.url.contains("partNumber=\(failingPart)&") {
            throw HTTPTransportError(kind: .other, message: "injected failure of part \(failingPart)")
        }
        return try await inner.execute(request)
    }
}
