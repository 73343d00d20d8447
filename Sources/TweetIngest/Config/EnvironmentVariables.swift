/// Every environment variable tweet-ingest reads, declared once.
public enum EnvironmentVariable: String, CaseIterable, Sendable {
    case twitterBearerToken = "TWITTER_BEARER_TOKEN"
    case twitterQuery = "TWITTER_QUERY"
    case twitterAPIURL = "TWITTER_API_URL"
    case twitterPollIntervalSeconds = "TWITTER_POLL_INTERVAL_SECONDS"
    case twitterMaxResults = "TWITTER_MAX_RESULTS"
    case twitterStartTime = "TWITTER_START_TIME"
    case twitterTweetFields = "TWITTER_TWEET_FIELDS"
    case twitterUserFields = "TWITTER_USER_FIELDS"
    case twitterExpansions = "TWITTER_EXPANSIONS"
    case twitterRequestTimeoutSeconds = "TWITTER_REQUEST_TIMEOUT_SECONDS"
    case streamName = "STREAM_NAME"
    case outputDir = "OUTPUT_DIR"
    case bufferSizeMB = "BUFFER_SIZE_MB"
    case bufferIntervalSeconds = "BUFFER_INTERVAL_SECONDS"
    case compression = "COMPRESSION"
    case shutdownTimeoutSeconds = "SHUTDOWN_TIMEOUT_SECONDS"
    case logLevel = "LOG_LEVEL"
    case logFormat = "LOG_FORMAT"

    /// Prefixes that are ours: an unknown variable with one of them is probably a typo.
    static let ownedPrefixes = ["TWITTER_", "BUFFER_", "STREAM_", "OUTPUT_", "TWEET_INGEST_"]

    var isSecret: Bool { self == .twitterBearerToken }
}
