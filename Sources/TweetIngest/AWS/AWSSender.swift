import FoundationEssentials
import Logging

/// How one attempt at an AWS call went wrong, before a service's client names it.
enum AWSAttemptFailure {
    /// An answer the service's client does not accept (an error status, an error document).
    case response(HTTPResponse)
    /// No answer: connection refused, reset, timed out.
    case transport(kind: HTTPTransportError.Kind, message: String)
}

/// What the shared retry loop needs to know of a service's error (`S3Error`, `FirehoseError`).
protocol AWSServiceError: Error, CustomStringConvertible {
    var code: String? { get }
    var isRetryable: Bool { get }
    /// The call failed because the credentials ran out: they are fetched again before the next attempt.
    var meansExpiredCredentials: Bool { get }
}

/// The sending half of `S3Client` and `FirehoseClient`: signs each attempt afresh (new date,
/// current credentials), retries what the service's error says is worth retrying with capped
/// exponential backoff and full jitter, and logs each retry.
public struct AWSSender: Sendable {
    public let http: any HTTPClient
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
        http: any HTTPClient, credentials: AWSCredentialChain, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.http = http
        self.credentials = credentials
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.randomUnit = randomUnit
    }

    /// Sends the request `build` makes until `accepts` takes the answer or `failure` names an
    /// error not worth retrying (thrown). Each retry is logged as `retryMessage` with the
    /// error's own `metadata` beside the attempt and delay.
    func send<Failure: AWSServiceError>(
        maxAttempts: Int?, retryMessage: Logger.Message,
        build: (AWSCredentials, Date) throws -> HTTPRequest,
        accepts: (HTTPResponse) -> Bool,
        failure: (AWSAttemptFailure, _ attempt: Int) -> Failure,
        metadata: (Failure) -> Logger.Metadata
    ) async throws -> HTTPResponse {
        let limit = max(1, maxAttempts ?? self.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let request = try build(try await credentials.credentials(), now())
            let error: Failure
            do {
                let response = try await http.execute(request)
                if accepts(response) { return response }
                error = failure(.response(response), attempt)
            } catch let transport as HTTPTransportError {
                if transport.kind == .cancelled { throw CancellationError() }
                error = failure(.transport(kind: transport.kind, message: transport.message), attempt)
            }
            if error.meansExpiredCredentials { await credentials.invalidate() }
            guard error.isRetryable, attempt < limit else { throw error }
            let delay = backoff.delay(attempt: attempt, unit: randomUnit())
            logger.warning(
                retryMessage,
                metadata: metadata(error).merging(
                    [
                        "error": "\(error)", "retry.attempt": "\(attempt)",
                        "retry.delay_seconds": "\(fixed(delay, digits: 2))",
                    ], uniquingKeysWith: { _, shared in shared }))
            try await sleep(delay)
        }
    }
}

/// "HTTP 403 AccessDenied: message (request id X)": an AWS error answer as S3Error and
/// FirehoseError show it.
func awsErrorAnswerText(status: Int, code: String?, message: String?, requestID: String?) -> String {
    var text = "HTTP \(status)"
    if let code { text += " \(code)" }
    if let message { text += ": \(message)" }
    if let requestID { text += " (request id \(requestID))" }
    return text
}
