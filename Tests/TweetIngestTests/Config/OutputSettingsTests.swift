import Foundation
import Testing

@testable import TweetIngest

/// OUTPUT_FORMAT, FILE_EXTENSION, PARQUET_COMPRESSION, the partition keys and the key time zone.
@Suite("Config: object format, partitions, time zone")
struct OutputSettingsTests {
    private func problems(_ environment: [String: String]) -> [ConfigProblem] { Config.problems(environment) }

    private let bucket = ["S3_BUCKET": "tweets-bucket"]

    @Test func defaultsKeepJSONLinesWithoutPartitions() throws {
        let config = try Config(environment: bucket)
        #expect(config.outputFormat == .jsonl)
        #expect(config.parquetCompression == .zstd)
        #expect(config.dataFileExtension == "")
        #expect(config.s3?.partitioning.isEnabled == false)
        #expect(config.s3?.timeZone.name == "UTC")
    }

    @Test func parquetObjectsEndInParquetUnlessFileExtensionSaysOtherwise() throws {
        #expect(try Config(environment: ["OUTPUT_FORMAT": "parquet"]).dataFileExtension == ".parquet")
        #expect(try Config(environment: ["COMPRESSION": "gzip"]).dataFileExtension == ".gz")
        #expect(try Config(environment: ["OUTPUT_FORMAT": "parquet", "FILE_EXTENSION": ".pq"]).dataFileExtension == ".pq")
        #expect(try Config(environment: ["COMPRESSION": "gzip", "FILE_EXTENSION": ".json.gz"]).dataFileExtension == ".json.gz")
    }

    @Test func partitionKeysAndTheirPrefixAreRead() throws {
        var environment = bucket
        environment["S3_PREFIX"] = "tweets/lang=!{partitionKeyFromQuery:lang}/v=!{partitionKeyFromQuery:verified}/"
        environment["S3_PARTITION_KEYS"] = "lang=.lang,verified=.author.verified"
        environment["S3_PARTITION_DEFAULT"] = "none"
        environment["S3_MAX_PARTITIONS"] = "20"
        environment["S3_PREFIX_TIME_ZONE"] = "Asia/Tokyo"
        let s3 = try #require(try Config(environment: environment).s3)
        #expect(s3.partitioning.keys.map(\.name) == ["lang", "verified"])
        #expect(s3.partitioning.defaultValue == "none")
        #expect(s3.partitioning.maximumPartitions == 20)
        #expect(s3.timeZone.name == "Asia/Tokyo")
        #expect(s3.timeZone.local(Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 9 * 3600))
    }

    @Test(arguments: [
        (["OUTPUT_FORMAT": "orc"], "OUTPUT_FORMAT", "jsonl, parquet"),
        (["PARQUET_COMPRESSION": "lz4"], "PARQUET_COMPRESSION", "zstd, snappy, gzip, none"),
        (["FILE_EXTENSION": "gz"], "FILE_EXTENSION", "must be '.'"),
        (["FILE_EXTENSION": ".GZ"], "FILE_EXTENSION", "0-9 a-z"),
        (
            ["OUTPUT_FORMAT": "parquet", "SINK": "kafka", "KAFKA_BROKERS": "127.0.0.1:9092", "KAFKA_TOPIC": "t"], "OUTPUT_FORMAT",
            "SINK=s3 and SINK=file"
        ),
        (["S3_BUCKET": "b-b-b", "S3_PARTITION_KEYS": "lang=.lang"], "S3_PARTITION_KEYS", "not used in S3_PREFIX"),
        (["S3_BUCKET": "b-b-b", "S3_PREFIX": "t/!{partitionKeyFromQuery:lang}/"], "S3_PREFIX", "does not define"),
        (
            ["S3_BUCKET": "b-b-b", "S3_PREFIX": "t/!{partitionKeyFromQuery:lang}/", "S3_PARTITION_KEYS": "lang=lang"], "S3_PARTITION_KEYS",
            "starts with '.'"
        ),
        (
            [
                "S3_BUCKET": "b-b-b", "S3_PREFIX": "t/!{partitionKeyFromQuery:lang}/", "S3_PARTITION_KEYS": "lang=.lang",
                "S3_PARTITION_DEFAULT": "a/b",
            ],
            "S3_PARTITION_DEFAULT", "without '/'"
        ),
        (
            [
                "S3_BUCKET": "b-b-b", "S3_PREFIX": "t/!{partitionKeyFromQuery:lang}/", "S3_PARTITION_KEYS": "lang=.lang",
                "S3_MAX_PARTITIONS": "0",
            ],
            "S3_MAX_PARTITIONS", "from 1 to 5000"
        ),
        (["S3_BUCKET": "b-b-b", "S3_PREFIX_TIME_ZONE": "Europe/Berln"], "S3_PREFIX_TIME_ZONE", "Europe/Berln"),
        (["S3_BUCKET": "b-b-b", "S3_PREFIX_TIME_ZONE": "../../etc/passwd"], "S3_PREFIX_TIME_ZONE", "../../etc/passwd"),
    ])
    func badValuesNameTheVariable(environment: [String: String], variable: String, hint: String) {
        let found = problems(environment).first { $0.variable == variable }
        #expect(found != nil, "expected a problem with \(variable) in \(problems(environment))")
        #expect(found.map { "\($0.allowed) \($0.value ?? "")".contains(hint) } == true, "\(String(describing: found))")
    }
}
