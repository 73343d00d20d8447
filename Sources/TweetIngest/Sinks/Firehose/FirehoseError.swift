/// A Firehose call that failed: which call, on which delivery stream, Firehose's error code,
/// message and request id, and what to do about it. Secrets never appear in it.
public struct FirehoseError: Error, Sendable, CustomStringConvertible, AWSServiceError {
    public enum Failure: Sendable, Equatable {
        /// Firehose answered with an error status.
        case response(FirehoseErrorResponse)
        /// No answer: connection refused, reset, timed out.
        case transport(kind: HTTPTransportError.Kind, message: String)
        /// An answer Firehose would not send (not JSON, fewer `RequestResponses` than records).
        case malformedResponse(String)
        /// The call succeeded but some records kept failing (`FailedPutCount` > 0) after every
        /// per-record retry: how many, and the first failure's code and message.
        case recordsFailed(count: Int, code: String, message: String)
        /// Records over the per-record limit, never sent, given to a caller (`deliver`) that has
        /// no error output for them.
        case recordsTooLarge(count: Int, limit: Int)
    }

    public var operation: FirehoseOperation
    public var streamName: String
    public var failure: Failure
    public var attempts: Int

    public init(operation: FirehoseOperation, streamName: String, failure: Failure, attempts: Int = 1) {
        self.operation = operation
        self.streamName = streamName
        self.failure = failure
        self.attempts = attempts
    }

    /// Firehose's error code (`ResourceNotFoundException`, `ServiceUnavailableException`, ...).
    public var code: String? {
        switch failure {
        case .response(let response): response.code
        case .recordsFailed(_, let code, _): code
        default: nil
        }
    }

    /// Worth sending the same call again: throttling, Firehose-side errors, lost connections.
    public var isRetryable: Bool {
        switch failure {
        case .response(let response):
            if response.status >= 500 || response.status == 429 { return true }
            return Self.retryableCodes.contains(code ?? "")
        case .transport(let kind, _):
            return kind == .timedOut || kind == .connectionDropped || kind == .connectionFailed
        case .malformedResponse, .recordsFailed, .recordsTooLarge:
            return false
        }
    }

    var meansExpiredCredentials: Bool { ["ExpiredTokenException", "ExpiredToken", "RequestExpired"].contains(code) }

    static let retryableCodes: Set<String> = [
        "ServiceUnavailableException", "InternalFailure", "ThrottlingException", "Throttling", "LimitExceededException",
        "RequestTimeout", "RequestTimeoutException", "ExpiredTokenException", "ExpiredToken", "RequestExpired",
    ]

    public var description: String {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        var text = "Firehose \(operation.rawValue) to delivery stream \"\(streamName)\" failed\(tries): "
        switch failure {
        case .response(let response):
            text += awsErrorAnswerText(status: response.status, code: code, message: response.message, requestID: response.requestID)
        case .transport(_, let message):
            text += message
        case .malformedResponse(let reason):
            text += reason
        case .recordsFailed(let count, let code, let message):
            text += "\(count) record\(count == 1 ? "" : "s") still refused, first with \(code): \(message)"
        case .recordsTooLarge(let count, let limit):
            text +=
                "\(count) record\(count == 1 ? " is" : "s are") over \(limit) bytes (1,000 KiB) and were not sent; "
                + "call deliverSettingAsideRejects to have them written to the error output"
        }
        if let hint { text += ". " + hint }
        return text
    }

    /// What to do, for the codes a user can act on.
    public var hint: String? {
        if case .transport = failure {
            return "Check the network path to Firehose and AWS_ENDPOINT_URL_FIREHOSE; the records stay buffered and are sent again"
        }
        let arn = "arn:aws:firehose:<region>:<account>:deliverystream/\(streamName)"
        switch code ?? "" {
        case "ResourceNotFoundException":
            return "No such delivery stream in this region: check FIREHOSE_STREAM_NAME, AWS_REGION and AWS_ENDPOINT_URL_FIREHOSE; "
                + "create the stream (Direct PUT source) before tweet-ingest starts"
        case "AccessDeniedException", "AccessDenied":
            return "The credentials are not allowed to do this: the IAM policy needs \(operation.permission) on \(arn)"
        case "UnrecognizedClientException", "InvalidClientTokenId":
            return "Firehose does not know this access key id (a deleted key, another account or another endpoint): check the credentials"
        case "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature":
            return
                "The secret access key does not belong to the access key id: check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key"
        case "ExpiredTokenException", "ExpiredToken", "RequestExpired":
            return "The session token expired; refresh the temporary credentials"
        case "InvalidArgumentException":
            return "Firehose refused the request; a stream whose source is a Kinesis data stream or MSK does not take "
                + "PutRecordBatch: use a Direct PUT stream"
        case "InvalidKMSResourceException":
            return
                "The stream's KMS key cannot be used (disabled, deleted, or Firehose lost its grant): fix the key or the stream's encryption"
        case "ServiceUnavailableException", "InternalFailure", "ThrottlingException", "LimitExceededException":
            return "Firehose is busy or the stream's throughput quota is used up; the records stay buffered and are sent again"
        default:
            return nil
        }
    }
}
