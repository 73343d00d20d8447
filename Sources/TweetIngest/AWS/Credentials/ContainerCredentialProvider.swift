import FoundationEssentials

/// The ECS task role (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, fetched from 169.254.170.2) or
/// a full URI (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, EKS Pod Identity and others) with an
/// `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read on every fetch,
/// since the agent rotates it; it wins over the token variable) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    public static let defaultEndpoint = "http://169.254.170.2"
    /// Plain-http full URIs are accepted only for these hosts or loopback, as in the AWS SDKs.
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]", "localhost"]

    public let relativeURI: String?
    public let fullURI: String?
    public let authorizationToken: Secret?
    public let authorizationTokenFile: String?
    public let http: any HTTPClient
    /// Where a relative URI is resolved; tests point it at a loopback fake.
    public let endpoint: String
    public let timeoutSeconds: Int
    public let attempts: Int
    public let readFile: @Sendable (String) -> String?

    public init(
        relativeURI: String?, fullURI: String?, authorizationToken: Secret?, authorizationTokenFile: String?,
        http: any HTTPClient, endpoint: String = ContainerCredentialProvider.defaultEndpoint, timeoutSeconds: Int = 2,
        attempts: Int = 3, readFile: @escaping @Sendable (String) -> String? = AWSSharedConfigFiles.readTextFile
    ) {
        self.relativeURI = relativeURI
        self.fullURI = fullURI
        self.authorizationToken = authorizationToken
        self.authorizationTokenFile = authorizationTokenFile
        self.http = http
        self.endpoint = endpoint
        self.timeoutSeconds = timeoutSeconds
        self.attempts = max(1, attempts)
        self.readFile = readFile
    }

    public var name: String { "container" }

    public func lookup() async throws -> CredentialLookup {
        let url: String
        if let relativeURI {
            url = endpoint + (relativeURI.hasPrefix("/") ? "" : "/") + relativeURI
        } else if let fullURI {
            try Self.checkAllowed(fullURI)
            url = fullURI
        } else {
            return .unavailable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }
        let shownURL = Self.withoutQuery(url)
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let token = try authorization() { headers.append(("Authorization", token)) }
        let request = HTTPRequest(method: "GET", url: url, headers: headers, timeoutSeconds: timeoutSeconds)
        var lastProblem = ""
        for _ in 0..<attempts {
            let response: HTTPResponse
            do {
                response = try await http.execute(request)
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                lastProblem = "no answer from \(shownURL): \(error.message)"
                continue
            }
            guard response.status == 200 else {
                lastProblem = "\(shownURL) answered HTTP \(response.status)"
                if (500...599).contains(response.status) { continue }
                break
            }
            do {
                return .found(try CredentialsDocument.credentials(from: response.body, source: "container credentials at \(shownURL)"))
            } catch {
                throw AWSCredentialError.providerFailed(provider: name, reason: "\(shownURL): \(error.reason)")
            }
        }
        throw AWSCredentialError.providerFailed(
            provider: name, reason: lastProblem + "; check the task role (ECS) or the pod identity agent (EKS)")
    }

    /// The token, from the file if one is named (it may change while we run), else the variable.
    private func authorization() throws -> String? {
        var token: String?
        if let path = authorizationTokenFile {
            guard let text = readFile(path) else {
                throw AWSCredentialError.providerFailed(
                    provider: name, reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=\(path) cannot be read")
            }
            token = text.trimmingWhitespace()
        } else {
            token = authorizationToken?.value
        }
        if let token, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "the container authorization token contains a line break, which HTTP cannot carry")
        }
        return token
    }

    static func checkAllowed(_ url: String) throws {
        guard let endpoint = S3Endpoint(parsing: url) else {
            throw AWSCredentialError.providerFailed(
                provider: "container", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI=\(withoutQuery(url)) is not an http(s) URL")
        }
        if endpoint.scheme == "https" || endpoint.isLoopback || allowedHTTPHosts.contains(endpoint.host.lowercased()) { return }
        throw AWSCredentialError.providerFailed(
            provider: "container",
            reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI uses plain http to \(endpoint.host); only https, loopback, "
                + "169.254.170.2, 169.254.170.23 and fd00:ec2::23 are allowed")
    }
}

extension ContainerCredentialProvider {
    /// A URL for messages: the query string may carry a credential, so it is dropped.
    static func withoutQuery(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
