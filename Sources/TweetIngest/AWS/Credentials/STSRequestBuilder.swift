import FoundationEssentials

/// Builds STS Query API requests (`POST /`, form body `Action=…&Version=2011-06-15&…`); pure
/// (credentials and time are arguments) so every byte can be checked in unit tests.
/// `AssumeRole` is signed with SigV4; `AssumeRoleWithWebIdentity` is not signed at all: the web
/// identity token is the proof, and the caller may have no AWS credentials yet.
public struct STSRequestBuilder: Sendable {
    public static let apiVersion = "2011-06-15"
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"
    public let region: String
    public let endpoint: S3Endpoint
    let signer: SigV4Signer

    /// `endpoint` nil means the regional endpoint `https://sts.<region>.amazonaws.com`.
    public init(region: String, endpoint: S3Endpoint? = nil) throws(SigV4Error) {
        self.region = region
        self.endpoint = endpoint ?? Self.awsEndpoint(region: region)
        signer = try SigV4Signer(region: region, service: "sts")
    }

    /// AWS's regional endpoint (`.com.cn` in China).
    public static func awsEndpoint(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "sts.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : ""))
    }

    /// Where requests go, for messages.
    public var url: String { "\(endpoint.scheme)://\(endpoint.authority)\(endpoint.basePath)/" }

    public func assumeRole(_ role: AssumeRoleParameters, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        var parameters = [("Action", "AssumeRole"), ("Version", Self.apiVersion)] + role.common
        if let externalID = role.externalID { parameters.append(("ExternalId", externalID)) }
        let body = Array(Self.formBody(parameters).utf8)
        let path = endpoint.basePath + "/"
        let signed = try signer.sign(
            method: "POST", path: path, headers: [("host", endpoint.authority), ("content-type", Self.contentType)],
            payloadHash: Crypto.hex(Crypto.sha256(body)), credentials: credentials, date: date)
        return HTTPRequest(
            method: "POST", url: url, headers: signed.headers.map { (name: $0.0, value: $0.1) }, body: body, timeoutSeconds: 10)
    }

    public func assumeRoleWithWebIdentity(_ role: AssumeRoleParameters, webIdentityToken: String) -> HTTPRequest {
        let parameters =
            [("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.apiVersion)] + role.common
            + [("WebIdentityToken", webIdentityToken)]
        return HTTPRequest(
            method: "POST", url: url, headers: [("Content-Type", Self.contentType), ("Accept", "text/xml")],
            body: Array(Self.formBody(parameters).utf8), timeoutSeconds: 10)
    }

    /// `application/x-www-form-urlencoded` with RFC 3986 percent-encoding (as the SDKs send it).
    static func formBody(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(AWSURIEncoding.encode($0.0))=\(AWSURIEncoding.encode($0.1))" }.joined(separator: "&")
    }
}

/// What both assume-role calls share: the role, the session name, optionally the duration and
/// (AssumeRole only) the external id.
public struct AssumeRoleParameters: Sendable, Equatable {
    public var roleARN: String
    public var sessionName: String
    public var durationSeconds: Int?
    public var externalID: String?

    public init(roleARN: String, sessionName: String, durationSeconds: Int? = nil, externalID: String? = nil) {
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.externalID = externalID
    }

    var common: [(String, String)] {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        return parameters
    }

    /// The SDKs' default session name shape, made of the time so CloudTrail tells sessions apart.
    public static func defaultSessionName(now: Date) -> String {
        "tweet-ingest-\(Int(now.timeIntervalSince1970))"
    }
}
