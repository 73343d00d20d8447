import Foundation
import Testing

@testable import TweetIngest

@Suite("Config validation")
struct ConfigValidationTests {
    private func problems(_ environment: [String: String]) -> [ConfigProblem] { Config.problems(environment) }

    @Test(arguments: [
        ("BUFFER_SIZE_MB", "0", "from 1 to 128"),
        ("BUFFER_SIZE_MB", "129", "from 1 to 128"),
        ("BUFFER_SIZE_MB", "5MB", "from 1 to 128"),
        ("BUFFER_INTERVAL_SECONDS", "901", "from 0 to 900"),
        ("BUFFER_INTERVAL_SECONDS", "-1", "from 0 to 900"),
        ("TWITTER_MAX_RESULTS", "9", "from 10 to 100"),
        ("TWITTER_MAX_RESULTS", "101", "from 10 to 100"),
        ("TWITTER_POLL_INTERVAL_SECONDS", "every minute", "from 1 to 86400"),
        ("TWITTER_REQUEST_TIMEOUT_SECONDS", "2.5", "from 1 to 300"),
        ("COMPRESSION", "zip", "none, gzip"),
        ("TWITTER_API_URL", "ftp://api.twitter.com", "http(s) base URL"),
        ("TWITTER_API_URL", "api.twitter.com", "http(s) base URL"),
        ("TWITTER_API_URL", "https://api.twitter.com?x=1", "http(s) base URL"),
        ("TWITTER_TWEET_FIELDS", "created_at,,lang", "comma-separated list"),
        ("TWITTER_USER_FIELDS", "User Name", "comma-separated list"),
        ("STREAM_NAME", "my stream!", "1 to 64 characters"),
        ("STREAM_NAME", String(repeating: "s", count: 65), "1 to 64 characters"),
        ("TWITTER_START_TIME", "yesterday", "duration up to 7d"),
        ("LOG_LEVEL", "verbose", "trace, debug, info"),
        ("TWITTER_SETTLE_SECONDS", "9", "from 10 to 3600"),
        ("TWITTER_SETTLE_SECONDS", "3601", "from 10 to 3600"),
        ("TWITTER_MAX_POSTS_PER_DAY", "9", "from 10 to 100000000"),
        ("TWITTER_MAX_POSTS_PER_DAY", "100000001", "from 10 to 100000000"),
        ("TWITTER_MAX_POSTS_PER_DAY", "1e6", "from 10 to 100000000"),
        ("TWITTER_PRICE_PER_POST_READ", "-0.005", "from 0 to 10"),
        ("TWITTER_PRICE_PER_POST_READ", "$0.005", "from 0 to 10"),
        ("TWITTER_PRICE_PER_USER_READ", "10.5", "from 0 to 10"),
        ("TWITTER_PRICE_PER_USER_READ", "1e-2", "from 0 to 10"),
        ("TWITTER_MEDIA_FIELDS", "alt text", "comma-separated list"),
        ("TWITTER_POLL_FIELDS", "id,", "comma-separated list"),
        ("TWITTER_PLACE_FIELDS", "Full_Name", "comma-separated list"),
    ])
    func rejectsABadValueNamingTheVariableTheValueAndWhatIsAllowed(variable: String, value: String, allowed: String) throws {
        let found = problems([variable: value])
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.variable == variable)
        #expect(problem.value == value)
        #expect(problem.allowed.contains(allowed))
        #expect(problem.description.hasPrefix(variable + "="))
        #expect(problem.description.contains(String(value.prefix(20))))
    }

    @Test func rejectsAQueryLongerThan4096Characters() throws {
        let query = String(repeating: "a", count: 4097)
        let problem = try #require(problems(["TWITTER_QUERY": query]).first)
        #expect(problem.variable == "TWITTER_QUERY")
        #expect(problem.value == query)
        #expect(problem.allowed.contains("4096"))
        #expect(problem.allowed.contains("4097"))
        #expect(problems(["TWITTER_QUERY": String(repeating: "a", count: 4096)]).isEmpty)
    }

    @Test func acceptsAQueryThatHigherAccessLevelsAllow() throws {
        let query = (1...100).map { "from:user\($0)" }.joined(separator: " OR ")
        #expect(query.count > 512)
        let config = try Config(environment: ["TWITTER_QUERY": query])
        #expect(config.twitter.query == query)
    }

    @Test func requireSearchSettingsNamesTheQueryLimit() throws {
        let config = try Config(environment: ["TWITTER_BEARER_TOKEN": "t"])
        #expect(throws: ConfigError.self) { try config.requireSearchSettings() }
        do {
            try config.requireSearchSettings()
        } catch {
            #expect(error.problems.first?.allowed.contains("4096") == true)
        }
    }

    @Test func priceProblemsSayTheUnitAndTheDefault() throws {
        let problem = try #require(problems(["TWITTER_PRICE_PER_POST_READ": "five"]).first)
        #expect(problem.description.contains("TWITTER_PRICE_PER_POST_READ=\"five\""))
        #expect(problem.allowed.contains("US dollars"))
        #expect(problem.allowed.contains("default 0.005"))
    }

    @Test func reportsEveryBadValueAtOnce() throws {
        let found = problems([
            "BUFFER_SIZE_MB": "0", "BUFFER_INTERVAL_SECONDS": "901", "TWITTER_MAX_RESULTS": "9", "COMPRESSION": "zip",
            "STREAM_NAME": "a b", "TWITTER_START_TIME": "8d",
        ])
        #expect(
            Set(found.map(\.variable)) == [
                "BUFFER_SIZE_MB", "BUFFER_INTERVAL_SECONDS", "TWITTER_MAX_RESULTS", "COMPRESSION", "STREAM_NAME", "TWITTER_START_TIME",
            ])
        let error = try #require(throws: ConfigError.self) {
            try Config(environment: ["BUFFER_SIZE_MB": "0", "COMPRESSION": "zip"])
        }
        #expect(error.description.split(separator: "\n").count == 2)
    }

    @Test func neverRevealsTheBearerToken() throws {
        let token = "AAAAAAAAAAAAAAAAAAAAAtweetIngestSecretToken%2Fzz9"
        let bad = try #require(throws: ConfigError.self) {
            try Config(environment: [
                "TWITTER_BEARER_TOKEN": token, "BUFFER_SIZE_MB": "0", "TWITTER_QUERY": String(repeating: "q", count: 600),
            ])
        }
        #expect(!bad.description.contains(token))
        #expect(!bad.problems.contains { ($0.value ?? "").contains(token) })

        let config = try Config(environment: ["TWITTER_BEARER_TOKEN": token, "TWITTER_QUERY": "obama"])
        #expect(config.twitter.bearerToken?.value == token)
        let summary = config.summary.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: "\n")
        #expect(!summary.contains(token))
        #expect(summary.contains("TWITTER_BEARER_TOKEN=<redacted>"))
        #expect(!String(describing: config).contains(token))
        #expect(!String(reflecting: config).contains(token))
    }

    @Test func requireSearchSettingsDemandsTokenAndQuery() throws {
        let missingBoth = try #require(throws: ConfigError.self) { try Config(environment: [:]).requireSearchSettings() }
        #expect(missingBoth.problems.map(\.variable) == ["TWITTER_BEARER_TOKEN", "TWITTER_QUERY"])
        #expect(missingBoth.problems.allSatisfy { $0.value == nil && $0.description.contains("is not set") })

        let missingQuery = try #require(throws: ConfigError.self) {
            try Config(environment: ["TWITTER_BEARER_TOKEN": "t", "TWITTER_QUERY": "   "]).requireSearchSettings()
        }
        #expect(missingQuery.problems.map(\.variable) == ["TWITTER_QUERY"])

        try Config(environment: ["TWITTER_BEARER_TOKEN": "t", "TWITTER_QUERY": "obama"]).requireSearchSettings()
    }

    @Test func bearerTokenWithATrailingLineBreakIsTrimmed() throws {
        // Secrets mounted from files often end in a newline; it must not reach the Authorization header.
        let config = try Config(environment: ["TWITTER_BEARER_TOKEN": "AAAAtoken\n", "TWITTER_QUERY": "obama"])
        let token = try #require(config.twitter.bearerToken)
        let header = RecentSearchRequestBuilder(config: config.twitter, bearerToken: token, query: "obama")
            .request(bounds: [], nextToken: nil).header("Authorization")
        #expect(header == "Bearer AAAAtoken")
    }

    @Test func queryOfOnlyLineBreaksCountsAsUnset() throws {
        let config = try Config(environment: ["TWITTER_BEARER_TOKEN": "t", "TWITTER_QUERY": "\n\n"])
        #expect(config.twitter.query == nil)
        #expect(throws: ConfigError.self) { try config.requireSearchSettings() }
    }

    @Test func warnsAboutUnknownVariablesWithOurPrefixes() throws {
        let config = try Config(environment: [
            "TWITTER_QUERRY": "obama", "S3_BUKET": "b", "BUFFER_SIZE": "5", "HOME": "/root", "AWS_REGION": "eu-west-1",
        ])
        #expect(config.warnings.count == 3)
        for name in ["TWITTER_QUERRY", "S3_BUKET", "BUFFER_SIZE"] {
            #expect(config.warnings.contains { $0.hasPrefix(name + " ") }, "no warning for \(name)")
        }
        #expect(!config.warnings.contains { $0.contains("HOME") || $0.contains("AWS_REGION") })
    }

    @Test func warnsWhenAuthorsCannotBeInlined() throws {
        let config = try Config(environment: ["TWITTER_EXPANSIONS": "geo.place_id"])
        let warning = try #require(config.warnings.first { $0.contains("TWITTER_EXPANSIONS") })
        #expect(warning.contains("author_id"))
        #expect(warning.contains("{}"))
    }
}

@Suite("TWITTER_START_TIME")
struct StartTimeTests {
    @Test(arguments: [("6h", 21_600), ("30m", 1800), ("1h30m", 5400), ("7d", 604_800), ("90s", 90), (" 2D ", 172_800)])
    func acceptsADurationUpToSevenDays(text: String, seconds: Int) throws {
        let config = try Config(environment: ["TWITTER_START_TIME": text])
        #expect(config.twitter.startTime == .ago(seconds: seconds))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(config.twitter.startTime.resolve(now: now) == now.addingTimeInterval(-Double(seconds)))
    }

    @Test(arguments: ["2026-01-02T03:04:05Z", "2026-01-02T05:04:05+02:00", "2026-01-02T03:04:05.000Z"])
    func acceptsAnRFC3339Time(text: String) throws {
        let config = try Config(environment: ["TWITTER_START_TIME": text])
        #expect(config.twitter.startTime == .at(Date(timeIntervalSince1970: 1_767_323_045)))
    }

    @Test func rejectsADateThatDoesNotExist() {
        #expect(throws: ConfigError.self) { try Config(environment: ["TWITTER_START_TIME": "2026-02-31T00:00:00Z"]) }
    }

    @Test(arguments: ["8d", "7d1s", "garbage", "6x", "h", "6", "-5m", "2026-13-02T03:04:05Z", "2026-01-02 03:04:05"])
    func rejectsAnythingElse(text: String) throws {
        let error = try #require(throws: ConfigError.self) { try Config(environment: ["TWITTER_START_TIME": text]) }
        #expect(error.problems.map(\.variable) == ["TWITTER_START_TIME"])
        #expect(error.problems.first?.value == text)
    }
}
