import FoundationEssentials
import Logging

/// Builds the Firehose sink from the settings and proves it works (the start-up check) before
/// the daemon polls anything. The checkpoint and the error output stay where they are without
/// Firehose (the S3 bucket of `S3_BUCKET`, else the local folder): Firehose only takes records.
public enum FirehoseDestination {
    public static func connect(
        _ settings: FirehoseSettings, errorOutput: any Sink, http: any HTTPClient, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> FirehoseSink {
        let region = try region(for: settings)
        let requests = try FirehoseRequestBuilder(streamName: settings.streamName, region: region, endpoint: settings.endpoint)
        let chain = AWSCredentialChain.standard(settings.credentials, http: http, now: now, logger: logger)
        let client = FirehoseClient(http: http, requests: requests, credentials: chain, logger: logger, now: now)
        let checked = try await FirehoseHealthcheck.run(client, region: region)
        logger.info(
            "Firehose delivery stream reachable",
            metadata: [
                "firehose.stream": "\(settings.streamName)", "firehose.arn": "\(checked.stream.arn ?? "-")",
                "firehose.endpoint": "\(requests.endpoint)", "firehose.region": "\(region)",
                "aws.credentials.source": "\(checked.credentials.source)", "sink.error_output": "\(errorOutput.destination)",
            ])
        return FirehoseSink(client: client, errorOutput: errorOutput)
    }

    /// `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's `region` in the shared config
    /// file, else `us-east-1` for a custom endpoint (moto, LocalStack ignore it), as for S3.
    static func region(for settings: FirehoseSettings) throws(ConfigError) -> String {
        try AWSRegion.resolve(
            explicit: settings.region, credentials: settings.credentials, hasCustomEndpoint: settings.endpoint != nil,
            missing: "SINK=firehose needs the delivery stream's region")
    }
}
