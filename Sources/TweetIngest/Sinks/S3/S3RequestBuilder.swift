import FoundationEssentials

/// Builds signed S3 requests; pure (credentials and time are arguments), so every header can be
/// checked in unit tests.
///
/// Every body is covered twice: `x-amz-content-sha256` carries its real SHA-256 (part of the
/// signature) and `Content-MD5` its MD5, so S3 rejects a body changed in transit with
/// `XAmzContentSHA256Mismatch` or `BadDigest` instead of storing it.
public struct S3RequestBuilder: Sendable {
    public let bucket: String
    public let endpoint: S3Endpoint
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    public let pathStyle: Bool
    public let signer: SigV4Signer
    public let serverSideEncryption: S3ServerSideEncryption?
    public let kmsKeyID: String?
    public let storageClass: String?

    /// `endpoint` nil means AWS's regional endpoint. Path style is used when asked for, when the
    /// endpoint is an IP address or `localhost`, and for bucket names with dots over https (their
    /// virtual host would not match S3's wildcard TLS certificate).
    public init(
        bucket: String, region: String, endpoint: S3Endpoint? = nil, forcePathStyle: Bool = false,
        serverSideEncryption: S3ServerSideEncryption? = nil, kmsKeyID: String? = nil, storageClass: String? = nil
    ) throws(SigV4Error) {
        self.bucket = bucket
        let resolved = endpoint ?? .aws(region: region)
        self.endpoint = resolved
        pathStyle = forcePathStyle || resolved.needsPathStyle || (bucket.contains(".") && resolved.scheme == "https")
        signer = try SigV4Signer(region: region, service: "s3")
        self.serverSideEncryption = serverSideEncryption
        self.kmsKeyID = kmsKeyID
        self.storageClass = storageClass
    }

    public static let minimumPartSize = 5 * 1024 * 1024

    /// The `Host` header value (virtual-hosted style puts the bucket in front).
    public var host: String { pathStyle ? endpoint.authority : "\(bucket).\(endpoint.authority)" }

    /// The request path for `key` (nil: the bucket itself), encoded as S3 signs it: every byte but
    /// `A-Z a-z 0-9 - _ . ~` and `/` percent-encoded, so spaces, `+`, `=` and unicode survive.
    public func path(key: String?) -> String {
        let bucketPath = endpoint.basePath + (pathStyle ? "/\(bucket)" : "")
        guard let key else { return bucketPath.isEmpty ? "/" : bucketPath }
        return bucketPath + "/" + AWSURIEncoding.encode(key, encodeSlash: false)
    }

    /// The URL of `key` (nil: the bucket) without a query string, for messages.
    public func url(key: String?) -> String { "\(endpoint.scheme)://\(host)\(path(key: key))" }

    // MARK: Objects

    public func putObject(
        key: String, body: [UInt8], contentType: String, contentEncoding: String? = nil, storeWithStorageClass: Bool = true,
        condition: S3WriteCondition? = nil, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var headers = [("content-type", contentType)]
        switch condition {
        case .absent: headers.append(("if-none-match", "*"))
        case .etag(let etag): headers.append(("if-match", etag))
        case nil: break
        }
        if let contentEncoding { headers.append(("content-encoding", contentEncoding)) }
        headers += objectSettingHeaders(storageClass: storeWithStorageClass)
        return try request("PUT", key: key, headers: headers, body: body, credentials: credentials, date: date)
    }

    public func getObject(key: String, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        try request("GET", key: key, credentials: credentials, date: date)
    }

    /// ListObjectsV2 with `max-keys=0`: the cheapest signed request that proves the bucket exists,
    /// is in this region, and these credentials may use it.
    public func listObjects(maxKeys: Int = 0, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        try request("GET", key: nil, query: [("list-type", "2"), ("max-keys", String(maxKeys))], credentials: credentials, date: date)
    }

    // MARK: Multipart upload

    /// Encryption and storage class go here, not on the parts.
    public func createMultipartUpload(
        key: String, contentType: String, contentEncoding: String? = nil, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var headers = [("content-type", contentType)]
        if let contentEncoding { headers.append(("content-encoding", contentEncoding)) }
        headers += objectSettingHeaders(storageClass: true)
        return try request("POST", key: key, query: [("uploads", nil)], headers: headers, body: [], credentials: credentials, date: date)
    }

    public func uploadPart(
        key: String, uploadID: String, partNumber: Int, body: [UInt8], credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        // A part has no type of its own, but without one curl would label the body as a form,
        // which some S3-compatible servers then try to parse.
        try request(
            "PUT", key: key, query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
            headers: [("content-type", "application/octet-stream")], body: body, credentials: credentials, date: date)
    }

    public func completeMultipartUpload(
        key: String, uploadID: String, parts: [S3CompletedPart], credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        try request(
            "POST", key: key, query: [("uploadId", uploadID)], headers: [("content-type", "application/xml")],
            body: Array(S3CompletedPart.document(parts).utf8), credentials: credentials, date: date)
    }

    public func abortMultipartUpload(key: String, uploadID: String, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        try request("DELETE", key: key, query: [("uploadId", uploadID)], credentials: credentials, date: date)
    }

    // MARK: Common

    private func objectSettingHeaders(storageClass useStorageClass: Bool) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let serverSideEncryption {
            headers.append(("x-amz-server-side-encryption", serverSideEncryption.rawValue))
            if serverSideEncryption == .kms, let kmsKeyID {
                headers.append(("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyID))
            }
        }
        if useStorageClass, let storageClass { headers.append(("x-amz-storage-class", storageClass)) }
        return headers
    }

    /// Signs and assembles one request. A body (even an empty one) gets `Content-MD5`; without a
    /// body the payload hash is that of the empty string.
    private func request(
        _ method: String, key: String?, query: [(String, String?)] = [], headers extra: [(String, String)] = [],
        body: [UInt8]? = nil, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        let path = path(key: key)
        let queryString = query.map { name, value in
            AWSURIEncoding.encode(name) + (value.map { "=" + AWSURIEncoding.encode($0) } ?? "")
        }.joined(separator: "&")
        var headers = [("host", host)] + extra
        if let body, let md5 = try? Crypto.md5Base64(body) { headers.append(("content-md5", md5)) }
        let payloadHash = body.map { Crypto.hex(Crypto.sha256($0)) } ?? SigV4Signer.emptyPayloadHash
        let signed = try signer.sign(
            method: method, path: path, query: queryString, headers: headers, payloadHash: payloadHash,
            credentials: credentials, date: date)
        let url = "\(endpoint.scheme)://\(host)\(path)" + (queryString.isEmpty ? "" : "?" + queryString)
        return HTTPRequest(
            method: method, url: url, headers: signed.headers.map { (name: $0.0, value: $0.1) }, body: body,
            timeoutSeconds: Self.timeoutSeconds(bodyBytes: body?.count ?? 0))
    }

    /// 30 s plus one second per 256 KiB: generous for a slow link, still bounded.
    static func timeoutSeconds(bodyBytes: Int) -> Int { 30 + bodyBytes / (256 * 1024) }
}

/// One uploaded part, as CompleteMultipartUpload lists it.
public struct S3CompletedPart: Sendable, Equatable {
    public var partNumber: Int
    /// Exactly as UploadPart returned it, quotes included.
    public var eTag: String

    public init(partNumber: Int, eTag: String) {
        self.partNumber = partNumber
        self.eTag = eTag
    }

    static func document(_ parts: [S3CompletedPart]) -> String {
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + parts.map { "<Part><PartNumber>\($0.partNumber)</PartNumber><ETag>\(XMLText.escape($0.eTag))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
    }
}
