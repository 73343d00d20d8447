import FoundationEssentials

/// The environment's say in where credentials come from, read once with the configuration.
public struct AWSCredentialSettings: Sendable {
    public var accessKeyID: String?
    public var secretAccessKey: Secret?
    public var sessionToken: Secret?
    public var profile: String?
    public var sharedCredentialsFile: String?
    public var configFile: String?
    /// `HOME`, for `~/.aws/`.
    public var home: String?
    public var containerRelativeURI: String?
    public var containerFullURI: String?
    public var containerAuthorizationToken: Secret?
    public var containerAuthorizationTokenFile: String?
    public var ec2MetadataDisabled: Bool
    public var ec2MetadataEndpoint: String?
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME`.
    public var webIdentityTokenFile: String?
    public var roleARN: String?
    public var roleSessionName: String?
    /// `AWS_REGION` / `AWS_DEFAULT_REGION` for STS; else the profile's region, else us-east-1.
    public var region: String?
    /// `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL_SSO`: loopback fakes in tests, VPC endpoints.
    public var stsEndpoint: S3Endpoint?
    public var ssoEndpoint: S3Endpoint?

    public init(
        accessKeyID: String? = nil, secretAccessKey: Secret? = nil, sessionToken: Secret? = nil, profile: String? = nil,
        sharedCredentialsFile: String? = nil, configFile: String? = nil, home: String? = nil,
        containerRelativeURI: String? = nil, containerFullURI: String? = nil, containerAuthorizationToken: Secret? = nil,
        containerAuthorizationTokenFile: String? = nil, ec2MetadataDisabled: Bool = false, ec2MetadataEndpoint: String? = nil,
        webIdentityTokenFile: String? = nil, roleARN: String? = nil, roleSessionName: String? = nil, region: String? = nil,
        stsEndpoint: S3Endpoint? = nil, ssoEndpoint: S3Endpoint? = nil
    ) {
        self.webIdentityTokenFile = webIdentityTokenFile
        self.roleARN = roleARN
        self.roleSessionName = roleSessionName
        self.region = region
        self.stsEndpoint = stsEndpoint
        self.ssoEndpoint = ssoEndpoint
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.profile = profile
        self.sharedCredentialsFile = sharedCredentialsFile
        self.configFile = configFile
        self.home = home
        self.containerRelativeURI = containerRelativeURI
        self.containerFullURI = containerFullURI
        self.containerAuthorizationToken = containerAuthorizationToken
        self.containerAuthorizationTokenFile = containerAuthorizationTokenFile
        self.ec2MetadataDisabled = ec2MetadataDisabled
        self.ec2MetadataEndpoint = ec2MetadataEndpoint
    }

    public func sharedFiles() -> AWSSharedConfigFiles {
        AWSSharedConfigFiles(credentialsFile: sharedCredentialsFile, configFile: configFile, home: home)
    }

    /// The region STS is called in: the variables, else the profile's `region`, else us-east-1.
    public var stsRegion: String {
        if let region { return region }
        if let region = sharedFiles().region(profile: profile ?? "default"), SigV4Signer.isScopeComponent(region) { return region }
        return "us-east-1"
    }

    /// The providers in the order the AWS SDKs try them.
    public func providers(http: any HTTPClient, now: @escaping @Sendable () -> Date = { Date() }) -> [any AWSCredentialProvider] {
        let environment = EnvironmentCredentialProvider(
            accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        let container = ContainerCredentialProvider(
            relativeURI: containerRelativeURI, fullURI: containerFullURI, authorizationToken: containerAuthorizationToken,
            authorizationTokenFile: containerAuthorizationTokenFile, http: http)
        let instanceMetadata = InstanceMetadataCredentialProvider(disabled: ec2MetadataDisabled, endpoint: ec2MetadataEndpoint, http: http)
        // The region is a checked scope component (or us-east-1), so the builder cannot fail.
        let requests =
            (try? STSRequestBuilder(region: stsRegion, endpoint: stsEndpoint)) ?? (try! STSRequestBuilder(region: "us-east-1"))
        let sts = STSClient(requests: requests, http: http)
        let services = ProfileServices(
            sts: sts, sso: SSOPortalClient(http: http, endpoint: ssoEndpoint), environment: environment, container: container,
            instanceMetadata: instanceMetadata, now: now, home: home)
        return [
            environment,
            WebIdentityCredentialProvider(
                tokenFile: webIdentityTokenFile, roleARN: roleARN, sessionName: roleSessionName, sts: sts, now: now),
            SharedFileCredentialProvider(profile: profile, files: sharedFiles(), services: services),
            container,
            instanceMetadata,
        ]
    }
}
