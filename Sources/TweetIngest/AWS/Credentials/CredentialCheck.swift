import FoundationEssentials
import Logging

/// What `check-config` says about AWS credentials: which provider answered and until when, or
/// why none did. Resolving may call STS, the SSO portal or run `credential_process`, exactly as
/// the daemon will; no secret is ever part of the line.
public enum CredentialCheck {
    public struct Outcome: Sendable {
        public var line: String
        /// The reason no credentials were found; nil when they were.
        public var error: (any Error)?
    }

    public static func run(
        _ settings: AWSCredentialSettings, http: any HTTPClient, now: @escaping @Sendable () -> Date = { Date() }
    ) async -> Outcome {
        var quiet = Logger(label: "tweet-ingest.aws-credentials")
        quiet.logLevel = .critical
        let chain = AWSCredentialChain(providers: settings.providers(http: http, now: now), now: now, logger: quiet)
        do {
            return Outcome(line: "AWS credentials: \(try await chain.current().checkDescription)", error: nil)
        } catch {
            return Outcome(line: "AWS credentials: none usable: \(error)", error: error)
        }
    }
}

extension ProvidedCredentials {
    /// `role … of profile "x", access key ASIA…, until 2026-12-03T08:00:00Z` (or `long-lived`).
    var checkDescription: String {
        "\(source), access key \(credentials.accessKeyId), "
            + (expiration.map { "until \(UTCTime($0).rfc3339Seconds)" } ?? "long-lived (no expiry)")
    }
}
