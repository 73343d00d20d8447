import Foundation
import Logging

@testable import TweetIngest

#if canImport(Glibc)
    import Glibc
#endif

/// `moto_server` on 127.0.0.1 with a bucket and Direct PUT delivery streams writing to it, then
/// signature and IAM checking on (Support/firehose/firehose_helper.py). Moto writes one S3
/// object per PutRecordBatch call, at once, holding the call's records concatenated as sent.
final class FirehoseMotoServer {
    let process: ChildProcess
    let port: Int
    let bucket: String
    let prefix: String
    /// Allowed exactly firehose:PutRecordBatch and firehose:DescribeDeliveryStream.
    let writer: S3TestKeys
    /// Allowed s3:*, for reading the bucket back.
    let reader: S3TestKeys
    /// No policy at all.
    let nobody: S3TestKeys

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private struct Setup: Decodable {
        var writer: S3TestKeys
        var reader: S3TestKeys
        var nobody: S3TestKeys
    }

    init(streams: [String], bucket: String = "firehose-destination", prefix: String = "firehose/") async throws {
        let (process, port) = try await S3MotoServer.launch()
        self.process = process
        self.port = port
        self.bucket = bucket
        self.prefix = prefix
        var arguments = ["setup", "--endpoint", "http://127.0.0.1:\(port)", "--bucket", bucket, "--prefix", prefix]
        for stream in streams { arguments += ["--stream", stream] }
        let setup = try JSONDecoder().decode(Setup.self, from: try FirehoseBoto.run(arguments, keys: nil))
        writer = setup.writer
        reader = setup.reader
        nobody = setup.nobody
    }

    /// The environment for our Firehose code: this endpoint, the writer's keys, nothing from the host.
    func environment(stream: String, keys: S3TestKeys? = nil, extra: [String: String] = [:]) throws -> [String: String] {
        let keys = keys ?? writer
        var environment = [
            "FIREHOSE_STREAM_NAME": stream, "AWS_ENDPOINT_URL_FIREHOSE": endpoint, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": keys.accessKeyID, "AWS_SECRET_ACCESS_KEY": keys.secretAccessKey,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": try Paths.temporaryDirectory("firehose-home"),
            "OUTPUT_DIR": try Paths.temporaryDirectory("firehose-out"),
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    /// What Firehose wrote to the bucket, read with boto3 as the reader user.
    func objects() throws -> [FirehoseBoto.Object] {
        try JSONDecoder().decode(
            [FirehoseBoto.Object].self,
            from: try FirehoseBoto.run(["objects", "--endpoint", endpoint, "--bucket", bucket, "--prefix", prefix], keys: reader))
    }

    /// SIGTERM, then SIGKILL after 2 s (see `S3MotoServer.stop`).
    func stop() { S3MotoServer.stop(process) }

    deinit { stop() }
}

/// Runs Support/firehose/firehose_helper.py (boto3), the independent side of the tests.
enum FirehoseBoto {
    static let helper = Paths.repository + "/Tests/IntegrationTests/Support/firehose/firehose_helper.py"

    struct Object: Decodable {
        var key: String
        var size: Int
        var endsWithNewline: Bool
        /// Each line's `id`, nil for a JSON line without a string id.
        var lines: [String?]
        var invalidLines: Int

        enum CodingKeys: String, CodingKey {
            case key = "Key"
            case size = "Size"
            case endsWithNewline = "EndsWithNewline"
            case lines = "Lines"
            case invalidLines = "InvalidLines"
        }
    }

    static func run(_ arguments: [String], keys: S3TestKeys?, timeout: TimeInterval = 60) throws -> Data {
        var environment = S3Boto.baseEnvironment
        if let keys {
            environment["AWS_ACCESS_KEY_ID"] = keys.accessKeyID
            environment["AWS_SECRET_ACCESS_KEY"] = keys.secretAccessKey
        }
        let process = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3", helper] + arguments, environment: environment)
        let status = process.waitForExit(timeout: timeout)
        guard status == 0 else {
            throw HarnessError(
                "firehose_helper.py \(arguments.first ?? "") exited \(status.map(String.init) ?? "(timed out)"): \(process.allOutput)")
        }
        return Data(process.lines.joined(separator: "\n").utf8)
    }
}

enum FirehoseTestSupport {
    static let logger = Logger(label: "firehose-it") { _ in SwiftLogNoOpLogHandler() }

    /// Our Firehose stack as the daemon will build it: settings read from an environment
    /// dictionary (as `Config` reads it), the local folder of `OUTPUT_DIR` as error output, then
    /// connect (which runs the start-up check).
    static func connect(_ environment: [String: String]) async throws -> (sink: FirehoseSink, config: Config, local: LocalDirectorySink) {
        let config = try Config(environment: environment)
        var reader = EnvironmentReader(environment)
        let settings = FirehoseSettings.read(&reader, selected: true, home: environment["HOME"])
        guard reader.problems.isEmpty, let settings else { throw ConfigError(reader.problems) }
        let local = LocalDirectorySink(root: config.outputDirectory, streamName: config.streamName)
        let sink = try await FirehoseDestination.connect(settings, errorOutput: local, http: CurlHTTPClient(), logger: logger)
        return (sink, config, local)
    }
}
