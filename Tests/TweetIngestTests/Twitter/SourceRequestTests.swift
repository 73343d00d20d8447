import Foundation
import Testing

@testable import TweetIngest

/// What each recent-search request asks for in 2026: every field twarc2 asks for, the settle lag
/// as `end_time` on every page, and a page size that respects the daily budget.
@Suite("Recent search requests: fields, settle lag, budget")
struct SourceRequestTests {
    /// 2026-01-02T03:04:05Z minus the default 30 s settle lag.
    private let defaultEndTime = "2026-01-02T03:03:35Z"

    @Test func defaultRequestAsksForMediaPollsAndPlacesWithTwarcsFields() async throws {
        var harness = try PollerHarness([.ok(Pages.page(ids: [30]))])
        _ = try await harness.runCycle()
        let sent = try #require(harness.sentParameters.first)
        #expect(sent["tweet.fields"] == Config.defaultTweetFields)
        #expect(sent["user.fields"] == Config.defaultUserFields)
        #expect(sent["expansions"] == Config.defaultExpansions)
        #expect(sent["media.fields"] == Config.defaultMediaFields)
        #expect(sent["poll.fields"] == Config.defaultPollFields)
        #expect(sent["place.fields"] == Config.defaultPlaceFields)
        #expect(sent["tweet.fields"]?.split(separator: ",").contains("note_tweet") == true)
    }

    @Test func objectFieldsGoOnlyWithAnExpansionThatBringsThoseObjects() throws {
        let config = try Config(environment: ["TWITTER_EXPANSIONS": "author_id,geo.place_id", "TWITTER_PLACE_FIELDS": "id,full_name"])
        let builder = RecentSearchRequestBuilder(config: config.twitter, bearerToken: Secret("t"), query: "q")
        let sent = builder.request(bounds: [], nextToken: nil).queryParameters
        #expect(sent["place.fields"] == "id,full_name")
        #expect(sent["media.fields"] == nil)
        #expect(sent["poll.fields"] == nil)
    }

    @Test func everyPageOfACycleEndsTheSettleLagAgo() async throws {
        var harness = try PollerHarness([
            .ok(Pages.page(ids: [30, 29], nextToken: "t1")), .ok(Pages.page(ids: [28], nextToken: "t2")), .ok(Pages.page(ids: [27])),
        ])
        _ = try await harness.runCycle()
        #expect(harness.sentParameters.count == 3)
        #expect(harness.sentParameters.map { $0["end_time"] } == Array(repeating: defaultEndTime, count: 3))
        #expect(harness.sentParameters.map { $0["next_token"] } == [nil, "t1", "t2"])
    }

    @Test func settleLagIsConfigurableAndFollowsTheClock() async throws {
        var harness = try PollerHarness(
            [.ok(Pages.page(ids: [30])), .ok(Pages.empty())], environment: ["TWITTER_SETTLE_SECONDS": "600"])
        _ = try await harness.runCycle()
        harness.clock.advance(by: 60)
        _ = try await harness.runCycle()
        #expect(harness.sentParameters.map { $0["end_time"] } == ["2026-01-02T02:54:05Z", "2026-01-02T02:55:05Z"])
        #expect(harness.sentParameters[1]["since_id"] == "30")
    }

    @Test func pendingGapIsReadUpToTheNewCyclesEndTime() async throws {
        var harness = try PollerHarness(
            [.ok(Pages.page(ids: [30, 29], nextToken: "t1"))] + Array(repeating: .status(503), count: 5)
                + [.ok(Pages.page(ids: [28], nextToken: "t9")), .ok(Pages.page(ids: [27]))])
        _ = try await harness.runCycle()
        harness.clock.advance(by: 120)
        let endTime = UTCTime(harness.clock.now.addingTimeInterval(-30)).rfc3339Seconds
        _ = try await harness.runCycle()
        let gap = Array(harness.sentParameters.suffix(2))
        #expect(gap.map { $0["until_id"] } == ["29", "29"])
        #expect(gap.map { $0["end_time"] } == [endTime, endTime])
        #expect(endTime != harness.sentParameters[0]["end_time"])
        #expect(gap.map { $0["next_token"] } == [nil, "t9"])
        #expect(harness.poller.cursor == SearchCursor(sinceID: TweetID(30)))
    }

    @Test func startTimeIsAlwaysBeforeEndTime() async throws {
        var harness = try PollerHarness([.ok(Pages.empty())], startTime: .ago(seconds: 5), environment: ["TWITTER_SETTLE_SECONDS": "60"])
        _ = try await harness.runCycle()
        let sent = try #require(harness.sentParameters.first)
        let start = try #require(sent["start_time"].flatMap(parseRFC3339))
        let end = try #require(sent["end_time"].flatMap(parseRFC3339))
        #expect(start < end)
        #expect(end == harness.clock.now.addingTimeInterval(-60))
    }

    @Test func pageSizeShrinksToWhatIsLeftOfTheDailyBudgetButNeverBelowTen() async throws {
        let today = UTCDay.name(FakeWallClock.start)
        let cases: [(used: Int, expected: String)] = [(0, "100"), (900, "100"), (950, "50"), (987, "13"), (995, "10"), (999, "10")]
        for (used, expected) in cases {
            var harness = try PollerHarness(
                [.ok(Pages.empty())], cursor: SearchCursor(sinceID: TweetID(5), reads: DailyReads(day: today, posts: used)),
                environment: ["TWITTER_MAX_POSTS_PER_DAY": "1000"])
            _ = try await harness.runCycle()
            #expect(harness.sentParameters.first?["max_results"] == expected, "after \(used) read")
        }
    }

    @Test func pageSizeIsTheConfiguredOneWithoutABudget() async throws {
        var harness = try PollerHarness([.ok(Pages.empty())], environment: ["TWITTER_MAX_RESULTS": "40"])
        _ = try await harness.runCycle()
        #expect(harness.sentParameters.first?["max_results"] == "40")
        #expect(harness.poller.cursor.reads == nil)
    }
}

@Suite("Settle lag after a restart")
struct SettleLagRestartTests {
    /// A snowflake id for a post created at `date`.
    private func snowflake(_ date: Date) -> TweetID {
        TweetID((UInt64(date.timeIntervalSince1970 * 1000) - 1_288_834_974_657) << 22 | 7)
    }

    @Test func snowflakeTimeIsWhenThePostWasCreated() {
        // 1380242611781386245: created 2021-04-08T19:34:16.000Z (recorded page).
        let created = TweetID(1_380_242_611_781_386_245).snowflakeTime
        #expect(abs(created.timeIntervalSince1970 - 1_617_910_456) < 1)
    }

    @Test func aSinceIDNewerThanTheEndTimeWaitsWithoutARequest() async throws {
        // The checkpoint was written with a shorter settle lag: its since_id is 60 s old, the new lag 600 s.
        let sinceID = snowflake(FakeWallClock.start.addingTimeInterval(-60))
        var harness = try PollerHarness(
            [.ok(Pages.empty())], cursor: SearchCursor(sinceID: sinceID), environment: ["TWITTER_SETTLE_SECONDS": "600"])
        #expect(try await harness.runCycle() == .completed(pages: 0, records: 0))
        #expect(harness.client.requests.isEmpty)
        harness.clock.advance(by: 600)
        _ = try await harness.runCycle()
        #expect(harness.sentParameters.first?["since_id"] == sinceID.description)
    }
}
