import FoundationEssentials

/// The profile in the shared files (`AWS_PROFILE`, default `default`), of any kind the AWS SDKs
/// accept: static keys, an assumed role (`role_arn` with `source_profile` or
/// `credential_source`), web identity, SSO, or `credential_process`. `ProfileResolver` decides
/// which and follows `source_profile` chains.
public struct SharedFileCredentialProvider: AWSCredentialProvider {
    public let profile: String?
    public let files: AWSSharedConfigFiles
    public let services: ProfileServices

    public init(profile: String?, files: AWSSharedConfigFiles, services: ProfileServices? = nil) {
        self.profile = profile
        self.files = files
        self.services = services ?? .offline(home: nil)
    }

    public var name: String { "shared files" }

    public func lookup() async throws -> CredentialLookup {
        let profileName = profile ?? "default"
        let paths = "\(files.credentialsPath) or \(files.configPath)"
        guard let settings = files.profile(profileName) else {
            if profile != nil {
                throw AWSCredentialError.providerFailed(
                    provider: name,
                    reason:
                        "AWS_PROFILE=\(profileName) but there is no profile \"\(profileName)\" in \(paths); fix AWS_PROFILE or add the profile"
                )
            }
            if files.credentials == nil, files.config == nil {
                return .unavailable("neither \(files.credentialsPath) nor \(files.configPath) exists")
            }
            return .unavailable("no [default] profile in \(paths)")
        }
        let resolver = ProfileResolver(files: files, services: services)
        if profile == nil, ProfileResolver.Kind(settings, asSource: false) == nil, settings["aws_access_key_id"] == nil,
            settings["aws_secret_access_key"] == nil, !settings.keys.contains(where: ProfileResolver.unsupportedKeys.contains)
        {
            return .unavailable("profile \"default\" in \(paths) has no keys")
        }
        return .found(try await resolver.resolve(profileName, chain: [], asSource: false))
    }
}
