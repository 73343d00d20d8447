import Foundation
import Testing

@testable import TweetIngest

/// `TWITTER_MAX_POSTS_PER_DAY`: counted per UTC day, kept with the checkpoint, never exceeded by
/// more than 9, and nothing skipped when reading stops.
@Suite("Daily post budget")
struct DailyBudgetTests {
    private let midnight = Date(timeIntervalSince1970: 1_767_398_400)  // 2026-01-03T00:00:00Z

    @Test func countRestartsAtMidnightUTC() {
        let beforeMidnight = midnight.addingTimeInterval(-1)
        let reads = DailyReads.adding(990, to: nil, at: beforeMidnight)
        #expect(reads == DailyReads(day: "2026-01-02", posts: 990))
        #expect(reads.posts(on: beforeMidnight) == 990)
        #expect(reads.posts(on: midnight) == 0)
        #expect(DailyReads.adding(7, to: reads, at: midnight) == DailyReads(day: "2026-01-03", posts: 7))
        let budget = DailyBudget(limit: 1000)
        #expect(budget.left(reads, now: beforeMidnight) == 10)
        #expect(budget.left(reads, now: midnight) == 1000)
        #expect(budget.pageSize(configured: 100, reads: reads, now: beforeMidnight) == 10)
        #expect(budget.pageSize(configured: 100, reads: DailyReads(day: "2026-01-02", posts: 1000), now: beforeMidnight) == nil)
        #expect(budget.pageSize(configured: 100, reads: DailyReads(day: "2026-01-02", posts: 1000), now: midnight) == 100)
    }

    @Test func nextMidnightIsTheStartOfTheNextUTCDay() {
        #expect(UTCDay.nextMidnight(after: midnight.addingTimeInterval(-0.5)) == midnight)
        #expect(UTCDay.nextMidnight(after: midnight) == midnight.addingTimeInterval(86_400))
        #expect(UTCDay.nextMidnight(after: FakeWallClock.start) == midnight)
    }

    @Test func readingStopsAtTheBudgetLeavingAGapAndPausesUntilMidnight() async throws {
        let store = RecordingLogHandler.Store()
        var harness = try PollerHarness(
            [
                .ok(Pages.page(ids: Array(stride(from: 100, to: 90, by: -1)), nextToken: "t1")),
                .ok(Pages.page(ids: Array(stride(from: 90, to: 80, by: -1)), nextToken: "t2")),
            ], environment: ["TWITTER_MAX_POSTS_PER_DAY": "20", "TWITTER_MAX_RESULTS": "10"], logger: store.logger)
        let outcome = try await harness.runCycle()
        #expect(outcome == .paused(until: midnight, reason: "daily post budget of 20 reached (20 read today)"))
        #expect(harness.client.requests.count == 2, "no request once the budget is spent")
        let cursor = harness.poller.cursor
        #expect(cursor.reads == DailyReads(day: "2026-01-02", posts: 20))
        #expect(cursor.pending?.untilID == TweetID(81), "what was not read stays as a gap")
        #expect(cursor.pending?.newestID == TweetID(100))
        #expect(harness.taken.last?.cursor == cursor, "the count travels to the checkpoint with the page")
        let notices = store.lines.filter { $0.message.contains("TWITTER_MAX_POSTS_PER_DAY reached") }
        #expect(notices.count == 1)
        #expect(notices.first?.message.contains("20 posts read today") == true)
        #expect(notices.first?.metadata["poll.resume_at"] == "2026-01-03T00:00:00Z")

        // Later the same day: still nothing is read.
        harness.clock.advance(by: 3600)
        let again = try await harness.runCycle()
        #expect(again == .paused(until: midnight, reason: "daily post budget of 20 reached (20 read today)"))
        #expect(harness.client.requests.count == 2)

        // After midnight the gap is read first, from where it stopped.
        harness.clock.advance(by: midnight.timeIntervalSince(harness.clock.now) + 5)
        harness.client.enqueue([.ok(Pages.page(ids: [80, 79]))])
        let next = try await harness.runCycle()
        #expect(next == .completed(pages: 1, records: 2))
        #expect(harness.sentParameters.last?["until_id"] == "81")
        #expect(harness.poller.cursor.sinceID == TweetID(100))
        #expect(harness.poller.cursor.reads == DailyReads(day: "2026-01-03", posts: 2))
    }

    @Test func neverReadsMoreThanNinePastTheBudget() async throws {
        // A budget of 25 with pages of 10: 10, 10, then a page of at least 10 for the last 5.
        var harness = try PollerHarness(
            (0..<4).map { page in
                .ok(Pages.page(ids: (0..<10).map { UInt64(1000 - page * 10 - $0) }, nextToken: "t\(page)"))
            }, environment: ["TWITTER_MAX_POSTS_PER_DAY": "25", "TWITTER_MAX_RESULTS": "10"])
        _ = try await harness.runCycle()
        #expect(harness.sentParameters.map { $0["max_results"] } == ["10", "10", "10"])
        let read = try #require(harness.poller.cursor.reads?.posts)
        #expect(read >= 25 && read <= 25 + 9)
    }

    @Test func rejectsCountTowardsTheBudget() async throws {
        let page = Array(
            #"{"data":[{"id":"9","text":"a"},{"text":"no id"}],"errors":[{"title":"Not Found Error","resource_id":"7"}],"meta":{"newest_id":"9","oldest_id":"9","result_count":2}}"#
                .utf8)
        var harness = try PollerHarness([.ok(page)], environment: ["TWITTER_MAX_POSTS_PER_DAY": "100"])
        _ = try await harness.runCycle()
        let normalized = try Pages.normalized(page)
        #expect(normalized.recordCount == 1 && normalized.errorCount == 1)
        #expect(normalized.postsRead == 2)
        #expect(harness.poller.cursor.reads?.posts == normalized.postsRead)
    }

    @Test func warnsOnceADayWhenTheQueryMatchesMoreThanTheBudget() async throws {
        let store = RecordingLogHandler.Store()
        let today = UTCDay.name(FakeWallClock.start)
        var harness = try PollerHarness(
            [], cursor: SearchCursor(sinceID: TweetID(5), reads: DailyReads(day: today, posts: 50)),
            environment: ["TWITTER_MAX_POSTS_PER_DAY": "50"], logger: store.logger)
        let asked = Locked(0)
        harness.poller.dailyPostVolume = {
            asked.withLock { $0 += 1 }
            return 80
        }
        _ = try await harness.runCycle()
        harness.clock.advance(by: 600)
        _ = try await harness.runCycle()
        let warnings = store.lines.filter { $0.level == .warning && $0.message.contains("fall out") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("about 30 posts a day fall out of recent search's 7-day window") == true)
        #expect(asked.value == 1)
        #expect(harness.client.requests.isEmpty)
    }

    @Test func noWarningWhenTheBudgetKeepsUp() async throws {
        let store = RecordingLogHandler.Store()
        var harness = try PollerHarness(
            [], cursor: SearchCursor(reads: DailyReads(day: UTCDay.name(FakeWallClock.start), posts: 50)),
            environment: ["TWITTER_MAX_POSTS_PER_DAY": "50"], logger: store.logger)
        harness.poller.dailyPostVolume = { 40 }
        _ = try await harness.runCycle()
        #expect(!store.lines.contains { $0.level == .warning })
    }

    @Test func checkpointKeepsTheCountAndOldCheckpointsStillDecode() throws {
        let cursor = SearchCursor(sinceID: TweetID(42), reads: DailyReads(day: "2026-01-02", posts: 1234))
        let checkpoint = Checkpoint(stream: "tweets", query: "q", cursor: cursor, updatedAt: FakeWallClock.start)
        let bytes = try checkpoint.encoded()
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""reads""#))
        #expect(try Checkpoint.decode(bytes).cursor == cursor)
        let old = Array(
            #"{"version":1,"stream":"tweets","query":"q","cursor":{"since_id":"42"},"updated_at":"2026-01-02T03:04:05.000Z"}"#.utf8)
        let decoded = try Checkpoint.decode(old)
        #expect(decoded.cursor == SearchCursor(sinceID: TweetID(42)))
        #expect(decoded.cursor.reads == nil)
    }
}
