import FoundationEssentials

/// A role assumed with an OIDC token from a file: EKS (IRSA) and CI systems (GitHub Actions)
/// mount the token and set `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`. The call is not
/// signed. The file is read again at every refresh, because the platform rotates the token.
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    public let tokenFile: String?
    public let roleARN: String?
    public let sessionName: String?
    public let sts: STSClient
    let now: @Sendable () -> Date
    let readFile: @Sendable (String) -> String?
    /// What configured it, for messages: the variables, or a profile.
    let origin: Origin

    public enum Origin: Sendable, Equatable {
        case environment
        case profile(String)
    }

    public init(
        tokenFile: String?, roleARN: String?, sessionName: String?, sts: STSClient, origin: Origin = .environment,
        now: @escaping @Sendable () -> Date = { Date() },
        readFile: @escaping @Sendable (String) -> String? = AWSSharedConfigFiles.readTextFile
    ) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.sts = sts
        self.origin = origin
        self.now = now
        self.readFile = readFile
    }

    public var name: String { origin == .environment ? "web identity" : "shared files" }

    private var tokenSetting: String {
        switch origin {
        case .environment: "AWS_WEB_IDENTITY_TOKEN_FILE"
        case .profile(let profile): "web_identity_token_file of profile \"\(profile)\""
        }
    }

    public func lookup() async throws -> CredentialLookup {
        switch (tokenFile, roleARN) {
        case (nil, nil):
            return .unavailable("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set")
        case (nil, .some):
            if origin == .environment { return .unavailable("AWS_ROLE_ARN is set without AWS_WEB_IDENTITY_TOKEN_FILE") }
            throw AWSCredentialError.providerFailed(provider: name, reason: "\(tokenSetting) is missing")
        case (.some, nil):
            let missing = origin == .environment ? "AWS_ROLE_ARN" : "role_arn"
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "\(tokenSetting) is set but \(missing) is not; set the role to assume with the token")
        case (let path?, let role?):
            guard let text = readFile(path) else {
                throw AWSCredentialError.providerFailed(
                    provider: name,
                    reason: "\(tokenSetting)=\(path) cannot be read; check the mounted token (EKS: the pod's service account)")
            }
            let token = text.trimmingWhitespace()
            guard !token.isEmpty else {
                throw AWSCredentialError.providerFailed(provider: name, reason: "\(tokenSetting)=\(path) is empty")
            }
            let parameters = AssumeRoleParameters(
                roleARN: role, sessionName: sessionName ?? AssumeRoleParameters.defaultSessionName(now: now()))
            let source: String
            switch origin {
            case .environment: source = "web identity role \(role)"
            case .profile(let profile): source = "web identity role \(role) of profile \"\(profile)\""
            }
            return .found(try await sts.assumeRoleWithWebIdentity(parameters, webIdentityToken: token, provider: name, source: source))
        }
    }
}
