import FoundationEssentials

/// AWS access keys. The secret and the session token never appear in `description`,
/// `debugDescription`, `dump` or a mirror, so logging a value that holds credentials is safe.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// Set for temporary credentials from STS; sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, "
            + "sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ], displayStyle: .struct)
    }
}

/// AWS Signature Version 4 for the `Authorization` header. Pure: the time, credentials and
/// payload hash are arguments, so results are reproducible and testable against AWS's vectors.
/// Each stage is public so a `SignatureDoesNotMatch` can be debugged by comparing the canonical
/// request with the one S3 returns in its error body.
public struct SigV4Signer: Sendable {
    /// Hex SHA-256 of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Payload hash value telling S3 the body is not covered by the signature.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let algorithm = "AWS4-HMAC-SHA256"

    public let region: String
    public let service: String
    /// Whether `x-amz-security-token` is part of the signature (what S3 and most services want)
    /// or only added to the request after signing (a few older services).
    public let signsSecurityToken: Bool

    var isS3: Bool { service == "s3" }

    public init(region: String, service: String, signsSecurityToken: Bool = true) throws(SigV4Error) {
        guard Self.isScopeComponent(region) else { throw .invalidRegion(region) }
        guard Self.isScopeComponent(service) else { throw .invalidService(service) }
        self.region = region
        self.service = service
        self.signsSecurityToken = signsSecurityToken
    }

    /// Signs a request. `path` and `query` are as they go on the request line (query without
    /// `?`; see `canonicalURI(path:)` for how S3 and other services differ); `headers` must
    /// include `host` and are all signed. Returns the headers to send: the given ones, minus stale
    /// copies of the headers the signer owns (so re-signing a retried request works), plus
    /// `x-amz-date`, `x-amz-content-sha256` (S3 only, carrying `payloadHash`),
    /// `x-amz-security-token` (when the credentials have one) and `authorization`.
    public func sign(
        method: String, path: String, query: String = "", headers: [(String, String)],
        payloadHash: String, credentials: AWSCredentials, date: Date
    ) throws(SigV4Error) -> SigV4SignedRequest {
        try Self.validate(credentials)
        try Self.validate(payloadHash: payloadHash)
        let timestamp = try SigV4Timestamp(date)
        var owned: Set<String> = ["authorization", "x-amz-date"]
        if isS3 { owned.insert("x-amz-content-sha256") }
        if credentials.sessionToken != nil { owned.insert("x-amz-security-token") }
        var toSign = headers.filter { !owned.contains($0.0.lowercased()) }
        toSign.append(("x-amz-date", timestamp.dateTime))
        if isS3 { toSign.append(("x-amz-content-sha256", payloadHash)) }
        var unsigned: [(String, String)] = []
        if let token = credentials.sessionToken {
            if signsSecurityToken {
                toSign.append(("x-amz-security-token", token))
            } else {
                unsigned.append(("x-amz-security-token", token))
            }
        }
        guard toSign.contains(where: { $0.0.lowercased() == "host" }) else { throw .missingHostHeader }

        let canonical = try canonicalRequest(
            method: method, path: path, query: query, headers: toSign, payloadHash: payloadHash)
        let signedHeaders = try Self.canonicalHeaders(toSign).signedHeaders
        let toBeSigned = stringToSign(canonicalRequest: canonical, timestamp: timestamp)
        let key = signingKey(secretAccessKey: credentials.secretAccessKey, day: timestamp.day)
        let signature = Self.signature(signingKey: key, stringToSign: toBeSigned)
        let authorization = authorizationHeader(
            accessKeyId: credentials.accessKeyId, day: timestamp.day, signedHeaders: signedHeaders,
            signature: signature)
        return SigV4SignedRequest(
            headers: toSign + unsigned + [("authorization", authorization)], authorization: authorization,
            canonicalRequest: canonical, stringToSign: toBeSigned, signedHeaders: signedHeaders,
            signature: signature)
    }

    /// Stage 1: the canonical request over exactly `headers` (all of them are signed).
    public func canonicalRequest(
        method: String, path: String, query: String, headers: [(String, String)], payloadHash: String
    ) throws(SigV4Error) -> String {
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenCharacter) else { throw .invalidMethod(method) }
        let headerBlock = try Self.canonicalHeaders(headers)
        return [
            method, try canonicalURI(path: path), try Self.canonicalQuery(query),
            headerBlock.canonical, headerBlock.signedHeaders, payloadHash,
        ].joined(separator: "\n")
    }

    /// `<yyyyMMdd>/<region>/<service>/aws4_request`.
    public func credentialScope(date: Date) throws(SigV4Error) -> String {
        credentialScope(day: try SigV4Timestamp(date).day)
    }

    /// Stage 2: the string to sign for `canonicalRequest` at `date`.
    public func stringToSign(canonicalRequest: String, date: Date) throws(SigV4Error) -> String {
        stringToSign(canonicalRequest: canonicalRequest, timestamp: try SigV4Timestamp(date))
    }

    /// Stage 3a: the key derived from the secret for the UTC day of `date`, the region and the
    /// service. It changes once a day, so a caller signing many requests could cache it.
    public func signingKey(secretAccessKey: String, date: Date) throws(SigV4Error) -> [UInt8] {
        signingKey(secretAccessKey: secretAccessKey, day: try SigV4Timestamp(date).day)
    }

    /// Stage 3b: hex HMAC-SHA256 of the string to sign.
    public static func signature(signingKey: [UInt8], stringToSign: String) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: signingKey, data: stringToSign))
    }

    /// Stage 4: the `Authorization` header value.
    public func authorizationHeader(accessKeyId: String, date: Date, signedHeaders: String, signature: String)
        throws(SigV4Error) -> String
    {
        authorizationHeader(
            accessKeyId: accessKeyId, day: try SigV4Timestamp(date).day, signedHeaders: signedHeaders,
            signature: signature)
    }

    func credentialScope(day: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        [
            Self.algorithm, timestamp.dateTime, credentialScope(day: timestamp.day),
            Crypto.hex(Crypto.sha256(canonicalRequest)),
        ].joined(separator: "\n")
    }

    func signingKey(secretAccessKey: String, day: String) -> [UInt8] {
        var key = Crypto.hmacSHA256(key: Array("AWS4\(secretAccessKey)".utf8), data: day)
        for part in [region, service, "aws4_request"] { key = Crypto.hmacSHA256(key: key, data: part) }
        return key
    }

    func authorizationHeader(accessKeyId: String, day: String, signedHeaders: String, signature: String) -> String {
        "\(Self.algorithm) Credential=\(accessKeyId)/\(credentialScope(day: day)), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }
}
