import Foundation
import Testing

@testable import TweetIngest

@Suite("Firehose settings")
struct FirehoseSettingsTests {
    static func read(_ environment: [String: String], selected: Bool = true) -> (FirehoseSettings?, EnvironmentReader) {
        var reader = EnvironmentReader(environment)
        let settings = FirehoseSettings.read(&reader, selected: selected, home: "/home/test")
        return (settings, reader)
    }

    @Test("stream name, region and endpoint come from the same variables as for S3, the Firehose endpoint first")
    func reads() throws {
        let (settings, reader) = Self.read([
            "FIREHOSE_STREAM_NAME": "tweets.v2-eu_1", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
            "AWS_ENDPOINT_URL_FIREHOSE": "http://127.0.0.1:4566", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
        ])
        #expect(reader.problems.isEmpty)
        let firehose = try #require(settings)
        #expect(firehose.streamName == "tweets.v2-eu_1")
        #expect(firehose.region == "eu-west-1")
        #expect(firehose.endpoint?.description == "http://127.0.0.1:4566")
        #expect(firehose.credentials.accessKeyID == "AKID" && firehose.credentials.secretAccessKey?.value == "secret")
        #expect(firehose.credentials.home == "/home/test")
        #expect(Self.read(["FIREHOSE_STREAM_NAME": "t", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]).0?.endpoint?.port == 1)
    }

    @Test("the stream name is required with SINK=firehose and must follow Firehose's naming rule")
    func streamNameRules() {
        #expect(
            Self.read([:]).1.problems.map(\.description) == [
                "FIREHOSE_STREAM_NAME is not set: required with SINK=firehose: the name of a DirectPut delivery stream (1 to 64 of letters, digits, '_', '.', '-')"
            ])
        for bad in [String(repeating: "a", count: 65), "tweets/raw", "tweets stream", "twéets"] {
            #expect(
                Self.read(["FIREHOSE_STREAM_NAME": bad]).1.problems.map(\.allowed) == [
                    "must be a Firehose stream name: 1 to 64 of letters, digits, '_', '.' and '-'"
                ], "\(bad)")
        }
        #expect(
            Self.read(["FIREHOSE_STREAM_NAME": "arn:aws:firehose:eu-west-1:123456789012:deliverystream/tweets"]).1.problems.first?.allowed
                == "must be the delivery stream's name, not its ARN (the part after deliverystream/)")
        #expect(Self.read(["FIREHOSE_STREAM_NAME": String(repeating: "a", count: 64)]).1.problems.isEmpty)
    }

    @Test("COMPRESSION=gzip is refused: Firehose compresses on its side")
    func gzipRefused() {
        let problems = Self.read(["FIREHOSE_STREAM_NAME": "t", "COMPRESSION": "gzip"]).1.problems
        #expect(problems.map(\.variable) == ["COMPRESSION"])
        #expect(problems.first?.allowed.contains("CompressionFormat=GZIP") == true)
    }

    @Test("not selected: nil, and a set FIREHOSE_STREAM_NAME is warned about")
    func notSelected() {
        let (settings, reader) = Self.read(["FIREHOSE_STREAM_NAME": "t"], selected: false)
        #expect(settings == nil && reader.problems.isEmpty)
        #expect(reader.warnings == ["FIREHOSE_STREAM_NAME or AWS_ENDPOINT_URL_FIREHOSE set but SINK is not firehose: ignored"])
    }

    @Test("a wrong shared AWS variable already reported for S3 is reported once")
    func sharedProblemsOnce() {
        var reader = EnvironmentReader([
            "S3_BUCKET": "tweets", "FIREHOSE_STREAM_NAME": "t", "AWS_ACCESS_KEY_ID": "AKID", "AWS_REGION": "EU WEST",
        ])
        _ = reader.s3Settings(home: nil)
        _ = FirehoseSettings.read(&reader, selected: true, home: nil)
        #expect(reader.problems.map(\.variable) == ["AWS_REGION", "AWS_SECRET_ACCESS_KEY"])
    }

    @Test("FIREHOSE_ variables are known to Config: no typo warning")
    func knownVariables() throws {
        let config = try Config(environment: ["FIREHOSE_STREAM_NAME": "t", "AWS_ENDPOINT_URL_FIREHOSE": "http://127.0.0.1:1"])
        #expect(!config.warnings.contains { $0.contains("FIREHOSE_STREAM_NAME is not a tweet-ingest variable") })
        #expect(
            try Config(environment: ["FIREHOSE_STREAM_NAMES": "t"]).warnings.contains {
                $0.contains("FIREHOSE_STREAM_NAMES is not a tweet-ingest variable")
            })
    }

    @Test("the region falls back to us-east-1 only with a custom endpoint")
    func region() throws {
        let credentials = AWSCredentialSettings(sharedCredentialsFile: "/nonexistent/c", configFile: "/nonexistent/f")
        #expect(
            try FirehoseDestination.region(for: FirehoseSettings(streamName: "t", region: "eu-west-1", credentials: credentials))
                == "eu-west-1")
        #expect(
            try FirehoseDestination.region(
                for: FirehoseSettings(streamName: "t", endpoint: S3Endpoint(parsing: "http://127.0.0.1:1"), credentials: credentials))
                == "us-east-1")
        #expect(throws: ConfigError.self) {
            try FirehoseDestination.region(for: FirehoseSettings(streamName: "t", credentials: credentials))
        }
    }

    @Test("check-config lists the stream and endpoint, and the shared AWS settings only when S3 does not")
    func summary() {
        let settings = FirehoseSettings(
            streamName: "t", credentials: AWSCredentialSettings(accessKeyID: "AKID", secretAccessKey: Secret("s")))
        #expect(FirehoseSettings.summary(settings, awsListed: true).map(\.0) == [.firehoseStreamName, .awsEndpointURLFirehose])
        let all = FirehoseSettings.summary(settings, awsListed: false)
        #expect(all.first { $0.0 == .awsSecretAccessKey }?.1 == "<redacted>")
        #expect(FirehoseSettings.summary(nil, awsListed: false).isEmpty)
    }
}
