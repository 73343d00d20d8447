/// The EC2 instance role through IMDSv2: PUT a session token, GET the role name, GET its
/// credentials. Timeouts are short and there is one attempt, so off EC2 (a laptop, CI) the
/// chain gives up in about a second instead of hanging.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    public static let defaultEndpoint = "http://169.254.169.254"
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    /// `AWS_EC2_METADATA_DISABLED=true`.
    public let disabled: Bool
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, or the link-local default; tests use a loopback fake.
    public let endpoint: String
    public let http: any HTTPClient
    public let timeoutSeconds: Int

    public init(disabled: Bool, endpoint: String?, http: any HTTPClient, timeoutSeconds: Int = 1) {
        self.disabled = disabled
        var base = endpoint ?? Self.defaultEndpoint
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        self.http = http
        self.timeoutSeconds = timeoutSeconds
    }

    public var name: String { "instance metadata" }

    public func lookup() async throws -> CredentialLookup {
        if disabled { return .unavailable("AWS_EC2_METADATA_DISABLED is true") }
        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await http.execute(
                HTTPRequest(
                    method: "PUT", url: endpoint + "/latest/api/token",
                    headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")], body: [], timeoutSeconds: timeoutSeconds))
        } catch let error as HTTPTransportError {
            if error.kind == .cancelled { throw CancellationError() }
            return .unavailable("no instance metadata service answered at \(endpoint) (not on EC2?): \(error.message)")
        }
        guard tokenResponse.status == 200, !tokenResponse.body.isEmpty else {
            return .unavailable("\(endpoint) answered HTTP \(tokenResponse.status) to the IMDSv2 token request")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self).trimmingWhitespace()
        let roles = try await get(Self.credentialsPath, token: token)
        if roles.status == 404 { return .unavailable("the EC2 instance has no IAM role (instance profile) attached") }
        guard roles.status == 200,
            let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map({
                $0.trimmingWhitespace()
            }), !role.isEmpty
        else {
            throw AWSCredentialError.providerFailed(
                provider: name, reason: "\(endpoint)\(Self.credentialsPath) answered HTTP \(roles.status) without a role name")
        }
        let path = Self.credentialsPath + AWSURIEncoding.encode(role)
        let document = try await get(path, token: token)
        guard document.status == 200 else {
            throw AWSCredentialError.providerFailed(provider: name, reason: "\(endpoint)\(path) answered HTTP \(document.status)")
        }
        do {
            return .found(try CredentialsDocument.credentials(from: document.body, source: "EC2 instance role \(role)"))
        } catch {
            throw AWSCredentialError.providerFailed(provider: name, reason: "\(endpoint)\(path): \(error.reason)")
        }
    }

    private func get(_ path: String, token: String) async throws -> HTTPResponse {
        do {
            return try await http.execute(
                HTTPRequest(
                    method: "GET", url: endpoint + path, headers: [("x-aws-ec2-metadata-token", token)],
                    timeoutSeconds: timeoutSeconds))
        } catch let error as HTTPTransportError {
            if error.kind == .cancelled { throw CancellationError() }
            throw AWSCredentialError.providerFailed(provider: name, reason: "\(endpoint)\(path): \(error.message)")
        }
    }
}
