import FoundationEssentials
import Logging

/// Sends S3 requests: signs each attempt afresh (new date, current credentials), retries what
/// is worth retrying with capped exponential backoff and full jitter, and turns failures into
/// `S3Error`s. A retry resends the same operation on the same key, so it can never create a
/// second object.
public struct S3Client: Sendable {
    public let requests: S3RequestBuilder
    public var sender: AWSSender

    public init(
        http: any HTTPClient, requests: S3RequestBuilder, credentials: AWSCredentialChain, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.requests = requests
        sender = AWSSender(http: http, credentials: credentials, logger: logger, now: now, sleep: sleep, randomUnit: randomUnit)
    }

    public var bucket: String { requests.bucket }

    /// Sends the request `build` makes, until a 2xx answer or a failure not worth retrying.
    /// Throws `S3Error`, `AWSCredentialError` (no credentials), `SigV4Error` or `CancellationError`.
    public func send(
        _ operation: S3Operation, key: String?, maxAttempts: Int? = nil,
        _ build: (S3RequestBuilder, AWSCredentials, Date) throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        try await sender.send(
            maxAttempts: maxAttempts, retryMessage: "S3 request failed; retrying",
            build: { try build(requests, $0, $1) },
            accepts: { response in
                // CompleteMultipartUpload can answer 200 with an <Error> document.
                (200...299).contains(response.status)
                    && !(operation == .completeMultipartUpload && S3ErrorResponse.isErrorDocument(response.body))
            },
            failure: { failure, attempt in
                let named: S3Error.Failure =
                    switch failure {
                    case .response(let response): .response(S3ErrorResponse(response))
                    case .transport(let kind, let message): .transport(kind: kind, message: message)
                    }
                return S3Error(operation: operation, bucket: bucket, key: key, failure: named, attempts: attempt)
            },
            metadata: { error in
                [
                    "s3.operation": "\(operation.rawValue)", "s3.bucket": "\(bucket)", "s3.key": "\(key ?? "")",
                    "s3.error_code": "\(error.code ?? "-")",
                ]
            })
    }
}
