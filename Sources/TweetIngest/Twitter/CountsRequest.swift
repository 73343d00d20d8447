import FoundationEssentials

/// Builds `GET /2/tweets/counts/recent` requests for the configured query; pure.
public struct CountsRequestBuilder: Sendable {
    public var apiURL: String
    public var bearerToken: Secret
    public var query: String
    public var timeoutSeconds: Int

    public init(config: Config.Twitter, bearerToken: Secret, query: String) {
        apiURL = config.apiURL
        self.bearerToken = bearerToken
        self.query = query
        timeoutSeconds = config.requestTimeoutSeconds
    }

    /// Posts per `granularity` bucket over recent search's 7-day window (the API's default span).
    public func request(granularity: String = "day") -> HTTPRequest {
        .xAPI(
            apiURL: apiURL, path: "/2/tweets/counts/recent", parameters: [("query", query), ("granularity", granularity)],
            bearerToken: bearerToken, timeoutSeconds: timeoutSeconds)
    }
}

/// Asks counts/recent once, answering as recent search does: 401/403 and 400 throw the same
/// `SearchError` the daemon stops with; 5xx and network failures are retried with backoff.
public struct CountsClient: Sendable {
    public let client: any HTTPClient
    public let builder: CountsRequestBuilder
    public let sleep: @Sendable (TimeInterval) async throws -> Void
    public let random: @Sendable () -> Double
    public var backoff = Backoff()
    public var maxAttempts = 5

    public init(
        client: any HTTPClient, builder: CountsRequestBuilder, sleep: @escaping @Sendable (TimeInterval) async throws -> Void,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.client = client
        self.builder = builder
        self.sleep = sleep
        self.random = random
    }

    public func fetch(granularity: String = "day") async throws -> CountsReport {
        let request = builder.request(granularity: granularity)
        var attempt = 0
        while true {
            let failure: String
            do {
                let response = try await client.execute(request)
                switch SearchResponse(response) {
                case .page:
                    do {
                        return try CountsReport(body: response.body)
                    } catch {
                        throw CountsError.unusableAnswer(error.description)
                    }
                case .badRequest(let text):
                    throw SearchError.badRequest(text)
                case .notAuthorized(let status, let text):
                    throw SearchError.notAuthorized(status: status, text)
                case .retryable(let text):
                    failure = text
                default:
                    // 429: a rate-limit window or a usage cap; waiting minutes or days is not
                    // what a one-off question should do.
                    throw CountsError.refused(
                        status: response.status, APIProblem(body: response.body).summary, retryAfter: RateLimit(response).reset)
                }
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                failure = "\(error.kind): \(error.message)"
            }
            attempt += 1
            guard attempt < maxAttempts else {
                throw CountsError.unreachable(apiURL: builder.apiURL, attempts: attempt, failure)
            }
            try await sleep(backoff.delay(attempt: attempt, unit: random()))
        }
    }
}

/// Why the post counts could not be had; retrying later may help, the settings are fine.
public enum CountsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(apiURL: String, attempts: Int, String)
    case refused(status: Int, String, retryAfter: Date?)
    case unusableAnswer(String)

    public var description: String {
        switch self {
        case .unreachable(let apiURL, let attempts, let failure):
            "could not get post counts from \(apiURL) after \(attempts) attempts (last: \(failure)). Check the network path to TWITTER_API_URL and try again."
        case .refused(let status, let text, let retryAfter):
            "the X API refused counts/recent for now (\(status): \(text)); try again after \(retryAfter.map { UTCTime($0).rfc3339Seconds } ?? "a few minutes")."
        case .unusableAnswer(let reason):
            "the X API answered counts/recent with 200 but \(reason). Try again in a few minutes; if it keeps happening, the endpoint's answer has changed shape and tweet-ingest needs an update."
        }
    }
}
