import Foundation
import Testing

@testable import TweetIngest

@Suite("S3 configuration")
struct S3SettingsTests {
    static func config(_ environment: [String: String]) throws(ConfigError) -> Config {
        try Config(environment: environment)
    }

    static func problems(_ environment: [String: String]) -> [ConfigProblem] { Config.problems(environment) }

    @Test("without S3_BUCKET there is no S3 destination")
    func noBucket() throws {
        let config = try Self.config(["S3_PREFIX": "ignored/"])
        #expect(config.s3 == nil)
        #expect(config.warnings.contains("S3_PREFIX set without S3_BUCKET: ignored, objects go to OUTPUT_DIR"))
    }

    @Test("defaults")
    func defaults() throws {
        let s3 = try #require(try Self.config(["S3_BUCKET": "tweets-bucket", "HOME": "/home/x"]).s3)
        #expect(s3.bucket == "tweets-bucket")
        #expect(s3.prefix.text == "")
        #expect(s3.errorPrefix == nil)
        #expect(s3.region == nil)
        #expect(s3.endpoint == nil)
        #expect(!s3.forcePathStyle)
        #expect(s3.serverSideEncryption == nil)
        #expect(s3.storageClass == nil)
        #expect(s3.multipartThresholdMB == 16)
        #expect(s3.checksum == .sha256)
        #expect(s3.credentials.home == "/home/x")
        #expect(!s3.credentials.ec2MetadataDisabled)
    }

    @Test("every S3 and AWS variable is read")
    func allVariables() throws {
        let s3 = try #require(
            try Self.config([
                "S3_BUCKET": "tweets-bucket", "S3_PREFIX": "raw/dt=!{timestamp:yyyy-MM-dd}/",
                "S3_ERROR_PREFIX": "bad/!{firehose:error-output-type}/", "S3_FORCE_PATH_STYLE": "TRUE", "S3_SSE": "aws:KMS",
                "S3_SSE_KMS_KEY_ID": "alias/tweets", "S3_STORAGE_CLASS": "standard_ia", "S3_MULTIPART_THRESHOLD_MB": "5",
                "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ACCESS_KEY_ID": "AKIA1",
                "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t", "AWS_PROFILE": "work",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:2",
            ]).s3)
        #expect(s3.prefix.text == "raw/dt=!{timestamp:yyyy-MM-dd}/")
        #expect(s3.errorPrefix?.text == "bad/!{firehose:error-output-type}/")
        #expect(s3.forcePathStyle)
        #expect(s3.serverSideEncryption == .kms)
        #expect(s3.kmsKeyID == "alias/tweets")
        #expect(s3.storageClass == "STANDARD_IA")
        #expect(s3.multipartThresholdBytes == 5 * 1024 * 1024)
        #expect(s3.region == "eu-west-1")
        #expect(s3.endpoint == S3Endpoint(parsing: "http://127.0.0.1:9000"))
        #expect(s3.credentials.accessKeyID == "AKIA1")
        #expect(s3.credentials.secretAccessKey == Secret("s"))
        #expect(s3.credentials.profile == "work")
        #expect(s3.credentials.ec2MetadataDisabled)
        #expect(s3.credentials.ec2MetadataEndpoint == "http://127.0.0.1:2")
    }

    @Test("AWS_REGION wins over AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL")
    func precedence() throws {
        let s3 = try #require(
            try Self.config([
                "S3_BUCKET": "b-1", "AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL_S3": "http://localhost:4566", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
            ]).s3)
        #expect(s3.region == "us-west-2")
        #expect(s3.endpoint?.description == "http://localhost:4566")
        let remote = try Self.config(["S3_BUCKET": "b-1", "AWS_ENDPOINT_URL_S3": "http://minio.internal:9000"])
        #expect(remote.warnings.contains { $0.contains("plain http to a remote host") })
    }

    @Test(
        "invalid values name the variable, the value and what is allowed",
        arguments: [
            (["S3_BUCKET": "s3://tweets/raw"], "S3_BUCKET", "without s3://"),
            (["S3_BUCKET": "Tweets_Bucket"], "S3_BUCKET", "3 to 63 lowercase letters"),
            (["S3_BUCKET": "b-1", "S3_PREFIX": "raw/!{timestamp:yyyy/QQ}/"], "S3_PREFIX", "\"!{timestamp:yyyy/QQ}\": pattern letter 'Q'"),
            (["S3_BUCKET": "b-1", "S3_ERROR_PREFIX": "bad/!{timestamp:yyyy}/"], "S3_ERROR_PREFIX", "error-output-type"),
            (["S3_BUCKET": "b-1", "S3_SSE": "aes"], "S3_SSE", "AES256 or aws:kms"),
            (["S3_BUCKET": "b-1", "S3_SSE_KMS_KEY_ID": "k"], "S3_SSE_KMS_KEY_ID", "only used with S3_SSE=aws:kms"),
            (["S3_BUCKET": "b-1", "S3_STORAGE_CLASS": "COLD"], "S3_STORAGE_CLASS", "STANDARD_IA"),
            (["S3_BUCKET": "b-1", "S3_MULTIPART_THRESHOLD_MB": "4"], "S3_MULTIPART_THRESHOLD_MB", "from 5 to 5120"),
            (["S3_BUCKET": "b-1", "S3_FORCE_PATH_STYLE": "maybe"], "S3_FORCE_PATH_STYLE", "true or false"),
            (["S3_BUCKET": "b-1", "S3_CHECKSUM": "sha1"], "S3_CHECKSUM", "must be one of: sha256, crc32, md5, none (default sha256)"),
            (["S3_BUCKET": "b-1", "AWS_REGION": "EU West"], "AWS_REGION", "region code"),
            (["S3_BUCKET": "b-1", "AWS_ENDPOINT_URL_S3": "localhost:9000"], "AWS_ENDPOINT_URL_S3", "http(s) URL"),
            (["S3_BUCKET": "b-1", "AWS_ACCESS_KEY_ID": "AKIA1"], "AWS_SECRET_ACCESS_KEY", "set both or neither"),
            (["S3_BUCKET": "b-1", "AWS_EC2_METADATA_DISABLED": "yes please"], "AWS_EC2_METADATA_DISABLED", "true or false"),
        ])
    func invalidValues(environment: [String: String], variable: String, allowed: String) {
        let problems = Self.problems(environment)
        #expect(problems.count == 1)
        #expect(problems.first?.variable == variable)
        #expect(problems.first?.allowed.contains(allowed) == true, "\(problems)")
    }

    @Test("S3_CHECKSUM takes sha256, crc32, md5 and none in any case, shows in the summary, and names a bad value")
    func checksumSetting() throws {
        for (raw, checksum) in [("sha256", S3Checksum.sha256), (" CRC32 ", .crc32), ("Md5", .md5), ("none", .none)] {
            let config = try Self.config(["S3_BUCKET": "b-1", "S3_CHECKSUM": raw])
            #expect(config.s3?.checksum == checksum)
            #expect(config.summary.contains { $0.0 == .s3Checksum && $0.1 == checksum.rawValue })
        }
        let problem = try #require(Self.problems(["S3_BUCKET": "b-1", "S3_CHECKSUM": "crc32c"]).first)
        #expect(problem.value == "crc32c")
        #expect("\(problem)".contains("S3_CHECKSUM"))
        #expect("\(problem)".contains("crc32c"))
    }

    @Test("secrets are redacted in the summary and in problems")
    func redaction() throws {
        let config = try Self.config([
            "S3_BUCKET": "b-1", "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "top-secret", "AWS_SESSION_TOKEN": "tok-secret",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "auth-secret",
        ])
        let summary = config.summary.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: "\n")
        #expect(summary.contains("S3_BUCKET=b-1"))
        #expect(summary.contains("AWS_ACCESS_KEY_ID=AKIA1"))
        #expect(summary.contains("AWS_SECRET_ACCESS_KEY=<redacted>"))
        for secret in ["top-secret", "tok-secret", "auth-secret"] { #expect(!summary.contains(secret)) }
        let problems = Self.problems(["S3_BUCKET": "b-1", "AWS_SECRET_ACCESS_KEY": "top-secret"])
        #expect(!"\(problems)".contains("top-secret"))
    }

    @Test("the region falls back to the profile's config, then us-east-1 for a custom endpoint, else a config error")
    func regionResolution() throws {
        let home = try S3TemporaryHome(config: "[profile work]\nregion = ap-south-1\n")
        var settings = try #require(try Self.config(["S3_BUCKET": "b-1", "AWS_PROFILE": "work", "HOME": home.path]).s3)
        #expect(try S3Destination.region(for: settings) == "ap-south-1")
        settings.credentials.profile = nil
        #expect(throws: ConfigError.self) { try S3Destination.region(for: settings) }
        settings.endpoint = S3Endpoint(parsing: "http://127.0.0.1:9000")
        #expect(try S3Destination.region(for: settings) == "us-east-1")
    }
}
