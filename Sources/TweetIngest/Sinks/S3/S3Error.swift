/// The S3 calls tweet-ingest makes, named as in the S3 API reference.
/// A conditional PutObject: write only if the object is still as last seen.
public enum S3WriteCondition: Sendable, Equatable {
    /// `If-None-Match: *`: only if there is no object yet.
    case absent
    /// `If-Match`: only if the object still has this ETag.
    case etag(String)
}

public enum S3Operation: String, Sendable {
    case putObject = "PutObject"
    case createMultipartUpload = "CreateMultipartUpload"
    case uploadPart = "UploadPart"
    case completeMultipartUpload = "CompleteMultipartUpload"
    case abortMultipartUpload = "AbortMultipartUpload"
    case listObjectsV2 = "ListObjectsV2"
    case getObject = "GetObject"
    case headObject = "HeadObject"
    case deleteObject = "DeleteObject"
    case listMultipartUploads = "ListMultipartUploads"

    /// The IAM action that allows it.
    public var permission: String {
        switch self {
        case .putObject, .createMultipartUpload, .uploadPart, .completeMultipartUpload: "s3:PutObject"
        case .abortMultipartUpload: "s3:AbortMultipartUpload"
        case .listObjectsV2: "s3:ListBucket"
        case .getObject, .headObject: "s3:GetObject"
        case .deleteObject: "s3:DeleteObject"
        case .listMultipartUploads: "s3:ListBucketMultipartUploads"
        }
    }

    /// Authorised on the bucket (`arn:aws:s3:::bucket`) rather than its objects (`.../*`).
    var isBucketOperation: Bool { self == .listObjectsV2 || self == .listMultipartUploads }
}

/// An S3 call that failed: which call, on which bucket and key, S3's error code, message and
/// request id (what AWS support asks for), and what to do about it.
public struct S3Error: Error, Sendable, CustomStringConvertible, AWSServiceError {
    public enum Failure: Sendable, Equatable {
        /// S3 answered with an error status (or an `<Error>` document).
        case response(S3ErrorResponse)
        /// No answer: connection refused, reset, timed out.
        case transport(kind: HTTPTransportError.Kind, message: String)
        /// An answer S3 would not send (no `UploadId`, no `ETag`).
        case malformedResponse(String)
        /// S3 completed a multipart upload with another checksum than its parts add up to.
        case checksumMismatch(sent: String, stored: String)
    }

    public var operation: S3Operation
    public var bucket: String
    public var key: String?
    public var failure: Failure
    public var attempts: Int

    public init(operation: S3Operation, bucket: String, key: String?, failure: Failure, attempts: Int = 1) {
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.failure = failure
        self.attempts = attempts
    }

    /// S3's error code (`AccessDenied`, `NoSuchBucket`, `SlowDown`, ...), when it sent one.
    public var code: String? {
        if case .response(let response) = failure { return response.code ?? Self.codeForBodylessStatus(response.status) }
        return nil
    }

    public var status: Int? {
        if case .response(let response) = failure { return response.status }
        return nil
    }

    /// Worth trying again with the same request: throttling, S3-side errors, lost connections,
    /// and a body S3 received altered (its checksum did not match): that one is resent, never
    /// accepted.
    public var isRetryable: Bool {
        switch failure {
        case .response(let response):
            if [500, 502, 503, 504, 429].contains(response.status) { return true }
            return Self.retryableCodes.contains(code ?? "") || meansChecksumMismatch
        case .transport(let kind, _):
            return kind == .timedOut || kind == .connectionDropped || kind == .connectionFailed
        case .malformedResponse, .checksumMismatch:
            return false
        }
    }

    /// S3 computed another checksum of the body than the request carried: `BadDigest`,
    /// `XAmzContentSHA256Mismatch`, or an `InvalidRequest` whose message says the checksum did
    /// not match (how S3 reports a wrong `x-amz-checksum-*` on some requests).
    public var meansChecksumMismatch: Bool {
        if case .checksumMismatch = failure { return true }
        guard case .response(let response) = failure else { return false }
        if code == "BadDigest" || code == "XAmzContentSHA256Mismatch" { return true }
        guard code == "InvalidRequest", let message = response.message?.lowercased() else { return false }
        return message.containsText("checksum") && (message.containsText("did not match") || message.containsText("does not match"))
    }

    /// A conditional write S3 refused: `If-None-Match: *` found an object, or `If-Match` another ETag.
    public var meansPreconditionFailed: Bool { status == 412 || code == "PreconditionFailed" }

    var meansExpiredCredentials: Bool { ["ExpiredToken", "TokenRefreshRequired"].contains(code) }

    static let retryableCodes: Set<String> = [
        "SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "BadDigest", "XAmzContentSHA256Mismatch",
        "ExpiredToken", "TokenRefreshRequired", "OperationAborted",
    ]

    static func codeForBodylessStatus(_ status: Int) -> String? {
        switch status {
        case 301: "PermanentRedirect"
        case 403: "AccessDenied"
        case 404: "NotFound"
        default: nil
        }
    }

    public var location: String { "s3://\(bucket)/\(key ?? "")" }

    public var description: String {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        var text = "S3 \(operation.rawValue) \(location) failed\(tries): "
        switch failure {
        case .response(let response):
            text += awsErrorAnswerText(status: response.status, code: code, message: response.message, requestID: response.requestID)
        case .transport(_, let message):
            text += message
        case .malformedResponse(let reason):
            text += reason
        case .checksumMismatch(let sent, let stored):
            text += "S3 stored the object with the checksum \(stored), but its parts as sent add up to \(sent)"
        }
        if let hint { text += ". " + hint }
        return text
    }

    /// What to do, for the codes a user can act on.
    public var hint: String? {
        if case .transport = failure {
            return "Check the network path to S3 and AWS_ENDPOINT_URL_S3; the records stay buffered and the write is retried"
        }
        if meansChecksumMismatch {
            return "The body S3 received is not the one sent (changed on the way): it is not kept and the write is retried"
        }
        let bucketARN = "arn:aws:s3:::\(bucket)" + (operation.isBucketOperation ? "" : "/*")
        switch code ?? "" {
        case "AccessDenied":
            return "The credentials are not allowed to do this: the IAM policy needs \(operation.permission) on \(bucketARN)"
                + " (with S3_SSE=aws:kms also kms:GenerateDataKey and kms:Decrypt on the key), and no bucket policy may deny it"
        case "NoSuchBucket":
            return "Check S3_BUCKET, AWS_REGION and AWS_ENDPOINT_URL_S3; the bucket must exist before tweet-ingest starts"
        case "InvalidAccessKeyId":
            return "S3 does not know this access key id (a deleted key, another account or another endpoint): check the credentials"
        case "SignatureDoesNotMatch":
            return
                "The secret access key does not belong to the access key id: check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key"
        case "ExpiredToken", "TokenRefreshRequired":
            return "The session token expired; refresh the temporary credentials"
        case "InvalidToken":
            return "The session token is not valid for these keys: check AWS_SESSION_TOKEN"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            if case .response(let response) = failure, let region = response.bucketRegion {
                return "The bucket is in region \(region): set AWS_REGION=\(region)"
            }
            return "The bucket is in another region: set AWS_REGION to the bucket's region"
        case "RequestTimeTooSkewed":
            return "The system clock is more than 15 minutes off: synchronize it (NTP)"
        case "InvalidStorageClass":
            return "Check S3_STORAGE_CLASS"
        case "KMS.NotFoundException", "KMS.DisabledException", "KMS.KMSInvalidStateException", "KMS.AccessDeniedException",
            "KMS.ValidationException":
            return "Check S3_SSE_KMS_KEY_ID and that the credentials may use the key (kms:GenerateDataKey, kms:Decrypt)"
        case "SlowDown", "InternalError", "ServiceUnavailable":
            return "S3 is busy; the records stay buffered and the write is retried"
        case "NoSuchUpload":
            return "The multipart upload was aborted meanwhile (by a lifecycle rule?); the object is uploaded again"
        default:
            return nil
        }
    }
}
