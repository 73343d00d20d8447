import FoundationEssentials

/// `S3_SSE`: how S3 encrypts the objects at rest (nil: the bucket's default encryption).
public enum S3ServerSideEncryption: String, Sendable, CaseIterable {
    case aes256 = "AES256"
    case kms = "aws:kms"
}

/// The S3 destination, present when `S3_BUCKET` is set. Built from the same environment
/// dictionary as the rest of `Config` and checked with it (exit 78 on a bad value).
public struct S3Settings: Sendable {
    public var bucket: String
    public var prefix: S3Prefix
    /// Nil: error objects go to `errors/<error-output-type>/YYYY/MM/DD/HH/`.
    public var errorPrefix: S3Prefix?
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`; nil: the profile's region in `~/.aws/config`, else
    /// `us-east-1` when a custom endpoint is set.
    public var region: String?
    /// `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`; nil: AWS.
    public var endpoint: S3Endpoint?
    public var forcePathStyle: Bool
    public var serverSideEncryption: S3ServerSideEncryption?
    public var kmsKeyID: String?
    public var storageClass: String?
    public var multipartThresholdMB: Int
    /// `S3_CHECKSUM`, default `sha256`.
    public var checksum: S3Checksum = .sha256
    /// `S3_PARTITION_KEYS` and friends; no keys: one object per flush.
    public var partitioning = Partitioning(keys: [])
    /// `S3_PREFIX_TIME_ZONE`, default UTC.
    public var timeZone: KeyTimeZone = .utc
    public var credentials: AWSCredentialSettings

    public var multipartThresholdBytes: Int { multipartThresholdMB * 1024 * 1024 }

    public static let storageClasses = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
        "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE",
    ]

    /// The effective settings for `check-config`, secrets redacted.
    static func summary(_ settings: S3Settings?) -> [(EnvironmentVariable, String)] {
        guard let s = settings else { return [(.s3Bucket, "(not set: objects go to OUTPUT_DIR)")] }
        let c = s.credentials
        let notSet = "(not set)"
        return [
            (.s3Bucket, s.bucket),
            (.s3Prefix, s.prefix.text.isEmpty ? "(not set: YYYY/MM/DD/HH/)" : s.prefix.text),
            (.s3ErrorPrefix, s.errorPrefix?.text ?? "(not set: errors/<error-output-type>/YYYY/MM/DD/HH/)"),
            (.awsRegion, s.region ?? "(not set: the profile's region, or us-east-1 with a custom endpoint)"),
            (.awsEndpointURLS3, s.endpoint?.description ?? "(not set: AWS)"),
            (.s3ForcePathStyle, String(s.forcePathStyle)),
            (.s3SSE, s.serverSideEncryption?.rawValue ?? "(not set: the bucket's default encryption)"),
            (.s3SSEKMSKeyID, s.kmsKeyID ?? notSet),
            (.s3StorageClass, s.storageClass ?? "(not set: STANDARD)"),
            (.s3MultipartThresholdMB, String(s.multipartThresholdMB)),
            (.s3Checksum, s.checksum.rawValue),
            (
                .s3PartitionKeys,
                s.partitioning.isEnabled ? s.partitioning.keys.map { "\($0.name)=\($0.pathText)" }.joined(separator: ",") : "(not set)"
            ),
            (.s3PartitionDefault, s.partitioning.defaultValue),
            (.s3MaxPartitions, String(s.partitioning.maximumPartitions)),
            (.s3PrefixTimeZone, s.timeZone.name),
            (.awsAccessKeyID, c.accessKeyID ?? notSet),
            (.awsSecretAccessKey, c.secretAccessKey == nil ? notSet : "<redacted>"),
            (.awsSessionToken, c.sessionToken == nil ? notSet : "<redacted>"),
            (.awsProfile, c.profile ?? "(not set: default)"),
            (.awsSharedCredentialsFile, c.sharedCredentialsFile ?? "(not set: ~/.aws/credentials)"),
            (.awsConfigFile, c.configFile ?? "(not set: ~/.aws/config)"),
            (.awsContainerCredentialsRelativeURI, c.containerRelativeURI ?? notSet),
            (.awsContainerCredentialsFullURI, c.containerFullURI.map(ContainerCredentialProvider.withoutQuery) ?? notSet),
            (.awsContainerAuthorizationToken, c.containerAuthorizationToken == nil ? notSet : "<redacted>"),
            (.awsContainerAuthorizationTokenFile, c.containerAuthorizationTokenFile ?? notSet),
            (.awsEC2MetadataDisabled, String(c.ec2MetadataDisabled)),
            (.awsEC2MetadataServiceEndpoint, c.ec2MetadataEndpoint ?? "(not set: http://169.254.169.254)"),
            (.awsWebIdentityTokenFile, c.webIdentityTokenFile ?? notSet),
            (.awsRoleARN, c.roleARN ?? notSet),
            (.awsRoleSessionName, c.roleSessionName ?? "(not set: tweet-ingest-<unix time>)"),
            (.awsEndpointURLSTS, c.stsEndpoint?.description ?? "(not set: https://sts.\(c.stsRegion).amazonaws.com)"),
            (.awsEndpointURLSSO, c.ssoEndpoint?.description ?? "(not set: https://portal.sso.<sso_region>.amazonaws.com)"),
        ]
    }
}

extension EnvironmentReader {
    /// Nil when `S3_BUCKET` is not set (the other S3 variables are then ignored).
    mutating func s3Settings(home: String?, zoneDirectory: String? = nil) -> S3Settings? {
        guard let rawBucket = string(.s3Bucket) else {
            let ignored = EnvironmentVariable.allCases.filter { $0.rawValue.hasPrefix("S3_") && string($0) != nil }
            if !ignored.isEmpty {
                warnings.append(
                    "\(ignored.map(\.rawValue).joined(separator: ", ")) set without S3_BUCKET: ignored, objects go to OUTPUT_DIR")
            }
            return nil
        }
        let bucket = self.s3BucketName(rawBucket)
        let prefix = s3Prefix(.s3Prefix, role: .data) ?? (try! S3Prefix("", role: .data))
        let errorPrefix = s3Prefix(.s3ErrorPrefix, role: .error)
        let endpoint = s3EndpointURL(.awsEndpointURLS3) ?? s3EndpointURL(.awsEndpointURL)
        let region = awsRegionCode(.awsRegion) ?? awsRegionCode(.awsDefaultRegion)
        if let endpoint, endpoint.scheme == "http", !endpoint.isLoopback {
            warnings.append(
                "the S3 endpoint \(endpoint) uses plain http to a remote host: objects travel unencrypted (the secret key itself is never sent)"
            )
        }
        let sse: S3ServerSideEncryption? = string(.s3SSE).flatMap { raw in
            let value = raw.trimmingWhitespace()
            guard let sse = S3ServerSideEncryption.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
                fail(.s3SSE, raw, "must be AES256 or aws:kms (default: not set, the bucket's default encryption applies)")
                return nil
            }
            return sse
        }
        let kmsKeyID = string(.s3SSEKMSKeyID)?.trimmingWhitespace()
        if let kmsKeyID {
            if kmsKeyID.contains(where: \.isWhitespace) {
                fail(.s3SSEKMSKeyID, kmsKeyID, "must be a KMS key id, alias (alias/name) or ARN without spaces")
            } else if sse != .kms {
                fail(.s3SSEKMSKeyID, kmsKeyID, "is only used with S3_SSE=aws:kms; set S3_SSE=aws:kms or unset it")
            }
        }
        let storageClass = string(.s3StorageClass).flatMap { raw -> String? in
            let value = raw.trimmingWhitespace().uppercased()
            guard S3Settings.storageClasses.contains(value) else {
                fail(.s3StorageClass, raw, "must be one of: \(S3Settings.storageClasses.joined(separator: ", ")) (default STANDARD)")
                return nil
            }
            return value
        }
        let checksum = string(.s3Checksum).flatMap { raw -> S3Checksum? in
            guard let checksum = S3Checksum(rawValue: raw.trimmingWhitespace().lowercased()) else {
                fail(.s3Checksum, raw, "must be one of: \(S3Checksum.allCases.map(\.rawValue).joined(separator: ", ")) (default sha256)")
                return nil
            }
            return checksum
        }
        var settings = S3Settings(
            bucket: bucket, prefix: prefix, errorPrefix: errorPrefix, region: region, endpoint: endpoint,
            forcePathStyle: trueOrFalse(.s3ForcePathStyle, default: false), serverSideEncryption: sse, kmsKeyID: kmsKeyID,
            storageClass: storageClass,
            multipartThresholdMB: integer(.s3MultipartThresholdMB, default: 16, range: 5...5120), checksum: checksum ?? .sha256,
            credentials: awsCredentialSettings(home: home))
        settings.partitioning = partitioning(prefix: string(.s3Prefix) == nil ? nil : prefix)
        settings.timeZone = keyTimeZone(.s3PrefixTimeZone, zoneDirectory: zoneDirectory)
        return settings
    }

    /// The credential chain's variables; shared by every AWS destination (S3, Firehose).
    mutating func awsCredentialSettings(home: String?) -> AWSCredentialSettings {
        let fullURI = trimmedS3Value(.awsContainerCredentialsFullURI)
        if let fullURI, S3Endpoint(parsing: fullURI.split(separator: "?", maxSplits: 1).first.map(String.init) ?? fullURI) == nil {
            fail(.awsContainerCredentialsFullURI, fullURI, "must be an http(s) URL such as http://169.254.170.23/v1/credentials")
        }
        let metadataEndpoint = trimmedS3Value(.awsEC2MetadataServiceEndpoint)
        if let metadataEndpoint, S3Endpoint(parsing: metadataEndpoint) == nil {
            fail(.awsEC2MetadataServiceEndpoint, metadataEndpoint, "must be an http(s) URL such as http://169.254.169.254")
        }
        let accessKeyID = trimmedS3Value(.awsAccessKeyID)
        let secret = string(.awsSecretAccessKey)
        if (accessKeyID == nil) != (secret == nil) {
            let missing: EnvironmentVariable = accessKeyID == nil ? .awsAccessKeyID : .awsSecretAccessKey
            fail(missing, nil, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both or neither")
        }
        return AWSCredentialSettings(
            accessKeyID: accessKeyID, secretAccessKey: secret.map(Secret.init),
            sessionToken: string(.awsSessionToken).map(Secret.init), profile: trimmedS3Value(.awsProfile),
            sharedCredentialsFile: trimmedS3Value(.awsSharedCredentialsFile), configFile: trimmedS3Value(.awsConfigFile), home: home,
            containerRelativeURI: trimmedS3Value(.awsContainerCredentialsRelativeURI), containerFullURI: fullURI,
            containerAuthorizationToken: string(.awsContainerAuthorizationToken).map(Secret.init),
            containerAuthorizationTokenFile: trimmedS3Value(.awsContainerAuthorizationTokenFile),
            ec2MetadataDisabled: trueOrFalse(.awsEC2MetadataDisabled, default: false), ec2MetadataEndpoint: metadataEndpoint,
            webIdentityTokenFile: trimmedS3Value(.awsWebIdentityTokenFile), roleARN: trimmedS3Value(.awsRoleARN),
            roleSessionName: trimmedS3Value(.awsRoleSessionName),
            region: [trimmedS3Value(.awsRegion), trimmedS3Value(.awsDefaultRegion)].compactMap { $0 }.first {
                SigV4Signer.isScopeComponent($0)
            },
            stsEndpoint: s3EndpointURL(.awsEndpointURLSTS), ssoEndpoint: s3EndpointURL(.awsEndpointURLSSO))
    }

    private func trimmedS3Value(_ variable: EnvironmentVariable) -> String? {
        string(variable)?.trimmingWhitespace()
    }

    /// S3's bucket naming rules: 3 to 63 of `a-z 0-9 . -`, starting and ending with a letter or digit.
    private mutating func s3BucketName(_ raw: String) -> String {
        let value = raw.trimmingWhitespace()
        if value.lowercased().hasPrefix("s3://") || value.contains("/") {
            fail(.s3Bucket, raw, "must be the bucket name only, without s3:// or a path; put a folder in S3_PREFIX")
            return value
        }
        let allowed = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        let edges = [value.unicodeScalars.first, value.unicodeScalars.last].allSatisfy { scalar in
            scalar.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) } ?? false
        }
        if !(3...63).contains(value.count) || !allowed || !edges || value.containsText("..") {
            fail(
                .s3Bucket, raw,
                "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit")
        }
        return value
    }

    private mutating func s3Prefix(_ variable: EnvironmentVariable, role: S3Prefix.Role) -> S3Prefix? {
        guard let raw = string(variable) else { return nil }
        do {
            return try S3Prefix(raw, role: role)
        } catch {
            fail(
                variable, raw,
                "\(error). See Firehose's custom prefixes: !{timestamp:yyyy/MM/dd}, !{firehose:random-string}"
                    + (role == .error ? ", !{firehose:error-output-type}" : ", !{partitionKeyFromQuery:NAME} with S3_PARTITION_KEYS"))
            return nil
        }
    }

    /// An http(s) endpoint URL (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_FIREHOSE`).
    mutating func s3EndpointURL(_ variable: EnvironmentVariable) -> S3Endpoint? {
        guard let raw = string(variable) else { return nil }
        guard let endpoint = S3Endpoint(parsing: raw) else {
            fail(
                variable, raw, "must be an http(s) URL without a query, such as http://127.0.0.1:9000 or https://s3.eu-west-1.amazonaws.com"
            )
            return nil
        }
        return endpoint
    }

    mutating func awsRegionCode(_ variable: EnvironmentVariable) -> String? {
        guard let raw = string(variable) else { return nil }
        let value = raw.trimmingWhitespace()
        guard SigV4Signer.isScopeComponent(value) else {
            fail(variable, raw, "must be an AWS region code such as us-east-1 or eu-west-1")
            return nil
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive.
    private mutating func trueOrFalse(_ variable: EnvironmentVariable, default fallback: Bool) -> Bool {
        guard let raw = string(variable) else { return fallback }
        switch raw.trimmingWhitespace().lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            fail(variable, raw, "must be true or false (default \(fallback))")
            return fallback
        }
    }
}
