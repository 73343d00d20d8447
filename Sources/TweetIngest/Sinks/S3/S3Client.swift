import FoundationEssentials
import Logging

/// Sends S3 requests: signs each attempt afresh (new date, current credentials), retries what
/// is worth retrying with capped exponential backoff and full jitter, and turns failures into
/// `S3Error`s. A retry resends the same operation on the same key, so it can never create a
/// second object.
public struct S3Client: Sendable {
    public let http: any HTTPClient
    public let requests: S3RequestBuilder
    public let credentials: AWSCredentialChain
    public let logger: Logger
    public let now: @Sendable () -> Date
    public let sleep: @Sendable (TimeInterval) async throws -> Void
    /// A number in [0, 1) for the jitter; injected so tests are exact.
    public let randomUnit: @Sendable () -> Double
    /// Attempts per call, the first included. `Delivery` retries a failed object again later.
    public var maxAttempts = 4
    public var backoff = Backoff(base: 0.2, cap: 10)

    public init(
        http: any HTTPClient, requests: S3RequestBuilder, credentials: AWSCredentialChain, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.http = http
        self.requests = requests
        self.credentials = credentials
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.randomUnit = randomUnit
    }

    public var bucket: String { requests.bucket }

    /// Sends the request `build` makes, until a 2xx answer or a failure not worth retrying.
    /// Throws `S3Error`, `AWSCredentialError` (no credentials), `SigV4Error` or `CancellationError`.
    public func send(
        _ operation: S3Operation, key: String?, maxAttempts: Int? = nil,
        _ build: (S3RequestBuilder, AWSCredentials, Date) throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        let limit = max(1, maxAttempts ?? self.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let request = try build(requests, try await credentials.credentials(), now())
            let failure: S3Error.Failure
            do {
                let response = try await http.execute(request)
                let failedCompletion = operation == .completeMultipartUpload && S3ErrorResponse.isErrorDocument(response.body)
                if (200...299).contains(response.status), !failedCompletion { return response }
                failure = .response(S3ErrorResponse(response))
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                failure = .transport(kind: error.kind, message: error.message)
            }
            let error = S3Error(operation: operation, bucket: bucket, key: key, failure: failure, attempts: attempt)
            if ["ExpiredToken", "TokenRefreshRequired"].contains(error.code) { await credentials.invalidate() }
            guard error.isRetryable, attempt < limit else { throw error }
            let delay = backoff.delay(attempt: attempt, unit: randomUnit())
            logger.warning(
                "S3 request failed; retrying",
                metadata: [
                    "s3.operation": "\(operation.rawValue)", "s3.bucket": "\(bucket)", "s3.key": "\(key ?? "")",
                    "s3.error_code": "\(error.code ?? "-")", "error": "\(error)", "retry.attempt": "\(attempt)",
                    "retry.delay_seconds": "\(fixed(delay, digits: 2))",
                ])
            try await sleep(delay)
        }
    }
}
