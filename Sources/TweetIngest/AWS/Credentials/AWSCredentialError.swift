import FoundationEssentials

/// Why no usable AWS credentials exist. Messages name the source and what to change; they never
/// contain a secret access key, session token or authorization token.
public enum AWSCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configured source failed.
    case providerFailed(provider: String, reason: String)
    /// Every source was tried; each entry says why that one had nothing.
    case noneFound(tried: [String])
    /// The cached temporary credentials expired and could not be refreshed.
    case expired(source: String, expiredAt: Date, refreshError: String)

    public var description: String {
        switch self {
        case .providerFailed(let provider, let reason):
            return "AWS credentials from \(provider) are not usable: \(reason)"
        case .noneFound(let tried):
            return "no AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                + "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, a profile in ~/.aws/config or ~/.aws/credentials "
                + "(AWS_PROFILE: keys, role_arn, sso_session or credential_process), or run with an ECS task role or "
                + "EC2 instance role. Tried: " + tried.joined(separator: "; ")
        case .expired(let source, let expiredAt, let refreshError):
            return "the temporary AWS credentials from \(source) expired at "
                + "\(UTCTime(expiredAt).rfc3339Seconds) and could not be refreshed: \(refreshError)"
        }
    }
}
