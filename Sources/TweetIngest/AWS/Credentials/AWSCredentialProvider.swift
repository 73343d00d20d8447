import FoundationEssentials

/// Credentials as a provider found them, with when they stop working and where they came from
/// (for log lines and error messages; never the secret itself).
public struct ProvidedCredentials: Sendable, CustomStringConvertible {
    public var credentials: AWSCredentials
    /// Nil for long-lived keys; temporary credentials are refreshed before this instant.
    public var expiration: Date?
    /// Human-readable origin such as `environment variables` or `ECS container credentials`.
    public var source: String

    public init(credentials: AWSCredentials, expiration: Date? = nil, source: String) {
        self.credentials = credentials
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        let until = expiration.map { ", expires \(UTCTime($0).rfc3339Seconds)" } ?? ""
        return "access key \(credentials.accessKeyId) from \(source)\(until)"
    }
}

/// What one provider found: credentials, or the reason it has none here (not configured, no
/// file, not on EC2), so the chain can move on and still explain itself if nothing works.
public enum CredentialLookup: Sendable {
    case found(ProvidedCredentials)
    case unavailable(String)
}

/// One source of AWS credentials. `lookup` throws only when the source is configured but
/// broken (a profile without a secret, a container endpoint answering 500): that stops the
/// chain, as in the AWS SDKs, instead of silently using credentials from somewhere else.
public protocol AWSCredentialProvider: Sendable {
    /// Short name for messages (`environment`, `shared files`, `container`, `instance metadata`).
    var name: String { get }
    func lookup() async throws -> CredentialLookup
}
