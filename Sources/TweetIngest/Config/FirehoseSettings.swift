import FoundationEssentials

/// The Amazon Data Firehose destination (`SINK=firehose`), built from the same environment
/// dictionary as the rest of `Config` and checked with it (exit 78 on a bad value). Region,
/// endpoint and credentials are read exactly as for S3, so one set of AWS variables serves both.
public struct FirehoseSettings: Sendable {
    /// `FIREHOSE_STREAM_NAME`: a DirectPut delivery stream in `region`.
    public var streamName: String
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`; nil: the profile's region in `~/.aws/config`,
    /// else `us-east-1` when a custom endpoint is set.
    public var region: String?
    /// `AWS_ENDPOINT_URL_FIREHOSE`, else `AWS_ENDPOINT_URL`; nil: AWS.
    public var endpoint: S3Endpoint?
    public var credentials: AWSCredentialSettings

    public init(streamName: String, region: String? = nil, endpoint: S3Endpoint? = nil, credentials: AWSCredentialSettings) {
        self.streamName = streamName
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
    }

    /// Firehose's rule for delivery stream names.
    public static func isValidStreamName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
            }
    }

    /// The settings when `selected` (`SINK=firehose`), where `FIREHOSE_STREAM_NAME` is required;
    /// otherwise nil, and a `FIREHOSE_STREAM_NAME` that is set is warned about as ignored.
    /// Problems the S3 settings already reported for the shared AWS variables are not repeated.
    static func read(_ reader: inout EnvironmentReader, selected: Bool, home: String?) -> FirehoseSettings? {
        guard selected else {
            if reader.string(.firehoseStreamName) != nil || reader.string(.awsEndpointURLFirehose) != nil {
                reader.warnings.append("FIREHOSE_STREAM_NAME or AWS_ENDPOINT_URL_FIREHOSE set but SINK is not firehose: ignored")
            }
            return nil
        }
        let problemsBefore = reader.problems
        let warningsBefore = reader.warnings
        let streamName = Self.streamName(&reader)
        if reader.string(.compression)?.trimmingWhitespace().lowercased() == Config.Compression.gzip.rawValue {
            reader.fail(
                .compression, reader.string(.compression),
                "must be none with SINK=firehose: Firehose compresses the objects it writes itself "
                    + "(set CompressionFormat=GZIP on the delivery stream's S3 destination)")
        }
        let endpoint = reader.s3EndpointURL(.awsEndpointURLFirehose) ?? reader.s3EndpointURL(.awsEndpointURL)
        if let endpoint, endpoint.scheme == "http", !endpoint.isLoopback {
            reader.warnings.append(
                "the Firehose endpoint \(endpoint) uses plain http to a remote host: records travel unencrypted (the secret key itself is never sent)"
            )
        }
        let settings = FirehoseSettings(
            streamName: streamName, region: reader.awsRegionCode(.awsRegion) ?? reader.awsRegionCode(.awsDefaultRegion),
            endpoint: endpoint, credentials: reader.awsCredentialSettings(home: home))
        // The AWS variables may have been read (and found wrong) for S3 already: say it once.
        reader.problems = problemsBefore + reader.problems.dropFirst(problemsBefore.count).filter { !problemsBefore.contains($0) }
        reader.warnings = warningsBefore + reader.warnings.dropFirst(warningsBefore.count).filter { !warningsBefore.contains($0) }
        return settings
    }

    private static func streamName(_ reader: inout EnvironmentReader) -> String {
        guard let raw = reader.string(.firehoseStreamName) else {
            reader.fail(
                .firehoseStreamName, nil,
                "required with SINK=firehose: the name of a DirectPut delivery stream (1 to 64 of letters, digits, '_', '.', '-')")
            return "tweets"
        }
        let value = raw.trimmingWhitespace()
        if value.hasPrefix("arn:") {
            reader.fail(.firehoseStreamName, raw, "must be the delivery stream's name, not its ARN (the part after deliverystream/)")
        } else if !isValidStreamName(value) {
            reader.fail(.firehoseStreamName, raw, "must be a Firehose stream name: 1 to 64 of letters, digits, '_', '.' and '-'")
        }
        return value
    }

    /// The effective settings for `check-config`, secrets redacted. `awsListed`: the S3 summary
    /// (`S3_BUCKET` set) already shows the region and credentials, which both destinations share.
    static func summary(_ settings: FirehoseSettings?, awsListed: Bool) -> [(EnvironmentVariable, String)] {
        guard let s = settings else { return [] }
        let own: [(EnvironmentVariable, String)] = [
            (.firehoseStreamName, s.streamName), (.awsEndpointURLFirehose, s.endpoint?.description ?? "(not set: AWS)"),
        ]
        guard !awsListed else { return own }
        let c = s.credentials
        return own + [
            (.awsRegion, s.region ?? "(not set: the profile's region, or us-east-1 with a custom endpoint)"),
            (.awsAccessKeyID, c.accessKeyID ?? "(not set)"),
            (.awsSecretAccessKey, c.secretAccessKey == nil ? "(not set)" : "<redacted>"),
            (.awsSessionToken, c.sessionToken == nil ? "(not set)" : "<redacted>"),
            (.awsProfile, c.profile ?? "(not set: default)"),
            (.awsContainerCredentialsRelativeURI, c.containerRelativeURI ?? "(not set)"),
            (.awsContainerCredentialsFullURI, c.containerFullURI.map(ContainerCredentialProvider.withoutQuery) ?? "(not set)"),
            (.awsEC2MetadataDisabled, String(c.ec2MetadataDisabled)),
            (.awsWebIdentityTokenFile, c.webIdentityTokenFile ?? "(not set)"),
            (.awsRoleARN, c.roleARN ?? "(not set)"),
            (.awsEndpointURLSTS, c.stsEndpoint?.description ?? "(not set: https://sts.\(c.stsRegion).amazonaws.com)"),
        ]
    }
}
