import FoundationEssentials

/// What resolving a profile may need beyond the files: STS and the SSO portal, a way to run
/// `credential_process`, the providers `credential_source` names, the clock, and the cache of
/// source-profile credentials (shared by every lookup, so a chain of roles re-assumes only the
/// hop that expires).
public struct ProfileServices: Sendable {
    public var sts: STSClient
    public var sso: SSOPortalClient
    public var processRunner: any CredentialProcessRunning
    public var environment: EnvironmentCredentialProvider
    public var container: ContainerCredentialProvider
    public var instanceMetadata: InstanceMetadataCredentialProvider
    public var now: @Sendable () -> Date
    /// `HOME`, for `~/.aws/sso/cache/`.
    public var home: String?
    public var readFile: @Sendable (String) -> String?
    let cache = SourceCredentialCache()
    /// Source credentials closer than this to their expiry are fetched again.
    public var refreshMargin: TimeInterval = 300

    public init(
        sts: STSClient, sso: SSOPortalClient, processRunner: any CredentialProcessRunning = PosixCredentialProcessRunner(),
        environment: EnvironmentCredentialProvider, container: ContainerCredentialProvider,
        instanceMetadata: InstanceMetadataCredentialProvider, now: @escaping @Sendable () -> Date, home: String?,
        readFile: @escaping @Sendable (String) -> String? = AWSSharedConfigFiles.readTextFile
    ) {
        self.sts = sts
        self.sso = sso
        self.processRunner = processRunner
        self.environment = environment
        self.container = container
        self.instanceMetadata = instanceMetadata
        self.now = now
        self.home = home
        self.readFile = readFile
    }

    /// No network and no environment: profiles with static keys work, anything that calls out fails.
    public static func offline(home: String? = nil) -> ProfileServices {
        let http = UnreachableHTTPClient()
        // us-east-1 is a valid scope, so these never throw.
        let sts = STSClient(requests: try! STSRequestBuilder(region: "us-east-1"), http: http)
        return ProfileServices(
            sts: sts, sso: SSOPortalClient(http: http), environment: EnvironmentCredentialProvider(accessKeyID: nil, secretAccessKey: nil),
            container: ContainerCredentialProvider(
                relativeURI: nil, fullURI: nil, authorizationToken: nil, authorizationTokenFile: nil, http: http),
            instanceMetadata: InstanceMetadataCredentialProvider(disabled: true, endpoint: nil, http: http), now: { Date() },
            home: home)
    }
}

/// Credentials of profiles used as a `source_profile`, kept while they are valid.
actor SourceCredentialCache {
    private var entries: [String: ProvidedCredentials] = [:]

    func fresh(_ key: String, now: Date, margin: TimeInterval) -> ProvidedCredentials? {
        guard let entry = entries[key] else { return nil }
        guard let expiration = entry.expiration else { return entry }
        return now < expiration.addingTimeInterval(-margin) ? entry : nil
    }

    func store(_ credentials: ProvidedCredentials, for key: String) {
        entries[key] = credentials
    }
}

/// For `ProfileServices.offline`: every request fails as if there were no network.
struct UnreachableHTTPClient: HTTPClient {
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw HTTPTransportError(kind: .connectionFailed, message: "no network configured for \(request.url)")
    }
}
