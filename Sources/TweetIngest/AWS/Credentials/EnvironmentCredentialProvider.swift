/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`, as read
/// into the configuration (the provider never reads the process environment itself).
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    public let accessKeyID: String?
    public let secretAccessKey: Secret?
    public let sessionToken: Secret?

    public init(accessKeyID: String?, secretAccessKey: Secret?, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var name: String { "environment" }

    public func lookup() async throws -> CredentialLookup {
        switch (accessKeyID, secretAccessKey) {
        case (nil, nil):
            return .unavailable("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (.some, nil):
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both or neither")
        case (nil, .some):
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both or neither")
        case (let id?, let secret?):
            let credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret.value, sessionToken: sessionToken?.value)
            return .found(ProvidedCredentials(credentials: credentials, source: "environment variables"))
        }
    }
}
