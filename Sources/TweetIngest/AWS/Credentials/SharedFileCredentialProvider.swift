/// Static keys of a profile in the shared files (`AWS_PROFILE`, default `default`), with the
/// credentials file taking precedence over the config file. Profiles that need another AWS call
/// (assume role, SSO, `credential_process`) are reported, not silently skipped.
public struct SharedFileCredentialProvider: AWSCredentialProvider {
    public let profile: String?
    public let files: AWSSharedConfigFiles

    public init(profile: String?, files: AWSSharedConfigFiles) {
        self.profile = profile
        self.files = files
    }

    public var name: String { "shared files" }

    static let unsupportedKeys = [
        "role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file", "login_session",
    ]

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
        let id = settings["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = settings["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case (let id?, let secret?):
            let source =
                "profile \"\(profileName)\" in \(files.credentials?[profileName] != nil ? files.credentialsPath : files.configPath)"
            return .found(
                ProvidedCredentials(
                    credentials: AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token), source: source))
        case (.some, nil), (nil, .some):
            let missing = id == nil ? "aws_access_key_id" : "aws_secret_access_key"
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "profile \"\(profileName)\" in \(paths) has no \(missing); add it or remove the other key")
        case (nil, nil):
            if let key = Self.unsupportedKeys.first(where: { settings[$0] != nil }) {
                throw AWSCredentialError.providerFailed(
                    provider: name,
                    reason: "profile \"\(profileName)\" uses \(key), which tweet-ingest does not support; give it "
                        + "aws_access_key_id and aws_secret_access_key, export temporary keys as AWS_* variables, or run with a task or instance role"
                )
            }
            if profile != nil {
                throw AWSCredentialError.providerFailed(
                    provider: name, reason: "profile \"\(profileName)\" in \(paths) has no aws_access_key_id and aws_secret_access_key")
            }
            return .unavailable("profile \"default\" in \(paths) has no keys")
        }
    }
}
