import FoundationEssentials
import Logging

/// Builds the S3 sink and checkpoint store from the settings and proves they work (the
/// start-up check) before the daemon polls anything.
public enum S3Destination {
    public struct Connected: Sendable {
        public var sink: S3Sink
        public var checkpoints: S3CheckpointStore
        public var region: String
    }

    public static func connect(
        _ settings: S3Settings, streamName: String, http: any HTTPClient, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> Connected {
        let region = try region(for: settings)
        let requests = try S3RequestBuilder(
            bucket: settings.bucket, region: region, endpoint: settings.endpoint, forcePathStyle: settings.forcePathStyle,
            serverSideEncryption: settings.serverSideEncryption, kmsKeyID: settings.kmsKeyID, storageClass: settings.storageClass,
            checksum: settings.checksum)
        let chain = AWSCredentialChain.standard(settings.credentials, http: http, now: now, logger: logger)
        let client = S3Client(http: http, requests: requests, credentials: chain, logger: logger, now: now)
        let credentials = try await S3Healthcheck.run(client, region: region)
        logger.info(
            "S3 bucket reachable",
            metadata: [
                "s3.bucket": "\(settings.bucket)", "s3.endpoint": "\(requests.endpoint)", "s3.region": "\(region)",
                "s3.path_style": "\(requests.pathStyle)", "aws.credentials.source": "\(credentials.source)",
            ])
        return Connected(
            sink: S3Sink(client: client, multipartThreshold: settings.multipartThresholdBytes),
            checkpoints: S3CheckpointStore(client: client, streamName: streamName), region: region)
    }

    /// `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's `region` in the shared config
    /// file, else `us-east-1` for a custom endpoint (MinIO, moto ignore it). Signing needs one.
    static func region(for settings: S3Settings) throws(ConfigError) -> String {
        try AWSRegion.resolve(
            explicit: settings.region, credentials: settings.credentials, hasCustomEndpoint: settings.endpoint != nil,
            missing: "S3_BUCKET needs the bucket's region")
    }
}
