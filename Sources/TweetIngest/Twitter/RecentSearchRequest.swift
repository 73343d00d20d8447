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
    public var timeoutSeconds: Int

    public init(config: Config.Twitter, bearerToken: Secret, query: String) {
        apiURL = config.apiURL
        self.bearerToken = bearerToken
        self.query = query
        maxResults = config.maxResults
        tweetFields = config.tweetFields
        userFields = config.userFields
        expansions = config.expansions
        timeoutSeconds = config.requestTimeoutSeconds
    }

    /// A request for one page: the cycle's bounds (`since_id`/`start_time`, `until_id`) on every
    /// page, plus `next_token` after the first.
    public func request(bounds: [(String, String)], nextToken: String?) -> HTTPRequest {
        var parameters: [(String, String)] = [
            ("query", query),
            ("max_results", String(maxResults)),
            ("tweet.fields", tweetFields),
            ("user.fields", userFields),
            ("expansions", expansions),
        ]
        parameters += bounds
        if let nextToken { parameters.append(("next_token", nextToken)) }
        let queryString = parameters.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        return HTTPRequest(
            method: "GET",
            url: "\(apiURL)/2/tweets/search/recent?\(queryString)",
            headers: [("Authorization", "Bearer \(bearerToken.value)"), ("Accept", "application/json")],
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

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
