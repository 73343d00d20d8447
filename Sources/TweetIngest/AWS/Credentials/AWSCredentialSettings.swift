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

    public init(
        accessKeyID: String? = nil, secretAccessKey: Secret? = nil, sessionToken: Secret? = nil, profile: String? = nil,
        sharedCredentialsFile: String? = nil, configFile: String? = nil, home: String? = nil,
        containerRelativeURI: String? = nil, containerFullURI: String? = nil, containerAuthorizationToken: Secret? = nil,
        containerAuthorizationTokenFile: String? = nil, ec2MetadataDisabled: Bool = false, ec2MetadataEndpoint: String? = nil
    ) {
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

    /// The providers in the order the AWS SDKs try them.
    public func providers(http: any HTTPClient) -> [any AWSCredentialProvider] {
        [
            EnvironmentCredentialProvider(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken),
            SharedFileCredentialProvider(profile: profile, files: sharedFiles()),
            ContainerCredentialProvider(
                relativeURI: containerRelativeURI, fullURI: containerFullURI, authorizationToken: containerAuthorizationToken,
                authorizationTokenFile: containerAuthorizationTokenFile, http: http),
            InstanceMetadataCredentialProvider(disabled: ec2MetadataDisabled, endpoint: ec2MetadataEndpoint, http: http),
        ]
    }
}
