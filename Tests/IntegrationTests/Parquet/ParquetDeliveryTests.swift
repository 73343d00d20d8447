import Foundation
import Testing

@testable import TweetIngest

/// The real binary writing Parquet, read back by pyarrow and DuckDB
/// (`Support/parquet/check_parquet.py`) and compared with the JSON Lines records of the same
/// input; partitions from the records and the key time zone against moto_server; the README's
/// queries run by DuckDB over both formats (`Support/parquet/check_queries.py`).
@Suite("Parquet, partitions and the README's queries", .serialized, .timeLimit(.minutes(6)))
struct ParquetDeliveryTests {
    static let support = Paths.repository + "/Tests/IntegrationTests/Support/parquet"

    /// Every recorded page with `includes`, and the synthetic page of edge cases (long posts,
    /// escapes, missing authors and posts, empty lists, odd numbers).
    static func pages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Paths.twitterFixtures).filter {
            ($0.hasPrefix("twarc_search_recent_") || ($0.hasPrefix("tweepy_search_recent_") && !$0.hasSuffix(".http.json"))
                || $0 == "flatten_synthetic_edge_cases.json")
        }.sorted().map { Paths.twitterFixtures + "/" + $0 }
    }

    static func python(_ script: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> ChildProcess {
        let process = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", support + "/" + script] + arguments,
            environment: ProcessInfo.processInfo.environment)
        _ = process.waitForExit(timeout: timeout)
        return process
    }

    static func replay(into output: String, _ extra: [String: String], pages: [String]) throws {
        let (status, process) = try TweetIngest.run(
            ["replay"] + pages, environment: TweetIngest.environment(api: nil, outputDir: output, extra: extra), timeout: 120)
        #expect(status == 0, "\(process.allOutput)")
    }

    @Test func everyRecordedPageGivesTheSameRowsAsJSONLinesUnderEveryCompression() throws {
        let pages = try Self.pages()
        let jsonl = try Paths.temporaryDirectory("pq-jsonl")
        try Self.replay(into: jsonl, ["COMPRESSION": "gzip"], pages: pages)
        for (setting, codec) in [("zstd", "ZSTD"), ("snappy", "SNAPPY"), ("gzip", "GZIP"), ("none", "UNCOMPRESSED")] {
            let parquet = try Paths.temporaryDirectory("pq-\(setting)")
            try Self.replay(into: parquet, ["OUTPUT_FORMAT": "parquet", "PARQUET_COMPRESSION": setting], pages: pages)
            let files = try FileManager.default.subpathsOfDirectory(atPath: parquet).filter { $0.hasSuffix(".parquet") }
            #expect(!files.isEmpty && files.allSatisfy { !$0.hasPrefix("errors/") })
            let check = try Self.python("check_parquet.py", ["--jsonl", jsonl, "--parquet", parquet, "--codec", codec])
            #expect(check.process.terminationStatus == 0, "PARQUET_COMPRESSION=\(setting): \(check.allOutput)")
            let summary = try #require(
                check.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect((summary["rows"] as? Int ?? 0) >= 400, "\(summary)")
        }
    }

    @Test func theCheckerCatchesAParquetFileThatDisagreesWithTheRecords() throws {
        // A known-bad input: the Parquet objects of one page against the JSON Lines of another.
        let pages = try Self.pages()
        let jsonl = try Paths.temporaryDirectory("pq-bad-jsonl")
        try Self.replay(into: jsonl, [:], pages: [pages[0]])
        let parquet = try Paths.temporaryDirectory("pq-bad-parquet")
        try Self.replay(into: parquet, ["OUTPUT_FORMAT": "parquet"], pages: [pages[1]])
        let check = try Self.python("check_parquet.py", ["--jsonl", jsonl, "--parquet", parquet])
        #expect(check.process.terminationStatus == 1)
        #expect(check.standardError.contains("rows"), "\(check.allOutput)")
    }

    @Test func longPostsFromTheAPIKeepTheirWholeTextInFullText() throws {
        let api = try FakeXAPI(longPosts: 30)
        let output = try Paths.temporaryDirectory("pq-long")
        let (status, process) = try TweetIngest.run(
            ["run", "--once"],
            environment: TweetIngest.environment(api: api, outputDir: output, extra: ["OUTPUT_FORMAT": "parquet"]), timeout: 120)
        #expect(status == 0, "\(process.allOutput)")
        let check = try Self.python("check_queries.py", ["--long-posts", output])
        #expect(check.process.terminationStatus == 0, "\(check.allOutput)")
        let longest = try #require(check.lines.last.flatMap { Int($0) })
        #expect(longest > 280, "no full_text longer than 280 characters: \(check.allOutput)")
        #expect(try api.posts().contains(where: \.long))
    }

    @Test func partitionsFromTheRecordsAndATimeZoneShapeTheKeysInTheBucket() async throws {
        // Signature checks off: moto 5 re-quotes the path and rejects any client's signature for
        // keys with `=` (see S3DeliveryIntegrationTests.reservedCharacterKeys).
        let moto = try await S3MotoServer(buckets: ["tweets-parts"], signatureChecks: false)
        defer { moto.stop() }
        var environment = TweetIngest.environment(api: nil, outputDir: try Paths.temporaryDirectory("pq-parts-out"))
        environment.merge(
            try moto.environment(
                bucket: "tweets-parts",
                extra: [
                    "OUTPUT_FORMAT": "parquet", "S3_PREFIX": "tweets/lang=!{partitionKeyFromQuery:lang}/",
                    "S3_PARTITION_KEYS": "lang=.lang", "S3_PREFIX_TIME_ZONE": "Asia/Kolkata",
                ])
        ) { $1 }
        let pages = try Self.pages()
        let started = Date()
        let (status, process) = try TweetIngest.run(["replay"] + pages, environment: environment, timeout: 120)
        let ended = Date()
        #expect(status == 0, "\(process.allOutput)")
        let keys = try S3Boto.keys(moto, bucket: "tweets-parts").filter { $0.hasPrefix("tweets/") }
        #expect(process.lines.contains { $0.contains("\(keys.count) objects delivered") }, "\(process.allOutput)")
        let languages = Set(keys.compactMap { $0.split(separator: "/").dropFirst().first.map(String.init) })
        #expect(languages.contains("lang=en") && languages.count >= 3, "\(languages)")
        // Key times are India's (UTC+05:30): read as India's time, the time in each object's name
        // falls while the replay ran (read as UTC it would be 5 h 30 min off), and the hour
        // folders are that time's date and hour in India.
        var india = Calendar(identifier: .gregorian)
        india.timeZone = TimeZone(identifier: "Asia/Kolkata")!
        for key in keys {
            let parts = key.split(separator: "/").map(String.init)
            let name = parts.last ?? ""
            #expect(name.hasSuffix(".parquet"))
            let fields = name.split(separator: "-").dropFirst(2).prefix(6).compactMap { Int($0) }
            try #require(fields.count == 6, "\(key)")
            let named = try #require(
                india.date(
                    from: DateComponents(
                        year: fields[0], month: fields[1], day: fields[2], hour: fields[3], minute: fields[4], second: fields[5])))
            #expect(named >= started.addingTimeInterval(-1) && named <= ended.addingTimeInterval(1), "\(key): \(started)...\(ended)")
            let folders = [String(format: "%04d", fields[0])] + fields[1...3].map { String(format: "%02d", $0) }
            #expect(parts.count == 7 && Array(parts[2..<6]) == folders, "\(key)")
        }
        // Downloaded under their keys (one boto3 process for all), the objects hold every record
        // once, each in its language's folder.
        let local = try Paths.temporaryDirectory("pq-parts-local")
        let downloaded = try S3Boto.download(moto, bucket: "tweets-parts", prefix: "tweets/", into: local)
        #expect(downloaded == keys.count)
        let jsonl = try Paths.temporaryDirectory("pq-parts-jsonl")
        try Self.replay(into: jsonl, [:], pages: pages)
        let check = try Self.python("check_parquet.py", ["--jsonl", jsonl, "--parquet", local])
        #expect(check.process.terminationStatus == 0, "\(check.allOutput)")
        let folders = try Self.python("check_queries.py", ["--partition-folders", local + "/tweets"])
        #expect(folders.process.terminationStatus == 0, "\(folders.allOutput)")
    }

    @Test func theREADMEQueriesGiveTheSameAnswersOverParquetAndGzipJSONLines() throws {
        let pages = try Self.pages()
        let jsonl = try Paths.temporaryDirectory("pq-q-jsonl")
        try Self.replay(into: jsonl, ["COMPRESSION": "gzip"], pages: pages)
        let parquet = try Paths.temporaryDirectory("pq-q-parquet")
        try Self.replay(into: parquet, ["OUTPUT_FORMAT": "parquet"], pages: pages)
        let check = try Self.python(
            "check_queries.py", ["--readme", Paths.repository + "/README.md", "--jsonl", jsonl, "--parquet", parquet])
        #expect(check.process.terminationStatus == 0, "\(check.allOutput)")
        let summary = try #require(check.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(summary["queries"] as? Int == 3, "\(summary)")
        #expect((summary["rows"] as? [Int])?.allSatisfy { $0 > 0 } == true, "\(summary)")
    }
}
