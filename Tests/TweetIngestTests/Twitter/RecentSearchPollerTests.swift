import Foundation
import Testing

@testable import TweetIngest

/// Paging, the cursor and where each cycle starts.
@Suite("Recent search poller: paging")
struct RecentSearchPollerTests {
    @Test func multiPageCycleHandsEveryPageToTakeInOrderAndCompletes() async throws {
        var harness = try PollerHarness([
            .ok(Pages.page(ids: [30, 29], nextToken: "t1")), .ok(Pages.page(ids: [28, 27], nextToken: "t2")), .ok(Pages.page(ids: [26])),
        ])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 3, records: 5))
        #expect(try harness.takenIDs == ["30", "29", "28", "27", "26"])
        #expect(harness.sentParameters.map { $0["next_token"] } == [nil, "t1", "t2"])
        #expect(Set(harness.sentParameters.map { $0["start_time"] }).count == 1)
        #expect(harness.taken.map { $0.cursor.sinceID } == [nil, nil, TweetID(30)])
        #expect(harness.poller.cursor == SearchCursor(sinceID: TweetID(30)))
        #expect(harness.sleep.durations.isEmpty)
    }

    @Test func nextCycleAsksOnlyForNewerTweets() async throws {
        var harness = try PollerHarness([.ok(Pages.page(ids: [30, 29])), .ok(Pages.empty())])
        _ = try await harness.runCycle()
        let second = try await harness.runCycle()
        #expect(second == .completed(pages: 1, records: 0))
        #expect(harness.sentParameters[1]["since_id"] == "30")
        #expect(harness.sentParameters[1]["start_time"] == nil)
        #expect(harness.poller.cursor == SearchCursor(sinceID: TweetID(30)))
    }

    @Test func givingUpInterruptsTheCycleAndTheNextOneFillsTheGap() async throws {
        var harness = try PollerHarness(
            [.ok(Pages.page(ids: [30, 29], nextToken: "t1"))] + Array(repeating: .status(503, body: "down"), count: 5))
        let outcome = try await harness.runCycle()
        guard case .interrupted(let pages, let records, let reason) = outcome else {
            Issue.record("expected .interrupted, got \(outcome)")
            return
        }
        #expect(pages == 1 && records == 2)
        #expect(reason.contains("503"))
        #expect(harness.client.requests.count == 1 + harness.poller.maxAttempts)
        #expect(harness.sleep.durations.count == harness.poller.maxAttempts - 1)
        let pending = try #require(harness.poller.cursor.pending)
        #expect(pending.untilID == TweetID(29))
        #expect(pending.newestID == TweetID(30))
        #expect(harness.poller.cursor.sinceID == nil)

        harness.client.enqueue([.ok(Pages.page(ids: [28, 27]))])
        let resumedOutcome = try await harness.runCycle()
        #expect(resumedOutcome == .completed(pages: 1, records: 2))
        let resumed = try #require(harness.sentParameters.last)
        #expect(resumed["until_id"] == "29")
        #expect(resumed["start_time"] == harness.sentParameters[0]["start_time"], "the gap keeps the first cycle's start")
        #expect(resumed["next_token"] == nil)
        #expect(harness.poller.cursor == SearchCursor(sinceID: TweetID(30)))
        #expect(try harness.takenIDs == ["30", "29", "28", "27"])
    }

    @Test func resumedGapStartTimeStaysInsideTheSevenDayWindow() async throws {
        // TWITTER_START_TIME=7d: the first cycle starts at the window's edge and is interrupted.
        var harness = try PollerHarness(
            [.ok(Pages.page(ids: [30, 29], nextToken: "t1"))] + Array(repeating: .status(503), count: 5),
            startTime: .ago(seconds: 7 * 86_400))
        _ = try await harness.runCycle()
        #expect(harness.poller.cursor.pending?.startTime != nil)
        harness.clock.advance(by: 3600)
        harness.client.enqueue([.ok(Pages.page(ids: [28]))])
        _ = try await harness.runCycle()
        let startTime = try #require(harness.sentParameters.last?["start_time"].flatMap(parseRFC3339))
        #expect(startTime >= harness.clock.now.addingTimeInterval(-7 * 86_400))
    }

    @Test func staleSinceIDRestartsFromTheStartOfTheSevenDayWindow() async throws {
        var harness = try PollerHarness(
            [.response(try Fixtures.errorResponse("http400_since_id_older_than_7_days.EXAMPLE.json")), .ok(Pages.page(ids: [500, 499]))],
            cursor: SearchCursor(sinceID: TweetID(100)))
        let now = harness.clock.now
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 1, records: 2))
        #expect(harness.sentParameters[0]["since_id"] == "100")
        let restart = harness.sentParameters[1]
        #expect(restart["since_id"] == nil)
        let startTime = try #require(restart["start_time"].flatMap(parseRFC3339))
        #expect(startTime > now.addingTimeInterval(-7 * 86_400))
        #expect(startTime < now.addingTimeInterval(-7 * 86_400 + 3600))
        #expect(harness.poller.cursor == SearchCursor(sinceID: TweetID(500)))
    }

    @Test func startTimeBeyondTheWindowIsClampedToIt() async throws {
        var harness = try PollerHarness([.ok(Pages.empty())], startTime: .at(FakeWallClock.start.addingTimeInterval(-10 * 86_400)))
        _ = try await harness.runCycle()
        let startTime = try #require(harness.sentParameters[0]["start_time"].flatMap(parseRFC3339))
        #expect(startTime > harness.clock.now.addingTimeInterval(-7 * 86_400))
        #expect(startTime < harness.clock.now.addingTimeInterval(-7 * 86_400 + 3600))
    }

    @Test func pageWithPartialErrorsStillYieldsItsRecords() async throws {
        var harness = try PollerHarness([.ok(try Fixtures.bytes(Fixtures.obamaPage)), .ok(Pages.empty())])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 2, records: 100))
        let first = try #require(harness.taken.first)
        #expect(first.page.recordCount == 100)
        #expect(first.page.partialErrors.count == 1)
        #expect(harness.sentParameters[1]["next_token"] == "b26v89c19zqg8o3fostqs9sdj5y8pqyhj4w073tvyk7lp")
        #expect(harness.poller.cursor.sinceID?.description == "1380242611781386245")
    }

    @Test func recordedTweepyPageIsTakenWithItsRateLimitHeaders() async throws {
        var harness = try PollerHarness([
            .response(try Fixtures.tweepyResponse("tweepy_search_recent_2022-10-07_client.json")), .ok(Pages.empty()),
        ])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 2, records: 10))
        #expect(harness.sleep.durations.isEmpty, "448 requests remain: no wait")
        #expect(harness.poller.cursor.sinceID?.description == "1578516068309794817")
    }
}
