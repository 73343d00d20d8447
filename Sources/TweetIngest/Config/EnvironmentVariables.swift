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
    case twitterMediaFields = "TWITTER_MEDIA_FIELDS"
    case twitterPollFields = "TWITTER_POLL_FIELDS"
    case twitterPlaceFields = "TWITTER_PLACE_FIELDS"
    case twitterSettleSeconds = "TWITTER_SETTLE_SECONDS"
    case twitterMaxPostsPerDay = "TWITTER_MAX_POSTS_PER_DAY"
    case twitterPricePerPostRead = "TWITTER_PRICE_PER_POST_READ"
    case twitterPricePerUserRead = "TWITTER_PRICE_PER_USER_READ"
    case streamName = "STREAM_NAME"
    case outputDir = "OUTPUT_DIR"
    case bufferSizeMB = "BUFFER_SIZE_MB"
    case bufferIntervalSeconds = "BUFFER_INTERVAL_SECONDS"
    case compression = "COMPRESSION"
    case outputFormat = "OUTPUT_FORMAT"
    case fileExtension = "FILE_EXTENSION"
    case parquetCompression = "PARQUET_COMPRESSION"
    case shutdownTimeoutSeconds = "SHUTDOWN_TIMEOUT_SECONDS"
    case logLevel = "LOG_LEVEL"
    case logFormat = "LOG_FORMAT"
    case sink = "SINK"
    case stateDir = "STATE_DIR"
    case metricsPort = "METRICS_PORT"
    case metricsEMF = "METRICS_EMF"
    case metricsIntervalSeconds = "METRICS_INTERVAL_SECONDS"

    // S3 destination and AWS (the standard AWS SDK names where one exists).
    case s3Bucket = "S3_BUCKET"
    case s3Prefix = "S3_PREFIX"
    case s3ErrorPrefix = "S3_ERROR_PREFIX"
    case s3ForcePathStyle = "S3_FORCE_PATH_STYLE"
    case s3SSE = "S3_SSE"
    case s3SSEKMSKeyID = "S3_SSE_KMS_KEY_ID"
    case s3StorageClass = "S3_STORAGE_CLASS"
    case s3MultipartThresholdMB = "S3_MULTIPART_THRESHOLD_MB"
    case s3Checksum = "S3_CHECKSUM"
    case s3PartitionKeys = "S3_PARTITION_KEYS"
    case s3PartitionDefault = "S3_PARTITION_DEFAULT"
    case s3MaxPartitions = "S3_MAX_PARTITIONS"
    case s3PrefixTimeZone = "S3_PREFIX_TIME_ZONE"
    case awsRegion = "AWS_REGION"
    case awsDefaultRegion = "AWS_DEFAULT_REGION"
    case awsEndpointURLS3 = "AWS_ENDPOINT_URL_S3"
    case awsEndpointURL = "AWS_ENDPOINT_URL"
    case awsAccessKeyID = "AWS_ACCESS_KEY_ID"
    case awsSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
    case awsSessionToken = "AWS_SESSION_TOKEN"
    case awsProfile = "AWS_PROFILE"
    case awsSharedCredentialsFile = "AWS_SHARED_CREDENTIALS_FILE"
    case awsConfigFile = "AWS_CONFIG_FILE"
    case awsContainerCredentialsRelativeURI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    case awsContainerCredentialsFullURI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
    case awsContainerAuthorizationToken = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
    case awsContainerAuthorizationTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
    case awsEC2MetadataDisabled = "AWS_EC2_METADATA_DISABLED"
    case awsEC2MetadataServiceEndpoint = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
    case awsWebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE"
    case awsRoleARN = "AWS_ROLE_ARN"
    case awsRoleSessionName = "AWS_ROLE_SESSION_NAME"
    case awsEndpointURLSTS = "AWS_ENDPOINT_URL_STS"
    case awsEndpointURLSSO = "AWS_ENDPOINT_URL_SSO"

    // Firehose destination (SINK=firehose); region and credentials as for S3.
    case firehoseStreamName = "FIREHOSE_STREAM_NAME"
    case awsEndpointURLFirehose = "AWS_ENDPOINT_URL_FIREHOSE"

    // Kafka destination (SINK=kafka); librdkafka's property each maps to is in KafkaSettings.
    case kafkaBrokers = "KAFKA_BROKERS"
    case kafkaTopic = "KAFKA_TOPIC"
    case kafkaErrorTopic = "KAFKA_ERROR_TOPIC"
    case kafkaCompression = "KAFKA_COMPRESSION"
    case kafkaDeliveryTimeoutSeconds = "KAFKA_DELIVERY_TIMEOUT_SECONDS"
    case kafkaSecurityProtocol = "KAFKA_SECURITY_PROTOCOL"
    case kafkaSASLMechanism = "KAFKA_SASL_MECHANISM"
    case kafkaSASLUsername = "KAFKA_SASL_USERNAME"
    case kafkaSASLPassword = "KAFKA_SASL_PASSWORD"
    case kafkaSSLCALocation = "KAFKA_SSL_CA_LOCATION"

    /// Prefixes that are ours: an unknown variable with one of them is probably a typo.
    static let ownedPrefixes = [
        "TWITTER_", "BUFFER_", "STREAM_", "OUTPUT_", "TWEET_INGEST_", "S3_", "METRICS_", "FIREHOSE_", "KAFKA_", "PARQUET_", "FILE_",
    ]

    var isSecret: Bool {
        switch self {
        case .twitterBearerToken, .awsSecretAccessKey, .awsSessionToken, .awsContainerAuthorizationToken, .kafkaSASLPassword: true
        default: false
        }
    }
}
