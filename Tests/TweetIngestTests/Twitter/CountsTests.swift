import Foundation
import Testing

@testable import TweetIngest

@Suite("Post counts (counts/recent)")
struct CountsTests {
    static let recorded = "twarc_counts_recent_dogs_2021-10-23.json"
    private let token = "AAAA%2Fcounts-token"

    private func builder(query: String = "dogs lang:en", environment: [String: String] = [:]) throws -> CountsRequestBuilder {
        let config = try Config(environment: environment)
        return CountsRequestBuilder(config: config.twitter, bearerToken: Secret(token), query: query)
    }

    private func client(_ replies: [ScriptedReply], sleep: RecordingSleep = RecordingSleep()) throws -> (CountsClient, ScriptedHTTPClient) {
        let http = ScriptedHTTPClient(replies)
        let counts = CountsClient(client: http, builder: try builder(), sleep: sleep.closure, random: { 0.5 })
        return (counts, http)
    }

    // MARK: Parsing

    @Test func parsesTheRecordedAnswer() throws {
        let report = try CountsReport(body: Fixtures.bytes(Self.recorded))
        #expect(report.buckets.count == 169)
        #expect(report.total == 771_665)
        #expect(report.buckets.reduce(0) { $0 + $1.posts } == 771_665)
        #expect(report.buckets.first == .init(start: utc("2021-10-16T18:21:34Z"), end: utc("2021-10-16T19:00:00Z"), posts: 3961))
        #expect(report.buckets.last?.posts == 2773)
    }

    @Test func readsCountsSentAsStrings() throws {
        let body = #"""
            {"data":[{"end":"2026-01-02T00:00:00.000Z","start":"2026-01-01T00:00:00.000Z","tweet_count":"1200"},
            {"end":"2026-01-03T00:00:00.000Z","start":"2026-01-02T00:00:00.000Z","tweet_count":34}],
            "meta":{"total_tweet_count":"1234"}}
            """#
        let report = try CountsReport(body: Array(body.utf8))
        #expect(report.buckets.map(\.posts) == [1200, 34])
        #expect(report.total == 1234)
    }

    @Test func sumsTheBucketsWhenMetaIsMissing() throws {
        let body =
            #"{"data":[{"end":"2026-01-02T00:00:00Z","start":"2026-01-01T00:00:00Z","tweet_count":5},{"end":"2026-01-03T00:00:00Z","start":"2026-01-02T00:00:00Z","tweet_count":"7"}]}"#
        let report = try CountsReport(body: Array(body.utf8))
        #expect(report.total == 12)
    }

    @Test func aQueryWithoutMatchesHasNoBuckets() throws {
        let report = try CountsReport(body: Array(#"{"meta":{"total_tweet_count":0}}"#.utf8))
        #expect(report.buckets.isEmpty)
        #expect(report.total == 0)
    }

    @Test func leavesOutBucketsItCannotRead() throws {
        let body =
            #"{"data":[{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z","tweet_count":"many"},{"start":"yesterday","end":"2026-01-02T00:00:00Z","tweet_count":1},{"start":"2026-01-02T00:00:00Z","end":"2026-01-03T00:00:00Z","tweet_count":9}]}"#
        let report = try CountsReport(body: Array(body.utf8))
        #expect(report.buckets.map(\.posts) == [9])
        #expect(report.total == 9)
    }

    @Test func refusesABodyThatIsNotJSON() {
        #expect(throws: CountsParseError.self) { try CountsReport(body: Array("<html>bad gateway</html>".utf8)) }
    }

    // MARK: Request

    @Test func asksForDayBucketsOfTheQueryWithTheBearerToken() throws {
        let request = try builder(query: "#swift from:apple", environment: ["TWITTER_API_URL": "http://127.0.0.1:9000"]).request()
        #expect(request.method == "GET")
        #expect(request.url.hasPrefix("http://127.0.0.1:9000/2/tweets/counts/recent?"))
        #expect(request.queryParameters == ["query": "#swift from:apple", "granularity": "day"])
        #expect(request.header("authorization") == "Bearer \(token)")
        #expect(!request.url.contains(token))
        #expect(request.timeoutSeconds == 30)
    }

    @Test func defaultsToTheXAPIHost() throws {
        #expect(try builder().request().url.hasPrefix("https://api.x.com/2/tweets/counts/recent?query=dogs%20lang%3Aen&granularity=day"))
    }

    // MARK: Answers

    @Test func aRejectedTokenIsTheSameErrorRunStopsWith() async throws {
        let (counts, _) = try client([.response(try Fixtures.errorResponse("http401_unauthorized.json"))])
        await #expect {
            _ = try await counts.fetch()
        } throws: { error in
            guard case SearchError.notAuthorized(401, _) = error else { return false }
            return ExitStatus.code(for: error) == ExitStatus.notAuthorized
        }
    }

    @Test func aBadQueryIsTheSameErrorRunStopsWith() async throws {
        let (counts, _) = try client([.response(try Fixtures.errorResponse("http400_invalid_query.json"))])
        await #expect {
            _ = try await counts.fetch()
        } throws: { error in
            guard case SearchError.badRequest = error else { return false }
            return ExitStatus.code(for: error) == ExitStatus.config
        }
    }

    @Test func retriesServerErrorsAndNetworkFailures() async throws {
        let sleep = RecordingSleep()
        let body =
            #"{"data":[{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z","tweet_count":3}],"meta":{"total_tweet_count":3}}"#
        let (counts, http) = try client([.status(503, body: "{}"), .dropped(), .ok(Array(body.utf8))], sleep: sleep)
        let report = try await counts.fetch()
        #expect(report.total == 3)
        #expect(http.requests.count == 3)
        #expect(sleep.durations.count == 2)
    }

    @Test func givesUpAfterFiveFailedAttemptsSayingWhatFailed() async throws {
        let (counts, http) = try client(Array(repeating: .dropped("Connection refused"), count: 5))
        await #expect {
            _ = try await counts.fetch()
        } throws: { error in
            guard let error = error as? CountsError, case .unreachable(_, 5, _) = error else { return false }
            return error.description.contains("Connection refused") && error.description.contains("TWITTER_API_URL")
                && ExitStatus.code(for: error) == ExitStatus.failure
        }
        #expect(http.requests.count == 5)
    }

    @Test func aRateLimitIsReportedWithTheResetTime() async throws {
        let headers = [(name: "x-rate-limit-remaining", value: "0"), (name: "x-rate-limit-reset", value: "1767323105")]
        let (counts, http) = try client([.status(429, body: #"{"title":"Too Many Requests"}"#, headers: headers)])
        await #expect {
            _ = try await counts.fetch()
        } throws: { error in
            "\(error)".contains("2026-01-02T03:05:05Z") && "\(error)".contains("429")
        }
        #expect(http.requests.count == 1)
    }

    // MARK: Daily volume for the budget warning

    @Test func dailyVolumeAsksAtMostOnceAUTCDayAndAveragesTheFullDays() async throws {
        let clock = FakeWallClock()  // 2026-01-02T03:04:05Z
        let body = #"""
            {"data":[{"start":"2025-12-26T03:04:05Z","end":"2025-12-27T00:00:00Z","tweet_count":5000},
            {"start":"2025-12-27T00:00:00Z","end":"2025-12-28T00:00:00Z","tweet_count":100},
            {"start":"2025-12-28T00:00:00Z","end":"2025-12-29T00:00:00Z","tweet_count":300},
            {"start":"2026-01-02T00:00:00Z","end":"2026-01-02T03:03:35Z","tweet_count":9000}]}
            """#
        let http = ScriptedHTTPClient([.ok(Array(body.utf8)), .status(503), .status(503), .ok(Array(body.utf8))])
        let counts = CountsClient(client: http, builder: try builder(), sleep: RecordingSleep().closure, random: { 0 })
        let volume = DailyPostVolume(counts: counts, logger: silentLogger, now: clock.nowClosure)
        #expect(await volume.current() == 200)
        clock.advance(by: 20 * 3600)  // 23:04 the same UTC day
        #expect(await volume.current() == 200)
        #expect(http.requests.count == 1)
        #expect(http.requests[0].queryParameters["granularity"] == "day")

        var failing = counts
        failing.maxAttempts = 2
        let flaky = DailyPostVolume(counts: failing, logger: silentLogger, now: clock.nowClosure)
        #expect(await flaky.current() == nil)  // both attempts 503: no answer today
        #expect(await flaky.current() == nil)
        #expect(http.requests.count == 3)
        clock.advance(by: 3600)  // the next UTC day
        #expect(await flaky.current() == 200)
        #expect(http.requests.count == 4)
    }
}

private func utc(_ text: String) -> Date {
    guard let date = parseRFC3339(text) else { fatalError("not RFC 3339: \(text)") }
    return date
}
