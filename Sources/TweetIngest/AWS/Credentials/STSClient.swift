import FoundationEssentials

/// Sends `AssumeRole` and `AssumeRoleWithWebIdentity` and returns the temporary credentials.
/// Transport failures, throttling and 5xx are tried again (three attempts, no pause: the chain
/// keeps the old credentials while they are valid and tries again on the next request).
public struct STSClient: Sendable {
    public let requests: STSRequestBuilder
    public let http: any HTTPClient
    public let attempts: Int

    public init(requests: STSRequestBuilder, http: any HTTPClient, attempts: Int = 3) {
        self.requests = requests
        self.http = http
        self.attempts = attempts
    }

    /// `provider` names the chain entry for errors (`shared files`, `web identity`).
    public func assumeRole(
        _ role: AssumeRoleParameters, credentials: AWSCredentials, now: @Sendable () -> Date, provider: String, source: String
    ) async throws -> ProvidedCredentials {
        try await send(provider: provider, source: source, operation: "AssumeRole \(role.roleARN)") {
            try requests.assumeRole(role, credentials: credentials, date: now())
        }
    }

    public func assumeRoleWithWebIdentity(
        _ role: AssumeRoleParameters, webIdentityToken: String, provider: String, source: String
    ) async throws -> ProvidedCredentials {
        try await send(provider: provider, source: source, operation: "AssumeRoleWithWebIdentity \(role.roleARN)") {
            requests.assumeRoleWithWebIdentity(role, webIdentityToken: webIdentityToken)
        }
    }

    private func send(
        provider: String, source: String, operation: String, build: () throws -> HTTPRequest
    ) async throws -> ProvidedCredentials {
        var problem = ""
        for _ in 0..<max(1, attempts) {
            let response: HTTPResponse
            do {
                response = try await http.execute(try build())
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                problem = "no answer from \(requests.url): \(error.message)"
                continue
            }
            do {
                return try STSResponse.credentials(from: response, source: source)
            } catch {
                problem = "\(requests.url) answered \(error.reason)"
                if !error.isRetryable { break }
            }
        }
        throw AWSCredentialError.providerFailed(provider: provider, reason: "STS \(operation) failed: \(problem)")
    }
}
