import FoundationEssentials

/// The SSO portal's `GetRoleCredentials`:
/// `GET https://portal.sso.<region>.amazonaws.com/federation/credentials?role_name=…&account_id=…`
/// with the cached access token in `x-amz-sso_bearer_token`; the answer is
/// `{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration" (ms)}}`.
public struct SSOPortalClient: Sendable {
    public let http: any HTTPClient
    /// `AWS_ENDPOINT_URL_SSO`; nil means the regional portal. Tests point it at a loopback fake.
    public let endpoint: S3Endpoint?

    public init(http: any HTTPClient, endpoint: S3Endpoint? = nil) {
        self.http = http
        self.endpoint = endpoint
    }

    public static func awsEndpoint(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "portal.sso.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : ""))
    }

    func request(_ sso: SSOCredentials.Settings, accessToken: String) -> HTTPRequest {
        let base = endpoint ?? Self.awsEndpoint(region: sso.region)
        let query = "role_name=\(AWSURIEncoding.encode(sso.roleName))&account_id=\(AWSURIEncoding.encode(sso.accountID))"
        return HTTPRequest(
            method: "GET", url: "\(base.scheme)://\(base.authority)\(base.basePath)/federation/credentials?\(query)",
            headers: [("x-amz-sso_bearer_token", accessToken), ("Accept", "application/json")], timeoutSeconds: 10)
    }

    func roleCredentials(
        _ sso: SSOCredentials.Settings, accessToken: String, provider: String, source: String, login: String
    ) async throws -> ProvidedCredentials {
        let request = request(sso, accessToken: accessToken)
        let shown = ContainerCredentialProvider.withoutQuery(request.url)
        let fail = { (reason: String) in AWSCredentialError.providerFailed(provider: provider, reason: reason) }
        var lastProblem = ""
        for _ in 0..<3 {
            let response: HTTPResponse
            do {
                response = try await http.execute(request)
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                lastProblem = "no answer from \(shown): \(error.message)"
                continue
            }
            switch response.status {
            case 200:
                return try Self.parse(response.body, source: source, fail: fail, shown: shown)
            case 401, 403:
                throw fail("the SSO portal \(shown) refused the cached token (HTTP \(response.status)): \(login)")
            case 500...599, 429:
                lastProblem = "\(shown) answered HTTP \(response.status)"
                continue
            default:
                let message = (try? JSONDecoder().decode(ErrorDocument.self, from: Data(response.body)))?.message
                throw fail(
                    "the SSO portal \(shown) answered HTTP \(response.status)\(message.map { ": \($0)" } ?? "") for role \(sso.roleName) in account \(sso.accountID)"
                )
            }
        }
        throw fail("SSO GetRoleCredentials failed: \(lastProblem)")
    }

    static func parse(
        _ body: [UInt8], source: String, fail: (String) -> AWSCredentialError, shown: String
    ) throws -> ProvidedCredentials {
        guard let document = try? JSONDecoder().decode(Answer.self, from: Data(body)), let role = document.roleCredentials,
            let id = role.accessKeyId, !id.isEmpty, let secret = role.secretAccessKey, !secret.isEmpty, let milliseconds = role.expiration
        else {
            throw fail("\(shown) answered without roleCredentials with accessKeyId, secretAccessKey and expiration (\(body.count) bytes)")
        }
        return ProvidedCredentials(
            credentials: AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: role.sessionToken.flatMap { $0.isEmpty ? nil : $0 }),
            expiration: Date(timeIntervalSince1970: Double(milliseconds) / 1000), source: source)
    }

    private struct Answer: Decodable {
        struct Role: Decodable {
            var accessKeyId: String?
            var secretAccessKey: String?
            var sessionToken: String?
            var expiration: Int64?
        }
        var roleCredentials: Role?
    }

    private struct ErrorDocument: Decodable {
        var message: String?
    }
}
