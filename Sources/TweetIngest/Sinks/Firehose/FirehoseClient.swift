import FoundationEssentials
import Logging

/// Sends Firehose requests: signs each attempt afresh (new date, current credentials), retries
/// whole calls that failed for a passing reason (5xx, throttling, lost connections) with capped
/// exponential backoff and full jitter, and turns failures into `FirehoseError`s.
///
/// A whole-call retry after a timeout may send records Firehose had already taken (its own
/// documentation says so); partial failures are retried record by record by `FirehoseSink`.
public struct FirehoseClient: Sendable {
    public let http: any HTTPClient
    public let requests: FirehoseRequestBuilder
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
        http: any HTTPClient, requests: FirehoseRequestBuilder, credentials: AWSCredentialChain, logger: Logger,
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

    public var streamName: String { requests.streamName }

    /// Sends the request `build` makes until a 2xx answer or a failure not worth retrying.
    /// Throws `FirehoseError`, `AWSCredentialError` (no credentials), `SigV4Error` or `CancellationError`.
    public func send(
        _ operation: FirehoseOperation, maxAttempts: Int? = nil,
        _ build: (FirehoseRequestBuilder, AWSCredentials, Date) throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        let limit = max(1, maxAttempts ?? self.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let request = try build(requests, try await credentials.credentials(), now())
            let failure: FirehoseError.Failure
            do {
                let response = try await http.execute(request)
                if (200...299).contains(response.status) { return response }
                failure = .response(FirehoseErrorResponse(response))
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                failure = .transport(kind: error.kind, message: error.message)
            }
            let error = FirehoseError(operation: operation, streamName: streamName, failure: failure, attempts: attempt)
            if ["ExpiredTokenException", "ExpiredToken", "RequestExpired"].contains(error.code) { await credentials.invalidate() }
            guard error.isRetryable, attempt < limit else { throw error }
            let delay = backoff.delay(attempt: attempt, unit: randomUnit())
            logger.warning(
                "Firehose request failed; retrying",
                metadata: [
                    "firehose.operation": "\(operation.rawValue)", "firehose.stream": "\(streamName)",
                    "firehose.error_code": "\(error.code ?? "-")", "error": "\(error)", "retry.attempt": "\(attempt)",
                    "retry.delay_seconds": "\(fixed(delay, digits: 2))",
                ])
            try await sleep(delay)
        }
    }
}
