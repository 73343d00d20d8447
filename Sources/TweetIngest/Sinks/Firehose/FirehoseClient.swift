import FoundationEssentials
import Logging

/// Sends Firehose requests: signs each attempt afresh (new date, current credentials), retries
/// whole calls that failed for a passing reason (5xx, throttling, lost connections) with capped
/// exponential backoff and full jitter, and turns failures into `FirehoseError`s.
///
/// A whole-call retry after a timeout may send records Firehose had already taken (its own
/// documentation says so); partial failures are retried record by record by `FirehoseSink`.
public struct FirehoseClient: Sendable {
    public let requests: FirehoseRequestBuilder
    public var sender: AWSSender

    public init(
        http: any HTTPClient, requests: FirehoseRequestBuilder, credentials: AWSCredentialChain, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.requests = requests
        sender = AWSSender(http: http, credentials: credentials, logger: logger, now: now, sleep: sleep, randomUnit: randomUnit)
    }

    public var streamName: String { requests.streamName }

    /// Sends the request `build` makes until a 2xx answer or a failure not worth retrying.
    /// Throws `FirehoseError`, `AWSCredentialError` (no credentials), `SigV4Error` or `CancellationError`.
    public func send(
        _ operation: FirehoseOperation, maxAttempts: Int? = nil,
        _ build: (FirehoseRequestBuilder, AWSCredentials, Date) throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        try await sender.send(
            maxAttempts: maxAttempts, retryMessage: "Firehose request failed; retrying",
            build: { try build(requests, $0, $1) },
            accepts: { (200...299).contains($0.status) },
            failure: { failure, attempt in
                let named: FirehoseError.Failure =
                    switch failure {
                    case .response(let response): .response(FirehoseErrorResponse(response))
                    case .transport(let kind, let message): .transport(kind: kind, message: message)
                    }
                return FirehoseError(operation: operation, streamName: streamName, failure: named, attempts: attempt)
            },
            metadata: { error in
                [
                    "firehose.operation": "\(operation.rawValue)", "firehose.stream": "\(streamName)",
                    "firehose.error_code": "\(error.code ?? "-")",
                ]
            })
    }
}
