import FoundationEssentials

/// Builds signed S3 requests; pure (credentials and time are arguments), so every header can be
/// checked in unit tests.
///
/// Every body is covered twice: `x-amz-content-sha256` carries its real SHA-256 (part of the
/// signature), and each object body (PutObject, UploadPart) the checksum `S3_CHECKSUM` names, so
/// S3 rejects a body changed in transit with `XAmzContentSHA256Mismatch` or `BadDigest` instead
/// of storing it. Only `S3_CHECKSUM=md5` sends `Content-MD5` (on every body, as before); the
/// others send none, which FIPS endpoints and OpenSSL in FIPS mode need.
public struct S3RequestBuilder: Sendable {
    public let bucket: String
    public let endpoint: S3Endpoint
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    public let pathStyle: Bool
    public let signer: SigV4Signer
    public let serverSideEncryption: S3ServerSideEncryption?
    public let kmsKeyID: String?
    public let storageClass: String?
    public let checksum: S3Checksum

    /// `endpoint` nil means AWS's regional endpoint. Path style is used when asked for, when the
    /// endpoint is an IP address or `localhost`, and for bucket names with dots over https (their
    /// virtual host would not match S3's wildcard TLS certificate).
    public init(
        bucket: String, region: String, endpoint: S3Endpoint? = nil, forcePathStyle: Bool = false,
        serverSideEncryption: S3ServerSideEncryption? = nil, kmsKeyID: String? = nil, storageClass: String? = nil,
        checksum: S3Checksum = .sha256
    ) throws(SigV4Error) {
        self.bucket = bucket
        let resolved = endpoint ?? .aws(region: region)
        self.endpoint = resolved
        pathStyle = forcePathStyle || resolved.needsPathStyle || (bucket.contains(".") && resolved.scheme == "https")
        signer = try SigV4Signer(region: region, service: "s3")
        self.serverSideEncryption = serverSideEncryption
        self.kmsKeyID = kmsKeyID
        self.storageClass = storageClass
        self.checksum = checksum
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

    /// `metadata` becomes `x-amz-meta-<name>` headers; `condition` `.absent` is `If-None-Match: *`
    /// (a 412 then means the object is already there).
    public func putObject(
        key: String, body: [UInt8], contentType: String, contentEncoding: String? = nil, storeWithStorageClass: Bool = true,
        metadata: [ObjectFact] = [], condition: S3WriteCondition? = nil, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var headers = [("content-type", contentType)]
        switch condition {
        case .absent: headers.append(("if-none-match", "*"))
        case .etag(let etag): headers.append(("if-match", etag))
        case nil: break
        }
        if let contentEncoding { headers.append(("content-encoding", contentEncoding)) }
        headers += objectSettingHeaders(storageClass: storeWithStorageClass)
        headers += try Self.metadataHeaders(metadata)
        return try request("PUT", key: key, headers: headers, body: body, checksummed: true, credentials: credentials, date: date)
    }

    /// HeadObject: 200 when the object exists, a body-less 404 when it does not.
    public func headObject(key: String, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        try request("HEAD", key: key, credentials: credentials, date: date)
    }

    /// DeleteObject: 204 whether or not the object existed.
    public func deleteObject(key: String, credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        try request("DELETE", key: key, credentials: credentials, date: date)
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

    /// Encryption, storage class, metadata and the checksum algorithm go here, not on the parts.
    public func createMultipartUpload(
        key: String, contentType: String, contentEncoding: String? = nil, metadata: [ObjectFact] = [],
        credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var headers = [("content-type", contentType)]
        if let contentEncoding { headers.append(("content-encoding", contentEncoding)) }
        headers += objectSettingHeaders(storageClass: true)
        headers += try Self.metadataHeaders(metadata)
        if let algorithm = checksum.algorithm { headers.append(("x-amz-checksum-algorithm", algorithm)) }
        return try request("POST", key: key, query: [("uploads", nil)], headers: headers, body: [], credentials: credentials, date: date)
    }

    public func uploadPart(
        key: String, uploadID: String, partNumber: Int, body: [UInt8], credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        // A part has no type of its own, but without one curl would label the body as a form,
        // which some S3-compatible servers then try to parse.
        try request(
            "PUT", key: key, query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
            headers: [("content-type", "application/octet-stream")], body: body, checksummed: true, credentials: credentials,
            date: date)
    }

    /// `createOnly` adds `If-None-Match: *`: S3 completes the upload only if no object has the key.
    public func completeMultipartUpload(
        key: String, uploadID: String, parts: [S3CompletedPart], createOnly: Bool = false, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var headers = [("content-type", "application/xml")]
        if createOnly { headers.append(("if-none-match", "*")) }
        return try request(
            "POST", key: key, query: [("uploadId", uploadID)], headers: headers,
            body: Array(S3CompletedPart.document(parts, checksum: checksum).utf8), credentials: credentials, date: date)
    }

    /// ListMultipartUploads of the keys starting with `prefix`; the markers continue a truncated
    /// listing (the answer's `NextKeyMarker` / `NextUploadIdMarker`).
    public func listMultipartUploads(
        prefix: String, keyMarker: String? = nil, uploadIDMarker: String? = nil, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        var query: [(String, String?)] = []
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        query.append(("prefix", prefix))
        if let uploadIDMarker { query.append(("upload-id-marker", uploadIDMarker)) }
        query.append(("uploads", nil))
        return try request("GET", key: nil, query: query, credentials: credentials, date: date)
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

    /// `x-amz-meta-<name>` for each fact. Names must be `a-z 0-9 -` and values printable ASCII:
    /// anything else S3 would store altered (or the signature would not match).
    static func metadataHeaders(_ facts: [ObjectFact]) throws(S3MetadataError) -> [(String, String)] {
        try facts.map { fact throws(S3MetadataError) in
            let nameIsValid =
                !fact.name.isEmpty
                && fact.name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
            guard nameIsValid else { throw S3MetadataError(name: fact.name, reason: "a name must be lower-case a-z, 0-9 and -") }
            guard fact.value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw S3MetadataError(name: fact.name, reason: "a value must be printable ASCII")
            }
            return ("x-amz-meta-\(fact.name)", fact.value)
        }
    }

    /// Signs and assembles one request; without a body the payload hash is that of the empty
    /// string. With `S3_CHECKSUM=md5` every body (even an empty one) gets `Content-MD5`; with
    /// `sha256`/`crc32` a `checksummed` body (an object or a part) gets `x-amz-checksum-<name>`
    /// and `x-amz-sdk-checksum-algorithm` (the header the SDKs send beside it, which S3 takes as
    /// the algorithm and S3-compatible servers such as moto need to store the checksum).
    private func request(
        _ method: String, key: String?, query: [(String, String?)] = [], headers extra: [(String, String)] = [],
        body: [UInt8]? = nil, checksummed: Bool = false, credentials: AWSCredentials, date: Date
    ) throws -> HTTPRequest {
        let path = path(key: key)
        let queryString = query.map { name, value in
            AWSURIEncoding.encode(name) + (value.map { "=" + AWSURIEncoding.encode($0) } ?? "")
        }.joined(separator: "&")
        var headers = [("host", host)] + extra
        let bodySHA256 = body.map { Crypto.sha256($0) }
        if let body {
            if checksum == .md5 {
                if let md5 = try? Crypto.md5Base64(body) { headers.append(("content-md5", md5)) }
            } else if checksummed, let name = checksum.headerName, let algorithm = checksum.algorithm,
                let value = checksum.value(body, sha256: bodySHA256)
            {
                headers += [("x-amz-sdk-checksum-algorithm", algorithm), (name, value)]
            }
        }
        let payloadHash = bodySHA256.map { Crypto.hex($0) } ?? SigV4Signer.emptyPayloadHash
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
    /// The part's checksum as sent (base64), when the upload has a checksum algorithm: S3
    /// requires it in the completion (`<ChecksumSHA256>`) and builds the composite from it.
    public var checksum: String?

    public init(partNumber: Int, eTag: String, checksum: String? = nil) {
        self.partNumber = partNumber
        self.eTag = eTag
        self.checksum = checksum
    }

    static func document(_ parts: [S3CompletedPart], checksum: S3Checksum = .md5) -> String {
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + parts.map { part in
                var value = ""
                if let element = checksum.elementName, let sum = part.checksum { value = "<\(element)>\(XMLText.escape(sum))</\(element)>" }
                return "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(XMLText.escape(part.eTag))</ETag>\(value)</Part>"
            }.joined()
            + "</CompleteMultipartUpload>"
    }
}

/// `DeliveryObject.metadata` S3 cannot carry as given.
public struct S3MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var reason: String

    public var description: String { "the object metadata \"\(name)\" cannot be sent as x-amz-meta-\(name): \(reason)" }
}
