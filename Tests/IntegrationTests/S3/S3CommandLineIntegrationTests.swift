import Foundation
import Testing

@testable import TweetIngest

/// The real `tweet-ingest` binary writing to moto_server: `replay`, `run --once` with the S3
/// checkpoint, and the start-up failures (exit 78 for configuration, 1 for the S3 check).
@Suite("S3 with the tweet-ingest binary", .timeLimit(.minutes(5)))
struct S3CommandLineIntegrationTests {
    static let page = Paths.twitterFixtures + "/twarc_search_recent_media_page_2021-05-11.json"

    static func records(_ moto: S3MotoServer, bucket: String, keys: [String]) throws -> [[String: Any]] {
        try keys.flatMap { key -> [[String: Any]] in
            let object = try S3Boto.get(moto, bucket: bucket, key: key)
            let body = object.contentEncoding == "gzip" ? try Gzip.decompress(object.body) : object.body
            return try String(decoding: body, as: UTF8.self).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
        }
    }

    @Test("replay delivers gzip objects under Firehose keys to the bucket")
    func replay() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-replay"])
        defer { moto.stop() }
        var environment = TweetIngest.environment(api: nil, outputDir: try Paths.temporaryDirectory("s3-replay-out"))
        environment.merge(try moto.environment(bucket: "tweets-replay", extra: ["COMPRESSION": "gzip", "S3_PREFIX": "replayed/"])) { $1 }
        let (status, process) = try TweetIngest.run(["replay", Self.page], environment: environment, timeout: 120)
        #expect(status == 0, "\(process.allOutput)")
        let keys = try S3Boto.keys(moto, bucket: "tweets-replay")
        let dataKeys = keys.filter { $0.hasPrefix("replayed/") }
        #expect(!dataKeys.isEmpty)
        #expect(
            dataKeys.allSatisfy {
                $0.range(
                    of: #"^replayed/\d{4}/\d{2}/\d{2}/\d{2}/tweets-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.gz$"#, options: .regularExpression)
                    != nil
            })
        let records = try Self.records(moto, bucket: "tweets-replay", keys: dataKeys)
        #expect(records.count > 0)
        #expect(records.allSatisfy { $0["id"] is String })
        #expect(!keys.contains { $0.hasPrefix("_state/") }, "replay never moves the checkpoint")
        #expect(try FileManager.default.contentsOfDirectory(atPath: environment["OUTPUT_DIR"]!).isEmpty)
    }

    @Test(
        "run --once across poll cycles with API faults: every served tweet lands in S3 exactly once, resuming from the checkpoint in the bucket"
    )
    func runOnceWithCheckpoint() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-run"])
        defer { moto.stop() }
        // New tweets between polls, plus a 503, a dropped connection and a 429 with a 2 s reset.
        let api = try FakeXAPI(releases: [150, 250, 400], faults: "2:503,4:drop,6:429")
        var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("s3-run-out"))
        environment.merge(try moto.environment(bucket: "tweets-run", extra: ["COMPRESSION": "gzip"])) { $1 }
        for cycle in 1...4 {
            let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment, timeout: 120)
            #expect(status == 0, "cycle \(cycle): \(process.allOutput)")
            if cycle > 1 {
                #expect(process.allOutput.contains("resuming from the checkpoint"))
                #expect(process.allOutput.contains("s3://tweets-run/_state/tweets.json"))
            }
        }
        let keys = try S3Boto.keys(moto, bucket: "tweets-run")
        #expect(keys.contains("_state/tweets.json"))
        let checkpoint = try JSONSerialization.jsonObject(
            with: Data(try S3Boto.get(moto, bucket: "tweets-run", key: "_state/tweets.json").body))
        let cursor = (checkpoint as? [String: Any])?["cursor"] as? [String: Any]
        #expect(cursor?["since_id"] is String)
        let records = try Self.records(
            moto, bucket: "tweets-run", keys: keys.filter { !$0.hasPrefix("_state/") && !$0.hasPrefix("errors/") })
        let delivered = records.compactMap { $0["id"] as? String }
        let served = try api.servedIDs()
        #expect(served.count == 400)
        #expect(Set(delivered) == served)
        #expect(delivered.count == served.count, "every served tweet exactly once: no duplicates")
        #expect(try FileManager.default.contentsOfDirectory(atPath: environment["OUTPUT_DIR"]!).isEmpty, "nothing goes to the local folder")
    }

    @Test("a failing start-up check exits non-zero with a clear message before polling")
    func failingHealthcheck() async throws {
        let moto = try await S3MotoServer(buckets: [])
        defer { moto.stop() }
        let api = try FakeXAPI()
        var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("s3-fail-out"))
        environment.merge(try moto.environment(bucket: "no-such-bucket-here")) { $1 }
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment, timeout: 60)
        #expect(status == 69, "EX_UNAVAILABLE: the bucket failed its start-up check")
        #expect(process.standardError.contains("S3 start-up check failed for s3://no-such-bucket-here"), "\(process.allOutput)")
        #expect(process.standardError.contains("no such bucket"))
        #expect(try api.requests().isEmpty, "nothing is polled before the check passes")
    }

    @Test("an invalid S3 setting exits 78 naming the variable and the offending part")
    func invalidConfiguration() throws {
        var environment = TweetIngest.environment(api: nil, outputDir: try Paths.temporaryDirectory("s3-config-out"))
        environment["S3_BUCKET"] = "tweets"
        environment["S3_PREFIX"] = "raw/!{timestamp:yyyy-QQ}/"
        environment["AWS_REGION"] = "eu-west-1"
        let (status, process) = try TweetIngest.run(["replay", Self.page], environment: environment, timeout: 30)
        #expect(status == 78)
        #expect(
            process.standardError.contains(
                "S3_PREFIX=\"raw/!{timestamp:yyyy-QQ}/\" is invalid: \"!{timestamp:yyyy-QQ}\": pattern letter 'Q' is not supported"),
            "\(process.allOutput)")
    }
}
