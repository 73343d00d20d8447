import FoundationEssentials
import Logging

/// The providers in the AWS SDK order, first that works wins, with a cache in front.
///
/// Temporary credentials are refreshed `refreshMargin` before their `Expiration`, so a request
/// is never signed with credentials about to lapse; concurrent callers share one refresh. If a
/// refresh fails while the cached credentials are still valid they keep being used (and the
/// refresh is tried again on the next call); once they have expired, callers get an error.
public actor AWSCredentialChain {
    public let providers: [any AWSCredentialProvider]
    public let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: ProvidedCredentials?
    /// The provider that found the cached credentials; it is asked first when refreshing.
    private var winner: Int?
    private var refreshing: Task<ProvidedCredentials, any Error>?

    public init(
        providers: [any AWSCredentialProvider], refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date,
        logger: Logger = Logger(label: "tweet-ingest.aws-credentials")
    ) {
        self.providers = providers
        self.refreshMargin = refreshMargin
        self.now = now
        self.logger = logger
    }

    /// The standard chain: environment, web identity, shared files, container, EC2 instance metadata.
    public static func standard(
        _ settings: AWSCredentialSettings, http: any HTTPClient, now: @escaping @Sendable () -> Date, logger: Logger
    ) -> AWSCredentialChain {
        AWSCredentialChain(providers: settings.providers(http: http, now: now), now: now, logger: logger)
    }

    /// Credentials to sign a request with now.
    public func credentials() async throws -> AWSCredentials {
        try await current().credentials
    }

    /// Credentials with their source and expiry, refreshed when due.
    public func current() async throws -> ProvidedCredentials {
        if let cached, isFresh(cached) { return cached }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.resolve() }
        refreshing = task
        do {
            let fresh = try await task.value
            refreshing = nil
            cached = fresh
            logger.info(
                "AWS credentials resolved",
                metadata: [
                    "aws.credentials.source": "\(fresh.source)", "aws.access_key_id": "\(fresh.credentials.accessKeyId)",
                    "aws.credentials.expiration": "\(fresh.expiration.map { UTCTime($0).rfc3339Seconds } ?? "never")",
                ])
            return fresh
        } catch {
            refreshing = nil
            if let cached, let expiration = cached.expiration, now() < expiration {
                logger.warning(
                    "could not refresh AWS credentials; using the cached ones until they expire",
                    metadata: ["aws.credentials.source": "\(cached.source)", "error": "\(error)"])
                return cached
            }
            if let cached, let expiration = cached.expiration {
                throw AWSCredentialError.expired(source: cached.source, expiredAt: expiration, refreshError: "\(error)")
            }
            throw error
        }
    }

    /// Forgets the cached credentials, e.g. after S3 answered `ExpiredToken`.
    public func invalidate() {
        cached = nil
    }

    private func isFresh(_ credentials: ProvidedCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return now() < expiration.addingTimeInterval(-refreshMargin)
    }

    private func resolve() async throws -> ProvidedCredentials {
        if let winner, case .found(let credentials) = try await providers[winner].lookup() {
            return credentials
        }
        var tried: [String] = []
        for (index, provider) in providers.enumerated() {
            switch try await provider.lookup() {
            case .found(let credentials):
                winner = index
                return credentials
            case .unavailable(let reason):
                tried.append("\(provider.name): \(reason)")
            }
        }
        throw AWSCredentialError.noneFound(tried: tried)
    }
}
