import FoundationEssentials
import Logging

/// The whole configuration, made once from the environment and validated before anything runs.
///
/// Only `main` reads the process environment; everything else (and every test) passes a
/// dictionary. Every problem is collected, so a user fixes them all in one go.
public struct Config: Sendable {
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip
        /// The object-key suffix Firehose uses for this compression.
        public var fileExtension: String { self == .gzip ? ".gz" : "" }
    }

    public enum LogFormat: String, Sendable, CaseIterable { case json, text }

    /// What a data object holds (`OUTPUT_FORMAT`): JSON Lines, or one Parquet file.
    public enum OutputFormat: String, Sendable, CaseIterable { case jsonl, parquet }

    /// How Parquet compresses its pages (`PARQUET_COMPRESSION`).
    public enum ParquetCompression: String, Sendable, CaseIterable { case zstd, snappy, gzip, none }

    public enum Switch: String, Sendable, CaseIterable { case on, off }

    /// Where records go (`SINK`). The checkpoint lives in S3 when `S3_BUCKET` is set, else in
    /// `OUTPUT_DIR`, whatever the sink.
    public enum SinkKind: String, Sendable, CaseIterable { case s3, file, firehose, kafka }

    /// Metrics: EMF lines on stdout for CloudWatch, and optionally a Prometheus endpoint.
    public struct Metrics: Sendable {
        /// Nil: on when logs are JSON (a container), off on a terminal.
        public var emf: Switch?
        public var intervalSeconds: Int
        /// Nil: no Prometheus endpoint.
        public var prometheusPort: Int?
    }

    /// How far back the very first poll reaches when there is no checkpoint.
    public enum StartTime: Sendable, Equatable, CustomStringConvertible {
        case ago(seconds: Int)
        case at(Date)

        public func resolve(now: Date) -> Date {
            switch self {
            case .ago(let seconds): now.addingTimeInterval(-Double(seconds))
            case .at(let date): date
            }
        }

        public var description: String {
            switch self {
            case .ago(let seconds): "\(seconds)s ago"
            case .at(let date): UTCTime(date).rfc3339Seconds
            }
        }
    }

    public struct Twitter: Sendable {
        public var bearerToken: Secret?
        public var query: String?
        public var apiURL: String
        public var pollIntervalSeconds: Int
        public var maxResults: Int
        public var startTime: StartTime
        public var tweetFields: String
        public var userFields: String
        public var expansions: String
        public var requestTimeoutSeconds: Int
        public var mediaFields: String
        public var pollFields: String
        public var placeFields: String
        /// Each request asks only for posts at least this old (`end_time`), so a post the API
        /// indexes late is still fetched.
        public var settleSeconds: Int
        /// Nil: no daily budget. Posts read (entries of `data[]`) per UTC day.
        public var maxPostsPerDay: Int?
        /// US dollars per post read, for estimates.
        public var pricePerPostRead: Double
        /// US dollars per user read, for estimates.
        public var pricePerUserRead: Double
    }

    public var twitter: Twitter
    public var streamName: String
    public var outputDirectory: String
    public var bufferSizeMB: Int
    public var bufferIntervalSeconds: Int
    public var compression: Compression
    public var outputFormat: OutputFormat
    /// `FILE_EXTENSION`: replaces the data objects' ending (`.gz`, `.parquet`, none), as
    /// Firehose's `FileExtension` does. Nil: the format's own.
    public var fileExtensionOverride: String?
    public var parquetCompression: ParquetCompression
    public var shutdownTimeoutSeconds: Int
    public var logLevel: Logger.Level
    /// Nil: text on a terminal, JSON otherwise.
    public var logFormat: LogFormat?
    /// Where the daemon keeps node-local state (its health file for `healthcheck`).
    public var stateDirectory: String
    public var metrics: Metrics
    /// The S3 destination; nil (no `S3_BUCKET`) writes to `outputDirectory`.
    public var s3: S3Settings?
    public var sink: SinkKind
    /// The Firehose destination (`SINK=firehose`); nil otherwise.
    public var firehose: FirehoseSettings?
    /// The Kafka destination (`SINK=kafka`); nil otherwise.
    public var kafka: KafkaSettings?
    /// Non-fatal findings (unknown variables with our prefixes, odd but allowed values).
    public var warnings: [String] = []

    public var bufferSizeBytes: Int { bufferSizeMB * 1024 * 1024 }

    /// The ending of data objects: `FILE_EXTENSION`, else `.parquet` for Parquet, else COMPRESSION's.
    public var dataFileExtension: String {
        fileExtensionOverride ?? (outputFormat == .parquet ? ".parquet" : compression.fileExtension)
    }

    /// The daemon's health file, read by `tweet-ingest healthcheck`.
    public var healthFile: String { stateDirectory + "/" + streamName + ".health.json" }

    public static let defaultTweetFields =
        "attachments,author_id,context_annotations,conversation_id,created_at,display_text_range,edit_controls,edit_history_tweet_ids,entities,geo,in_reply_to_user_id,lang,note_tweet,possibly_sensitive,public_metrics,referenced_tweets,reply_settings,withheld"
    /// twarc2's `USER_FIELDS`.
    public static let defaultUserFields =
        "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,verified_type,withheld"
    /// twarc2's `MEDIA_FIELDS`, `POLL_FIELDS`, `PLACE_FIELDS`.
    public static let defaultMediaFields =
        "alt_text,duration_ms,height,media_key,preview_image_url,type,url,width,variants,public_metrics"
    public static let defaultPollFields = "duration_minutes,end_datetime,id,options,voting_status"
    public static let defaultPlaceFields = "contained_within,country,country_code,full_name,geo,id,name,place_type"
    public static let defaultExpansions =
        "author_id,attachments.media_keys,attachments.poll_ids,geo.place_id,referenced_tweets.id,referenced_tweets.id.author_id"
    public static let defaultAPIURL = "https://api.x.com"
    /// The OpenAPI spec's `maxLength` for `query`; a level that allows less answers 400, shown as is.
    public static let maximumQueryLength = 4096
    public static let defaultSettleSeconds = 30
    public static let defaultPricePerPostRead = 0.005
    public static let defaultPricePerUserRead = 0.010
    public static let defaultStartTime = "1h"

    public init(environment: [String: String]) throws(ConfigError) {
        var reader = EnvironmentReader(environment)
        twitter = Twitter(
            bearerToken: reader.bearerToken(),
            query: reader.query(),
            apiURL: reader.url(.twitterAPIURL, default: Self.defaultAPIURL),
            pollIntervalSeconds: reader.integer(.twitterPollIntervalSeconds, default: 60, range: 1...86_400),
            maxResults: reader.integer(.twitterMaxResults, default: 100, range: 10...100),
            startTime: reader.startTime(.twitterStartTime, default: Self.defaultStartTime),
            tweetFields: reader.fieldList(.twitterTweetFields, default: Self.defaultTweetFields),
            userFields: reader.fieldList(.twitterUserFields, default: Self.defaultUserFields),
            expansions: reader.fieldList(.twitterExpansions, default: Self.defaultExpansions),
            requestTimeoutSeconds: reader.integer(.twitterRequestTimeoutSeconds, default: 30, range: 1...300),
            mediaFields: reader.fieldList(.twitterMediaFields, default: Self.defaultMediaFields),
            pollFields: reader.fieldList(.twitterPollFields, default: Self.defaultPollFields),
            placeFields: reader.fieldList(.twitterPlaceFields, default: Self.defaultPlaceFields),
            settleSeconds: reader.integer(.twitterSettleSeconds, default: Self.defaultSettleSeconds, range: 10...3600),
            maxPostsPerDay: reader.optionalInteger(.twitterMaxPostsPerDay, range: 10...100_000_000, unset: "no daily budget"),
            pricePerPostRead: reader.decimal(.twitterPricePerPostRead, default: Self.defaultPricePerPostRead, range: 0...10),
            pricePerUserRead: reader.decimal(.twitterPricePerUserRead, default: Self.defaultPricePerUserRead, range: 0...10)
        )
        streamName = reader.streamName(.streamName, default: "tweets")
        outputDirectory = reader.nonEmpty(.outputDir, default: "./data")
        bufferSizeMB = reader.integer(.bufferSizeMB, default: 5, range: 1...128)
        bufferIntervalSeconds = reader.integer(.bufferIntervalSeconds, default: 300, range: 0...900)
        compression = reader.choice(.compression, default: .none)
        outputFormat = reader.choice(.outputFormat, default: .jsonl)
        fileExtensionOverride = reader.fileExtension(.fileExtension)
        parquetCompression = reader.choice(.parquetCompression, default: .zstd)
        shutdownTimeoutSeconds = reader.integer(.shutdownTimeoutSeconds, default: 25, range: 1...3600)
        logLevel = reader.logLevel(.logLevel)
        logFormat = reader.string(.logFormat).map { _ in reader.choice(.logFormat, default: LogFormat.json) }
        stateDirectory = reader.nonEmpty(.stateDir, default: Self.temporaryDirectory(environment) + "tweet-ingest")
        metrics = Metrics(
            emf: reader.string(.metricsEMF).map { _ in reader.choice(.metricsEMF, default: Switch.on) },
            intervalSeconds: reader.integer(.metricsIntervalSeconds, default: 60, range: 1...3600),
            prometheusPort: reader.string(.metricsPort).map { _ in reader.integer(.metricsPort, default: 9464, range: 1...65535) })
        s3 = reader.s3Settings(home: environment["HOME"], zoneDirectory: environment["TZDIR"])
        sink = reader.choice(.sink, default: s3 == nil ? SinkKind.file : .s3)
        if sink == .s3, s3 == nil, reader.string(.sink) != nil {
            reader.fail(.sink, "s3", "SINK=s3 needs S3_BUCKET (or choose file, firehose, kafka)")
        }
        if sink == .file, s3 != nil {
            reader.warnings.append("SINK=file with S3_BUCKET set: objects go to OUTPUT_DIR and the checkpoint to S3_BUCKET")
        }
        if outputFormat == .parquet, sink == .firehose || sink == .kafka {
            reader.fail(
                .outputFormat, outputFormat.rawValue,
                "parquet is for SINK=s3 and SINK=file (objects); \(sink.rawValue) takes records one by one: use jsonl")
        }
        if let s3, s3.partitioning.isEnabled, sink == .firehose || sink == .kafka {
            reader.fail(
                .s3PartitionKeys, reader.string(.s3PartitionKeys),
                "partition keys name S3 objects: they apply to SINK=s3 and SINK=file, not \(sink.rawValue)")
        }
        firehose = FirehoseSettings.read(&reader, selected: sink == .firehose, home: environment["HOME"])
        kafka = reader.kafkaSettings(selected: sink == .kafka)
        if !twitter.expansions.split(separator: ",").contains("author_id") {
            reader.warnings.append(
                "TWITTER_EXPANSIONS does not include author_id: every record's \"author\" will be {} (an empty object, as twarc2 flatten writes); add author_id to inline the author"
            )
        }
        if twitter.apiURL.hasPrefix("http://"), !Self.isLoopback(twitter.apiURL) {
            reader.warnings.append(
                "TWITTER_API_URL uses plain http to a remote host: the bearer token would travel unencrypted")
        }
        reader.warnUnknownVariables()
        guard reader.problems.isEmpty else { throw ConfigError(reader.problems) }
        warnings = reader.warnings
    }

    /// The daemon needs credentials and a query; replay and check-config do not.
    public func requireSearchSettings() throws(ConfigError) {
        var problems: [ConfigProblem] = []
        if twitter.bearerToken == nil {
            problems.append(
                ConfigProblem(
                    variable: EnvironmentVariable.twitterBearerToken.rawValue, value: nil,
                    allowed: "required to poll the X API: the app-only bearer token from the developer portal"))
        }
        if twitter.query == nil {
            problems.append(
                ConfigProblem(
                    variable: EnvironmentVariable.twitterQuery.rawValue, value: nil,
                    allowed: "required to poll the X API: a recent-search query of at most \(Self.maximumQueryLength) characters"))
        }
        if !problems.isEmpty { throw ConfigError(problems) }
    }

    /// The effective configuration, secrets redacted, in declaration order.
    public var summary: [(EnvironmentVariable, String)] {
        let core: [(EnvironmentVariable, String)] = [
            (.twitterBearerToken, twitter.bearerToken == nil ? "(not set)" : "<redacted>"),
            (.twitterQuery, twitter.query ?? "(not set)"),
            (.twitterAPIURL, twitter.apiURL),
            (.twitterPollIntervalSeconds, String(twitter.pollIntervalSeconds)),
            (.twitterMaxResults, String(twitter.maxResults)),
            (.twitterStartTime, twitter.startTime.description),
            (.twitterTweetFields, twitter.tweetFields),
            (.twitterUserFields, twitter.userFields),
            (.twitterExpansions, twitter.expansions),
            (.twitterRequestTimeoutSeconds, String(twitter.requestTimeoutSeconds)),
            (.twitterMediaFields, twitter.mediaFields),
            (.twitterPollFields, twitter.pollFields),
            (.twitterPlaceFields, twitter.placeFields),
            (.twitterSettleSeconds, String(twitter.settleSeconds)),
            (.twitterMaxPostsPerDay, twitter.maxPostsPerDay.map(String.init) ?? "(no daily budget)"),
            (.twitterPricePerPostRead, EnvironmentReader.plain(twitter.pricePerPostRead)),
            (.twitterPricePerUserRead, EnvironmentReader.plain(twitter.pricePerUserRead)),
            (.streamName, streamName),
            (.outputDir, outputDirectory),
            (.bufferSizeMB, String(bufferSizeMB)),
            (.bufferIntervalSeconds, String(bufferIntervalSeconds)),
            (.compression, compression.rawValue),
            (.outputFormat, outputFormat.rawValue),
            (.fileExtension, fileExtensionOverride ?? "(not set: \(dataFileExtension.isEmpty ? "none" : dataFileExtension))"),
            (.parquetCompression, parquetCompression.rawValue),
            (.shutdownTimeoutSeconds, String(shutdownTimeoutSeconds)),
            (.logLevel, logLevel.rawValue),
            (.logFormat, logFormat?.rawValue ?? "auto (text on a terminal, json otherwise)"),
            (.stateDir, stateDirectory),
            (.metricsEMF, metrics.emf?.rawValue ?? "auto (on when logs are json)"),
            (.metricsIntervalSeconds, String(metrics.intervalSeconds)),
            (.metricsPort, metrics.prometheusPort.map(String.init) ?? "(off)"),
        ]
        let sinks: [(EnvironmentVariable, String)] = [(.sink, sink.rawValue)]
        let destinations = S3Settings.summary(s3) + FirehoseSettings.summary(firehose, awsListed: s3 != nil)
        return core + sinks + destinations + KafkaSettings.summary(kafka)
    }

    /// `TMPDIR` with a trailing slash, else `/tmp/` (what `NSTemporaryDirectory()` gives on Linux).
    static func temporaryDirectory(_ environment: [String: String]) -> String {
        guard let directory = environment["TMPDIR"], !directory.isEmpty else { return "/tmp/" }
        return directory.hasSuffix("/") ? directory : directory + "/"
    }

    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}
