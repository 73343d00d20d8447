import FoundationEssentials

/// Builds `GET /2/tweets/search/recent` requests; pure.
public struct RecentSearchRequestBuilder: Sendable {
    public var apiURL: String
    public var bearerToken: Secret
    public var query: String
    public var maxResults: Int
    public var tweetFields: String
    public var userFields: String
    public var expansions: String
    public var mediaFields: String
    public var pollFields: String
    public var placeFields: String
    public var timeoutSeconds: Int
    /// How old a post must be before a request asks for it (`end_time`).
    public var settleSeconds: Int
    /// Posts a UTC day may read; nil: no budget.
    public var maxPostsPerDay: Int?

    public init(config: Config.Twitter, bearerToken: Secret, query: String) {
        apiURL = config.apiURL
        self.bearerToken = bearerToken
        self.query = query
        maxResults = config.maxResults
        tweetFields = config.tweetFields
        userFields = config.userFields
        expansions = config.expansions
        mediaFields = config.mediaFields
        pollFields = config.pollFields
        placeFields = config.placeFields
        timeoutSeconds = config.requestTimeoutSeconds
        settleSeconds = config.settleSeconds
        maxPostsPerDay = config.maxPostsPerDay
    }

    /// A request for one page: the cycle's bounds (`since_id`/`start_time`, `until_id`) and its
    /// `end_time` on every page, plus `next_token` after the first. `maxResults` overrides the
    /// configured page size (a daily budget near its end).
    ///
    /// `media.fields`, `poll.fields` and `place.fields` go only with an expansion that brings
    /// such objects: the API accepts them regardless, but without one they ask for nothing and
    /// only make the URL longer and the request harder to read in a log.
    public func request(
        bounds: [(String, String)], endTime: Date? = nil, nextToken: String?, maxResults pageSize: Int? = nil
    ) -> HTTPRequest {
        var parameters: [(String, String)] = [
            ("query", query),
            ("max_results", String(pageSize ?? maxResults)),
            ("tweet.fields", tweetFields),
            ("user.fields", userFields),
            ("expansions", expansions),
        ]
        let requested = expansions.split(separator: ",")
        if requested.contains(where: { $0.hasSuffix("media_keys") || $0.hasSuffix("cover_media") || $0.hasSuffix("media_entities") }) {
            parameters.append(("media.fields", mediaFields))
        }
        if requested.contains(where: { $0.hasSuffix("poll_ids") }) { parameters.append(("poll.fields", pollFields)) }
        if requested.contains(where: { $0.hasSuffix("place_id") }) { parameters.append(("place.fields", placeFields)) }
        parameters += bounds
        if let endTime { parameters.append(("end_time", UTCTime(endTime).rfc3339Seconds)) }
        if let nextToken { parameters.append(("next_token", nextToken)) }
        return .xAPI(
            apiURL: apiURL, path: "/2/tweets/search/recent", parameters: parameters, bearerToken: bearerToken,
            timeoutSeconds: timeoutSeconds)
    }

    /// RFC 3986: everything but unreserved characters is escaped (so `:` `+` `#` in queries survive).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension HTTPRequest {
    /// A GET to the X API (recent search, counts, usage): the bearer token, a JSON answer wanted,
    /// `parameters` percent-encoded in the order given.
    static func xAPI(
        apiURL: String, path: String, parameters: [(String, String)] = [], bearerToken: Secret, timeoutSeconds: Int
    ) -> HTTPRequest {
        let query = parameters.map { "\($0.0)=\(RecentSearchRequestBuilder.percentEncode($0.1))" }.joined(separator: "&")
        return HTTPRequest(
            method: "GET",
            url: "\(apiURL)\(path)\(query.isEmpty ? "" : "?" + query)",
            headers: [("Authorization", "Bearer \(bearerToken.value)"), ("Accept", "application/json")],
            timeoutSeconds: timeoutSeconds)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
